"""An edit refused as stale: the activity changed after the form was opened; what changed, by whom and when."""

from __future__ import annotations

from dataclasses import dataclass

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
        return str(obj) if obj else "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
