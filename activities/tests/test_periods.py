import datetime as dt

import pytest

from activities.models import PeriodReopening
from activities.periods import closing_day, period_state

pytestmark = pytest.mark.django_db


def test_a_month_closes_at_the_end_of_day_ten_of_the_next(settings):
    assert closing_day(2026, 5) == dt.date(2026, 6, 10)
    assert closing_day(2026, 12) == dt.date(2027, 1, 10)
    settings.KPI_PERIOD_CLOSE_DAY = 31
    assert closing_day(2026, 1) == dt.date(2026, 2, 28)  # no 31 February


@pytest.mark.parametrize(
    ("today", "is_open"),
    [(dt.date(2026, 6, 10), True), (dt.date(2026, 6, 11), False)],
)
def test_may_is_open_through_the_tenth_of_june(office_a, today, is_open):
    state = period_state(office=office_a, day=dt.date(2026, 5, 20), today=today)
    assert state.is_open is is_open


def test_the_message_says_which_period_since_when_and_who_reopens(office_a):
    state = period_state(office=office_a, day=dt.date(2026, 4, 2), today=dt.date(2026, 6, 15))
    message = state.explain()
    assert "April 2026" in message
    assert "at the end of 2026-05-10" in message
    assert "bureau admin" in message


def test_an_open_period_says_until_when(office_a):
    state = period_state(office=office_a, day=dt.date(2026, 6, 2), today=dt.date(2026, 6, 15))
    assert state.open_until == dt.date(2026, 7, 10)
    assert "open for entry until" in state.describe()


def test_a_granted_reopening_opens_the_month_for_the_office_and_its_units_until_the_date(
    office_a, unit_a, office_b, bureau_admin, staff_a
):
    PeriodReopening.objects.create(
        office=office_a,
        year=2026,
        month=4,
        reason="Late report from Tianjin",
        requested_by=staff_a,
        state=PeriodReopening.State.GRANTED,
        open_until=dt.date(2026, 6, 20),
        decided_by=bureau_admin,
    )
    day = dt.date(2026, 4, 2)

    assert period_state(office=office_a, day=day, today=dt.date(2026, 6, 20)).is_open
    assert period_state(office=unit_a, day=day, today=dt.date(2026, 6, 20)).is_open
    assert not period_state(office=office_a, day=day, today=dt.date(2026, 6, 21)).is_open
    assert not period_state(office=office_b, day=day, today=dt.date(2026, 6, 20)).is_open


def test_a_declined_or_pending_request_opens_nothing(office_a, staff_a, bureau_admin):
    PeriodReopening.objects.create(
        office=office_a, year=2026, month=4, reason="x", requested_by=staff_a
    )
    PeriodReopening.objects.create(
        office=office_a,
        year=2026,
        month=4,
        reason="y",
        requested_by=staff_a,
        state=PeriodReopening.State.DECLINED,
        decided_by=bureau_admin,
    )
    assert not period_state(
        office=office_a, day=dt.date(2026, 4, 2), today=dt.date(2026, 6, 15)
    ).is_open
