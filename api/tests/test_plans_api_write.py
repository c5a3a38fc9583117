"""Writing plans over the API: create, change with the version read, the warnings and
their reason, and who may do what (403 with the reason, 404 for what they may not see)."""

import datetime as dt

import pytest

from api.tests.clients import if_match
from api.tests.plans_api import DAY, PLANS, body, plan_url
from offices.tests.factories import CounterpartFactory
from planning.models import Plan, PlanConflict, PlanStatus
from planning.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


# --- create -----------------------------------------------------------------------------------


def test_staff_plan_for_their_office(api, office_a, indicator, guangdong, department, staff_a):
    response = api("staff_a").post(
        PLANS,
        body(
            office_a,
            indicator,
            guangdong,
            counterparts=[department.pk],
            attendees=["staff_a"],
            starts_at="09:30",
            ends_at="11:00",
            purpose="Trade fair",
        ),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    plan = Plan.objects.get(pk=data["id"])
    assert response["Location"].endswith(plan_url(plan))
    assert response["ETag"] == '"1"'
    assert (data["detail"], data["status"], data["starts_at"]) == (True, "planned", "09:30:00")
    assert data["ends_on"] == DAY.isoformat()  # one day unless said otherwise
    assert list(plan.counterparts.all()) == [department]
    assert plan.created_by == staff_a


@pytest.mark.parametrize("persona", ["bureau_viewer"])
def test_the_bureau_viewer_does_not_plan(api, persona, office_a, indicator, guangdong):
    response = api(persona).post(PLANS, body(office_a, indicator, guangdong))
    assert response.status_code == 403
    assert "plan" in response.json()["detail"]
    assert not Plan.objects.exists()


def test_no_plan_for_another_office(api, office_a, indicator, guangdong):
    response = api("staff_b").post(PLANS, body(office_a, indicator, guangdong))
    assert response.status_code == 400
    assert set(response.json()) == {"lead_office"}
    assert not Plan.objects.exists()


def test_refusals_come_field_by_field(api, office_a, indicator, guangdong):
    response = api("staff_a").post(
        PLANS,
        body(office_a, indicator, guangdong, ends_on="2026-06-01", ends_at="10:00", colour="red"),
    )
    assert response.status_code == 400
    assert set(response.json()) == {"colour"}
    response = api("staff_a").post(
        PLANS, body(office_a, indicator, guangdong, ends_on="2026-06-01", ends_at="10:00")
    )
    assert response.status_code == 400
    assert {"ends_on", "starts_at"} <= set(response.json())


def test_warnings_refuse_until_a_reason_is_given(api, office_a, indicator, hebei):
    """Office A plans in Hebei, which office B covers: 400 with the warning, then saved
    with a reason, kept as a conflict office B sees."""
    client = api("staff_a")
    refused = client.post(PLANS, body(office_a, indicator, hebei))
    assert refused.status_code == 400
    data = refused.json()
    assert set(data) == {"warning_reason", "warnings"}
    (warning,) = data["warnings"]
    assert (warning["office"], warning["kinds"], warning["answered"]) == ("OFFB", ["region"], False)
    assert warning["items"][0]["plan"] is None
    assert not Plan.objects.exists()

    saved = client.post(PLANS, body(office_a, indicator, hebei, warning_reason="Invited by B."))
    assert saved.status_code == 201, saved.content
    conflict = PlanConflict.objects.get()
    assert (conflict.office.code, conflict.reason) == ("OFFB", "Invited by B.")
    seen = api("staff_b").get("/api/v1/plan-conflicts/").json()["results"]
    assert [c["id"] for c in seen] == [conflict.pk]


def test_check_says_what_a_plan_would_warn_about_and_saves_nothing(
    api, office_a, office_b, indicator, hebei, staff_b
):
    counterpart = CounterpartFactory(region=hebei)
    theirs = PlanFactory(
        lead_office=office_b,
        indicator=indicator,
        region=hebei,
        starts_on=DAY + dt.timedelta(days=3),
        counterparts=[counterpart],
    )
    response = api("staff_a").post(
        f"{PLANS}check/", body(office_a, indicator, hebei, counterparts=[counterpart.pk])
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["needs_reason"] is True
    (warning,) = data["warnings"]
    assert warning["kinds"] == ["counterpart", "region"]
    assert theirs.pk in [item["plan"] for item in warning["items"]]
    assert Plan.objects.count() == 1
    # The same, with office B taking part: nothing to warn about.
    joined = api("staff_a").post(
        f"{PLANS}check/",
        body(
            office_a,
            indicator,
            hebei,
            counterparts=[counterpart.pk],
            participating_offices=["OFFB"],
        ),
    )
    assert joined.json() == {"warnings": [], "needs_reason": False}


def test_check_of_a_change_to_another_offices_restricted_plan_is_404(
    api, restricted_a, office_b, indicator, hebei
):
    response = api("staff_b").post(
        f"{PLANS}check/", body(office_b, indicator, hebei, plan=restricted_a.pk)
    )
    assert response.status_code == 404


def test_a_plans_warnings_and_whether_they_are_answered(api, office_a, indicator, hebei):
    client = api("staff_a")
    created = client.post(PLANS, body(office_a, indicator, hebei, warning_reason="Invited."))
    url = f"{PLANS}{created.json()['id']}/warnings/"
    data = client.get(url).json()
    assert data["needs_reason"] is False
    assert [(w["office"], w["answered"]) for w in data["warnings"]] == [("OFFB", True)]
    assert api("staff_b").get(url).status_code == 404  # office B's summary is all it sees


# --- update -----------------------------------------------------------------------------------


def test_patch_with_the_version_read(api, plan_a):
    response = api("staff_a").patch(plan_url(plan_a), {"title": "Lunch", "version": 1})
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["version"]) == ("Lunch", 2)
    assert response["ETag"] == '"2"'


def test_a_change_names_its_version(api, plan_a):
    client = api("staff_a")
    assert client.patch(plan_url(plan_a), {"title": "Lunch"}).status_code == 428
    stale = client.patch(plan_url(plan_a), {"title": "Lunch", "version": 7})
    assert stale.status_code == 409
    assert stale["ETag"] == '"1"'
    assert stale.json()["current_version"] == 1
    stale = client.patch(plan_url(plan_a), {"title": "Lunch"}, **if_match(7))
    assert stale.status_code == 412
    plan_a.refresh_from_db()
    assert plan_a.title == "Call on the department"


def test_a_stale_version_says_what_changed(api, plan_a, supervisor_a):
    from planning import services

    services.plan_update(user=supervisor_a, plan=plan_a, version=1, title="Dinner")
    stale = api("staff_a").patch(plan_url(plan_a), {"title": "Lunch", "version": 1}).json()
    assert stale["changed_by"] == "supervisor_a"
    assert {
        "field": "title",
        "label": "title",
        "old": "Call on the department",
        "new": "Dinner",
    } in (stale["changes"])


def test_put_replaces_every_field(api, plan_a, office_a, indicator, guangdong):
    response = api("staff_a").put(
        plan_url(plan_a), {**body(office_a, indicator, guangdong, title="Lunch"), "version": 1}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["purpose"], data["counterparts"], data["attendees"]) == ("", [], [])


@pytest.mark.parametrize("persona", ["staff_b", "supervisor_b"])
def test_another_office_cannot_change_a_plan_it_sees_as_a_summary(
    api, persona, plan_a, restricted_a
):
    for plan in (plan_a, restricted_a):
        for send in (api(persona).patch, api(persona).put):
            assert send(plan_url(plan), {"title": "Mine", "version": 1}).status_code == 404
        for action in ("confirm", "cancel", "log"):
            assert api(persona).post(plan_url(plan, action)).status_code == 404
    plan_a.refresh_from_db()
    assert (plan_a.title, plan_a.version) == ("Call on the department", 1)


def test_the_bureau_viewer_reads_but_does_not_change(api, plan_a):
    client = api("bureau_viewer")
    assert client.patch(plan_url(plan_a), {"title": "Mine", "version": 1}).status_code == 403
    assert client.post(plan_url(plan_a, "cancel"), {"reason": "other"}).status_code == 403
    assert client.post(plan_url(plan_a, "confirm")).status_code == 403


def test_a_done_plan_is_not_changed(api, plan_a, staff_a, frozen):
    frozen.move_to(dt.datetime(2026, 6, 23, 10))
    assert api("staff_a").post(plan_url(plan_a, "log")).status_code == 201
    refused = api("staff_a").patch(plan_url(plan_a), {"title": "Later", "version": 2})
    assert refused.status_code == 403
    assert "done" in refused.json()["detail"]


# --- confirm, cancel, log ---------------------------------------------------------------------


def test_a_supervisor_confirms(api, plan_a):
    refused = api("staff_a").post(plan_url(plan_a, "confirm"))
    assert refused.status_code == 403
    assert "supervisor" in refused.json()["detail"]
    confirmed = api("supervisor_a").post(plan_url(plan_a, "confirm"))
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["confirmed_by"]) == (
        "confirmed",
        "supervisor_a",
    )
    again = api("bureau_admin").post(plan_url(plan_a, "confirm"))
    assert again.status_code == 403


