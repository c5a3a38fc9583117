"""GET /api/v1/activities/ and /api/v1/activities/<id>/: who sees what (404 for what they may
not), the fields of each activity, the filters, the order, the pages, the query count, and
agreement with the Activities page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from activities import selectors
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from api.tests.activities_api import HK, NOW, TITLE, activity, ids, list_url, url
from api.tests.clients import TokenClient
from offices.models import Indicator, Office, Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


# --- list: who sees what ----------------------------------------------------------------------


@pytest.fixture
def spread(office_a, unit_a, office_b, indicator):
    """One activity of each kind of office, and a joint one led by A that B joined."""
    joint = activity(office_a, indicator, title="Joint visit")
    joint.participating_offices.add(office_b)
    return {
        "office A": activity(office_a, indicator, title="Office A's own"),
        "unit A": activity(unit_a, indicator, title="Unit A's own"),
        "office B": activity(office_b, indicator, title="Office B's own"),
        "joint": joint,
    }


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        # an office sees its units' activities (roll-up) and what it joined
        ("staff_a", {"office A", "unit A", "joint"}),
        ("supervisor_a", {"office A", "unit A", "joint"}),
        # a unit sees its own only, not its parent office's
        ("unit_staff", {"unit A"}),
        # a participating office sees the joint activity, not the rest of office A's
        ("staff_b", {"office B", "joint"}),
        ("bureau_viewer", {"office A", "unit A", "office B", "joint"}),
        ("bureau_admin", {"office A", "unit A", "office B", "joint"}),
    ],
)
def test_the_list_shows_what_the_persona_may_see(api, spread, persona, visible):
    listed = ids(api(persona).get(list_url()))
    assert sorted(listed) == sorted(spread[name].pk for name in visible)


@pytest.mark.parametrize(
    ("persona", "readable"),
    [
        ("staff_a", {"office A", "unit A", "joint"}),
        ("unit_staff", {"unit A"}),
        ("staff_b", {"office B", "joint"}),
        ("bureau_viewer", {"office A", "unit A", "office B", "joint"}),
    ],
)
def test_retrieve_answers_404_for_what_the_persona_may_not_see(api, spread, persona, readable):
    reader = api(persona)
    codes = {name: reader.get(url(a)).status_code for name, a in spread.items()}
    assert codes == {name: 200 if name in readable else 404 for name in spread}


@pytest.mark.parametrize("action", ["submit", "verify", "return", "remove"])
def test_the_actions_have_the_documented_route_names(draft, action):
    assert reverse(f"api:activity-{action}", args=[draft.pk]) == url(draft, action)


def test_retrieve_an_unknown_activity_is_404(api, draft):
    assert api("bureau_admin").get(url(999999)).status_code == 404


# --- list: fields, filters, order ----------------------------------------------------------------


def test_the_list_answers_each_activity_as_json(
    api, office_a, office_b, indicator, commerce, hktdc, hubei, staff_a
):
    joint = activity(
        office_a,
        indicator,
        status=Status.SUBMITTED,
        title=TITLE,
        region=hubei,
        city="Wuhan",
        created_by=staff_a,
    )
    joint.counterparts.add(commerce)
    joint.participating_offices.add(office_b)
    joint.partners.add(hktdc)

    body = api("staff_a").get(list_url()).json()

    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    [row] = body["results"]
    assert row == {
        **row,
        "id": joint.pk,
        "lead_office": "OFFA",
        "indicator": "visits",
        "occurred_on": "2026-06-03",
        "title": TITLE,
        "region": "420000",
        "city": "Wuhan",
        "counterparts": [commerce.pk],
        "participating_offices": ["OFFB"],
        "partners": [hktdc.pk],
        "status": "submitted",
        "counts": True,
        "version": 1,
        "created_by": "staff_a",
        "removed_at": None,
    }


def test_removed_activities_leave_the_list_but_stay_readable(api, office_a, indicator, staff_a):
    kept = activity(office_a, indicator)
    removed = activity(
        office_a,
        indicator,
        removed_at=NOW,
        removed_by=staff_a,
        removal_reason="Logged twice",
    )
    reader = api("staff_a")
    assert ids(reader.get(list_url())) == [kept.pk]
    shown = reader.get(url(removed))
    assert shown.status_code == 200
    assert (shown.json()["removal_reason"], shown.json()["removed_by"]) == (
        "Logged twice",
        "staff_a",
    )


@pytest.fixture
def world(office_a, unit_a, office_b, indicator, speaking, hubei, staff_a):
    """Activities that each filter tells apart; `updated_at` in an order of its own."""
    eta = activity(
        office_a, indicator, status=Status.RETURNED, occurred_on=dt.date(2026, 6, 4), title="Eta"
    )
    alpha = activity(
        office_a,
        indicator,
        status=Status.SUBMITTED,
        title="Alpha meeting",
        city="Wuhan",
        region=hubei,
    )
    beta = activity(
        unit_a,
        speaking,
        occurred_on=dt.date(2026, 6, 2),
        title="Beta forum",
        event_name="GBA forum",
    )
    delta = activity(
        office_b, speaking, status=Status.VERIFIED, occurred_on=dt.date(2026, 6, 1), title="Delta"
    )
    gamma = activity(
        office_b,
        indicator,
        status=Status.SUBMITTED,
        occurred_on=dt.date(2026, 5, 2),
        title="Gamma joint visit",
        notes="Together with the other office",
    )
    gamma.participating_offices.add(office_a)
    # Submitted on 10 June for 1 May: it did not count yet "as of" 2 June.
    epsilon = activity(
        unit_a,
        indicator,
        status=Status.SUBMITTED,
        occurred_on=dt.date(2026, 5, 1),
        title="Epsilon",
        counted_since=dt.datetime(2026, 6, 10, 9, 0, tzinfo=HK),
    )
    activity(
        office_a,
        indicator,
        title="Zeta removed",
        removed_at=NOW,
        removed_by=staff_a,
        removal_reason="Logged twice",
    )
    rows = {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "delta": delta,
        "epsilon": epsilon,
        "eta": eta,
    }
    for day, name in enumerate(["gamma", "eta", "alpha", "epsilon", "beta", "delta"], start=5):
        Activity.objects.filter(pk=rows[name].pk).update(
            updated_at=dt.datetime(2026, 6, day, 9, 0, tzinfo=HK)
        )
    return rows


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"alpha", "beta", "gamma", "delta", "epsilon", "eta"}),
        # an office with its units, led or joined
        ({"office": "OFFA"}, {"alpha", "beta", "gamma", "epsilon", "eta"}),
        ({"office": "UNITA"}, {"beta", "epsilon"}),
        # that office or unit alone, led or joined
        ({"unit": "OFFA"}, {"alpha", "gamma", "eta"}),
        ({"unit": "UNITA"}, {"beta", "epsilon"}),
        # counted for the office, with its units: not what it joined
        ({"lead": "OFFA"}, {"alpha", "beta", "epsilon", "eta"}),
        ({"lead": "OFFB"}, {"gamma", "delta"}),
        ({"indicator": "speaking"}, {"beta", "delta"}),
        ({"status": "submitted"}, {"alpha", "gamma", "epsilon"}),
        ({"status": "returned"}, {"eta"}),
        ({"date_from": "2026-06-01", "date_to": "2026-06-02"}, {"beta", "delta"}),
        ({"date_from": "2026-06-03"}, {"alpha", "eta"}),
        ({"region": "420000"}, {"alpha"}),
        ({"q": "wuhan"}, {"alpha"}),  # city
        ({"q": "OTHER OFFICE"}, {"gamma"}),  # notes
        ({"q": "gba"}, {"beta"}),  # event
        ({"q": "forum"}, {"beta"}),  # title and event: once
        ({"changed_since": "2026-06-09T09:00:00+08:00"}, {"beta", "delta"}),
        ({"changed_since": "2026-06-09T01:00:01Z"}, {"delta"}),
        ({"changed_since": "2026-06-09T09:00:00"}, {"beta", "delta"}),  # Hong Kong time
        ({"counted": "true"}, {"alpha", "gamma", "delta", "epsilon"}),
        ({"counted": "true", "as_of": "2026-06-02"}, {"gamma", "delta"}),
        ({"counted": "true", "as_of": "2026-06-10"}, {"alpha", "gamma", "delta", "epsilon"}),
        ({"counted": "true", "lead": "OFFA", "as_of": "2026-06-02"}, set()),
    ],
)
def test_each_filter_does_what_it_says(api, world, params, expected):
    listed = ids(api("bureau_viewer").get(list_url(), params))
    assert sorted(listed) == sorted(world[name].pk for name in expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["eta", "alpha", "beta", "delta", "gamma", "epsilon"]),  # latest date first
        ("-date", ["eta", "alpha", "beta", "delta", "gamma", "epsilon"]),
        ("date", ["epsilon", "gamma", "delta", "beta", "alpha", "eta"]),
        ("title", ["alpha", "beta", "delta", "epsilon", "eta", "gamma"]),
        ("-title", ["gamma", "eta", "epsilon", "delta", "beta", "alpha"]),
        ("changed", ["gamma", "eta", "alpha", "epsilon", "beta", "delta"]),
        ("-changed", ["delta", "beta", "epsilon", "alpha", "eta", "gamma"]),
    ],
)
def test_the_list_is_sorted_as_asked(api, world, sort, expected):
    params = {"sort": sort} if sort else {}
    listed = ids(api("bureau_viewer").get(list_url(), params))
    assert listed == [world[name].pk for name in expected]


@pytest.mark.parametrize(
    ("persona", "params", "field"),
    [
        # another office's code is not a choice: it says nothing about that office
        ("staff_b", {"office": "OFFA"}, "office"),
        ("staff_b", {"unit": "OFFA"}, "unit"),
        ("staff_b", {"lead": "OFFA"}, "lead"),
        ("unit_staff", {"office": "OFFA"}, "office"),
        ("staff_a", {"lead": "OFFB"}, "lead"),
        ("bureau_viewer", {"office": "NOPE"}, "office"),
        ("bureau_viewer", {"indicator": "nope"}, "indicator"),
        ("bureau_viewer", {"region": "990000"}, "region"),
        ("bureau_viewer", {"status": "approved"}, "status"),
        ("bureau_viewer", {"as_of": "9999-12-31"}, "as_of"),
        ("bureau_viewer", {"as_of": "1999-12-31"}, "as_of"),
        ("bureau_viewer", {"date_from": "2026-13-01"}, "date_from"),
        ("bureau_viewer", {"date_to": "yesterday"}, "date_to"),
        ("bureau_viewer", {"changed_since": "last week"}, "changed_since"),
        ("bureau_viewer", {"sort": "secret_field"}, "sort"),
    ],
)
def test_a_bad_filter_is_answered_400_naming_it(api, world, persona, params, field):
    response = api(persona).get(list_url(), params)
    assert response.status_code == 400
    assert field in response.json()


# --- list: pages ---------------------------------------------------------------------------------


def test_the_list_is_paginated(api, office_a, indicator):
    made = [activity(office_a, indicator, occurred_on=dt.date(2026, 6, day)) for day in (1, 2, 3)]
    newest_first = [a.pk for a in reversed(made)]
    reader = api("staff_a")

    first = reader.get(list_url(), {"page_size": 2})
    assert ids(first) == newest_first[:2]
    assert first.json()["count"] == 3
    assert "page=2" in first.json()["next"] and first.json()["previous"] is None

    last = reader.get(list_url(), {"page_size": 2, "page": 2})
    assert ids(last) == newest_first[2:]
    assert last.json()["next"] is None

    for beyond in ("3", "0", "last-but-one"):
        assert reader.get(list_url(), {"page_size": 2, "page": beyond}).status_code == 404


def test_page_size_defaults_to_50_and_is_capped_at_200(api, office_a, indicator, staff_a):
    Activity.objects.bulk_create(
        ActivityFactory.build_batch(
            201, lead_office=office_a, indicator=indicator, created_by=staff_a
        )
    )
    reader = api("staff_a")
    assert len(ids(reader.get(list_url()))) == 50
    assert len(ids(reader.get(list_url(), {"page_size": 500}))) == 200
    assert reader.get(list_url(), {"page_size": 500}).json()["count"] == 201


# --- list: query counts ------------------------------------------------------------------------


def _more_rows(office, indicator, others, commerce, hktdc, n=20):
    """Rows with every kind of related list, which must not cost a query each."""
    for row in ActivityFactory.create_batch(n, lead_office=office, indicator=indicator):
        row.counterparts.add(commerce)
        row.participating_offices.add(others)
        row.partners.add(hktdc)


@pytest.mark.parametrize(
    ("persona", "office", "others"),
    [("staff_a", "office_a", "office_b"), ("bureau_viewer", "office_b", "office_a")],
)
def test_list_query_count_with_a_token(
    request, django_assert_num_queries, indicator, commerce, hktdc, persona, office, others
):
    office, others = request.getfixturevalue(office), request.getfixturevalue(others)
    ActivityFactory.create_batch(5, lead_office=office, indicator=indicator)
    reader = TokenClient(request.getfixturevalue(persona))
    reader.get(list_url())  # the token's first use records last_used_at (once a minute)

    # token with its user and office; (office staff) the user's scope, for the office
    # filter's choices and the rows; page count (by month, from the roll-up, and for office
    # staff what the office joined, from the rows); page rows with lead office, indicator,
    # region and people; participating offices, counterparts, partners
    expected = 8 if persona == "staff_a" else 6
    with django_assert_num_queries(expected):
        assert len(ids(reader.get(list_url()))) == 5
    _more_rows(office, indicator, others, commerce, hktdc)
    with django_assert_num_queries(expected):
        assert len(ids(reader.get(list_url()))) == 25


@pytest.mark.parametrize(
    ("persona", "office", "others"),
    [("staff_a", "office_a", "office_b"), ("bureau_viewer", "office_b", "office_a")],
)
def test_list_query_count_with_the_session(
    request, client, django_assert_num_queries, indicator, commerce, hktdc, persona, office, others
):
    office, others = request.getfixturevalue(office), request.getfixturevalue(others)
    ActivityFactory.create_batch(5, lead_office=office, indicator=indicator)
    client.force_login(request.getfixturevalue(persona))

    # session; user with office; (office staff) the user's scope; page count (by month, from
    # the roll-up, and for office staff what the office joined); page rows with lead office,
    # indicator, region and people; participating offices, counterparts, partners; the
    # session save (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release)
    expected = 12 if persona == "staff_a" else 10
    with django_assert_num_queries(expected):
        assert len(ids(client.get(list_url()))) == 5
    _more_rows(office, indicator, others, commerce, hktdc)
    with django_assert_num_queries(expected):
        assert len(ids(client.get(list_url()))) == 25


# --- list: the API and the page agree -------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "params"),
    [
        ("staff_a", {}),
        ("staff_a", {"office": "UNITA", "sort": "title"}),
        ("staff_a", {"lead": "OFFA", "counted": "true", "as_of": "2026-06-10"}),
        ("unit_staff", {}),
        ("staff_b", {"indicator": "visits"}),
        ("bureau_viewer", {}),
        ("bureau_viewer", {"office": "OFFA", "status": "submitted", "sort": "-date"}),
        ("bureau_viewer", {"region": "420000"}),
        ("bureau_viewer", {"q": "forum", "date_from": "2026-06-01", "date_to": "2026-06-30"}),
        ("bureau_viewer", {"lead": "OFFB", "counted": "true", "sort": "office"}),
    ],
)
def test_the_api_lists_what_the_activities_page_lists(request, api, world, persona, params):
    user = request.getfixturevalue(persona)
    # the page names offices, indicators and regions by id, the API by code
    models = {"office": Office, "lead": Office, "indicator": Indicator, "region": Region}
    page_params = {
        name: models[name].objects.get(code=value).pk if name in models else value
        for name, value in params.items()
    }

    page = [a.pk for a in selectors.activity_list(user=user, data=page_params).qs]
    listed = ids(api(persona).get(list_url(), {**params, "page_size": 200}))
    assert listed == page
    assert listed  # each case lists something, or it would prove nothing
