"""Property-based run of the OpenAPI schema (schemathesis): every operation gets generated
requests, valid and invalid, as a bureau admin (who may do the most) and as office staff.
No answer may be a 5xx, and every answer must be one the schema declares for the
operation: its status, its body, its content type and its headers.

Bounded: a few examples per operation (KPI_FUZZ_EXAMPLES=200 for the deeper run, about
ten minutes on PostgreSQL), no deadline, no example database, so the run is the same on
every machine."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import token_create
from activities.tests.factories import ActivityFactory
from offices.tests.factories import CounterpartFactory, RegionFactory

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
    response_headers_conformance,
]


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
    drafts = ActivityFactory.create_batch(3, lead_office=office_a, indicator=indicator)
    ActivityFactory.create_batch(2, lead_office=office_b, indicator=indicator)
    CounterpartFactory(region=RegionFactory())
    return {
        "admin": token_create(user=bureau_admin, name="fuzz")[1],
        "staff": token_create(user=staff_a, name="fuzz")[1],
        "activity": drafts[0].pk,  # a draft of office A, version 1
        "counterpart": CounterpartFactory(region=None).pk,  # one of no region in particular
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
def test_api_answers_within_its_schema(case, frozen, api_data):
    for who in ("admin", "staff"):
        case.call_and_validate(headers={"Authorization": f"Bearer {api_data[who]}"}, checks=CHECKS)


# --- each refusal, on purpose ------------------------------------------------------------------
# The fuzzing above meets most refusals by chance; these meet each on purpose, and check that
# the answer (status, body, headers, content type) is the one the schema declares.

ACTIVITY = "/api/v1/activities/{id}/"
EDIT = {"title": "Keynote"}


def _on_activity(**kwargs):
    return lambda data: {"path_parameters": {"id": data["activity"]}, **kwargs}


REFUSED = [
    # (who, method, path, the case's data, status)
    pytest.param(None, "GET", "/api/v1/regions/", lambda d: {}, 401, id="no credentials"),
    pytest.param(
        "admin",
        "GET",
        "/api/v1/regions/",
        lambda d: {"query": {f"p{n}": n for n in range(1001)}},
        400,
        id="more parameters than Django reads",
    ),
    pytest.param(
        "admin",
        "GET",
        "/api/v1/regions/",
        lambda d: {"headers": {"Accept": "text/html"}},
        406,
        id="Accept other than JSON",
    ),
    pytest.param(
        "admin",
        "GET",
        "/api/v1/activities/",
        lambda d: {"query": {"page": 99}},
        404,
        id="a page past the last",
    ),
    pytest.param(
        "admin",
        "GET",
        "/api/v1/counterparts/",
        lambda d: {"query": {"type": "nobody"}},
        400,
        id="a filter refused",
    ),
    pytest.param(
        "admin",
        "GET",
        ACTIVITY,
        lambda d: {"path_parameters": {"id": "-1"}},
        404,
        id="a URL no route matches",
    ),
    pytest.param(
        "admin",
        "GET",
        "/api/v1/regions/{code}/",
        lambda d: {"path_parameters": {"code": "11\x000000"}},
        400,
        id="a NUL in a path is refused",
    ),
    pytest.param("staff", "GET", "/api/v1/targets/", lambda d: {}, 403, id="targets: bureau only"),
    pytest.param("staff", "GET", "/api/v1/reports/", lambda d: {}, 403, id="reports: bureau only"),
    pytest.param(
        "admin",
        "GET",
        "/api/v1/progress/",
        lambda d: {"query": {"office": "NOWHERE"}},
        404,
        id="progress of no office",
    ),
    pytest.param(
        "staff",
        "POST",
        "/api/v1/activities/",
        lambda d: {"body": "a title", "media_type": "text/plain"},
        415,
        id="a body that is not JSON",
    ),
    pytest.param(
        "staff",
        "PATCH",
        ACTIVITY,
        _on_activity(body={**EDIT, "version": 2**31}),
        400,
        id="a version out of range",
    ),
    pytest.param(
        "staff", "PATCH", ACTIVITY, _on_activity(body=EDIT), 428, id="an edit without a version"
    ),
    pytest.param(
        "staff",
        "POST",
        f"{ACTIVITY}remove/",
        _on_activity(body={"reason": "Twice"}),
        428,
        id="a removal without a version",
    ),
    pytest.param(
        "staff",
        "POST",
        f"{ACTIVITY}remove/",
        _on_activity(body={"reason": "Twice", "version": 9}),
        409,
        id="a removal on a stale version",
    ),
    pytest.param(
        "staff",
        "POST",
        f"{ACTIVITY}remove/",
        _on_activity(body={"reason": "Twice"}, headers={"If-Match": '"9"'}),
        412,
        id="a removal on a stale If-Match",
    ),
    pytest.param(
        "staff",
        "POST",
        f"{ACTIVITY}verify/",
        _on_activity(),
        403,
        id="verify: supervisors only",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "method", "path", "data", "expected"), REFUSED)
def test_each_refusal_answers_as_the_schema_says(
    frozen, api_data, who, method, path, data, expected
):
    case = schema[path][method].Case(**data(api_data))
    headers = {"Authorization": f"Bearer {api_data[who]}"} if who else {}
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    assert response.status_code == expected, response.text


@pytest.mark.django_db
def test_too_large_and_too_many_answer_as_the_schema_says(api_data, settings):
    headers = {"Authorization": f"Bearer {api_data['staff']}"}
    settings.KPI_API_MAX_BODY_BYTES = 10
    too_large = schema[f"{ACTIVITY}remove/"]["POST"].Case(
        path_parameters={"id": api_data["activity"]}, body={"reason": "Logged twice"}
    )
    assert too_large.call_and_validate(headers=headers, checks=CHECKS).status_code == 413

    cache.clear()
    settings.KPI_API_THROTTLE_RATES = {"user": "1/min", "token": "1/min", "anon": "1/min"}
    regions = schema["/api/v1/regions/"]["GET"].Case()
    assert regions.call_and_validate(headers=headers, checks=CHECKS).status_code == 200
    throttled = regions.call_and_validate(headers=headers, checks=CHECKS)
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"][0]) > 0
    cache.clear()


@pytest.mark.django_db
def test_a_counterpart_of_no_region_answers_as_the_schema_says(api_data):
    headers = {"Authorization": f"Bearer {api_data['staff']}"}
    for path, parameters in [
        ("/api/v1/counterparts/", {}),
        ("/api/v1/counterparts/{id}/", {"id": api_data["counterpart"]}),
    ]:
        case = schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == 200
        assert None in [c["region"] for c in response.json().get("results", [response.json()])]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_a_published_report_answers_as_the_schema_says(
    frozen, api_data, settings, tmp_path, django_capture_on_commit_callbacks, fmt
):
    settings.MEDIA_ROOT = str(tmp_path)
    headers = {"Authorization": f"Bearer {api_data['admin']}"}
    publish = schema["/api/v1/reports/"]["POST"].Case(
        body={"year": 2026, "period": "q1", "format": fmt}
    )
    with django_capture_on_commit_callbacks(execute=True):  # generated, in-process
        published = publish.call_and_validate(headers=headers, checks=CHECKS)
    assert published.status_code == 202
    download = schema["/api/v1/reports/{id}/download/"]["GET"].Case(
        path_parameters={"id": published.json()["id"]}
    )
    assert download.call_and_validate(headers=headers, checks=CHECKS).status_code == 200


@pytest.fixture
def plan_data(api_data, office_a, office_b, indicator, staff_a):
    """Office B's plan, which office A's staff see as a summary; office A's own plan and its
    May note; a region office B covers."""
    from planning.tests.factories import PlanFactory, ProgressNoteFactory

    covered = RegionFactory(code="130000")
    office_b.regions.add(covered)
    return {
        "theirs": PlanFactory(lead_office=office_b, indicator=indicator).pk,
        "ours": PlanFactory(lead_office=office_a, indicator=indicator, created_by=staff_a).pk,
        "note": ProgressNoteFactory(office=office_a, indicator=indicator, written_by=staff_a).pk,
        "plan_body": {
            "lead_office": office_a.code,
            "indicator": indicator.code,
            "title": "Call on the department",
            "starts_on": "2026-06-22",
            "region": covered.code,
        },
    }


PLANNED = [
    # (method, path, the case's data, status)
    pytest.param("GET", "/api/v1/plans/", lambda d: {}, 200, id="plans: in full and summaries"),
    pytest.param(
        "GET",
        "/api/v1/plans/{id}/",
        lambda d: {"path_parameters": {"id": d["theirs"]}},
        200,
        id="a plan seen as a summary",
    ),
    pytest.param(
        "POST", "/api/v1/plans/", lambda d: {"body": d["plan_body"]}, 400, id="a plan that warns"
    ),
    pytest.param(
        "POST",
        "/api/v1/plans/check/",
        lambda d: {"body": d["plan_body"]},
        200,
        id="a plan's warnings, checked",
    ),
    pytest.param(
        "PATCH",
        "/api/v1/plans/{id}/",
        lambda d: {"path_parameters": {"id": d["ours"]}, "body": {"title": "Lunch", "version": 9}},
        409,
        id="a plan changed on a stale version",
    ),
    pytest.param(
        "PATCH",
        "/api/v1/plans/{id}/",
        lambda d: {
            "path_parameters": {"id": d["ours"]},
            "body": {"title": "Lunch"},
            "headers": {"If-Match": '"9"'},
        },
        412,
        id="a plan changed on a stale If-Match",
    ),
    pytest.param(
        "POST",
        "/api/v1/plans/{id}/confirm/",
        lambda d: {"path_parameters": {"id": d["ours"]}},
        403,
        id="confirm: supervisors only",
    ),
    pytest.param(
        "POST",
        "/api/v1/progress-notes/",
        lambda d: {
            "body": {"office": "OFFA", "indicator": "visits", "year": 2026, "month": 5, "text": "x"}
        },
        409,
        id="a note written already",
    ),
    pytest.param(
        "PATCH",
        "/api/v1/progress-notes/{id}/",
        lambda d: {"path_parameters": {"id": d["note"]}, "body": {"text": "Later"}},
        428,
        id="a note changed without a version",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "data", "expected"), PLANNED)
def test_planning_answers_as_the_schema_says(
    frozen, api_data, plan_data, method, path, data, expected
):
    case = schema[path][method].Case(**data(plan_data))
    headers = {"Authorization": f"Bearer {api_data['staff']}", **(case.headers or {})}
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    assert response.status_code == expected, response.text
