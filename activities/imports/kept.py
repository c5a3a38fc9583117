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
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from offices.models import Counterpart, Office

from ..access import can_write_for_office
from ..models import Activity, Status
from ..services import EDITABLE_FIELDS
from .cells import normalise
from .lookups import Lookups
from .rows import NEW, RowResult, mark_duplicates, periods_of

# The fields of an activity that a row decides, by their column names (lead_office_id, …).
KEPT_FIELDS = tuple(Activity._meta.get_field(name).attname for name in EDITABLE_FIELDS)

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


def kept_rows(
    kept: dict[str, Any], *, lookups: Lookups, numbers: set[int]
) -> list[RowResult] | None:
    """The rows the preview passed, each with its activity (unsaved, as `activity_check`
    made it), if they were checked against the same reference data and rights as
    `lookups` holds, by this code, and are the rows `numbers` names; otherwise None."""
    if (
        not kept
        or kept.get("rules") != rules_version()
        or kept.get("fingerprint") != lookups.fingerprint
    ):
        return None
    try:
        return _rows(kept, lookups=lookups, numbers=numbers)
    except (KeyError, IndexError, TypeError, ValueError):  # not what `keep` writes
        return None


def _rows(kept: dict[str, Any], *, lookups: Lookups, numbers: set[int]) -> list[RowResult] | None:
    count = len(kept["numbers"])
    if set(kept["numbers"]) != numbers or count != len(numbers):
        return None
    if set(kept["fields"]) != set(KEPT_FIELDS) or len(kept["counterparts"]) != count:
        return None
    if any(len(values) != count for values in kept["fields"].values()):
        return None
    offices: dict[int, Office] = lookups.by_pk[Office]
    counterparts: dict[int, Counterpart] = lookups.by_pk[Counterpart]
    fields = kept["fields"]
    rows = []
    for index, number in enumerate(kept["numbers"]):
        values = {name: fields[name][index] for name in KEPT_FIELDS}
        values["occurred_on"] = dt.date.fromisoformat(values["occurred_on"])
        ids = kept["counterparts"][index]
        if values["lead_office_id"] not in offices or any(pk not in counterparts for pk in ids):
            return None
        activity = Activity(status=Status.DRAFT, **values)
        rows.append(
            RowResult(
                number=number,
                kwargs={
                    "lead_office": offices[values["lead_office_id"]],
                    "occurred_on": values["occurred_on"],
                    "counterparts": [counterparts[pk] for pk in ids],
                },
                key=(
                    values["lead_office_id"],
                    values["indicator_id"],
                    values["occurred_on"],
                    normalise(values["title"]),
                ),
                activity=activity,
            )
        )
    return rows


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
