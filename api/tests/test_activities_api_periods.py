"""Closed periods on /api/v1/activities/: today is 15 June 2026, so April and May are closed
for entry; writes there are refused with the reason unless the bureau reopened the month
for the office (docs/domain.md, "Time")."""

from __future__ import annotations

import datetime as dt

import pytest

from activities.models import Activity, PeriodReopening, Status
from api.tests.activities_api import APRIL, activity, list_url, new_activity, url, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


CLOSED = "April 2026 closed for entry at the end of 2026-05-10"


def test_create_in_a_closed_month_is_refused_with_the_reason(api, office_a, indicator):
    response = api("staff_a").post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert response.status_code == 400
    [message] = response.json()["occurred_on"]
    assert CLOSED in message and "bureau admin can reopen it" in message
    assert Activity.objects.count() == 0


def test_may_is_closed_since_10_june(api, office_a, indicator):
    response = api("staff_a").post(list_url(), new_activity(occurred_on="2026-05-31"))
    assert response.status_code == 400
    assert "May 2026 closed for entry" in response.json()["occurred_on"][0]


@pytest.fixture
def in_april(office_a, indicator):
    return {
        status: activity(office_a, indicator, status=status, occurred_on=APRIL)
        for status in (Status.DRAFT, Status.SUBMITTED)
    }


@pytest.mark.parametrize(
    ("action", "status", "body", "field"),
    [
        ("detail", Status.DRAFT, {"title": "Keynote", "version": 1}, "occurred_on"),
        ("submit", Status.DRAFT, {}, "non_field_errors"),
        ("remove", Status.DRAFT, {"reason": "Twice", "version": 1}, "non_field_errors"),
        ("return", Status.SUBMITTED, {"comment": "Which outlet?"}, "non_field_errors"),
    ],
)
def test_changes_in_a_closed_month_are_refused_with_the_reason(
    api, in_april, action, status, body, field
):
    target = in_april[status]
    before = written()
    writer = api("supervisor_a")
    response = (
        writer.patch(url(target), body)
        if action == "detail"
        else writer.post(url(target, action), body)
    )
    assert response.status_code == 400, response.content
    assert CLOSED in " ".join(response.json()[field])
    assert written() == before


def test_moving_an_activity_into_a_closed_month_is_refused(api, draft):
    before = written()
    response = api("staff_a").patch(url(draft), {"occurred_on": APRIL.isoformat(), "version": 1})
    assert response.status_code == 400
    assert CLOSED in response.json()["occurred_on"][0]
    assert written() == before


def test_verify_is_allowed_in_a_closed_month(api, in_april):
    """Verifying does not change the figures, so a closed month does not stop it."""
    target = in_april[Status.SUBMITTED]
    assert api("supervisor_a").post(url(target, "verify")).status_code == 200
    assert Activity.objects.get(pk=target.pk).status == Status.VERIFIED


@pytest.fixture
def reopen(office_a, staff_a, bureau_admin):
    def make(state=PeriodReopening.State.GRANTED, open_until=dt.date(2026, 6, 30)):
        return PeriodReopening.objects.create(
            office=office_a,
            year=2026,
            month=4,
            reason="Late report",
            requested_by=staff_a,
            state=state,
            open_until=open_until if state == PeriodReopening.State.GRANTED else None,
            decided_by=bureau_admin if state != PeriodReopening.State.REQUESTED else None,
        )

    return make


def test_a_granted_reopening_lets_the_office_write_in_the_month(api, in_april, unit_a, reopen):
    reopen()
    writer = api("supervisor_a")
    draft = in_april[Status.DRAFT]

    created = writer.post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert created.status_code == 201, created.content
    # the reopening of an office covers its units
    for_unit = writer.post(list_url(), new_activity(lead_office="UNITA", occurred_on="2026-04-30"))
    assert for_unit.status_code == 201
    changed = writer.patch(url(draft), {"title": "Keynote", "version": 1})
    assert changed.status_code == 200
    assert writer.post(url(draft, "submit")).status_code == 200
    returned = writer.post(url(draft, "return"), {"comment": "Which outlet?"})
    assert returned.status_code == 200
    removal = {"reason": "Twice", "version": returned.json()["version"]}
    assert writer.post(url(draft, "remove"), removal).status_code == 200

    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.removal_reason) == ("Keynote", "returned", "Twice")
    assert Activity.objects.filter(occurred_on__month=4).count() == 4


@pytest.mark.parametrize(
    ("state", "open_until"),
    [
        (PeriodReopening.State.GRANTED, dt.date(2026, 6, 14)),  # over yesterday
        (PeriodReopening.State.REQUESTED, None),
        (PeriodReopening.State.DECLINED, None),
    ],
)
def test_a_reopening_not_granted_or_over_keeps_the_month_closed(
    api, in_april, reopen, state, open_until
):
    reopen(state, open_until)
    before = written()
    writer = api("supervisor_a")
    created = writer.post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert created.status_code == 400
    changed = writer.patch(url(in_april[Status.DRAFT]), {"title": "Keynote", "version": 1})
    assert changed.status_code == 400
    assert written() == before


def test_another_offices_reopening_does_not_open_the_month(
    api, in_april, office_b, staff_b, bureau_admin
):
    PeriodReopening.objects.create(
        office=office_b,
        year=2026,
        month=4,
        reason="Late report",
        requested_by=staff_b,
        state=PeriodReopening.State.GRANTED,
        open_until=dt.date(2026, 6, 30),
        decided_by=bureau_admin,
    )
    response = api("staff_a").post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert response.status_code == 400
    assert Activity.objects.filter(occurred_on=APRIL).count() == 2  # the fixture's
