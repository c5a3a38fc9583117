"""The rules of a year's targets (docs/domain.md, "Targets and progress"):

- A target is a minimum ("no less than"): a whole number from 1 to 1,000,000.
- The bureau-wide target stands on its own; an office's share is optional. An office
  with no share of its own is measured against the bureau target only.
- Once a year has started (today, Hong Kong time, is on or after 1 January of it), every
  change to its targets needs a reason, kept as simple-history's change reason.
- A cleared cell deletes the target row; its history stays.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

MIN_TARGET = 1
MAX_TARGET = 1_000_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
REASON_MAX_LENGTH = 100
"""simple-history's change-reason column is a CharField(max_length=100)."""


def year_has_started(year: int, *, today: dt.date | None = None) -> bool:
    """A KPI year starts on 1 January, Hong Kong time."""
    today = today or timezone.localdate()
    return today >= dt.date(year, 1, 1)


def is_valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def year_choices(year: int, *, today: dt.date | None = None) -> list[int]:
    """The years offered by the year selector: five back and two ahead of this year and of
    the year shown."""
    this_year = (today or timezone.localdate()).year
    first = max(FIRST_YEAR, min(year, this_year) - 5)
    last = min(LAST_YEAR, max(year, this_year) + 2)
    return list(range(first, last + 1))


def bureau_key(indicator_id: int) -> str:
    return f"bureau-{indicator_id}"


def share_key(office_id: int, indicator_id: int) -> str:
    return f"share-{office_id}-{indicator_id}"
