"""/api/v1/progress/ gives the dashboards' numbers: every figure, office row, unit row and
monthly series equals reports.dashboard.dashboard() and what the dashboard pages show for
the same year and day. Who may ask for which office, the defaults, and bad input.

Today is Thursday 2 July 2026, 18:00 in Hong Kong: what was submitted on 1 July is in the
past (a dashboard as of today reads the roll-up of what counts now).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Status
from activities.tests.factories import ActivityFactory
from api.tests.clients import TokenClient
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeFactory,
    OfficeTargetFactory,
    RegionFactory,
    UnitFactory,
)
from planning.models import PlanStatus
from planning.selectors import PLANNED_RULE
from planning.tests.factories import PlanFactory
from reports.dashboard import Dashboard, dashboard, default_as_of
from reports.progress import ARITHMETIC_RULE, STATUS_RULE
from tests.datasets import activity, at, joint, not_counted_by_30_june, removed

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 7, 2)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 7, 2, 18, 0, tzinfo=HK)),
]


@pytest.fixture
def year_of_data(office_a, unit_a, office_b):
    """Two years of activities: what counts and what does not (drafts, returned, removed,
    submitted late, still to come, joined by another office), with bureau targets and
    office and unit shares, so that figures, rows, units and months all have something."""
    visits = IndicatorFactory(code="visits", name_en="Visits", display_order=1)
    media = IndicatorFactory(code="media", name_en="Media", display_order=2)
    events = IndicatorFactory(code="events", name_en="Events", display_order=3)
    IndicatorFactory(code="retired", name_en="Retired", display_order=4, is_active=False)
    for year, visits_target, media_target in ((2026, 100, 4), (2025, 90, 10)):
        AnnualTargetFactory(year=year, indicator=visits, target=visits_target)
        AnnualTargetFactory(year=year, indicator=media, target=media_target)
    OfficeTargetFactory(year=2026, indicator=visits, office=office_a, target=12)
    OfficeTargetFactory(year=2026, indicator=visits, office=unit_a, target=2)
    OfficeTargetFactory(year=2026, indicator=media, office=office_b, target=3)
    OfficeTargetFactory(year=2025, indicator=visits, office=office_a, target=30)
    region = RegionFactory(code="420000", name_en="Hubei")

    for month in (1, 2, 3, 4, 5, 6):
        activity(office_a, visits, dt.date(2026, month, 8), region=region)
    activity(office_a, visits, dt.date(2026, 3, 5), status=Status.VERIFIED)
    activity(unit_a, visits, dt.date(2026, 6, 1), region=region)
    activity(unit_a, media, dt.date(2026, 2, 14))
    activity(office_b, media, dt.date(2026, 2, 2))
    activity(office_b, media, dt.date(2026, 4, 22), status=Status.VERIFIED)
    activity(office_b, events, dt.date(2026, 5, 30))
    for month in (3, 5, 5, 9, 11, 12):
        activity(office_a, visits, dt.date(2025, month, 3))
    activity(unit_a, media, dt.date(2025, 7, 7))
    activity(office_b, visits, dt.date(2025, 12, 31))
    # none of these count
    not_counted_by_30_june(office_a, visits, media)
    activity(office_b, visits, dt.date(2026, 7, 1), counted_since=at(dt.date(2026, 7, 1)))
    removed(office_a, media, dt.date(2026, 4, 4))
    joint(office_b, visits, dt.date(2026, 5, 5), joined_by=office_a)  # counts for office B only
    return {"visits": visits, "media": media, "events": events}


def progress(user, **params):
    """The API's answer, asked with a token by a client with no session."""
    return TokenClient(user).get(reverse("api:progress"), params)


# --- what the API must say: built from the dashboard's own objects -----------------------


def figure_json(figure) -> dict:
    return {
        "indicator": figure.indicator.code,
        "name": figure.indicator.name,
        "achieved": figure.achieved,
        "target": figure.target,
        "percent": figure.percent,
        "expected": figure.expected_rounded,
        "projected": figure.projected,
        "status": figure.status,
        "status_label": str(figure.status_label),
        "still_needed": figure.still_needed,
        "needed_per_month": figure.needed_per_month,
        "confirmed_ahead": figure.confirmed_ahead,
        "planned_ahead": figure.planned_ahead,
    }


