"""The arithmetic of progress (docs/domain.md, "Targets and progress"), against numbers
worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from reports import progress
from reports.progress import IndicatorProgress


def year_so_far(achieved, target, as_of, year=2026):
    return IndicatorProgress.year_so_far(
        None, achieved=achieved, target=target, year=year, as_of=as_of
    )


def test_percent_is_one_decimal():
    assert progress.percent_of_target(1, 3) == Decimal("33.3")
    assert progress.percent_of_target(2, 3) == Decimal("66.7")
    assert progress.percent_of_target(5, None) is None


def test_days_elapsed_is_inclusive_and_bounded():
    assert progress.days_elapsed(2026, dt.date(2026, 1, 1)) == 1
    assert progress.days_elapsed(2026, dt.date(2026, 12, 31)) == 365
    assert progress.days_elapsed(2026, dt.date(2027, 3, 1)) == 365
    assert progress.days_elapsed(2026, dt.date(2025, 12, 31)) == 0
    assert progress.days_elapsed(2028, dt.date(2028, 12, 31)) == 366


def test_expected_and_projected_follow_the_domain_rules():
    # 30 June 2026 is day 181 of 365
    line = year_so_far(181, 3650, dt.date(2026, 6, 30))
    assert line.expected == Decimal(1810)
    assert line.projected == 365
    assert year_so_far(0, 3400, dt.date(2025, 12, 1)).projected is None  # before the year


@pytest.mark.parametrize(
    ("achieved", "status"),
    [
        (1991, "ahead"),
        (1990, "on_track"),
        (1810, "on_track"),
        (1809, "at_risk"),
        (1629, "at_risk"),
        (1628, "behind"),
    ],
)
def test_status_thresholds(achieved, status):
    # expected by 30 June = 1810 for a target of 3650: 110% = 1991, 100% = 1810, 90% = 1629
    assert year_so_far(achieved, 3650, dt.date(2026, 6, 30)).status == status


def test_no_status_before_15_january_or_without_a_target():
    assert year_so_far(0, 3400, dt.date(2026, 1, 14)).status is None
    assert year_so_far(0, 3400, dt.date(2026, 1, 15)).status == "behind"
    assert year_so_far(10, None, dt.date(2026, 6, 1)).status is None


@pytest.mark.parametrize("as_of_day", range(15, 366, 7))
@pytest.mark.parametrize("target", [3400, 290, 350, 880, 7, 1])
def test_on_track_exactly_when_the_projection_reaches_the_target(target, as_of_day):
    """Status and projection never disagree: on track or ahead exactly when the projected
    year-end reaches the target, for every achieved figure around the boundary."""
    as_of = dt.date(2026, 1, 1) + dt.timedelta(days=as_of_day - 1)
    boundary = target * as_of_day // 365
    for achieved in range(max(boundary - 3, 0), boundary + 4):
        line = year_so_far(achieved, target, as_of)
        if as_of == dt.date(2026, 12, 31):
            continue  # a finished year is met or not met
        reaches = line.projected >= target
        assert (line.status in ("ahead", "on_track")) == reaches, (achieved, line.projected)


def test_the_case_that_was_on_track_below_its_projection():
    # Visits, 3 391 projected against 3 400: at 99.7 % the old 95 % line called it on track.
    as_of = dt.date(2026, 9, 30)  # day 273
    line = year_so_far(2536, 3400, as_of)
    assert line.projected == 3390  # 2536 × 365 / 273 = 3390.6, rounded down
    assert line.status == "at_risk"
    assert year_so_far(2544, 3400, as_of).projected == 3401
    assert year_so_far(2544, 3400, as_of).status == "on_track"


def test_still_needed_and_per_month():
    # 30 June: 181 days gone, 184 left, 184 / 365 × 12 = 6.05 months
    line = year_so_far(1000, 3400, dt.date(2026, 6, 30))
    assert line.still_needed == 2400
    assert line.needed_per_month == 397  # 2400 / 6.049 = 396.7, rounded up
    assert year_so_far(4000, 3400, dt.date(2026, 6, 30)).still_needed == 0  # never below 0
    assert year_so_far(4000, 3400, dt.date(2026, 6, 30)).needed_per_month == 0
    assert year_so_far(10, None, dt.date(2026, 6, 30)).still_needed is None
    # on 1 January, 364 days are left: 3400 / 11.97 = 284.1
    assert year_so_far(0, 3400, dt.date(2026, 1, 1)).needed_per_month == 285


@pytest.mark.parametrize("as_of", [dt.date(2026, 12, 31), dt.date(2027, 3, 1)])
def test_a_finished_year_is_met_or_not_met_with_no_pace(as_of):
    met = year_so_far(3400, 3400, as_of)
    missed = year_so_far(3399, 3400, as_of)
    assert (met.status, met.status_label) == ("met", "Target met")
    assert (missed.status, missed.status_label) == ("not_met", "Target not met")
    for line in (met, missed):
        assert line.finished
        assert (line.expected, line.projected, line.needed_per_month) == (None, None, None)
    assert (met.still_needed, missed.still_needed) == (0, 1)


def test_part_of_a_year_is_judged_on_its_own_pace_and_never_finished():
    # the fourth quarter, 92 days: expected 3650 × 92 / 365 = 920
    line = IndicatorProgress(
        None, achieved=920, target=3650, start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    assert not line.finished
    assert line.expected == 920
    assert line.status == "on_track"
    assert (line.projected, line.needed_per_month) == (None, None)
