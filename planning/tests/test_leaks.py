"""Nothing of a plan goes further than planning.access lets it: not through a warning
(whoever saves), a conflict, a filter, or the activity logged from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.tests.factories import ActivityFactory
from offices.tests.factories import CounterpartFactory, OfficeFactory, RegionFactory
from planning import access, services
from planning.models import Confidentiality, PlanConflict, PlanStatus
from planning.tests.factories import PlanFactory
from planning.warnings import Proposal, plan_warnings

from .pages import content, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 15, 10))]


@pytest.fixture
def elsewhere(db):
    return RegionFactory(code="420000", name_en="Hubei")


@pytest.fixture
def department(elsewhere):
    return CounterpartFactory(name_en="Hubei Department of Commerce", region=elsewhere)


def test_a_bureau_admin_planning_for_an_office_is_not_warned_of_what_it_may_not_see(
    bureau_admin, staff_a, office_a, office_b, indicator, elsewhere, department
):
    PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=elsewhere,
        starts_on=dt.date(2026, 6, 23),
        confidentiality=Confidentiality.RESTRICTED,
        created_by=staff_a,
        counterparts=[department],
    )
    saved = services.plan_create(
        user=bureau_admin,
        lead_office=office_b,
        indicator=indicator,
        title="Call on the department",
        starts_on=dt.date(2026, 6, 25),
        region=elsewhere,
        counterparts=[department],
    )
    assert saved.warnings == [] and not PlanConflict.objects.exists()


def test_who_attends_another_offices_summary_plan_is_never_told(
    staff_a, staff_b, office_a, office_b, indicator, elsewhere
):
    other = PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=elsewhere,
        starts_on=dt.date(2026, 6, 25),
        attendee_names="Mr Secret Attendee",
        created_by=staff_a,
    )
    probe = Proposal(
        lead_office=office_b,
        starts_on=other.starts_on,
        ends_on=other.ends_on,
        region=elsewhere,
        attendee_names="Mr Secret Attendee",
    )
    assert plan_warnings(staff_b, probe) == []
    # Office A's own plan meets it: the official is theirs to know.
    mine = Proposal(
        lead_office=office_a,
        starts_on=other.starts_on,
        ends_on=other.ends_on,
        region=elsewhere,
        attendee_names="Mr Secret Attendee",
    )
    (warning,) = plan_warnings(staff_a, mine)
    assert warning.kinds == ["official"]


def test_filtering_by_office_does_not_tell_who_takes_part_in_a_summary(
    staff_b, office_a, indicator, elsewhere, staff_a
):
    office_c = OfficeFactory(code="OFFC")
    PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=elsewhere,
        created_by=staff_a,
        participating_offices=[office_c],
    )
    response = signed_in(staff_b).get(
        reverse("planning:list"), {"office": office_c.pk, "when": "all"}
    )
    assert response.context["page"].paginator.count == 0
    bureau = UserFactory(role=Role.BUREAU_VIEWER)
    response = signed_in(bureau).get(
        reverse("planning:list"), {"office": office_c.pk, "when": "all"}
    )
    assert response.context["page"].paginator.count == 1


def test_the_activity_page_names_its_plan_only_to_those_who_see_the_plan(
    staff_a, staff_b, office_a, office_b, indicator, elsewhere
):
    activity = ActivityFactory(lead_office=office_a, indicator=indicator, created_by=staff_a)
    activity.participating_offices.add(office_b)  # office B joined the activity, not the plan
    plan = PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=elsewhere,
        starts_on=activity.occurred_on,
        status=PlanStatus.DONE,
        activity=activity,
        confidentiality=Confidentiality.RESTRICTED,
        title="Kept to office A",
        created_by=staff_a,
    )
    url = reverse("activities:detail", args=[activity.pk])
    assert "Kept to office A" in content(signed_in(staff_a).get(url))
    page = signed_in(staff_b).get(url)
    assert page.status_code == 200 and "Kept to office A" not in content(page)
    assert reverse("planning:detail", args=[plan.pk]) not in content(page)


def test_a_plan_made_restricted_closes_the_conflicts_that_name_it(
    staff_a, staff_b, office_a, office_b, indicator, elsewhere, department
):
    first = services.plan_create(
        user=staff_a,
        lead_office=office_a,
        indicator=indicator,
        title="Office A's call",
        starts_on=dt.date(2026, 6, 23),
        region=elsewhere,
        counterparts=[department],
    ).plan
    services.plan_create(
        user=staff_b,
        lead_office=office_b,
        indicator=indicator,
        title="Office B's call",
        starts_on=dt.date(2026, 6, 25),
        region=elsewhere,
        counterparts=[department],
        warning_reason="The department asked for both.",
    )
    conflict = PlanConflict.objects.get()
    assert conflict in access.conflicts_visible(staff_b)
    services.plan_update(
        user=staff_a,
        plan=first,
        version=first.version,
        confidentiality=Confidentiality.RESTRICTED,
        warning_reason="Office B goes first.",  # office A is warned of B's plan in turn
    )
    conflict.refresh_from_db()
    assert conflict.closed_how == PlanConflict.Closed.GONE
    assert not conflict.other_plans.exists()


def test_changing_who_is_visited_sends_a_confirmed_plan_back(
    staff_a, supervisor_a, office_a, indicator, elsewhere, department
):
    saved = services.plan_create(
        user=staff_a,
        lead_office=office_a,
        indicator=indicator,
        title="Call",
        starts_on=dt.date(2026, 6, 23),
        region=elsewhere,
        counterparts=[department],
    ).plan
    confirmed = services.plan_confirm(user=supervisor_a, plan=saved)
    other = CounterpartFactory(name_en="Hubei Bureau of Statistics", region=elsewhere)
    moved = services.plan_update(
        user=staff_a, plan=confirmed, version=confirmed.version, counterparts=[other]
    ).plan
    assert moved.status == PlanStatus.PLANNED
