"""One shape for every refusal: DRF's field-by-field errors, also for the services' own
Django ValidationErrors, and the conflict of a stale version with what changed since."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from activities.services import ConflictError


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"

    def __init__(self, detail=None, code=None):
        super().__init__(
            detail
            or _(
                "Say which version you changed: the “version” field, or an If-Match header "
                "with the ETag you read. Without it another person's change could be lost."
            ),
            code,
        )


class StaleVersion(Exception):
    """A ConflictError seen through the API: 409 for a stale `version` in the body, 412 for
    a stale If-Match header (RFC 9110)."""

    def __init__(self, conflict: ConflictError, *, precondition: bool) -> None:
        self.conflict = conflict
        self.status = (
            status.HTTP_412_PRECONDITION_FAILED if precondition else status.HTTP_409_CONFLICT
        )
        super().__init__(str(conflict))


def conflict_body(conflict: ConflictError) -> dict:
    changed_by = conflict.changed_by
    return {
        "detail": _(
            "Someone else changed this activity after you read it. Nothing was saved: read "
            "it again, then make your change to the current version."
        ),
        "code": "stale_version",
        "current_version": conflict.activity.version,
        "changed_by": changed_by.get_username() if changed_by else None,
        "changed_at": serializers.DateTimeField().to_representation(conflict.changed_at)
        if conflict.changed_at
        else None,
        "changes": [
            {"field": c.field, "label": c.label, "old": c.old, "new": c.new}
            for c in conflict.changes
        ],
    }


class StaleCopy(Exception):
    """A plan or progress note changed after the person read it (planning.services): 409
    for a stale `version` in the body, 412 for a stale If-Match, with the same body as an
    activity's (what changed, read from the object's history)."""

    # Bookkeeping of every change: never what a person changed.
    NOT_SHOWN = ("version", "updated_at", "updated_by", "written_at", "written_by")

    def __init__(self, obj, *, read_version: int, changed_by, changed_at, precondition: bool):
        self.obj = obj
        self.read_version = read_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.status = (
            status.HTTP_412_PRECONDITION_FAILED if precondition else status.HTTP_409_CONFLICT
        )
        super().__init__(str(obj))

    def changes(self) -> list[dict]:
        history = self.obj.history.order_by("-history_date", "-history_id")
        latest = history.first()
        read = history.filter(version=self.read_version).first()
        if latest is None or read is None or latest.pk == read.pk:
            return []
        delta = latest.diff_against(read, excluded_fields=self.NOT_SHOWN)
        changes = []
        for change in delta.changes:
            field = type(self.obj)._meta.get_field(change.field)
            changes.append(
                {
                    "field": change.field,
                    "label": str(field.verbose_name),
                    "old": _shown(change.old),
                    "new": _shown(change.new),
                }
            )
        return changes

    def body(self) -> dict:
        return {
            "detail": _(
                "Someone else changed this after you read it. Nothing was saved: read it "
                "again, then make your change to the current version."
            ),
            "code": "stale_version",
            "current_version": self.obj.version,
            "changed_by": self.changed_by.get_username() if self.changed_by else None,
            "changed_at": serializers.DateTimeField().to_representation(self.changed_at)
            if self.changed_at
            else None,
            "changes": self.changes(),
        }


def _shown(value) -> str:
    """A value of the history as text: a list of a many-to-many's rows by their ids."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(list(v.values())[-1] if isinstance(v, dict) else v) for v in value)
    return str(value)


def exception_handler(exc, context):
    if isinstance(exc, StaleCopy):
        response = Response(exc.body(), status=exc.status)
        response["ETag"] = f'"{exc.obj.version}"'
        return response
    if isinstance(exc, StaleVersion):
        response = Response(conflict_body(exc.conflict), status=exc.status)
        response["ETag"] = f'"{exc.conflict.activity.version}"'
        return response
    if isinstance(exc, ConflictError):
        return exception_handler(StaleVersion(exc, precondition=False), context)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(exc.args[0])
    return drf_exception_handler(exc, context)
