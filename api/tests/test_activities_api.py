"""The activities endpoints of /api/v1/: who reads and writes what, what is refused (and
that a refusal writes nothing), version conflicts, closed periods, the list's filters,
pages and query count, and agreement with the Activities page.

Today is 15 June 2026 in Hong Kong (`frozen`): June is open for entry, April and May are
closed."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities import selectors
from activities.models import Activity, PeriodReopening, Status
from activities.tests.factories import ActivityFactory
from offices.models import Indicator, Office, Region
from offices.tests.factories import CounterpartFactory, IndicatorFactory, RegionFactory

from .conftest import bearer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

HK = ZoneInfo("Asia/Hong_Kong")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=HK)  # the `frozen` fixture's
JUNE = dt.date(2026, 6, 3)  # open until 10 July
APRIL = dt.date(2026, 4, 3)  # closed at the end of 10 May
TITLE = "Visit to the Hubei Department of Commerce"


def list_url() -> str:
    return reverse("api:activity-list")


def url(activity, action: str = "detail") -> str:
    """/api/v1/activities/<id>/ and its actions (/submit/, /verify/, /return/, /remove/)."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    detail = reverse("api:activity-detail", args=[pk])
    return detail if action == "detail" else f"{detail}{action}/"


class Api:
    """One persona's requests: a client without a session, signed in by a personal token
    (or by nothing: anonymous). Bodies are sent as JSON."""

    def __init__(self, headers: dict) -> None:
        self.client = Client()
        self.headers = headers

    def get(self, path: str, params: dict | None = None, **extra):
        return self.client.get(path, params or {}, **self.headers, **extra)

    def send(self, method: str, path: str, data=None, **extra):
        body = {} if data is None else data
        return getattr(self.client, method)(
            path, body, content_type="application/json", **self.headers, **extra
        )

    def post(self, path: str, data=None, **extra):
        return self.send("post", path, data, **extra)

    def put(self, path: str, data=None, **extra):
        return self.send("put", path, data, **extra)

    def patch(self, path: str, data=None, **extra):
        return self.send("patch", path, data, **extra)


@pytest.fixture
def api(request):
    """`api("staff_a")`: requests as a persona (a fixture name) or "anonymous"."""

    def as_persona(persona: str) -> Api:
        if persona == "anonymous":
            return Api({})
        return Api(bearer(request.getfixturevalue(persona)))

    return as_persona


def written() -> tuple:
    """Everything a refused request must leave as it was: every activity row, the rows of
    its related lists, and the history."""
    links = [
        sorted(getattr(Activity, name).through.objects.values_list("activity_id", target))
        for name, target in (
            ("counterparts", "counterpart_id"),
            ("participating_offices", "office_id"),
            ("partners", "counterpart_id"),
        )
    ]
    return list(Activity.objects.order_by("pk").values()), links, Activity.history.count()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def activity(office, indicator, *, status=Status.DRAFT, occurred_on=JUNE, **extra) -> Activity:
    return ActivityFactory(
        lead_office=office, indicator=indicator, status=status, occurred_on=occurred_on, **extra
    )


def new_activity(**extra) -> dict:
    """The body of a create request: a draft of office A, in June."""
    return {
        "lead_office": "OFFA",
        "indicator": "visits",
        "occurred_on": JUNE.isoformat(),
        "title": TITLE,
        **extra,
    }


# --- personas and reference data ------------------------------------------------------------


@pytest.fixture
def supervisor_b(office_b):
    return UserFactory(username="supervisor_b", role=Role.OFFICE_SUPERVISOR, office=office_b)


