"""An edit refused as stale: the activity changed after the form was opened; what changed, by whom and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone

from accounts.templatetags.people import person

from ..models import Activity


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


class ConflictError(Exception):
    """The activity changed after the form was opened; nothing was saved."""

    def __init__(self, activity: Activity, changes: list[FieldChange], changed_by, changed_at):
        self.activity = activity
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__("The activity was changed by someone else.")


def changes_since(activity: Activity, version: int) -> tuple[list[FieldChange], object, object]:
    """What changed in the activity after `version`: field by field, old and new value,
    with who made the latest change and when."""
    records = list(activity.history.order_by("history_date", "history_id"))
    then = next((r for r in reversed(records) if r.version == version), None)
    now = records[-1] if records else None
    if then is None or now is None:
        return [], None, None
    delta = now.diff_against(
        then, excluded_fields=["version", "updated_at", "updated_by", "counted_since"]
    )
    changes = []
    for change in delta.changes:
        field = Activity._meta.get_field(change.field)
        changes.append(
            FieldChange(
                field=change.field,
                label=str(field.verbose_name),
                old=display_value(field, change.old),
                new=display_value(field, change.new),
            )
        )
    return changes, now.history_user, now.history_date


def display_value(field, value) -> str:
    """A value as a person reads it, in their language: choices by their label, people by
    name, times in Hong Kong time, dates and times as every page writes them."""
    if value in (None, ""):
        return "—"
    if field.many_to_many:
        model = field.related_model
        ids = [
            row[field.m2m_reverse_field_name()] if isinstance(row, dict) else row for row in value
        ]
        return ", ".join(str(obj) for obj in model.objects.filter(pk__in=ids)) or "—"
    if field.is_relation:
        obj = field.related_model.objects.filter(pk=value).first()
        if obj is None:
            return "—"
        return (
            person(obj) if field.related_model._meta.label == settings.AUTH_USER_MODEL else str(obj)
        )
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)
