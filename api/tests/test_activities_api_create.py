"""POST /api/v1/activities/: who logs for which office, and every body refused (bad input, not
JSON, too large) writes nothing."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from activities.models import Activity, Status
from api.tests.activities_api import BAD_BODIES, NOW, TITLE, list_url, new_activity, url
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_office_staff_log_an_activity(api, office_a, office_b, indicator, commerce, hktdc, staff_a):
    response = api("staff_a").post(
        list_url(),
        new_activity(
            region="420000",
            city=" Wuhan ",
            notes="Met the Director",
            counterparts=[commerce.pk],
            participating_offices=["OFFB"],
            partners=[hktdc.pk],
        ),
    )

    assert response.status_code == 201, response.content
    created = Activity.objects.get()
    assert response["Location"] == f"http://testserver{url(created)}"
    assert response["ETag"] == '"1"'
    assert response.json() == {
        **response.json(),
        "id": created.pk,
        "lead_office": "OFFA",
        "indicator": "visits",
        "occurred_on": "2026-06-03",
        "title": TITLE,
        "region": "420000",
        "city": "Wuhan",
        "counterparts": [commerce.pk],
        "participating_offices": ["OFFB"],
        "partners": [hktdc.pk],
        "status": "draft",
        "counts": False,
        "counted_since": None,
        "version": 1,
        "created_by": "staff_a",
        "updated_by": "staff_a",
    }
    assert (created.lead_office, created.status, created.created_by) == (
        office_a,
        Status.DRAFT,
        staff_a,
    )
    assert (created.city, created.notes) == ("Wuhan", "Met the Director")
    assert list(created.counterparts.all()) == [commerce]
    assert list(created.participating_offices.all()) == [office_b]
    assert list(created.partners.all()) == [hktdc]
    assert not Activity.objects.counted().exists()


def test_log_and_submit_at_once_counts_from_now(api, office_a, indicator):
    response = api("staff_a").post(list_url(), new_activity(submit=True))
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["counts"]) == ("submitted", True)
    assert Activity.objects.counted().get().counted_since == NOW


@pytest.mark.parametrize(
    ("persona", "lead_office", "expected"),
    [
        ("staff_a", "OFFA", 201),
        ("supervisor_a", "OFFA", 201),
        ("staff_a", "UNITA", 201),  # an office logs for its unit
        ("unit_staff", "UNITA", 201),
        ("bureau_admin", "OFFB", 201),  # the bureau admin for any office
        ("anonymous", "OFFA", 401),
        ("bureau_viewer", "OFFA", 403),
        # another office's code is refused as lead office: not found, for them
        ("staff_b", "OFFA", 400),
        ("unit_staff", "OFFA", 400),
        ("supervisor_a", "OFFB", 400),
    ],
)
def test_who_logs_for_which_office(
    api, office_a, unit_a, office_b, indicator, persona, lead_office, expected
):
    response = api(persona).post(list_url(), new_activity(lead_office=lead_office))
    assert response.status_code == expected, response.content
    if expected == 201:
        assert Activity.objects.get().lead_office.code == lead_office
    else:
        assert Activity.objects.count() == 0
    if expected == 400:
        assert list(response.json()) == ["lead_office"]


@pytest.mark.parametrize(("field", "bad"), BAD_BODIES)
def test_create_refuses_bad_input_and_writes_nothing(
    api, office_a, office_b, indicator, field, bad
):
    response = api("staff_a").post(list_url(), new_activity(**bad))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Activity.objects.count() == 0


def test_create_ignores_the_bookkeeping_fields(api, office_a, indicator, staff_a, bureau_admin):
    """Status, version, authorship and removal are the services' to set, never the body's."""
    response = api("staff_a").post(
        list_url(),
        new_activity(
            status="verified",
            counts=True,
            version=7,
            created_by="admin",
            reviewed_by="admin",
            counted_since="2026-01-01T00:00:00+08:00",
            removed_at="2026-06-01T00:00:00+08:00",
            id=424242,
        ),
    )
    assert response.status_code == 201
    created = Activity.objects.get()
    assert (created.status, created.version, created.created_by) == (Status.DRAFT, 1, staff_a)
    assert (created.reviewed_by, created.counted_since, created.removed_at) == (None, None, None)
    assert created.pk != 424242


@pytest.mark.parametrize("submit", ["maybe", 2, [True], None])
def test_create_refuses_a_submit_that_is_not_a_boolean(api, office_a, indicator, submit):
    response = api("staff_a").post(list_url(), new_activity(submit=submit))
    assert response.status_code == 400
    assert "submit" in response.json()
    assert Activity.objects.count() == 0


def test_create_refuses_a_counterpart_as_partner_and_a_partner_as_counterpart(
    api, office_a, indicator, commerce, hktdc
):
    creator = api("staff_a")
    response = creator.post(list_url(), new_activity(partners=[commerce.pk]))
    assert (response.status_code, list(response.json())) == (400, ["partners"])
    response = creator.post(list_url(), new_activity(counterparts=[hktdc.pk]))
    assert (response.status_code, list(response.json())) == (400, ["counterparts"])
    assert Activity.objects.count() == 0


def test_create_refuses_what_the_indicator_asks_for_and_is_missing(api, office_a):
    IndicatorFactory(code="meetings", counterpart_required=True, asks_event_name=True)
    response = api("staff_a").post(list_url(), new_activity(indicator="meetings"))
    assert response.status_code == 400
    assert set(response.json()) == {"counterparts", "event_name"}
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    "body", [[], "a title", 42, [new_activity()]], ids=["empty list", "string", "number", "list"]
)
def test_create_refuses_a_body_that_is_not_an_object(api, office_a, indicator, body):
    response = api("staff_a").client.post(
        list_url(), json.dumps(body), content_type="application/json", **api("staff_a").headers
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Activity.objects.count() == 0


def test_create_refuses_malformed_json(api, office_a, indicator):
    creator = api("staff_a")
    response = creator.client.post(
        list_url(), '{"title": "Visit", ', content_type="application/json", **creator.headers
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "lead_office=OFFA&indicator=visits&title=Visit"),
        ("text/plain", json.dumps(new_activity())),
        ("application/xml", "<activity><title>Visit</title></activity>"),
    ],
)
def test_create_refuses_a_body_that_is_not_json(api, office_a, indicator, content_type, body):
    creator = api("staff_a")
    response = creator.client.post(list_url(), body, content_type=content_type, **creator.headers)
    assert response.status_code == 415
    assert Activity.objects.count() == 0


def test_create_refuses_a_multipart_body(api, office_a, indicator):
    creator = api("staff_a")
    response = creator.client.post(list_url(), new_activity(), **creator.headers)
    assert response.status_code == 415
    assert Activity.objects.count() == 0


def test_create_refuses_a_body_over_the_limit_with_413(api, office_a, indicator):
    limit = settings.KPI_API_MAX_BODY_BYTES
    body = json.dumps(new_activity(notes="x" * limit))
    assert len(body.encode()) > limit
    response = api("staff_a").post(list_url(), body)
    assert response.status_code == 413
    assert Activity.objects.count() == 0
