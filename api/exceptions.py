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


def exception_handler(exc, context):
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
