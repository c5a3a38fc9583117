"""GET, PUT and PATCH /api/v1/activities/<id>/: an update changes what it names (PUT the whole
activity, PATCH the fields sent), refuses bad input and what is locked, and writes nothing
when it refuses."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings

from activities.models import Activity
from api.tests.activities_api import BAD_BODIES, NOW, TITLE, activity, url, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_retrieve_answers_the_activity_with_its_etag(api, draft):
    response = api("staff_a").get(url(draft))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert (response.json()["id"], response.json()["title"], response.json()["version"]) == (
        draft.pk,
        TITLE,
        1,
    )


def test_patch_changes_the_fields_sent_and_nothing_else(api, draft, commerce, staff_a):
    draft.counterparts.add(commerce)
    draft.city = "Wuhan"
    draft.save()

    response = api("staff_a").patch(url(draft), {"title": " Keynote ", "version": 1})

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert (response.json()["title"], response.json()["version"]) == ("Keynote", 2)
    draft.refresh_from_db()
    assert (draft.title, draft.city, draft.version, draft.updated_by) == (
        "Keynote",
        "Wuhan",
        2,
        staff_a,
    )
    assert list(draft.counterparts.all()) == [commerce]


def test_patch_with_an_empty_list_clears_it(api, draft, commerce):
    draft.counterparts.add(commerce)
    response = api("staff_a").patch(url(draft), {"counterparts": [], "version": 1})
    assert response.status_code == 200
    assert response.json()["counterparts"] == []
    assert not draft.counterparts.exists()


def test_put_replaces_the_activity(api, draft, unit_a, speaking, commerce, office_b):
    response = api("staff_a").put(
        url(draft),
        {
            "lead_office": "UNITA",
            "indicator": "speaking",
            "occurred_on": "2026-06-10",
            "title": "Speech at the Wuhan forum",
            "counterparts": [commerce.pk],
            "participating_offices": ["OFFB"],
            "version": 1,
        },
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    draft.refresh_from_db()
    assert (draft.lead_office, draft.indicator, draft.occurred_on, draft.title) == (
        unit_a,
        speaking,
        dt.date(2026, 6, 10),
        "Speech at the Wuhan forum",
    )
    assert list(draft.participating_offices.all()) == [office_b]


def test_put_empties_the_optional_fields_it_leaves_out(api, draft, commerce, office_b):
    """A PUT is the whole activity: what it does not name is emptied, unlike a PATCH."""
    Activity.objects.filter(pk=draft.pk).update(city="Wuhan", notes="Bring the brochure")
    draft.counterparts.set([commerce])
    draft.participating_offices.set([office_b])
    response = api("staff_a").put(
        url(draft),
        {
            "lead_office": "OFFA",
            "indicator": draft.indicator.code,
            "occurred_on": "2026-06-10",
            "title": "Call on the Department of Commerce",
            "version": 1,
        },
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.city, draft.notes, draft.region) == ("", "", None)
    assert list(draft.counterparts.all()) == []
    assert list(draft.participating_offices.all()) == []


def test_patch_keeps_what_it_leaves_out(api, draft, commerce):
    Activity.objects.filter(pk=draft.pk).update(city="Wuhan")
    draft.counterparts.set([commerce])
    response = api("staff_a").patch(url(draft), {"title": "Keynote", "version": 1})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.title, draft.city, list(draft.counterparts.all())) == (
        "Keynote",
        "Wuhan",
        [commerce],
    )


def test_an_unknown_field_is_refused_not_ignored(api, draft):
    """A typo would otherwise answer 200, raise the version and change nothing."""
    before = written()
    response = api("staff_a").patch(url(draft), {"titel": "Keynote", "version": 1})
    assert response.status_code == 400
    assert response.json() == {"titel": ["Unknown field."]}
    assert written() == before


def test_what_was_read_can_be_sent_back(api, draft):
    """A script may PUT back the JSON it read, with its read-only fields, changed or not."""
    client = api("staff_a")
    body = client.get(url(draft)).json()
    body["title"] = "Keynote"
    response = client.put(url(draft), body)
    assert response.status_code == 200, response.content
    assert Activity.objects.get(pk=draft.pk).title == "Keynote"


def test_put_needs_every_required_field(api, draft):
    before = written()
    response = api("staff_a").put(url(draft), {"title": "Keynote", "version": 1})
    assert response.status_code == 400
    assert set(response.json()) == {"lead_office", "indicator", "occurred_on"}
    assert written() == before


def test_staff_of_an_office_change_their_units_activities(api, unit_a, indicator):
    theirs = activity(unit_a, indicator)
    response = api("staff_a").patch(url(theirs), {"title": "Keynote", "version": 1})
    assert response.status_code == 200
    assert Activity.objects.get(pk=theirs.pk).title == "Keynote"


@pytest.mark.parametrize(("field", "bad"), [*BAD_BODIES, ("version", {"version": "one"})])
def test_patch_refuses_bad_input_and_writes_nothing(api, draft, office_b, field, bad):
    before = written()
    response = api("staff_a").patch(url(draft), {"version": 1, **bad})
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert written() == before


@pytest.mark.parametrize("version", [0, -1, "1.5", True, [1]])
def test_patch_refuses_a_version_that_is_not_one(api, draft, version):
    before = written()
    response = api("staff_a").patch(url(draft), {"title": "Keynote", "version": version})
    assert response.status_code == 400
    assert "version" in response.json()
    assert written() == before


def test_patch_refuses_a_lead_office_the_user_does_not_write_for(api, draft, office_b):
    before = written()
    response = api("staff_a").patch(url(draft), {"lead_office": "OFFB", "version": 1})
    assert response.status_code == 400
    assert list(response.json()) == ["lead_office"]
    assert written() == before


def test_patch_refuses_malformed_json_and_other_types(api, draft):
    editor = api("staff_a")
    before = written()
    malformed = editor.client.patch(
        url(draft), '{"version": 1, "title":', content_type="application/json", **editor.headers
    )
    assert malformed.status_code == 400
    form = editor.client.patch(
        url(draft), "version=1&title=Keynote", content_type="text/plain", **editor.headers
    )
    assert form.status_code == 415
    limit = settings.KPI_API_MAX_BODY_BYTES
    huge = editor.patch(url(draft), json.dumps({"version": 1, "notes": "x" * limit}))
    assert huge.status_code == 413
    assert written() == before


def test_a_submitted_activity_is_locked_with_the_reason(api, submitted):
    before = written()
    response = api("staff_a").patch(url(submitted), {"title": "Keynote", "version": 1})
    assert response.status_code == 403
    assert "submitted and waits for verification" in response.json()["detail"]
    assert written() == before


def test_a_removed_activity_is_not_changed(api, draft, staff_a):
    Activity.objects.filter(pk=draft.pk).update(
        removed_at=NOW, removed_by=staff_a, removal_reason="Logged twice"
    )
    before = written()
    response = api("staff_a").patch(url(draft), {"title": "Keynote", "version": 1})
    assert response.status_code == 403
    assert "removed" in response.json()["detail"]
    assert written() == before