@pytest.fixture
def unit_staff(unit_a):
    """Staff of office A's liaison unit: the unit's activities only, not the office's."""
    return UserFactory(username="unit_staff", role=Role.OFFICE_STAFF, office=unit_a)


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


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action", "needs_pk"),
    [
        ("get", "list", False),
        ("post", "list", False),
        ("get", "detail", True),
        ("put", "detail", True),
        ("patch", "detail", True),
        ("post", "submit", True),
        ("post", "verify", True),
        ("post", "return", True),
        ("post", "remove", True),
    ],
)
def test_anonymous_requests_are_refused_with_401(api, draft, method, action, needs_pk):
    before = written()
    path = url(draft, action) if needs_pk else list_url()
    anonymous = api("anonymous")
    response = (
        anonymous.get(path) if method == "get" else anonymous.send(method, path, new_activity())
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert written() == before


def test_a_session_write_without_the_csrf_token_is_refused(staff_a, office_a, indicator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_a)
    response = browser.post(list_url(), new_activity(), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Activity.objects.count() == 0


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
    reader = Api(bearer(request.getfixturevalue(persona)))
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


# --- create ---------------------------------------------------------------------------------------


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


BAD_BODIES = [
    # wrong types
    ("occurred_on", {"occurred_on": "yesterday"}),
    ("occurred_on", {"occurred_on": 20260603}),
    ("occurred_on", {"occurred_on": None}),
    ("title", {"title": None}),
    ("title", {"title": "   "}),
    ("indicator", {"indicator": ["visits"]}),
    ("counterparts", {"counterparts": "abc"}),
    ("counterparts", {"counterparts": [True]}),
    ("counterparts", {"counterparts": ["1"]}),
    ("counterparts", {"counterparts": {"id": 1}}),
    ("counterparts", {"counterparts": None}),
    ("participating_offices", {"participating_offices": "OFFB"}),  # a list as a string
    ("participating_offices", {"participating_offices": [1]}),
    # unknown codes and ids
    ("indicator", {"indicator": "nope"}),
    ("lead_office", {"lead_office": "NOPE"}),
    ("region", {"region": "990000"}),
    ("counterparts", {"counterparts": [999999]}),
    ("participating_offices", {"participating_offices": ["NOPE"]}),
    ("partners", {"partners": [999999]}),
    ("authority_level", {"authority_level": "imperial"}),
    # out of range
    ("occurred_on", {"occurred_on": "1999-12-31"}),
    ("occurred_on", {"occurred_on": "2101-01-01"}),
    ("occurred_on", {"occurred_on": "2026-06-16"}),  # tomorrow
    # oversized
    ("title", {"title": "x" * 201}),
    ("city", {"city": "x" * 101}),
    ("notes", {"notes": "x" * 5001}),
    ("counterparts", {"counterparts": list(range(1, 52))}),
    ("participating_offices", {"participating_offices": [f"X{n}" for n in range(51)]}),
    # the rules of the services
    ("participating_offices", {"participating_offices": ["OFFA"]}),  # the lead office itself
]


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


# --- retrieve and update --------------------------------------------------------------------------


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


# --- writes: who may do what --------------------------------------------------------------------

ACTIONS = {
    # action: (method, url action, status of the activity, body, what a success changed)
    "put": (
        "put",
        "detail",
        Status.DRAFT,
        new_activity(title="Keynote", version=1),
        lambda a: a.title == "Keynote",
    ),
    "patch": (
        "patch",
        "detail",
        Status.DRAFT,
        {"title": "Keynote", "version": 1},
        lambda a: a.title == "Keynote",
    ),
    "submit": ("post", "submit", Status.DRAFT, {}, lambda a: a.status == Status.SUBMITTED),
    "verify": ("post", "verify", Status.SUBMITTED, {}, lambda a: a.status == Status.VERIFIED),
    "return": (
        "post",
        "return",
        Status.SUBMITTED,
        {"comment": "Which outlet?"},
        lambda a: a.status == Status.RETURNED,
    ),
    "remove": (
        "post",
        "remove",
        Status.DRAFT,
        {"reason": "Logged twice", "version": 1},
        lambda a: a.removed_at is not None,
    ),
}
ALL = dict.fromkeys(ACTIONS, 200)
PERSONAS = [
    # persona, office B joined the activity, status code per action
    ("anonymous", False, dict.fromkeys(ACTIONS, 401)),
    ("staff_b", False, dict.fromkeys(ACTIONS, 404)),
    ("supervisor_b", False, dict.fromkeys(ACTIONS, 404)),
    ("unit_staff", False, dict.fromkeys(ACTIONS, 404)),  # office A's own: not the unit's
    ("bureau_viewer", False, dict.fromkeys(ACTIONS, 403)),
    # a participating office sees a joint activity but does not change it
    ("staff_b", True, dict.fromkeys(ACTIONS, 403)),
    ("supervisor_b", True, dict.fromkeys(ACTIONS, 403)),
    ("staff_a", False, {**ALL, "verify": 403, "return": 403}),
    ("supervisor_a", False, ALL),
    ("bureau_admin", False, ALL),
]


@pytest.mark.parametrize(
    ("persona", "joined", "action", "expected"),
    [
        pytest.param(persona, joined, action, codes[action], id=f"{action}-{persona}-{joined=}")
        for persona, joined, codes in PERSONAS
        for action in ACTIONS
    ],
)
def test_who_may_write(
    api, office_a, office_b, indicator, supervisor_b, unit_staff, persona, joined, action, expected
):
    method, url_action, status, body, done = ACTIONS[action]
    target = activity(office_a, indicator, status=status)
    if joined:
        target.participating_offices.add(office_b)
    before = written()

    response = api(persona).send(method, url(target, url_action), body)

    assert response.status_code == expected, response.content
    target.refresh_from_db()
    if expected == 200:
        assert done(target)
        assert response.json()["version"] == target.version == 2
        assert response["ETag"] == '"2"'
    else:
        assert written() == before


# --- submit, verify, return, remove ------------------------------------------------------------


def test_submit_makes_a_draft_count(api, draft, staff_a):
    response = api("staff_a").post(url(draft, "submit"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["counts"], body["version"]) == ("submitted", True, 2)
    draft.refresh_from_db()
    assert (draft.status, draft.counted_since, draft.updated_by) == (Status.SUBMITTED, NOW, staff_a)


def test_a_returned_activity_is_submitted_again(api, office_a, indicator):
    returned = activity(office_a, indicator, status=Status.RETURNED, review_comment="Which?")
    assert api("staff_a").post(url(returned, "submit")).status_code == 200
    assert Activity.objects.get(pk=returned.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.VERIFIED])
def test_submit_refuses_what_is_already_submitted(api, office_a, indicator, status):
    target = activity(office_a, indicator, status=status)
    before = written()
    response = api("staff_a").post(url(target, "submit"))
    assert response.status_code == 400
    assert f"it is {status.label.lower()}" in " ".join(response.json()["non_field_errors"])
    assert written() == before


def test_a_supervisor_verifies(api, submitted, supervisor_a):
    response = api("supervisor_a").post(url(submitted, "verify"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reviewed_by"], body["counts"]) == (
        "verified",
        "supervisor_a",
        True,
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by, submitted.reviewed_at) == (
        Status.VERIFIED,
        supervisor_a,
        NOW,
    )


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED, Status.VERIFIED])
def test_verify_refuses_what_is_not_waiting(api, office_a, indicator, status):
    target = activity(office_a, indicator, status=status)
    before = written()
    response = api("supervisor_a").post(url(target, "verify"))
    assert response.status_code == 400
    assert "not waiting for verification" in " ".join(response.json()["non_field_errors"])
    assert written() == before


def test_a_supervisor_returns_with_a_comment(api, submitted, supervisor_a):
    response = api("supervisor_a").post(url(submitted, "return"), {"comment": " Which outlet? "})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["counts"], body["review_comment"]) == (
        "returned",
        False,
        "Which outlet?",
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.counted_since, submitted.reviewed_by) == (
        Status.RETURNED,
        None,
        supervisor_a,
    )