def expected_json(data: Dashboard) -> dict:
    return {
        "year": data.year,
        "as_of": data.as_of.isoformat(),
        "office": data.office.code if data.office else None,
        "indicators": [figure_json(f) for f in data.figures],
        "offices": [
            {
                "office": row.office.code,
                "name": row.office.name,
                "figures": [figure_json(f) for f in row.figures],
                "units": [
                    {
                        "office": unit.office.code,
                        "name": unit.office.name,
                        "figures": [figure_json(f) for f in unit.figures],
                    }
                    for unit in row.units
                ],
            }
            for row in data.rows
        ],
        "months": [
            {
                "indicator": f.indicator.code,
                "months": data.monthly.get(f.indicator.pk, [0] * 12),
                "last_year": data.monthly_last_year.get(f.indicator.pk, [0] * 12),
            }
            for f in data.figures
        ],
        "status_rule": f"{STATUS_RULE} {ARITHMETIC_RULE}",
        "planned_rule": str(PLANNED_RULE),
    }


def as_decimals(body: dict) -> dict:
    """The answer with its per cents read back as one-decimal Decimals (JSON has numbers)."""

    def fix(figures):
        for f in figures:
            if f["percent"] is not None:
                f["percent"] = Decimal(str(f["percent"])).quantize(Decimal("0.1"))

    fix(body["indicators"])
    for row in body["offices"]:
        fix(row["figures"])
        for unit in row["units"]:
            fix(unit["figures"])
    return body


def page_months(chart_data: dict) -> list[dict]:
    """The monthly series as the dashboard page hands them to its chart."""
    return [
        {"indicator": i["code"], "months": i["monthly"], "last_year": i["lastYear"]}
        for i in chart_data["indicators"]
    ]


# --- the same numbers as the dashboards --------------------------------------------------


@pytest.mark.parametrize(
    ("year", "as_of"),
    [
        (2026, TODAY),
        (2026, dt.date(2026, 3, 31)),
        (2026, dt.date(2026, 1, 10)),  # too early for a status
        (2025, dt.date(2025, 12, 31)),
        (2025, dt.date(2025, 8, 15)),
    ],
)
def test_bureau_progress_equals_the_dashboard_and_its_page(
    client_bureau, bureau_viewer, year_of_data, year, as_of
):
    response = progress(bureau_viewer, year=year, as_of=as_of.isoformat())
    assert response.status_code == 200
    body = as_decimals(response.json())

    data = dashboard(year=year, as_of=as_of)
    assert body == expected_json(data)

    page = client_bureau.get(reverse("reports:bureau"), {"year": year, "as_of": as_of})
    assert page.status_code == 200
    assert body == expected_json(page.context["data"])
    assert body["months"] == page_months(page.context["chart_data"])
    assert [f["target"] for f in body["indicators"]] == [
        i["target"] for i in page.context["chart_data"]["indicators"]
    ]


@pytest.mark.parametrize("as_of", [TODAY, dt.date(2026, 2, 28)])
def test_office_progress_equals_the_office_dashboard_and_its_page(
    client_staff_a, staff_a, bureau_viewer, year_of_data, office_a, as_of
):
    data = dashboard(year=2026, as_of=as_of, office=office_a)
    page = client_staff_a.get(
        reverse("offices:detail", args=[office_a.code]), {"year": 2026, "as_of": as_of}
    )
    assert page.status_code == 200
    for user in (staff_a, bureau_viewer):
        response = progress(user, year=2026, as_of=as_of.isoformat(), office="OFFA")
        assert response.status_code == 200
        body = as_decimals(response.json())
        assert body == expected_json(data)
        assert body == expected_json(page.context["data"])
        assert body["months"] == page_months(page.context["chart_data"])


def test_unit_progress_equals_the_unit_dashboard(
    client_bureau, bureau_viewer, year_of_data, unit_a
):
    data = dashboard(year=2026, as_of=TODAY, office=unit_a)
    page = client_bureau.get(reverse("offices:detail", args=["UNITA"]))
    body = as_decimals(progress(bureau_viewer, office="UNITA").json())
    assert body == expected_json(data) == expected_json(page.context["data"])


