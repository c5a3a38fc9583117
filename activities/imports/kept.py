"""What the preview checked, kept with the batch, so that the confirmation checks again only
what can have changed since.

A row's outcome is worked out from its cells (kept as read), the reference data its names
are matched against and the offices the uploader may write for (both summed up by
`Lookups.fingerprint`), the states of the months, the day, and the activities already
recorded. The preview keeps, for each row it shows as new, the activity that
`activity_check` passed: its fields as they would be written and its counterparts, with
the fingerprint it was matched and checked against, and the version of the code that
matched and checked it (`rules_version`).

At the confirmation, when the fingerprint is still the same, every row would be matched
and checked to the same activity again: what is left to check is what the file does not
decide, for all rows at once (`still_new`): the uploader's rights, the months still open,
no date after today, no duplicate recorded since. Anything else (other reference data,
other rights, other code since a release, a row that fails one of those checks, a batch
kept before this existed) and
the confirmation reads and checks every row again, as the preview did, to say which
fails and why.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from offices.models import Counterpart, Indicator, Office, Region

from ..access import can_write_for_office
from ..services import EDITABLE_ATTNAMES
from .cells import normalise
from .lookups import Lookups
from .rows import NEW, RowResult, mark_duplicates, periods_of

# The fields of an activity that a row decides, by their column names (lead_office_id, …).
KEPT_FIELDS = EDITABLE_ATTNAMES

# The code a row is read, matched and checked by, and the translations (the levels' names).
RULES_MODULES = (
    "activities.imports.cells",
    "activities.imports.columns",
    "activities.imports.lookups",
    "activities.imports.rows",
    "activities.imports.tables",
    "activities.imports.kept",
    "activities.services.checks",
    "activities.services.writing",
    "activities.services.bulk",
    "activities.models.activity",
    "activities.periods",
)


@functools.cache
def rules_version() -> str:
    """A digest of the code that reads, matches and checks a row, and of the translations:
    a batch kept by other code (a release between its preview and its confirmation) has its
    rows read and checked again by this one."""
    digest = hashlib.sha256()
    for name in RULES_MODULES:
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    for folder in settings.LOCALE_PATHS:
        for catalogue in sorted(Path(folder).glob("*/LC_MESSAGES/django.mo")):
            digest.update(catalogue.read_bytes())
    return digest.hexdigest()


# Worked out as the process starts, from the files it runs, not later from files a release
# may have replaced on disk in the meantime.
rules_version()


def keep(rows: Sequence[RowResult], lookups: Lookups) -> dict[str, Any]:
    """The activities the rows shown as new passed, as columns (one list a field), with
    the fingerprint of what they were checked against."""
    checked = [row for row in rows if row.status == NEW and row.activity is not None]
    fields = {name: [_json(getattr(row.activity, name)) for row in checked] for name in KEPT_FIELDS}
    return {
        "rules": rules_version(),
        "fingerprint": lookups.fingerprint,
        "numbers": [row.number for row in checked],
        "fields": fields,
        "counterparts": [[c.pk for c in row.kwargs["counterparts"]] for row in checked],
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Kept:
    """The activities a preview passed: as rows, for what is checked again (their lead
    offices, days and duplicate keys), and as the columns `activities_create_kept` writes."""

    rows: list[RowResult]
    fields: dict[str, list]  # attname -> one value an activity, ready to write
    counterparts: list[list[int]]


def kept_rows(kept: dict[str, Any], *, lookups: Lookups, numbers: set[int]) -> Kept | None:
    """The activities the preview passed, if they were checked against the same reference
    data and rights as `lookups` holds, by this code, and are the rows `numbers` names;
    otherwise None."""
    if (
        not isinstance(kept, dict)
        or kept.get("rules") != rules_version()
        or kept.get("fingerprint") != lookups.fingerprint
    ):
        return None
    try:
        return _kept(kept, lookups=lookups, numbers=numbers)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # not what `keep` writes
        return None


# What each kept column may hold: ids of the reference data read (region: or none), text.
_IDS = {"lead_office_id": Office, "indicator_id": Indicator, "region_id": Region}


def _kept(kept: dict[str, Any], *, lookups: Lookups, numbers: set[int]) -> Kept | None:
    count = len(kept["numbers"])
    if set(kept["numbers"]) != numbers or count != len(numbers):
        return None
    fields = dict(kept["fields"])
    links = kept["counterparts"]
    if set(fields) != set(KEPT_FIELDS) or type(links) is not list or len(links) != count:
        return None
    if any(type(values) is not list or len(values) != count for values in fields.values()):
        return None
    for name, values in fields.items():
        if name in _IDS:
            known = lookups.by_pk[_IDS[name]]
            if not all(
                (type(pk) is int and pk in known) or (pk is None and name == "region_id")
                for pk in values
            ):
                return None
        elif name != "occurred_on" and not set(map(type, values)) <= {str}:
            return None
    fields["occurred_on"] = days = [dt.date.fromisoformat(day) for day in fields["occurred_on"]]
    offices: dict[int, Office] = lookups.by_pk[Office]
    counterparts: dict[int, Counterpart] = lookups.by_pk[Counterpart]
    for ids in links:  # a list of distinct, known counterparts' ids an activity
        if type(ids) is not list or len(set(ids)) != len(ids):
            return None
        if not all(type(pk) is int and pk in counterparts for pk in ids):
            return None
    rows = [
        RowResult(
            number=number,
            kwargs={"lead_office": offices[office_id], "occurred_on": day},
            key=(office_id, indicator_id, day, normalise(title)),
        )
        for number, office_id, indicator_id, day, title in zip(
            kept["numbers"],
            fields["lead_office_id"],
            fields["indicator_id"],
            days,
            fields["title"],
            strict=True,
        )
    ]
    return Kept(rows=rows, fields=fields, counterparts=links)


def still_new(*, user, rows: Sequence[RowResult]) -> bool:
    """Whether rows kept from the preview can all still be imported: the uploader may still
    write for their lead offices, their months are still open, none is dated after today,
    and none has been recorded since (`mark_duplicates`; the lead offices are locked)."""
    offices = {row.kwargs["lead_office"] for row in rows}
    if not all(can_write_for_office(user, office) for office in offices):
        return False
    today = timezone.localdate()
    if any(row.kwargs["occurred_on"] > today for row in rows):
        return False
    periods = periods_of(rows)
    if not all(state.is_open for state in periods.values()):
        return False
    mark_duplicates(rows)
    return all(row.status == NEW for row in rows)