def test_cancel_needs_a_reason(api, plan_a):
    client = api("staff_a")
    assert set(client.post(plan_url(plan_a, "cancel"), {}).json()) == {"reason"}
    other = client.post(plan_url(plan_a, "cancel"), {"reason": "other"})
    assert (other.status_code, set(other.json())) == (400, {"note"})
    done = client.post(plan_url(plan_a, "cancel"), {"reason": "other", "note": "Typhoon"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["cancel_note"]) == ("cancelled", "Typhoon")
    assert client.post(plan_url(plan_a, "cancel"), {"reason": "travel"}).status_code == 403


def test_log_what_happened(api, plan_a, frozen):
    client = api("staff_a")
    early = client.post(plan_url(plan_a, "log"))
    assert early.status_code == 403
    assert "from the plan's date" in early.json()["detail"]

    frozen.move_to(dt.datetime(2026, 6, 23, 10))
    logged = client.post(plan_url(plan_a, "log"))
    assert logged.status_code == 201, logged.content
    data = logged.json()
    assert data["activity_url"].endswith(f"/api/v1/activities/{data['activity']}/")
    assert logged["Location"] == data["activity_url"]
    assert data["plan"]["status"] == "done"
    assert data["plan"]["activity"] == data["activity"]
    activity = client.get(data["activity_url"]).json()
    assert (activity["status"], activity["title"]) == ("draft", "Call on the department")
    assert client.post(plan_url(plan_a, "log")).status_code == 403  # once only
    assert Plan.objects.get(pk=plan_a.pk).status == PlanStatus.DONE
