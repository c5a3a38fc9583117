"""Shared fixtures: the personas of STYLE.md on two offices with a unit each, and a frozen
clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from accounts.models import Role
from accounts.tests.factories import UserFactory
from offices.tests.factories import IndicatorFactory, OfficeFactory, UnitFactory

# 15 June 2026, 10:00 in Hong Kong: June is open for entry until 10 July; May closed at the
# end of 10 June, and every earlier month before it (docs/domain.md, "Time").
FROZEN_AT = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Hong_Kong"))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in English: a request in Chinese must not leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def frozen(request):
    """The clock, stopped: time-machine's traveller, to `frozen.shift(...)` or
    `frozen.move_to(...)` within a test.

    It stops at FROZEN_AT, or at the moment a `frozen_at` marker of the test, its class or
    its module names, e.g. `pytestmark = pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 18,
    tzinfo=HK))`; `frozen_at(moment, tick=True)` starts the clock there and lets it run.
    A test under a `frozen_at` marker runs at that moment without asking for the fixture."""
    marker = request.node.get_closest_marker("frozen_at")
    if marker is None:
        moment, tick = FROZEN_AT, False
    else:
        moment, tick = marker.args[0], marker.kwargs.get("tick", False)
    with time_machine.travel(moment, tick=tick) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _frozen_at_marker(request):
    """Tests marked `frozen_at` run with the clock stopped (see `frozen`)."""
    if request.node.get_closest_marker("frozen_at"):
        request.getfixturevalue("frozen")


@pytest.fixture
def office_a(db):
    return OfficeFactory(
        code="OFFA", name_en="Office A", name_zh_hant="甲辦事處", name_zh_hans="甲办事处"
    )


@pytest.fixture
def unit_a(office_a):
    return UnitFactory(code="UNITA", parent=office_a, name_en="Unit A1", name_zh_hant="甲一聯絡處")


@pytest.fixture
def office_b(db):
    return OfficeFactory(
        code="OFFB", name_en="Office B", name_zh_hant="乙辦事處", name_zh_hans="乙办事处"
    )


@pytest.fixture
def indicator(db):
    return IndicatorFactory(
        code="visits", name_en="Visits", name_zh_hant="拜訪", name_zh_hans="拜访"
    )


@pytest.fixture
def staff_a(office_a):
    return UserFactory(username="staff_a", role=Role.OFFICE_STAFF, office=office_a)


@pytest.fixture
def supervisor_a(office_a):
    return UserFactory(username="supervisor_a", role=Role.OFFICE_SUPERVISOR, office=office_a)


@pytest.fixture
def staff_b(office_b):
    """Staff of another office: should have no access to office A's data."""
    return UserFactory(username="staff_b", role=Role.OFFICE_STAFF, office=office_b)


@pytest.fixture
def bureau_viewer(db):
    return UserFactory(username="viewer", role=Role.BUREAU_VIEWER)


@pytest.fixture
def bureau_admin(db):
    return UserFactory(username="admin", role=Role.BUREAU_ADMIN, is_staff=True, is_superuser=True)


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def client_staff_a(client, staff_a):
    return _client_for(client, staff_a)


@pytest.fixture
def client_supervisor_a(client, supervisor_a):
    return _client_for(client, supervisor_a)


@pytest.fixture
def client_staff_b(client, staff_b):
    return _client_for(client, staff_b)


@pytest.fixture
def client_bureau(client, bureau_viewer):
    return _client_for(client, bureau_viewer)


@pytest.fixture
def client_admin(client, bureau_admin):
    return _client_for(client, bureau_admin)
