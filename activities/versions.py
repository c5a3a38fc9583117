"""An activity's fields as they were at each version, read from its history.

Every write bumps the version and records a history row; the related lists (counterparts,
participating offices, partners) are set after the row is saved and each add a history row
of the same version. The *last* history row of a version is therefore that version as it
was committed. Values here are comparable: ids for related objects, frozensets of ids for
related lists, so that `common.merge.three_way` can compare them with ==.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from .models import Activity


@dataclass
class Version:
    """One committed version: its number, who saved it and when, and its values."""

    number: int
    by: Any  # the user, or None for a change made outside a request
    at: dt.datetime
    values: dict[str, Any] = field(default_factory=dict)


def _is_many(name: str) -> bool:
    return Activity._meta.get_field(name).many_to_many


def comparable(value: Any) -> Any:
    """Text as a browser and a script would both send it: a browser sends a textarea's
    line breaks as CRLF, which is not a change of the text."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def current_values(activity: Activity, fields: Sequence[str]) -> dict[str, Any]:
    """The activity's values as they are now (one query per related list)."""
    values = {}
    for name in fields:
        model_field = Activity._meta.get_field(name)
        if model_field.many_to_many:
            values[name] = frozenset(getattr(activity, name).values_list("pk", flat=True))
        else:
            values[name] = comparable(getattr(activity, model_field.attname))
    return values


def versions(
    activity: Activity,
    fields: Sequence[str],
    *,
    since: int | None = None,
    until: int | None = None,
) -> list[Version]:
    """The committed versions from `since` to `until` (both included), oldest first. One
    query for the history rows and one per related list, however many versions."""
    records = activity.history.select_related("history_user").order_by("history_date", "history_id")
    if since is not None:
        records = records.filter(version__gte=since)
    if until is not None:
        records = records.filter(version__lte=until)
    last_of: dict[int, Any] = {}
    for record in records:
        last_of.pop(record.version, None)  # keeps the versions in the order they were saved
        last_of[record.version] = record
    found = [
        Version(
            number=number,
            by=record.history_user,
            at=record.history_date,
            values={
                name: comparable(getattr(record, Activity._meta.get_field(name).attname))
                for name in fields
                if not _is_many(name)
            },
        )
        for number, record in last_of.items()
    ]
    history_ids = {
        record.history_id: version for record, version in zip(last_of.values(), found, strict=True)
    }
    for name in fields:
        if not _is_many(name):
            continue
        for version in found:
            version.values[name] = set()
        model_field = Activity._meta.get_field(name)
        rows = apps.get_model("activities", f"HistoricalActivity_{name}").objects.filter(
            history_id__in=list(history_ids)
        )
        for history_id, pk in rows.values_list(
            "history_id", f"{model_field.m2m_reverse_field_name()}_id"
        ):
            history_ids[history_id].values[name].add(pk)
        for version in found:
            version.values[name] = frozenset(version.values[name])
    return found


def last_changes(found: Sequence[Version], fields: Sequence[str]) -> dict[str, Version]:
    """For each field that changed between the first and the last of `found`, the version
    that last changed it: who changed it and when."""
    changed: dict[str, Version] = {}
    for before, after in itertools.pairwise(found):
        for name in fields:
            if before.values.get(name) != after.values.get(name):
                changed[name] = after
    return changed


def display(name: str, value: Any) -> str:
    """A value of `versions` or `current_values` in the reader's language: names of related
    objects, labels of choices, "—" for nothing."""
    model_field = Activity._meta.get_field(name)
    if value in (None, "") or (model_field.many_to_many and not value):
        return "—"
    if model_field.many_to_many:
        objects = model_field.related_model.objects.filter(pk__in=list(value))
        return ", ".join(sorted(str(obj) for obj in objects)) or "—"
    if model_field.is_relation:
        obj = model_field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
