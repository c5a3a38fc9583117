"""Which confirmed plans the daily digest reminds people to log, and whom
(docs/operations.md, "Reminders").

Today is Monday 8 June 2026, half past midnight in Hong Kong: still 7 June in UTC, so a
plan whose last day was 7 June has passed here and would not have by the UTC date.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import ReminderPreference, Role
from accounts.tests.factories import UserFactory
from activities.tests.factories import ActivityFactory
from offices.tests.factories import OfficeFactory
from planning.models import CancelReason, PlanStatus
from planning.reminders import plans_to_log_due
from planning.tests.factories import PlanFactory

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 6, 8)
YESTERDAY = dt.date(2026, 6, 7)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 8, 0, 30, tzinfo=HK)),
]


def confirmed(*, by, office=None, starts_on=YESTERDAY, ends_on=None, **extra):
    return PlanFactory(
        lead_office=office or by.office,
        created_by=by,
        status=PlanStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        **extra,
    )


def listed(due: dict, user) -> list[str]:
    return [plan["title"] for plan in due.get(user.pk, {}).get("plans", [])]


def test_a_confirmed_plan_whose_last_day_passed_in_hong_kong_is_due(staff_a):
    passed = confirmed(by=staff_a, title="Call on the Commerce Department")
    confirmed(by=staff_a, title="Visit today", starts_on=TODAY)
    confirmed(
        by=staff_a, title="Three days, the last today", starts_on=dt.date(2026, 6, 6), ends_on=TODAY
    )

    due = plans_to_log_due(today=timezone.localdate())

    assert due[staff_a.pk] == {
        "count": 1,
        "plans": [
            {"id": passed.pk, "title": "Call on the Commerce Department", "starts_on": "2026-06-07"}
        ],
    }


def test_planned_done_and_cancelled_plans_are_not_due(staff_a):
    PlanFactory(lead_office=staff_a.office, created_by=staff_a, starts_on=YESTERDAY)
    PlanFactory(
        lead_office=staff_a.office,
        created_by=staff_a,
        starts_on=YESTERDAY,
        status=PlanStatus.DONE,
        activity=ActivityFactory(lead_office=staff_a.office, created_by=staff_a),
    )
    PlanFactory(
        lead_office=staff_a.office,
        created_by=staff_a,
        starts_on=YESTERDAY,
        status=PlanStatus.CANCELLED,
        cancel_reason=CancelReason.TRAVEL,
        cancelled_at=timezone.now(),
    )

    assert plans_to_log_due(today=TODAY) == {}


def test_the_author_and_the_lead_offices_supervisors_are_reminded(
    staff_a, supervisor_a, unit_a, office_b, staff_b
):
    unit_supervisor = UserFactory(role=Role.OFFICE_SUPERVISOR, office=unit_a)
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b)
    confirmed(by=staff_a, title="Office A's plan")
    confirmed(by=staff_a, office=unit_a, title="Unit A1's plan")

    due = plans_to_log_due(today=TODAY)

    assert listed(due, staff_a) == ["Office A's plan", "Unit A1's plan"]
    # the office's supervisor for the office and its unit; the unit's for the unit alone
    assert listed(due, supervisor_a) == ["Office A's plan", "Unit A1's plan"]
    assert listed(due, unit_supervisor) == ["Unit A1's plan"]
    assert supervisor_b.pk not in due and staff_b.pk not in due


def test_people_who_cannot_or_do_not_want_to_be_reminded_are_left_out(office_a, supervisor_a):
    left = UserFactory(role=Role.OFFICE_STAFF, office=office_a, is_active=False)
    no_mail = UserFactory(role=Role.OFFICE_STAFF, office=office_a, email="")
    turned_off = UserFactory(role=Role.OFFICE_STAFF, office=office_a)
    ReminderPreference.objects.create(user=turned_off, plans_to_log=False)
    admin = UserFactory(role=Role.BUREAU_ADMIN)
    for author in (left, no_mail, turned_off):
        confirmed(by=author)
    confirmed(by=admin, office=office_a)

    due = plans_to_log_due(today=TODAY)

    # the supervisor still hears of all four; none of their authors does
    assert set(due) == {supervisor_a.pk}
    assert due[supervisor_a.pk]["count"] == 4


def test_an_inactive_supervisor_is_not_reminded(staff_a, supervisor_a):
    supervisor_a.is_active = False
    supervisor_a.save()
    confirmed(by=staff_a)

    assert set(plans_to_log_due(today=TODAY)) == {staff_a.pk}


def test_twenty_are_listed_by_date_and_title_and_all_are_counted(staff_a):
    for n in range(23):
        confirmed(by=staff_a, title=f"Visit {n:02d}", starts_on=dt.date(2026, 5, 31 - n))

    item = plans_to_log_due(today=TODAY)[staff_a.pk]

    assert item["count"] == 23
    assert [plan["starts_on"] for plan in item["plans"]][:2] == ["2026-05-09", "2026-05-10"]
    assert len(item["plans"]) == 20
    assert item["plans"][-1]["title"] == "Visit 03"


@pytest.mark.parametrize("plans", [3, 30])
def test_query_count_does_not_grow_with_plans(
    plans, staff_a, supervisor_a, django_assert_num_queries
):
    office_c = OfficeFactory()
    author_c = UserFactory(role=Role.OFFICE_STAFF, office=office_c)
    for n in range(plans):
        confirmed(by=[staff_a, author_c][n % 2])

    # the plans due, then the people reminded of them
    with django_assert_num_queries(2):
        due = plans_to_log_due(today=TODAY)

    assert set(due) == {staff_a.pk, supervisor_a.pk, author_c.pk}


def test_nothing_due_costs_one_query(staff_a, django_assert_num_queries):
    confirmed(by=staff_a, starts_on=TODAY)

    with django_assert_num_queries(1):
        assert plans_to_log_due(today=TODAY) == {}
