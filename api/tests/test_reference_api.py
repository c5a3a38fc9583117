"""Reference data through the API: regions, offices (scoped to who asks), indicators,
counterparts and the bureau's targets. Who may read what, filters, pagination, and a
fixed number of queries whatever the number of rows.

Today is Tuesday 30 June 2026, 18:00 in Hong Kong.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from api.tests.clients import TokenClient
from offices.models import AnnualTarget, Counterpart, OfficeTarget
from offices.tests.factories import (
    CounterpartFactory,
    IndicatorFactory,
    OfficeFactory,
    RegionFactory,
    UnitFactory,
)

HK = ZoneInfo("Asia/Hong_Kong")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 18, 0, tzinfo=HK)),
]

SIGNED_IN = ["staff_a", "supervisor_a", "staff_b", "bureau_viewer", "bureau_admin"]
OFFICE_USERS = ["staff_a", "supervisor_a", "staff_b"]
BUREAU_USERS = ["bureau_viewer", "bureau_admin"]


@pytest.fixture
def reference(office_a, unit_a, office_b, indicator):
    """Two regions covered by office A (one through its unit), one by office B, a second
    indicator, and counterparts of several types, one of them retired."""
    hubei = RegionFactory(code="420000", name_en="Hubei", name_zh_hant="湖北")
    hunan = RegionFactory(code="430000", name_en="Hunan", name_zh_hant="湖南")
    guangdong = RegionFactory(code="440000", name_en="Guangdong", name_zh_hant="廣東")
    office_a.regions.add(hubei, hunan)
    unit_a.regions.add(hunan)
    office_b.regions.add(guangdong)
    media = IndicatorFactory(code="media", name_en="Media interviews", display_order=2)
    indicator.display_order = 1
    indicator.save()
    counterparts = {
        "commerce": CounterpartFactory(
            type=Counterpart.Type.PROVINCIAL_AUTHORITY,
            name_en="Hubei Department of Commerce",
            name_zh_hant="湖北省商務廳",
            name_zh_hans="湖北省商务厅",
            region=hubei,
        ),
        "daily": CounterpartFactory(
            type=Counterpart.Type.MEDIA,
            name_en="Hunan Daily",
            name_zh_hant="湖南日報",
            name_zh_hans="湖南日报",
            region=hunan,
        ),
        "chamber": CounterpartFactory(
            type=Counterpart.Type.CHAMBER,
            name_en="Guangdong Chamber of Commerce",
            name_zh_hant="廣東商會",
            name_zh_hans="广东商会",
            region=guangdong,
        ),
        "retired": CounterpartFactory(
            type=Counterpart.Type.MEDIA,
            name_en="Closed Evening News",
            name_zh_hant="停刊晚報",
            name_zh_hans="停刊晚报",
            region=hunan,
            is_active=False,
        ),
    }
    return {
        "regions": [hubei, hunan, guangdong],
        "indicators": [indicator, media],
        "counterparts": counterparts,
    }


@pytest.fixture
def targets_2026(reference, office_a, office_b):
    visits, media = reference["indicators"]
    AnnualTarget.objects.create(year=2026, indicator=visits, target=100, source="Budget 2026")
    AnnualTarget.objects.create(year=2026, indicator=media, target=20)
    AnnualTarget.objects.create(year=2025, indicator=visits, target=80, source="Budget 2025")
    OfficeTarget.objects.create(year=2026, indicator=visits, office=office_a, target=60)
    OfficeTarget.objects.create(year=2026, indicator=visits, office=office_b, target=40)
    OfficeTarget.objects.create(year=2025, indicator=visits, office=office_a, target=50)


def get(user, name, *args, **params):
    """`name`'s answer to `user`, asked with a new token of theirs by a client with no
    session."""
    return TokenClient(user).get(reverse(name, args=args), params)


def persona(request, name):
    return request.getfixturevalue(name)


# --- without credentials -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("api:region-list", []),
        ("api:region-detail", ["420000"]),
        ("api:office-list", []),
        ("api:office-detail", ["OFFA"]),
        ("api:indicator-list", []),
        ("api:indicator-detail", ["visits"]),
        ("api:counterpart-list", []),
        ("api:targets", []),
    ],
)
def test_anonymous_is_refused_with_a_challenge(client, reference, targets_2026, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert b"Hubei" not in response.content and b"OFFA" not in response.content


def test_an_inactive_user_is_refused(reference, staff_a):
    reader = TokenClient(staff_a)
    staff_a.is_active = False
    staff_a.save()
    response = reader.get(reverse("api:region-list"))
    assert response.status_code == 401


# --- regions -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_every_signed_in_user_reads_the_regions(request, reference, who):
    response = get(persona(request, who), "api:region-list")
    assert response.status_code == 200
    body = response.json()
    assert [r["code"] for r in body] == ["420000", "430000", "440000"]  # unpaginated, by code
    assert body[0] == {
        "code": "420000",
        "kind": "province",
        "name": "Hubei",
        "name_en": "Hubei",
        "name_zh_hant": "湖北",
        "name_zh_hans": body[0]["name_zh_hans"],
    }


def test_region_detail_by_code_and_an_unknown_code(reference, staff_a):
    response = get(staff_a, "api:region-detail", "430000")
    assert response.status_code == 200
    assert response.json()["name"] == "Hunan"
    assert get(staff_a, "api:region-detail", "990000").status_code == 404


def test_names_follow_the_request_language(reference, staff_a):
    response = TokenClient(staff_a).get(
        reverse("api:region-detail", args=["420000"]), HTTP_ACCEPT_LANGUAGE="zh-hant"
    )
    assert response.json()["name"] == "湖北"


# --- offices -------------------------------------------------------------------------------


def test_the_bureau_sees_every_office_with_its_units_and_regions(reference, bureau_viewer):
    response = get(bureau_viewer, "api:office-list")
    assert response.status_code == 200
    offices = {o["code"]: o for o in response.json()}
    assert set(offices) == {"OFFA", "UNITA", "OFFB"}
    assert (offices["OFFA"]["parent"], offices["OFFA"]["units"]) == (None, ["UNITA"])
    assert sorted(offices["OFFA"]["regions"]) == ["420000", "430000"]
    assert (offices["UNITA"]["parent"], offices["UNITA"]["units"]) == ("OFFA", [])
    assert offices["UNITA"]["regions"] == ["430000"]
    assert offices["UNITA"]["kind"] == "liaison_unit"
    assert (offices["OFFB"]["units"], offices["OFFB"]["regions"]) == ([], ["440000"])
    assert offices["OFFA"]["name"] == "Office A"


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("staff_a", {"OFFA", "UNITA"}),
        ("supervisor_a", {"OFFA", "UNITA"}),
        ("staff_b", {"OFFB"}),
        ("unit_staff", {"UNITA"}),
        ("bureau_admin", {"OFFA", "UNITA", "OFFB"}),
    ],
)
def test_office_users_see_their_own_office_and_its_units_only(request, reference, who, visible):
    response = get(persona(request, who), "api:office-list")
    assert response.status_code == 200
    assert {o["code"] for o in response.json()} == visible


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("staff_a", "OFFB"),
        ("supervisor_a", "OFFB"),
        ("staff_b", "OFFA"),
        ("staff_b", "UNITA"),
        ("unit_staff", "OFFA"),
        ("unit_staff", "OFFB"),
        ("bureau_viewer", "NOPE"),
    ],
)
def test_another_office_looks_missing(request, reference, who, code):
    response = get(persona(request, who), "api:office-detail", code)
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}  # nothing of the office itself


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("staff_a", "OFFA"),
        ("staff_a", "UNITA"),
        ("unit_staff", "UNITA"),
        ("staff_b", "OFFB"),
        ("bureau_viewer", "OFFA"),
        ("bureau_viewer", "UNITA"),
        ("bureau_admin", "OFFB"),
    ],
)
def test_office_detail_by_code(request, reference, who, code):
    response = get(persona(request, who), "api:office-detail", code)
    assert response.status_code == 200
    assert response.json()["code"] == code


def test_office_detail_carries_units_and_regions(reference, staff_a):
    body = get(staff_a, "api:office-detail", "OFFA").json()
    assert body["units"] == ["UNITA"]
    assert sorted(body["regions"]) == ["420000", "430000"]
    assert body["parent"] is None
    assert body["is_active"] is True


# --- indicators ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_every_signed_in_user_reads_the_indicators_in_display_order(request, reference, who):
    response = get(persona(request, who), "api:indicator-list")
    assert response.status_code == 200
    assert [i["code"] for i in response.json()] == ["visits", "media"]


def test_indicator_detail_by_code(reference, staff_b):
    body = get(staff_b, "api:indicator-detail", "media").json()
    assert body["name"] == "Media interviews"
    assert {"counterpart_types", "counterpart_required", "asks_authority_level"} <= set(body)
    assert get(staff_b, "api:indicator-detail", "nope").status_code == 404


# --- counterparts --------------------------------------------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_every_signed_in_user_reads_the_active_counterparts(request, reference, who):
    response = get(persona(request, who), "api:counterpart-list")
    assert response.status_code == 200
    body = response.json()
    active = reference["counterparts"]
    assert body["count"] == 3
    assert {c["id"] for c in body["results"]} == {
        active["commerce"].pk,
        active["daily"].pk,
        active["chamber"].pk,
    }  # the retired one is not offered


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "commerce"}, {"commerce", "chamber"}),
        ({"q": "  DAILY "}, {"daily"}),
        ({"q": "商務廳"}, {"commerce"}),
        ({"q": "商务厅"}, {"commerce"}),
        ({"q": "evening"}, set()),  # retired
        ({"type": "media"}, {"daily"}),
        ({"type": "chamber"}, {"chamber"}),
        ({"region": "430000"}, {"daily"}),
        ({"region": "420000", "q": "commerce"}, {"commerce"}),
        ({"region": "440000", "type": "media"}, set()),
        ({"q": ""}, {"commerce", "daily", "chamber"}),
    ],
)
def test_counterpart_filters(reference, staff_a, params, expected):
    response = get(staff_a, "api:counterpart-list", **params)
    assert response.status_code == 200
    ids = {c["id"] for c in response.json()["results"]}
    assert ids == {reference["counterparts"][key].pk for key in expected}


@pytest.mark.parametrize("params", [{"type": "spy"}, {"region": "990000"}, {"region": "x"}])
def test_counterpart_filters_refuse_what_does_not_exist(reference, staff_a, params):
    response = get(staff_a, "api:counterpart-list", **params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_counterpart_record_names_its_region_by_code(reference, staff_a):
    [record] = get(staff_a, "api:counterpart-list", q="Hunan Daily").json()["results"]
    assert record == {
        "id": reference["counterparts"]["daily"].pk,
        "type": "media",
        "name": "Hunan Daily",
        "name_en": "Hunan Daily",
        "name_zh_hant": "湖南日報",
        "name_zh_hans": "湖南日报",
        "region": "430000",
    }


def test_counterparts_are_paginated(reference, staff_a):
    CounterpartFactory.create_batch(60, type=Counterpart.Type.ENTERPRISE)
    first = get(staff_a, "api:counterpart-list").json()
    assert first["count"] == 63
    assert len(first["results"]) == 50  # the default page size
    assert first["previous"] is None and "page=2" in first["next"]

    second = get(staff_a, "api:counterpart-list", page=2).json()
    assert len(second["results"]) == 13 and second["next"] is None
    seen = [c["id"] for c in first["results"] + second["results"]]
    assert len(set(seen)) == 63  # every one once

    small = get(staff_a, "api:counterpart-list", page_size=10, page=7).json()
    assert len(small["results"]) == 3
    capped = get(staff_a, "api:counterpart-list", page_size=100000).json()
    assert len(capped["results"]) == 63  # 200 at most; all of these fit
    assert get(staff_a, "api:counterpart-list", page=99).status_code == 404


def test_page_size_is_capped_at_200(reference, staff_a):
    CounterpartFactory.create_batch(205, type=Counterpart.Type.ENTERPRISE)
    body = get(staff_a, "api:counterpart-list", page_size=1000).json()
    assert body["count"] == 208
    assert len(body["results"]) == 200


# --- targets -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", OFFICE_USERS + ["unit_staff"])
def test_office_users_may_not_read_the_targets(request, targets_2026, who):
    response = get(persona(request, who), "api:targets", year=2026)
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("who", BUREAU_USERS)
def test_bureau_users_read_the_bureau_targets_and_office_shares(request, targets_2026, who):
    response = get(persona(request, who), "api:targets", year=2026)
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026
    assert sorted(body["bureau"], key=lambda t: t["indicator"]) == [
        {"indicator": "media", "target": 20, "source": ""},
        {"indicator": "visits", "target": 100, "source": "Budget 2026"},
    ]
    assert sorted(body["offices"], key=lambda t: t["office"]) == [
        {"office": "OFFA", "indicator": "visits", "target": 60},
        {"office": "OFFB", "indicator": "visits", "target": 40},
    ]


def test_targets_of_another_year(targets_2026, bureau_viewer):
    body = get(bureau_viewer, "api:targets", year=2025).json()
    assert body["year"] == 2025
    assert body["bureau"] == [{"indicator": "visits", "target": 80, "source": "Budget 2025"}]
    assert body["offices"] == [{"office": "OFFA", "indicator": "visits", "target": 50}]
    empty = get(bureau_viewer, "api:targets", year=2027).json()
    assert (empty["bureau"], empty["offices"]) == ([], [])


def test_targets_default_to_this_year(targets_2026, bureau_viewer):
    body = get(bureau_viewer, "api:targets").json()
    assert body["year"] == 2026
    assert len(body["bureau"]) == 2


@pytest.mark.parametrize("year", ["1999", "2101", "abc", "2026.5"])
def test_targets_year_out_of_range_is_refused(targets_2026, bureau_viewer, year):
    response = get(bureau_viewer, "api:targets", year=year)
    assert response.status_code == 400
    assert list(response.json()) == ["year"]


# --- query counts --------------------------------------------------------------------------


def _more_rows(reference, office_b):
    """More of everything each list shows."""
    regions = [RegionFactory(code=f"{n}0000") for n in range(50, 55)]
    for n in range(3):
        office = OfficeFactory(code=f"MORE{n}")
        office.regions.add(*regions)
        UnitFactory(code=f"MOREU{n}", parent=office).regions.add(*regions[:2])
    UnitFactory(code="UNITB2", parent=office_b).regions.add(*regions)
    IndicatorFactory.create_batch(4)
    CounterpartFactory.create_batch(8, region=reference["regions"][0])
    for indicator in IndicatorFactory.create_batch(3):
        AnnualTarget.objects.create(year=2026, indicator=indicator, target=5)
        OfficeTarget.objects.create(year=2026, indicator=indicator, office=office_b, target=2)


@pytest.mark.parametrize(
    ("name", "who", "queries", "params"),
    [
        # the token (with its user and office); the regions
        ("api:region-list", "staff_a", 2, {}),
        # the token; the indicators
        ("api:indicator-list", "staff_a", 2, {}),
        # the token; the offices with their parents; their units; their regions
        ("api:office-list", "bureau_viewer", 4, {}),
        # the token; the user's office scope; the offices; their units; their regions
        ("api:office-list", "staff_b", 5, {}),
        # the token; the count; the page of counterparts with their regions
        ("api:counterpart-list", "staff_a", 3, {"page_size": 5}),
        # the token; the region of the filter; the count; the page
        ("api:counterpart-list", "staff_a", 4, {"region": "420000"}),
        # the token; the bureau targets with their indicators; the shares with theirs
        ("api:targets", "bureau_viewer", 3, {"year": 2026}),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(
    api,
    reference,
    targets_2026,
    office_b,
    django_assert_num_queries,
    name,
    who,
    queries,
    params,
):
    reader = api(who)
    url = reverse(name)
    assert reader.get(url, params).status_code == 200  # records last_used_at once
    with django_assert_num_queries(queries):
        before = reader.get(url, params)
    _more_rows(reference, office_b)
    with django_assert_num_queries(queries):
        after = reader.get(url, params)
    assert after.status_code == 200
    assert after.content != before.content  # more rows were listed, with no more queries
