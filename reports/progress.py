"""Arithmetic of progress against a target (DOMAIN.md, "Targets and progress"), written once.

Every page, export and API that shows a per cent, a pace, a projection or a status calls
these functions, so the numbers agree everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

AHEAD = "ahead"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
BEHIND = "behind"

STATUS_LABELS = {
    AHEAD: _("Ahead"),
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    BEHIND: _("Behind"),
}
STATUS_VALUES = (AHEAD, ON_TRACK, AT_RISK, BEHIND)
# Achieved against expected, from the top: the first threshold met gives the status.
STATUS_THRESHOLDS = (
    (Decimal("1.10"), AHEAD),
    (Decimal("0.95"), ON_TRACK),
    (Decimal("0.80"), AT_RISK),
)
FIRST_JUDGED_DAY = 15  # before 15 January no status is given: too early to judge

STATUS_RULE = _(
    "Status compares what is achieved with where a steady pace would be by this date: "
    "ahead at 110% or more, on track at 95% or more, at risk at 80% or more, behind below "
    "80%. No status is given before 15 January."
)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def days_elapsed(year: int, as_of: dt.date) -> int:
    """Days of `year` from 1 January to `as_of`, inclusive (0 before, all after the year)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if as_of < start:
        return 0
    return (min(as_of, end) - start).days + 1


def percent_of_target(achieved: int, target: int | None) -> Decimal | None:
    """Achieved / target, to one decimal; None where there is no target."""
    if not target:
        return None
    return (Decimal(achieved) * 100 / Decimal(target)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def expected_by(target: int | None, year: int, as_of: dt.date) -> Decimal | None:
    """Where a steady pace would be: target × days elapsed / days in the year."""
    if not target:
        return None
    return Decimal(target) * days_elapsed(year, as_of) / days_in_year(year)


def projected_year_end(achieved: int, year: int, as_of: dt.date) -> int | None:
    """The year-end figure at the pace so far: achieved × days in the year / days elapsed."""
    elapsed = days_elapsed(year, as_of)
    if elapsed == 0:
        return None
    return int((Decimal(achieved) * days_in_year(year) / elapsed).quantize(0, ROUND_HALF_UP))


def expected_between(target: int | None, start: dt.date, end: dt.date) -> Decimal | None:
    """A steady pace over part of one year: target × days from `start` to `end`, inclusive,
    / days in the year. From 1 January it is `expected_by`; for a quarter, its share."""
    if not target:
        return None
    days = max((end - start).days + 1, 0)
    return Decimal(target) * days / days_in_year(start.year)


def status_of(achieved: int, target: int | None, year: int, as_of: dt.date) -> str | None:
    """ahead / on_track / at_risk / behind, or None without a target or before 15 January."""
    if as_of.year == year and as_of < dt.date(year, 1, FIRST_JUDGED_DAY):
        return None
    return status_against(achieved, expected_by(target, year, as_of))


def status_against(achieved: int, expected: Decimal | None) -> str | None:
    """The status for `achieved` where a steady pace would be at `expected`."""
    if expected is None or expected == 0:
        return None
    ratio = Decimal(achieved) / expected
    for threshold, status in STATUS_THRESHOLDS:
        if ratio >= threshold:
            return status
    return BEHIND