@pytest.mark.parametrize("body", [{}, {"comment": ""}, {"comment": "   "}, {"comment": 5 * [1]}])
def test_return_needs_a_comment(api, submitted, body):
    before = written()
    response = api("supervisor_a").post(url(submitted, "return"), body)
    assert response.status_code == 400
    assert "comment" in response.json()
    assert written() == before


def test_return_refuses_a_draft(api, draft):
    before = written()
    response = api("supervisor_a").post(url(draft, "return"), {"comment": "Which outlet?"})
    assert response.status_code == 400
    assert written() == before


def test_staff_remove_a_draft_with_a_reason(api, draft, staff_a):
    response = api("staff_a").post(url(draft, "remove"), {"reason": "Logged twice", "version": 1})
    assert response.status_code == 200
    body = response.json()
    assert (body["removed_by"], body["removal_reason"], body["counts"]) == (
        "staff_a",
        "Logged twice",
        False,
    )
    draft.refresh_from_db()
    assert (draft.removed_at, draft.removed_by, draft.removal_reason) == (
        NOW,
        staff_a,
        "Logged twice",
    )


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 1001}])
def test_remove_needs_a_reason(api, draft, body):
    before = written()
    response = api("staff_a").post(url(draft, "remove"), body)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert written() == before


def test_staff_do_not_remove_what_is_submitted_but_a_supervisor_does(api, submitted):
    before = written()
    refused = api("staff_a").post(
        url(submitted, "remove"), {"reason": "Logged twice", "version": 1}
    )
    assert refused.status_code == 403
    assert "submitted" in refused.json()["detail"]
    assert written() == before

    removed = api("supervisor_a").post(url(submitted, "remove"), {"reason": "Twice", "version": 1})
    assert removed.status_code == 200
    assert not Activity.objects.counted().exists()


