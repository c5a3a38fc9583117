"""Who sees which conflict: a restricted plan is never revealed to another office by one."""

import datetime as dt

import pytest

from planning import access
from planning.models import Confidentiality, PlanConflict
from planning.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _conflict(plan, office):
    return PlanConflict.objects.create(
        plan=plan,
        office=office,
        kinds=["counterpart"],
        message="Office B meets the department that week.",
        reason="The minister's only free day.",
        created_by=plan.created_by,
    )


@pytest.mark.parametrize(
    ("confidentiality", "seen_by_b"),
    [(Confidentiality.SUMMARY, True), (Confidentiality.RESTRICTED, False)],
)
def test_the_other_office_sees_a_conflict_only_of_a_plan_it_may_see(
    staff_a, staff_b, bureau_viewer, office_a, office_b, indicator, confidentiality, seen_by_b
):
    plan = PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        starts_on=dt.date(2026, 7, 6),
        confidentiality=confidentiality,
        created_by=staff_a,
    )
    conflict = _conflict(plan, office_b)
    assert list(access.conflicts_visible(staff_a)) == [conflict]
    assert list(access.conflicts_visible(bureau_viewer)) == [conflict]
    assert (conflict in access.conflicts_visible(staff_b)) is seen_by_b


def test_an_office_taking_part_sees_the_plans_conflicts(
    staff_b, office_a, office_b, indicator, unit_a
):
    plan = PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        confidentiality=Confidentiality.RESTRICTED,
        participating_offices=[office_b],
    )
    conflict = _conflict(plan, unit_a)
    assert list(access.conflicts_visible(staff_b)) == [conflict]
