import datetime as dt
from decimal import Decimal

import pytest

from reports import progress


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
    assert progress.expected_by(3650, 2026, dt.date(2026, 6, 30)) == Decimal(1810)
    assert progress.projected_year_end(181, 2026, dt.date(2026, 6, 30)) == 365
    assert progress.projected_year_end(0, 2026, dt.date(2025, 12, 1)) is None


@pytest.mark.parametrize(
    ("achieved", "status"),
    [
        (1991, "ahead"),
        (1990, "on_track"),
        (1720, "on_track"),
        (1719, "at_risk"),
        (1448, "at_risk"),
        (1447, "behind"),
    ],
)
def test_status_thresholds(achieved, status):
    # expected by 30 June = 1810 for a target of 3650: 110% = 1991, 95% = 1719.5, 80% = 1448
    assert progress.status_of(achieved, 3650, 2026, dt.date(2026, 6, 30)) == status


def test_no_status_before_15_january_or_without_a_target():
    assert progress.status_of(0, 3400, 2026, dt.date(2026, 1, 14)) is None
    assert progress.status_of(0, 3400, 2026, dt.date(2026, 1, 15)) == "behind"
    assert progress.status_of(10, None, 2026, dt.date(2026, 6, 1)) is None
