"""Property-based run of the OpenAPI schema (schemathesis): every operation gets generated
requests, valid and invalid, as a bureau admin (who may do the most) and as office staff.
No answer may be a 5xx, and every documented answer must match its schema.

Bounded: a few examples per operation (more with KPI_FUZZ_EXAMPLES), no deadline, no example database, so the run takes
seconds and is the same on every machine."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
import time_machine
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from accounts.tokens import token_create
from activities.tests.factories import ActivityFactory

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def keep_connection():
    """Django closes the database connection at the end of each request; under the test
    Client it does not (the test's transaction lives on it), and schemathesis calls the
    WSGI application directly, so do here what the Client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(keep_connection, office_a, unit_a, office_b, indicator, staff_a, bureau_admin):
    ActivityFactory.create_batch(3, lead_office=office_a, indicator=indicator)
    ActivityFactory.create_batch(2, lead_office=office_b, indicator=indicator)
    return {
        "admin": token_create(user=bureau_admin, name="fuzz")[1],
        "staff": token_create(user=staff_a, name="fuzz")[1],
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    # KPI_FUZZ_EXAMPLES=200 for a deeper run by hand.
    max_examples=int(os.environ.get("KPI_FUZZ_EXAMPLES", "8")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case, api_data):
    with time_machine.travel(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC), tick=False):
        for who in ("admin", "staff"):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {api_data[who]}"}, checks=CHECKS
            )
