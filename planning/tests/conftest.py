"""Shared for the planning pages' tests: two offices' plans on the same department, and a
client signed in as someone."""

from __future__ import annotations

import datetime as dt

import pytest

from offices.tests.factories import CounterpartFactory, RegionFactory
from planning.models import Confidentiality
from planning.tests.factories import PlanFactory

from .pages import SECRET_PURPOSE, SECRET_TITLE


@pytest.fixture
def guangdong(office_a):
    region = RegionFactory(code="440000", name_en="Guangdong")
    office_a.regions.add(region)
    return region


@pytest.fixture
def hebei(office_b):
    region = RegionFactory(code="130000", name_en="Hebei")
    office_b.regions.add(region)
    return region


@pytest.fixture
def department(guangdong):
    return CounterpartFactory(name_en="Department of Commerce of Guangdong", region=guangdong)


@pytest.fixture
def plan_a(office_a, indicator, guangdong, department, staff_a):
    """Office A's plan, shown to other offices as a summary."""
    return PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=guangdong,
        starts_on=dt.date(2026, 6, 22),
        title=SECRET_TITLE,
        purpose=SECRET_PURPOSE,
        attendee_names="Mr Secret Attendee",
        created_by=staff_a,
        counterparts=[department],
    )


@pytest.fixture
def restricted_a(office_a, indicator, guangdong, staff_a):
    only = CounterpartFactory(name_en="Only on the restricted plan", region=guangdong)
    return PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        region=guangdong,
        starts_on=dt.date(2026, 6, 23),
        title="Restricted engagement",
        city="Shenzhen-restricted",
        confidentiality=Confidentiality.RESTRICTED,
        created_by=staff_a,
        counterparts=[only],
    )


@pytest.fixture
def plan_b(office_b, indicator, guangdong, department, staff_b):
    """Office B's plan with the same department, a few days from office A's."""
    return PlanFactory(
        lead_office=office_b,
        indicator=indicator,
        region=guangdong,
        starts_on=dt.date(2026, 6, 24),
        title="Office B's own call",
        created_by=staff_b,
        counterparts=[department],
    )