@pytest.mark.parametrize("action", ["verify", "return"])
def test_a_removed_activity_is_not_reviewed(api, submitted, supervisor_a, action):
    Activity.objects.filter(pk=submitted.pk).update(
        removed_at=NOW, removed_by=supervisor_a, removal_reason="Logged twice"
    )
    before = written()
    response = api("supervisor_a").post(url(submitted, action), {"comment": "Which outlet?"})
    assert response.status_code == 403
    assert written() == before


def test_a_removed_activity_is_not_removed_again(api, draft):
    remover = api("staff_a")
    assert remover.post(url(draft, "remove"), {"reason": "Twice", "version": 1}).status_code == 200
    before = written()
    again = remover.post(url(draft, "remove"), {"reason": "Again", "version": 2})
    assert again.status_code == 403
    assert "removed" in again.json()["detail"]
    assert remover.post(url(draft, "submit")).status_code == 403
    assert written() == before


# --- conflicts: nobody overwrites a change they have not seen -------------------------------------


@pytest.fixture
def read_by_two(api, draft):
    """The author and the supervisor both read version 1; the supervisor saves first."""
    author, supervisor = api("staff_a"), api("supervisor_a")
    assert author.get(url(draft))["ETag"] == supervisor.get(url(draft))["ETag"] == '"1"'
    saved = supervisor.patch(url(draft), {"title": "Keynote", "version": 1})
    assert saved.status_code == 200
    return author


def test_a_stale_version_is_refused_with_409_and_the_changes(read_by_two, draft):
    before = written()

    response = read_by_two.patch(url(draft), {"title": "My speech", "notes": "Mine", "version": 1})

    assert response.status_code == 409
    assert response["ETag"] == '"2"'
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "stale_version",
        "current_version": 2,
        "changed_by": "supervisor_a",
        "changed_at": "2026-06-15T10:00:00+08:00",
        "changes": [{"field": "title", "label": "title", "old": TITLE, "new": "Keynote"}],
    }
    assert "Someone else changed this activity" in response.json()["detail"]
    assert written() == before
    draft.refresh_from_db()
    assert (draft.title, draft.notes) == ("Keynote", "")


def test_the_conflict_lists_changed_related_lists_by_name(api, draft, commerce):
    author, supervisor = api("staff_a"), api("supervisor_a")
    saved = supervisor.patch(url(draft), {"counterparts": [commerce.pk], "version": 1})
    assert saved.status_code == 200
    before = written()

    response = author.patch(url(draft), {"title": "My speech", "version": 1})

    assert response.status_code == 409
    assert response.json()["changes"] == [
        {
            "field": "counterparts",
            "label": "counterparts",
            "old": "—",
            "new": "Department of Commerce of Hubei Province",
        }
    ]
    assert written() == before


