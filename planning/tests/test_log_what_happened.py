"""Logging what happened in one step fills in what the indicator asks that the plan can
tell: the authority's level from the counterparts engaged, the event's name from the title."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.models import AuthorityLevel
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory, IndicatorFactory
from planning import services
from planning.models import PlanStatus
from planning.tests.factories import PlanFactory

HK = ZoneInfo("Asia/Hong_Kong")
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 8, 10, tzinfo=HK))]


def confirmed_plan(staff, indicator, counterparts, title="Call on the commission"):
    return PlanFactory(
        lead_office=staff.office,
        indicator=indicator,
        created_by=staff,
        title=title,
        status=PlanStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        starts_on=dt.date(2026, 6, 5),
        counterparts=counterparts,
    )


@pytest.fixture
def visits(db):
    return IndicatorFactory(code="visits", counterpart_required=True, asks_authority_level=True)


@pytest.mark.parametrize(
    ("types", "level"),
    [
        (["municipal_authority"], AuthorityLevel.MUNICIPAL),
        (["municipal_authority", "provincial_authority"], AuthorityLevel.PROVINCIAL),
        (["provincial_authority", "central_authority"], AuthorityLevel.CENTRAL),
    ],
)
def test_a_visit_records_the_highest_level_of_its_counterparts(staff_a, visits, types, level):
    counterparts = [CounterpartFactory(type=Counterpart.Type(kind)) for kind in types]

    activity = services.plan_log_activity(
        user=staff_a, plan=confirmed_plan(staff_a, visits, counterparts)
    )

    assert activity.authority_level == level


def test_a_visit_to_no_authority_leaves_the_level_to_the_form(staff_a, visits):
    plan = confirmed_plan(staff_a, visits, [CounterpartFactory(type=Counterpart.Type.ENTERPRISE)])

    with pytest.raises(ValidationError) as refused:
        services.plan_log_activity(user=staff_a, plan=plan)

    assert "authority_level" in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED and plan.activity is None


def test_a_speaking_occasion_is_named_after_the_plan(staff_a):
    speaking = IndicatorFactory(code="speaking", asks_event_name=True)
    plan = confirmed_plan(staff_a, speaking, [], title="Hong Kong Week forum, Chengdu")

    activity = services.plan_log_activity(user=staff_a, plan=plan)

    assert activity.event_name == "Hong Kong Week forum, Chengdu"
