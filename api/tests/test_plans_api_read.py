"""Reading plans over the API: who sees which plans, in full or as a summary, the filters,
the pages, and the queries a page costs."""

import datetime as dt

import pytest

from api.tests.plans_api import PLANS, plan_url
from offices.tests.factories import CounterpartFactory
from planning.models import Confidentiality, PlanStatus
from planning.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

SUMMARY = {
    "id",
    "detail",
    "lead_office",
    "indicator",
    "starts_on",
    "ends_on",
    "region",
    "city",
    "counterparts",
}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "bureau_viewer", "bureau_admin"])
def test_the_office_and_the_bureau_see_its_plans_in_full(api, persona, plan_a, restricted_a):
    listed = api(persona).get(PLANS).json()["results"]
    assert [row["id"] for row in listed] == [plan_a.pk, restricted_a.pk]
    assert all(row["detail"] is True for row in listed)
    first = listed[0]
    assert first["title"] == "Call on the department"
    assert first["purpose"] == "Talk about the trade fair."
    assert first["attendees"] == ["staff_a"]
    assert first["confidentiality"] == "summary"
    assert first["version"] == 1


@pytest.mark.parametrize("persona", ["staff_b", "supervisor_b"])
def test_another_office_sees_a_summary_and_never_a_restricted_plan(
    api, persona, plan_a, restricted_a
):
    client = api(persona)
    (row,) = client.get(PLANS).json()["results"]
    assert row["id"] == plan_a.pk
    assert row["detail"] is False
    shown = {name for name, value in row.items() if value is not None}
    assert shown == SUMMARY
    assert row["counterparts"] == [plan_a.counterparts.get().pk]
    assert (row["lead_office"], row["city"], row["region"]) == ("OFFA", "Guangzhou", "440000")

    detail = client.get(plan_url(plan_a))
    assert detail.status_code == 200
    assert detail.json() == row
    assert "ETag" not in detail  # a summary has no version to change
    assert client.get(plan_url(restricted_a)).status_code == 404
    assert client.get(plan_url(restricted_a, "warnings")).status_code == 404


def test_a_cancelled_plan_is_no_longer_shown_to_other_offices(api, plan_a):
    plan_a.status = PlanStatus.CANCELLED
    plan_a.cancel_reason = "other"
    plan_a.cancel_note = "Postponed"
    plan_a.cancelled_at = plan_a.created_at
    plan_a.save()
    assert ids(api("staff_b").get(PLANS)) == []
    assert api("staff_b").get(plan_url(plan_a)).status_code == 404
    assert ids(api("staff_a").get(PLANS)) == [plan_a.pk]


def test_a_participating_office_sees_the_plan_in_full(api, plan_a, restricted_a, office_b):
    restricted_a.participating_offices.add(office_b)
    rows = {row["id"]: row for row in api("staff_b").get(PLANS).json()["results"]}
    assert rows[restricted_a.pk]["detail"] is True
    assert rows[restricted_a.pk]["participating_offices"] == ["OFFB"]
    assert rows[plan_a.pk]["detail"] is False


def test_a_units_staff_see_office_plans_as_a_summary(api, plan_a, restricted_a, unit_a):
    """A unit's people see their unit's plans in full; the parent office's are another
    office's to them (the same scope as activities)."""
    unit_plan = PlanFactory(lead_office=unit_a, indicator=plan_a.indicator, region=plan_a.region)
    rows = {row["id"]: row["detail"] for row in api("unit_staff").get(PLANS).json()["results"]}
    assert rows == {plan_a.pk: False, unit_plan.pk: True}


def test_without_credentials_nothing(api, plan_a):
    assert api("anonymous").get(PLANS).status_code == 401
    assert api("anonymous").get(plan_url(plan_a)).status_code == 401


def test_the_filters(api, plan_a, restricted_a, office_b, indicator, hebei, guangdong):
    other = CounterpartFactory(region=hebei)
    b_plan = PlanFactory(
        lead_office=office_b,
        indicator=indicator,
        region=hebei,
        starts_on=dt.date(2026, 7, 20),
        ends_on=dt.date(2026, 7, 22),
        counterparts=[other],
        status=PlanStatus.CONFIRMED,
        confirmed_at=plan_a.created_at,
    )
    client = api("bureau_viewer")
    assert ids(client.get(PLANS, {"office": "OFFB"})) == [b_plan.pk]
    assert ids(client.get(PLANS, {"region": "440000"})) == [plan_a.pk, restricted_a.pk]
    assert ids(client.get(PLANS, {"counterpart": other.pk})) == [b_plan.pk]
    assert ids(client.get(PLANS, {"status": "confirmed"})) == [b_plan.pk]
    assert ids(client.get(PLANS, {"indicator": indicator.code})) == [
        plan_a.pk,
        restricted_a.pk,
        b_plan.pk,
    ]
    # A plan over several days is on every one of them.
    assert ids(client.get(PLANS, {"date_from": "2026-07-22", "date_to": "2026-07-22"})) == [
        b_plan.pk
    ]
    assert ids(client.get(PLANS, {"date_to": "2026-06-30"})) == [plan_a.pk, restricted_a.pk]
    refused = client.get(PLANS, {"status": "maybe", "date_from": "soon", "counterpart": "x"})
    assert refused.status_code == 400
    assert set(refused.json()) == {"status", "date_from", "counterpart"}


def test_a_filter_by_office_never_reveals_its_restricted_plans(api, plan_a, restricted_a):
    assert ids(api("staff_b").get(PLANS, {"office": "OFFA"})) == [plan_a.pk]


def test_pages(api, office_a, indicator, guangdong):
    PlanFactory.create_batch(3, lead_office=office_a, indicator=indicator, region=guangdong)
    page = api("staff_a").get(PLANS, {"page_size": 2}).json()
    assert (page["count"], len(page["results"])) == (3, 2)
    assert page["next"]
    assert api("staff_a").get(PLANS, {"page": 9}).status_code == 404


def test_the_list_costs_the_same_for_any_number_of_plans(
    api, office_a, office_b, indicator, guangdong, hebei, staff_a, django_assert_num_queries
):
    counterparts = CounterpartFactory.create_batch(2, region=guangdong)
    for office, region, confidentiality in [
        (office_a, guangdong, Confidentiality.SUMMARY),
        (office_b, hebei, Confidentiality.SUMMARY),
        (office_b, hebei, Confidentiality.RESTRICTED),
    ] * 4:
        PlanFactory(
            lead_office=office,
            indicator=indicator,
            region=region,
            counterparts=counterparts,
            participating_offices=[office_b],
            attendees=[staff_a],
            confidentiality=confidentiality,
        )
    client = api("staff_a")
    # token + its user, the token's last use, the user's office scope, count, the page,
    # its counterparts, participating offices, attendees
    with django_assert_num_queries(8):
        response = client.get(PLANS)
    # office A's own four, office B's four summaries; not office B's restricted ones
    assert response.json()["count"] == 8


def test_the_detail_costs_a_few_queries(api, plan_a, django_assert_num_queries):
    client = api("staff_b")
    # token + its user, the token's last use, the user's office scope, the plan with what
    # it shows, its counterparts, participating offices, attendees
    with django_assert_num_queries(7):
        assert client.get(plan_url(plan_a)).status_code == 200