@pytest.mark.parametrize("etag", ['"1"', 'W/"1"', '"0"'])
def test_a_stale_if_match_is_refused_with_412(read_by_two, draft, etag):
    before = written()
    response = read_by_two.patch(url(draft), {"title": "My speech"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert (response.json()["code"], response.json()["current_version"]) == ("stale_version", 2)
    assert written() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_without_a_version_is_refused_with_428(api, draft, method):
    before = written()
    response = api("staff_a").send(method, url(draft), new_activity(title="Keynote"))
    assert response.status_code == 428
    assert "version" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("etag", ["1", "abc", '"1a"', '"12345678901"'])
def test_an_if_match_that_is_not_our_etag_is_refused(api, draft, etag):
    before = written()
    response = api("staff_a").patch(url(draft), {"title": "Keynote"}, HTTP_IF_MATCH=etag)
    if etag == "1":  # a bare version is read as the ETag it names
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert written() == before


def test_the_current_version_saves(read_by_two, draft):
    by_body = read_by_two.patch(url(draft), {"title": "My speech", "version": 2})
    assert (by_body.status_code, by_body["ETag"]) == (200, '"3"')
    by_header = read_by_two.patch(url(draft), {"notes": "Mine"}, HTTP_IF_MATCH='"3"')
    assert (by_header.status_code, by_header["ETag"]) == (200, '"4"')
    draft.refresh_from_db()
    assert (draft.title, draft.notes, draft.version) == ("My speech", "Mine", 4)


def test_remove_with_a_stale_version_is_refused_with_409_and_the_changes(read_by_two, draft):
    before = written()
    response = read_by_two.post(url(draft, "remove"), {"reason": "Twice", "version": 1})
    assert response.status_code == 409
    assert response["ETag"] == '"2"'
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "stale_version",
        "current_version": 2,
        "changed_by": "supervisor_a",
        "changed_at": "2026-06-15T10:00:00+08:00",
        "changes": [{"field": "title", "label": "title", "old": TITLE, "new": "Keynote"}],
    }
    assert "Someone else changed this activity" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("etag", ['"1"', 'W/"1"'])
def test_remove_with_a_stale_if_match_is_refused_with_412_and_the_changes(read_by_two, draft, etag):
    before = written()
    response = read_by_two.post(url(draft, "remove"), {"reason": "Twice"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    body = response.json()
    assert (body["code"], body["current_version"], body["changed_by"]) == (
        "stale_version",
        2,
        "supervisor_a",
    )
    assert body["changes"] == [{"field": "title", "label": "title", "old": TITLE, "new": "Keynote"}]
    assert written() == before


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "bureau_admin"])
@pytest.mark.parametrize("named", ["body", "If-Match"])
def test_remove_without_a_version_is_refused_with_428_and_with_it_removes(
    api, draft, persona, named, request
):
    remover = api(persona)
    before = written()
    refused = remover.post(url(draft, "remove"), {"reason": "Logged twice"})
    assert refused.status_code == 428
    assert "version" in refused.json()["detail"]
    assert written() == before

    if named == "body":
        removed = remover.post(url(draft, "remove"), {"reason": "Logged twice", "version": 1})
    else:
        removed = remover.post(
            url(draft, "remove"), {"reason": "Logged twice"}, HTTP_IF_MATCH='"1"'
        )
    assert (removed.status_code, removed["ETag"]) == (200, '"2"')
    draft.refresh_from_db()
    assert (draft.removed_by, draft.removal_reason) == (
        request.getfixturevalue(persona),
        "Logged twice",
    )


def test_remove_names_what_changed_before_what_the_change_forbids(api, draft):
    """The author read a draft; the supervisor submitted it since. Removing the version
    read is a conflict that says so, not the refusal a submitted activity would get."""
    assert api("supervisor_a").post(url(draft, "submit")).status_code == 200
    before = written()
    response = api("staff_a").post(url(draft, "remove"), {"reason": "Twice", "version": 1})
    assert response.status_code == 409
    assert [c["field"] for c in response.json()["changes"]] == ["status"]
    assert written() == before


# --- closed periods -------------------------------------------------------------------------------

CLOSED = "April 2026 closed for entry at the end of 2026-05-10"


def test_create_in_a_closed_month_is_refused_with_the_reason(api, office_a, indicator):
    response = api("staff_a").post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert response.status_code == 400
    [message] = response.json()["occurred_on"]
    assert CLOSED in message and "bureau admin can reopen it" in message
    assert Activity.objects.count() == 0


def test_may_is_closed_since_10_june(api, office_a, indicator):
    response = api("staff_a").post(list_url(), new_activity(occurred_on="2026-05-31"))
    assert response.status_code == 400
    assert "May 2026 closed for entry" in response.json()["occurred_on"][0]


@pytest.fixture
def in_april(office_a, indicator):
    return {
        status: activity(office_a, indicator, status=status, occurred_on=APRIL)
        for status in (Status.DRAFT, Status.SUBMITTED)
    }


@pytest.mark.parametrize(
    ("action", "status", "body", "field"),
    [
        ("detail", Status.DRAFT, {"title": "Keynote", "version": 1}, "occurred_on"),
        ("submit", Status.DRAFT, {}, "non_field_errors"),
        ("remove", Status.DRAFT, {"reason": "Twice", "version": 1}, "non_field_errors"),
        ("return", Status.SUBMITTED, {"comment": "Which outlet?"}, "non_field_errors"),
    ],
)
def test_changes_in_a_closed_month_are_refused_with_the_reason(
    api, in_april, action, status, body, field
):
    target = in_april[status]
    before = written()
    writer = api("supervisor_a")
    response = (
        writer.patch(url(target), body)
        if action == "detail"
        else writer.post(url(target, action), body)
    )
    assert response.status_code == 400, response.content
    assert CLOSED in " ".join(response.json()[field])
    assert written() == before


def test_moving_an_activity_into_a_closed_month_is_refused(api, draft):
    before = written()
    response = api("staff_a").patch(url(draft), {"occurred_on": APRIL.isoformat(), "version": 1})
    assert response.status_code == 400
    assert CLOSED in response.json()["occurred_on"][0]
    assert written() == before


def test_verify_is_allowed_in_a_closed_month(api, in_april):
    """Verifying does not change the figures, so a closed month does not stop it."""
    target = in_april[Status.SUBMITTED]
    assert api("supervisor_a").post(url(target, "verify")).status_code == 200
    assert Activity.objects.get(pk=target.pk).status == Status.VERIFIED


@pytest.fixture
def reopen(office_a, staff_a, bureau_admin):
    def make(state=PeriodReopening.State.GRANTED, open_until=dt.date(2026, 6, 30)):
        return PeriodReopening.objects.create(
            office=office_a,
            year=2026,
            month=4,
            reason="Late report",
            requested_by=staff_a,
            state=state,
            open_until=open_until if state == PeriodReopening.State.GRANTED else None,
            decided_by=bureau_admin if state != PeriodReopening.State.REQUESTED else None,
        )

    return make


def test_a_granted_reopening_lets_the_office_write_in_the_month(api, in_april, unit_a, reopen):
    reopen()
    writer = api("supervisor_a")
    draft = in_april[Status.DRAFT]

    created = writer.post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert created.status_code == 201, created.content
    # the reopening of an office covers its units
    for_unit = writer.post(list_url(), new_activity(lead_office="UNITA", occurred_on="2026-04-30"))
    assert for_unit.status_code == 201
    changed = writer.patch(url(draft), {"title": "Keynote", "version": 1})
    assert changed.status_code == 200
    assert writer.post(url(draft, "submit")).status_code == 200
    returned = writer.post(url(draft, "return"), {"comment": "Which outlet?"})
    assert returned.status_code == 200
    removal = {"reason": "Twice", "version": returned.json()["version"]}
    assert writer.post(url(draft, "remove"), removal).status_code == 200

    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.removal_reason) == ("Keynote", "returned", "Twice")
    assert Activity.objects.filter(occurred_on__month=4).count() == 4


