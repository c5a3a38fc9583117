"""Fixtures of the API tests: requests as a persona, the personas only the API tests need,
and what the activities endpoints' tests start from (api/tests/activities_api.py)."""

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.models import Status
from api.tests.activities_api import TITLE, activity
from api.tests.clients import TokenClient
from api.tests.plans_api import DAY
from offices.tests.factories import CounterpartFactory, IndicatorFactory, RegionFactory
from planning.models import Confidentiality
from planning.tests.factories import PlanFactory


@pytest.fixture
def api(request):
    """`api("staff_a")`: requests as a persona (a fixture's name) with a new personal token
    of theirs, or as nobody: `api("anonymous")` (api/tests/clients.py)."""

    def as_persona(persona: str) -> TokenClient:
        if persona == "anonymous":
            return TokenClient()
        return TokenClient(request.getfixturevalue(persona))

    return as_persona


# --- personas ---------------------------------------------------------------------------------


@pytest.fixture
def unit_staff(unit_a):
    """Staff of office A's liaison unit: the unit's offices and activities only, not the
    office's."""
    return UserFactory(username="unit_staff", role=Role.OFFICE_STAFF, office=unit_a)


@pytest.fixture
def supervisor_b(office_b):
    return UserFactory(username="supervisor_b", role=Role.OFFICE_SUPERVISOR, office=office_b)


# --- reference data and activities --------------------------------------------------------------


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions")


@pytest.fixture
def hubei(db):
    return RegionFactory(code="420000", name_en="Hubei")


@pytest.fixture
def commerce(hubei):
    return CounterpartFactory(name_en="Department of Commerce of Hubei Province", region=hubei)


@pytest.fixture
def hktdc(db):
    return CounterpartFactory(type="partner", name_en="HKTDC")


@pytest.fixture
def draft(office_a, indicator, staff_a):
    return activity(office_a, indicator, title=TITLE, created_by=staff_a)


@pytest.fixture
def submitted(office_a, indicator, staff_a):
    return activity(office_a, indicator, status=Status.SUBMITTED, title=TITLE, created_by=staff_a)


# --- plans ------------------------------------------------------------------------------------


@pytest.fixture
def guangdong(office_a):
    region = RegionFactory(code="440000", name_en="Guangdong")
    office_a.regions.add(region)  # office A covers Guangdong
    return region


@pytest.fixture
def hebei(office_b):
    region = RegionFactory(code="130000", name_en="Hebei")
    office_b.regions.add(region)  # office B covers Hebei
    return region


@pytest.fixture
def department(guangdong):
    return CounterpartFactory(name_en="Department of Commerce of Guangdong", region=guangdong)


@pytest.fixture
def plan_a(office_a, indicator, guangdong, department, staff_a):
    """Office A's plan, shared with other offices as a summary."""
    return PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=guangdong,
        starts_on=DAY,
        title="Call on the department",
        purpose="Talk about the trade fair.",
        created_by=staff_a,
        counterparts=[department],
        attendees=[staff_a],
    )


@pytest.fixture
def restricted_a(office_a, indicator, guangdong, staff_a):
    return PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=guangdong,
        starts_on=DAY,
        title="Private dinner",
        confidentiality=Confidentiality.RESTRICTED,
        created_by=staff_a,
    )
