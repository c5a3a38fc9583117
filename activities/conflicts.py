"""An edit of an activity refused as stale, merged for the person to check.

The rule is `common.merge.three_way`: base is the version the form was opened on, mine what
the person submitted, theirs the latest version. The form comes back with the latest value
of every field the person did not touch, the person's value of every field only they
changed, and a choice for each field both changed to different values. Related lists
(counterparts, participating offices, partners) are fields like the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from common.merge import three_way

from .models import Activity
from .services import EDITABLE_FIELDS, M2M_FIELDS
from .versions import Version, current_values, display, last_changes, versions

FIELDS = (*EDITABLE_FIELDS, *M2M_FIELDS)


@dataclass(frozen=True)
class ChangedField:
    """A field someone else changed since the person opened the form."""

    name: str
    label: str
    was: str | None  # as the person saw it; None when that version is not on record
    theirs: str
    mine: str
    by: Any  # who changed it last, and when
    at: dt.datetime | None
    outcome: str  # "theirs" (taken into the form), "same" (both made it) or "conflict"

    @property
    def is_conflict(self) -> bool:
        return self.outcome == "conflict"


@dataclass(frozen=True)
class ActivityMerge:
    version: int
    """The latest version: the form carries it from now on, so saving again is refused if
    anyone saves in between."""
    values: dict[str, Any]
    """Every field's value to offer, comparable (ids, frozensets of ids)."""
    changes: list[ChangedField]

    @property
    def conflicts(self) -> list[ChangedField]:
        return [change for change in self.changes if change.is_conflict]


def label_of(name: str) -> str:
    return str(Activity._meta.get_field(name).verbose_name)


def activity_merge(
    activity: Activity,
    *,
    base_version: int | None,
    mine: dict[str, Any],
    until: int | None = None,
) -> ActivityMerge:
    """Merge what the person submitted on `base_version` with the latest version (or with
    version `until`). A base that is not on record (None, or a version that never was)
    makes every field the person's value differs from the latest one a choice.

    Reads the history once (one query, and one per related list), then names the related
    objects of the fields that changed."""
    found = versions(activity, FIELDS, until=until)
    base = next((v for v in found if v.number == base_version), None)
    if found:
        latest: Version | None = found[-1]
        theirs, version = latest.values, latest.number
    else:  # no history at all: made outside the application
        latest = None
        theirs, version = current_values(activity, FIELDS), activity.version
    merge = three_way(base.values if base else None, mine, theirs)
    since_base = found[next(i for i, v in enumerate(found) if v is base) :] if base else found
    changed_by = last_changes(since_base, FIELDS)
    changes = []
    for name in FIELDS:
        if name not in merge.theirs_changed:
            continue
        who = changed_by.get(name) or latest
        theirs_display = display(name, theirs.get(name))
        changes.append(
            ChangedField(
                name=name,
                label=label_of(name),
                was=display(name, base.values.get(name)) if base else None,
                theirs=theirs_display,
                mine=display(name, mine[name]) if name in mine else theirs_display,
                by=who.by if who else None,
                at=who.at if who else None,
                outcome=merge.outcome(name),
            )
        )
    return ActivityMerge(version=version, values=merge.values, changes=changes)


def values_at(activity: Activity, version: int) -> dict[str, Any] | None:
    """The fields as they were at `version`, or None if that version is not on record."""
    if version == activity.version:
        return current_values(activity, FIELDS)
    found = versions(activity, FIELDS, since=version, until=version)
    return found[0].values if found else None


def conflict_names(raw: str, allowed: Iterable[str] = FIELDS) -> list[str]:
    """The fields a form said were to be chosen, in the form's order; anything else sent
    back is ignored."""
    wanted = {name.strip() for name in (raw or "").split(",")}
    return [name for name in allowed if name in wanted]
