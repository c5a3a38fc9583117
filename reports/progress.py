"""Progress against a target, written once (docs/domain.md, "Targets and progress").

Every page, report and API that shows a per cent, a pace, a projection, a status or what is
still needed reads it from `IndicatorProgress`, so the numbers agree everywhere.

Status and projection are one comparison seen two ways: achieved against where a steady
pace would be by the day equals the projected year-end against the target. The projection
is rounded down, so "the projection reaches the target" and "on track or ahead" are true
together, never one without the other.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from offices.models import Indicator

AHEAD = "ahead"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
BEHIND = "behind"
MET = "met"
NOT_MET = "not_met"

STATUS_LABELS = {
    AHEAD: _("Ahead"),
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    BEHIND: _("Behind"),
    MET: _("Target met"),
    NOT_MET: _("Target not met"),
}
STATUS_VALUES = (AHEAD, ON_TRACK, AT_RISK, BEHIND, MET, NOT_MET)
# Achieved against expected (= projected year-end against target), in per cent, from the
# top: the first threshold met gives the status; below the last, behind.
STATUS_THRESHOLDS = ((110, AHEAD), (100, ON_TRACK), (90, AT_RISK))
FIRST_JUDGED_DAY = 15  # before 15 January no status is given: too early to judge

STATUS_RULE = _(
    "Status compares the projected year-end with the target, which is the same as "
    "comparing what is achieved with where a steady pace would be by this date: ahead at "
    "110% or more; on track at 100% or more (the projection reaches the target); at risk "
    "at 90% or more; behind below 90%. No status is given before 15 January. Once the "
    "year is over, each target is met or not met."
)
ARITHMETIC_RULE = _(
    "Steady pace: target × days from 1 January to the date ÷ days in the year. Projected "
    "year-end: achieved × days in the year ÷ days so far, rounded down. Still needed: "
    "target − achieved; per month: still needed ÷ the months left in the year (days left "
    "÷ days in the year × 12), rounded up."
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


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator's progress, for the bureau, an office or a unit: what was achieved from
    `start` to `end` (both counted days, within one year) against the year's `target`.

    A dashboard or a report from 1 January is "the year so far" and has a projection and a
    monthly need; a report of part of a year (a quarter) is judged on the pace of that part.
    The year to 31 December is finished: met or not met, no pace, projection or need.
    """

    indicator: Indicator
    achieved: int
    target: int | None
    start: dt.date
    end: dt.date
    # Plans still ahead in the year (planning.selectors.planned_ahead): shown beside the
    # projection, never part of what is achieved.
    confirmed_ahead: int = 0
    planned_ahead: int = 0

    @classmethod
    def year_so_far(
        cls,
        indicator: Indicator,
        *,
        achieved: int,
        target: int | None,
        year: int,
        as_of: dt.date,
        confirmed_ahead: int = 0,
        planned_ahead: int = 0,
    ) -> IndicatorProgress:
        """From 1 January to `as_of` (the year's last day for an "as of" after the year)."""
        return cls(
            indicator,
            achieved,
            target,
            dt.date(year, 1, 1),
            min(as_of, dt.date(year, 12, 31)),
            confirmed_ahead,
            planned_ahead,
        )

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def from_start_of_year(self) -> bool:
        return self.start == dt.date(self.year, 1, 1)

    @property
    def finished(self) -> bool:
        """The whole year is counted: the target is met or not, there is no pace left."""
        return self.from_start_of_year and self.end >= dt.date(self.year, 12, 31)

    @property
    def judged(self) -> bool:
        return self.end >= dt.date(self.year, 1, FIRST_JUDGED_DAY)

    @property
    def elapsed(self) -> int:
        """Days counted, from `start` to `end` inclusive (0 when `end` is before `start`)."""
        return max((self.end - self.start).days + 1, 0)

    @property
    def percent(self) -> Decimal | None:
        return percent_of_target(self.achieved, self.target)

    @property
    def expected(self) -> Decimal | None:
        """Where a steady pace would be by `end`: target × days counted ÷ days in the year."""
        if not self.target or self.finished:
            return None
        return Decimal(self.target) * self.elapsed / days_in_year(self.year)

    @property
    def expected_rounded(self) -> int | None:
        expected = self.expected
        return None if expected is None else int(expected.quantize(0, ROUND_HALF_UP))

    @property
    def projected(self) -> int | None:
        """The year-end at the pace so far, rounded down (so it reaches the target exactly
        when the status is on track or ahead). Only for the year so far, before it ends."""
        if not self.from_start_of_year or self.finished or self.elapsed == 0:
            return None
        return self.achieved * days_in_year(self.year) // self.elapsed

    @property
    def status(self) -> str | None:
        if not self.target or not self.judged or self.elapsed == 0:
            return None
        if self.finished:
            return MET if self.achieved >= self.target else NOT_MET
        # achieved / (target × elapsed / days in the year) >= threshold %, in whole numbers
        reached = self.achieved * days_in_year(self.year) * 100
        for threshold, status in STATUS_THRESHOLDS:
            if reached >= threshold * self.target * self.elapsed:
                return status
        return BEHIND

    @property
    def with_confirmed(self) -> int:
        """Achieved plus the confirmed plans still ahead: what the year comes to if every
        confirmed plan happens (and nothing else does)."""
        return self.achieved + self.confirmed_ahead

    @property
    def has_plans_ahead(self) -> bool:
        return bool(self.confirmed_ahead or self.planned_ahead)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))

    @property
    def still_needed(self) -> int | None:
        """Target − achieved, never below 0."""
        if not self.target:
            return None
        return max(self.target - self.achieved, 0)

    @property
    def needed_per_month(self) -> int | None:
        """What is still needed ÷ the months left in the year after `end` (days left ÷
        days in the year × 12), rounded up. Only for the year so far, before it ends."""
        needed = self.still_needed
        if needed is None or not self.from_start_of_year or self.finished:
            return None
        total = days_in_year(self.year)
        left = total - self.elapsed
        if left <= 0:
            return None
        return math.ceil(Decimal(needed) * total / (Decimal(left) * 12))