def test_the_comparison_is_not_empty(bureau_viewer, year_of_data, office_a):
    """The figures compared above, counted by hand from the fixture: if the dashboard and the
    API were both wrong the same way, this would say so."""
    body = progress(bureau_viewer, year=2026, as_of="2026-06-30").json()
    figures = {f["indicator"]: f for f in body["indicators"]}
    assert [f["indicator"] for f in body["indicators"]] == ["visits", "media", "events"]
    # visits: office A 7 + unit A 1 + office B's joint one 1 = 9 of 100; day 181 of 365
    assert figures["visits"] | {"name": None} == {
        "indicator": "visits",
        "name": None,
        "achieved": 9,
        "target": 100,
        "percent": 9.0,
        "expected": 50,  # 49.6
        "projected": 18,  # 9 × 365 / 181 = 18.1
        "status": "behind",
        "status_label": "Behind",
        "still_needed": 91,
        "needed_per_month": 16,  # 91 ÷ (184 days left ÷ 365 × 12 = 6.05 months) = 15.04
        "confirmed_ahead": 0,  # no plans in the fixture (planning/tests/test_planned.py has)
        "planned_ahead": 0,
    }
    # media: unit A 1 + office B 2 = 3 of 4; expected 1.98: ahead
    assert (figures["media"]["achieved"], figures["media"]["status"]) == (3, "ahead")
    assert (figures["events"]["achieved"], figures["events"]["target"]) == (1, None)
    assert figures["events"]["percent"] is None and figures["events"]["status"] is None

    rows = {row["office"]: row for row in body["offices"]}
    assert list(rows) == ["OFFA", "OFFB"]
    visits_a = rows["OFFA"]["figures"][0]
    assert (visits_a["achieved"], visits_a["target"]) == (8, 12)  # with its unit, own share
    [unit] = rows["OFFA"]["units"]
    assert unit["office"] == "UNITA"
    assert [f["achieved"] for f in unit["figures"]] == [1, 1, 0]
    assert unit["figures"][0]["target"] == 2
    assert [f["achieved"] for f in rows["OFFB"]["figures"]] == [1, 2, 1]
    assert rows["OFFB"]["figures"][1]["target"] == 3

    months = {m["indicator"]: m for m in body["months"]}
    assert months["visits"]["months"] == [1, 1, 2, 1, 2, 2, 0, 0, 0, 0, 0, 0]
    assert months["visits"]["last_year"] == [0, 0, 1, 0, 2, 0, 0, 0, 1, 0, 1, 2]
    assert months["media"]["last_year"][6] == 1


# --- defaults ----------------------------------------------------------------------------


def test_no_year_and_no_day_is_this_year_as_of_today(bureau_viewer, year_of_data):
    body = as_decimals(progress(bureau_viewer).json())
    assert (body["year"], body["as_of"], body["office"]) == (2026, "2026-07-02", None)
    assert body == expected_json(dashboard(year=2026, as_of=TODAY))


def test_a_past_year_is_taken_as_of_its_last_day(bureau_viewer, year_of_data):
    body = as_decimals(progress(bureau_viewer, year=2025).json())
    assert default_as_of(2025) == dt.date(2025, 12, 31)
    assert (body["year"], body["as_of"]) == (2025, "2025-12-31")
    assert body == expected_json(dashboard(year=2025, as_of=dt.date(2025, 12, 31)))
    # a finished year: met or not met, no pace, projection or monthly need
    visits = body["indicators"][0]
    assert (visits["achieved"], visits["target"], visits["status"]) == (7, 90, "not_met")
    assert (visits["expected"], visits["projected"], visits["needed_per_month"]) == (
        None,
        None,
        None,
    )
    assert visits["still_needed"] == 83


def test_an_as_of_day_still_to_come_is_refused(bureau_viewer, year_of_data):
    response = progress(bureau_viewer, year=2026, as_of="2026-07-03")  # today is 2 July
    assert response.status_code == 400
    assert response.json()["as_of"] == [
        "Figures cannot be taken as of a day still to come (2026-07-03): they are known up to "
        "today. Choose today or an earlier day, or leave it empty for today."
    ]
    assert progress(bureau_viewer, year=2026, as_of="2026-07-02").status_code == 200


def test_a_year_to_come_is_taken_as_of_today(bureau_viewer, year_of_data):
    body = progress(bureau_viewer, year=2027).json()
    assert (body["year"], body["as_of"]) == (2027, "2026-07-02")


def test_a_day_alone_is_in_this_year(bureau_viewer, year_of_data):
    body = as_decimals(progress(bureau_viewer, as_of="2026-04-30").json())
    assert (body["year"], body["as_of"]) == (2026, "2026-04-30")
    assert body == expected_json(dashboard(year=2026, as_of=dt.date(2026, 4, 30)))


# --- who sees which office ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_a", "supervisor_a"])
def test_office_users_get_their_own_office_without_asking(request, year_of_data, office_a, who):
    body = as_decimals(progress(request.getfixturevalue(who)).json())
    assert body["office"] == "OFFA"
    assert [row["office"] for row in body["offices"]] == ["OFFA"]
    assert body == expected_json(dashboard(year=2026, as_of=TODAY, office=office_a))