@pytest.mark.parametrize(
    ("state", "open_until"),
    [
        (PeriodReopening.State.GRANTED, dt.date(2026, 6, 14)),  # over yesterday
        (PeriodReopening.State.REQUESTED, None),
        (PeriodReopening.State.DECLINED, None),
    ],
)
def test_a_reopening_not_granted_or_over_keeps_the_month_closed(
    api, in_april, reopen, state, open_until
):
    reopen(state, open_until)
    before = written()
    writer = api("supervisor_a")
    created = writer.post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert created.status_code == 400
    changed = writer.patch(url(in_april[Status.DRAFT]), {"title": "Keynote", "version": 1})
    assert changed.status_code == 400
    assert written() == before


def test_another_offices_reopening_does_not_open_the_month(
    api, in_april, office_b, staff_b, bureau_admin
):
    PeriodReopening.objects.create(
        office=office_b,
        year=2026,
        month=4,
        reason="Late report",
        requested_by=staff_b,
        state=PeriodReopening.State.GRANTED,
        open_until=dt.date(2026, 6, 30),
        decided_by=bureau_admin,
    )
    response = api("staff_a").post(list_url(), new_activity(occurred_on=APRIL.isoformat()))
    assert response.status_code == 400
    assert Activity.objects.filter(occurred_on=APRIL).count() == 2  # the fixture's
