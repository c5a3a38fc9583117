"""Plans changed over the API by two requests at the same moment, in real concurrent
transactions on PostgreSQL: the plan's lock makes the second find what the first did, so
"log what happened" twice makes one activity, and confirm and cancel together leave a plan
whose status, version and history agree."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.models import Activity
from activities.tests.test_concurrency import run_together
from api.tests.clients import TokenClient
from api.tests.plans_api import plan_url
from offices.tests.factories import IndicatorFactory, OfficeFactory, RegionFactory
from planning.models import Plan, PlanStatus
from planning.tests.factories import PlanFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions: PostgreSQL"
    ),
    pytest.mark.frozen_at(
        dt.datetime(2026, 6, 23, 10, 0, tzinfo=ZoneInfo("Asia/Hong_Kong")), tick=True
    ),
]

ROUNDS = 3  # each round a new plan: one lucky ordering is not enough to pass


@pytest.fixture
def office():
    office = OfficeFactory(code="OFFA")
    return {
        "office": office,
        "indicator": IndicatorFactory(code="visits"),
        "region": RegionFactory(code="440000"),
        "staff": UserFactory(username="staff", role=Role.OFFICE_STAFF, office=office),
        "supervisor": UserFactory(
            username="supervisor", role=Role.OFFICE_SUPERVISOR, office=office
        ),
    }


def _plan(office) -> Plan:
    return PlanFactory(
        lead_office=office["office"],
        indicator=office["indicator"],
        region=office["region"],
        starts_on=dt.date(2026, 6, 22),
        created_by=office["staff"],
    )


def _post(client: TokenClient, url: str, answers: list, data=None):
    return lambda: answers.append(client.post(url, data).status_code)


def test_logging_what_happened_twice_at_once_makes_one_activity(office):
    staff, supervisor = TokenClient(office["staff"]), TokenClient(office["supervisor"])
    for _round in range(ROUNDS):
        plan = _plan(office)
        answers: list[int] = []
        errors = run_together(
            _post(staff, plan_url(plan, "log"), answers),
            _post(supervisor, plan_url(plan, "log"), answers),
        )
        assert errors == [None, None]
        assert sorted(answers) == [201, 403]  # the second finds it done
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DONE
        assert Activity.objects.filter(plan=plan).count() == 1
        assert plan.version == 2
    assert Activity.objects.count() == ROUNDS


def test_confirm_and_cancel_at_once_leave_a_consistent_plan(office):
    staff, supervisor = TokenClient(office["staff"]), TokenClient(office["supervisor"])
    for _round in range(ROUNDS):
        plan = _plan(office)
        confirmed: list[int] = []
        cancelled: list[int] = []
        errors = run_together(
            _post(supervisor, plan_url(plan, "confirm"), confirmed),
            _post(staff, plan_url(plan, "cancel"), cancelled, {"reason": "travel"}),
        )
        assert errors == [None, None]
        plan.refresh_from_db()
        # Cancelling always goes through (a confirmed plan is still ahead); confirming only
        # if it came first, and then the plan was confirmed before it was cancelled.
        assert cancelled == [200]
        assert plan.status == PlanStatus.CANCELLED
        if confirmed == [200]:
            assert plan.version == 3
            assert plan.confirmed_by == office["supervisor"]
        else:
            assert confirmed == [403]
            assert (plan.version, plan.confirmed_by) == (2, None)
        statuses = list(plan.history.order_by("history_date").values_list("status", flat=True))
        assert statuses[-1] == PlanStatus.CANCELLED
        assert len(statuses) == plan.version