def test_staff_of_office_b_get_office_b(staff_b, year_of_data, office_b):
    body = as_decimals(progress(staff_b).json())
    assert body["office"] == "OFFB"
    assert body == expected_json(dashboard(year=2026, as_of=TODAY, office=office_b))


def test_unit_staff_get_their_unit_alone(unit_staff, year_of_data, unit_a):
    body = progress(unit_staff).json()
    assert body["office"] == "UNITA"
    assert [row["office"] for row in body["offices"]] == ["UNITA"]
    assert [f["achieved"] for f in body["indicators"]] == [1, 1, 0]


def test_office_staff_may_ask_for_their_own_unit(staff_a, year_of_data):
    body = progress(staff_a, office="UNITA").json()
    assert body["office"] == "UNITA"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("staff_a", "OFFB"),
        ("supervisor_a", "OFFB"),
        ("staff_b", "OFFA"),
        ("staff_b", "UNITA"),
        ("unit_staff", "OFFA"),
        ("unit_staff", "OFFB"),
    ],
)
def test_another_office_looks_missing(request, year_of_data, who, code):
    response = progress(request.getfixturevalue(who), office=code)
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("who", ["bureau_viewer", "bureau_admin"])
@pytest.mark.parametrize("code", ["OFFA", "UNITA", "OFFB"])
def test_the_bureau_may_ask_for_any_office(request, year_of_data, who, code):
    response = progress(request.getfixturevalue(who), office=code)
    assert response.status_code == 200
    assert response.json()["office"] == code


def test_anonymous_is_refused(year_of_data):
    response = progress(None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_session_of_a_page_works_too(client_staff_a, year_of_data):
    response = client_staff_a.get(reverse("api:progress"))
    assert response.status_code == 200
    assert response.json()["office"] == "OFFA"


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"year": "1999"}, 400, "year"),
        ({"year": "2101"}, 400, "year"),
        ({"year": "abc"}, 400, "year"),
        ({"as_of": "2026-02-30"}, 400, "as_of"),
        ({"as_of": "9999-12-31"}, 400, "as_of"),
        ({"as_of": "1999-12-31"}, 400, "as_of"),
        ({"as_of": "yesterday"}, 400, "as_of"),
        ({"office": "NOPE"}, 404, None),
        ({"office": "X" * 50}, 400, "office"),
    ],
)
def test_bad_input_is_refused(bureau_viewer, staff_a, year_of_data, params, status, field):
    for user in (bureau_viewer, staff_a):
        response = progress(user, **params)
        assert response.status_code == status
        if field:
            assert list(response.json()) == [field]


# --- queries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "params", "queries"),
    [
        # the token (with its user and office); the dashboard's ten: indicators, bureau
        # targets, office shares, offices, counts by office and indicator, the plans ahead
        # (planning.selectors.planned_ahead), counts by month, counts by region, regions,
        # the reporting health per office (no progress notes: the API has its own)
        ("bureau_viewer", {}, 11),
        # the token; the user's office scope and the office (get_office_for_user); the ten
        ("staff_a", {}, 13),
        ("bureau_viewer", {"office": "OFFA", "year": 2025}, 12),
        # as of a past day: the same, from the "as of" roll-up
        ("bureau_viewer", {"as_of": "2026-03-31"}, 11),
        ("staff_a", {"as_of": "2026-03-31"}, 13),
    ],
)
def test_progress_query_count_does_not_grow_with_rows(
    api, year_of_data, office_a, django_assert_num_queries, who, params, queries
):
    reader = api(who)
    url = reverse("api:progress")
    assert reader.get(url, params).status_code == 200  # records last_used_at once
    with django_assert_num_queries(queries):
        before = reader.get(url, params).json()
    for n in range(3):
        office = OfficeFactory(code=f"MORE{n}")
        UnitFactory(code=f"MOREU{n}", parent=office)
        ActivityFactory.create_batch(3, lead_office=office, indicator=year_of_data["media"])
        PlanFactory(
            lead_office=office,
            indicator=year_of_data["media"],
            starts_on=dt.date(2026, 12, 1),
            status=PlanStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    ActivityFactory.create_batch(
        4, lead_office=office_a, indicator=year_of_data["visits"], occurred_on=dt.date(2025, 6, 1)
    )
    ActivityFactory.create_batch(
        4, lead_office=office_a, indicator=year_of_data["events"], occurred_on=dt.date(2026, 6, 1)
    )
    IndicatorFactory(code="more", display_order=9)
    with django_assert_num_queries(queries):
        after = reader.get(url, params).json()
    assert after != before
