"""The roll-up of activities (ActivityMonthCount): the database's triggers keep it equal to
a recount from the activities through every kind of write, and dashboards reading it get
the same groups as counting the activities."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities import services
from activities.counts import (
    CountedList,
    counted_groups,
    kept,
    kept_as_of,
    recount,
    recount_as_of,
)
from activities.models import Activity, ActivityAsOfCount, ActivityMonthCount, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_the_roll_up_follows_every_write(
    frozen, staff_a, supervisor_a, office_a, unit_a, indicator
):
    other = IndicatorFactory(code="media")
    hubei = RegionFactory(code="420000")
    assert kept() == recount() == {}

    draft = services.activity_create(
        user=staff_a,
        lead_office=office_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 6, 3),
        title="Call on the Department of Commerce",
    )
    submitted = services.activity_create(
        user=staff_a,
        lead_office=office_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 6, 4),
        title="Call on the Development and Reform Commission",
        region=hubei,
        submit=True,
    )
    assert kept() == recount() != {}
    services.activities_submit(user=staff_a, activity_ids=[draft.pk])
    services.activities_verify(user=supervisor_a, activity_ids=[draft.pk])
    services.activities_return(user=supervisor_a, activity_ids=[submitted.pk], comment="Date?")
    assert kept() == recount()
    services.activity_update(
        user=staff_a,
        activity_id=submitted.pk,
        expected_version=2,  # created submitted, then returned
        lead_office=unit_a,
        indicator=other,
        occurred_on=dt.date(2026, 6, 1),
        region=None,
    )
    assert kept() == recount()
    services.activity_remove(user=staff_a, activity_id=submitted.pk, reason="Logged twice")
    services.activities_create_bulk(
        user=staff_a,
        items=[
            {
                "lead_office": office_a,
                "indicator": indicator,
                "occurred_on": dt.date(2026, 6, day),
                "title": f"Meeting {day}",
            }
            for day in (1, 2, 3)
        ],
    )
    assert kept() == recount()
    # writes that bypass the services are counted too: the triggers are the database's
    Activity.objects.filter(status=Status.DRAFT).update(
        status=Status.SUBMITTED, counted_since=timezone.now()
    )
    ActivityFactory(lead_office=unit_a, indicator=other, occurred_on=dt.date(2025, 12, 31))
    Activity.objects.filter(pk=draft.pk).delete()
    assert kept() == recount()
    assert sum(kept().values()) == Activity.objects.not_removed().count() == 4


def test_one_insert_of_many_rows_is_counted_as_row_by_row(
    frozen, staff_a, office_a, unit_a, indicator
):
    """On PostgreSQL the roll-ups count an INSERT's rows once per statement (migration
    0013); what they hold is what counting the rows gives, for rows of every kind in one
    statement: drafts and counted ones, removed, of several groups and months, some in the
    same group, one that counted by the Hong Kong day after it took place."""
    media = IndicatorFactory(code="media")
    hubei = RegionFactory(code="420000")
    ActivityFactory(lead_office=office_a, indicator=indicator, occurred_on=dt.date(2026, 6, 1))
    late = timezone.make_aware(dt.datetime(2026, 6, 2, 23, 30))  # HK: 3 June
    rows = [
        Activity(
            lead_office=office,
            indicator=ind,
            occurred_on=day,
            title=f"Meeting {n}",
            region=region,
            status=status,
            counted_since=counted_since if status in ("submitted", "verified") else None,
            removed_at=timezone.now() if removed else None,
            removed_by=staff_a if removed else None,
            removal_reason="Logged twice" if removed else "",
            created_by=staff_a,
            updated_by=staff_a,
        )
        for n, (office, ind, day, status, region, counted_since, removed) in enumerate(
            [
                (office_a, indicator, dt.date(2026, 6, 1), Status.SUBMITTED, None, None, False),
                (office_a, indicator, dt.date(2026, 6, 2), Status.SUBMITTED, None, late, False),
                (office_a, indicator, dt.date(2026, 6, 2), Status.VERIFIED, None, late, False),
                (office_a, indicator, dt.date(2026, 6, 2), Status.DRAFT, None, None, False),
                (office_a, indicator, dt.date(2026, 6, 2), Status.DRAFT, None, None, False),
                (unit_a, media, dt.date(2026, 5, 31), Status.VERIFIED, hubei, None, False),
                (unit_a, media, dt.date(2026, 5, 31), Status.VERIFIED, hubei, late, False),
                (unit_a, media, dt.date(2025, 12, 1), Status.RETURNED, hubei, None, False),
                (unit_a, media, dt.date(2026, 4, 9), Status.SUBMITTED, hubei, None, True),
            ]
        )
    ]
    for activity in rows:
        if activity.status in ("submitted", "verified") and activity.counted_since is None:
            activity.counted_since = timezone.make_aware(
                dt.datetime.combine(activity.occurred_on, dt.time(18))
            )
    Activity.objects.bulk_create(rows)  # one INSERT
    assert kept() == recount()
    assert kept_as_of() == recount_as_of()
    assert sum(kept().values()) == 9  # the first and eight of these: removed is not counted
    call_command("rebuild_activity_counts", "--check")


@pytest.fixture
def realistic(frozen, office_a, unit_a, office_b, indicator):
    """Activities as the services leave them: nothing took place or was submitted later
    than now (15 June 2026)."""
    media = IndicatorFactory(code="media")
    hubei = RegionFactory(code="420000")
    for office, ind, day, status, region in (
        (office_a, indicator, dt.date(2026, 1, 5), Status.SUBMITTED, hubei),
        (office_a, indicator, dt.date(2026, 1, 31), Status.VERIFIED, None),
        (unit_a, indicator, dt.date(2026, 6, 14), Status.SUBMITTED, hubei),
        (unit_a, media, dt.date(2026, 6, 15), Status.DRAFT, None),
        (office_b, media, dt.date(2026, 3, 1), Status.RETURNED, hubei),
        (office_b, media, dt.date(2025, 12, 31), Status.VERIFIED, None),
        (office_b, indicator, dt.date(2025, 2, 2), Status.SUBMITTED, hubei),
    ):
        ActivityFactory(
            lead_office=office,
            indicator=ind,
            occurred_on=day,
            status=status,
            region=region,
            counted_since=(
                timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
                if status in ("submitted", "verified")
                else None
            ),
        )


@pytest.mark.parametrize(
    "by", [("lead_office", "indicator"), ("month", "indicator"), ("region",), ("month",)]
)
@pytest.mark.parametrize("office", [None, "a"])
def test_the_roll_up_and_the_activities_give_the_same_groups(
    realistic, office_a, unit_a, by, office, django_assert_num_queries
):
    scope = None if office is None else [office_a.pk, unit_a.pk]
    today = dt.date(2026, 6, 15)
    arguments = {"start": dt.date(2025, 1, 1), "end": dt.date(2026, 12, 31), "by": by}
    with django_assert_num_queries(1):
        from_roll_up = counted_groups(as_of=today, office_ids=scope, **arguments)
    # the same question, counted from the activities: an "as of" in the future is only
    # answered by the roll-up, so ask for dates that are not whole months instead
    from_rows = counted_groups(
        as_of=today, office_ids=scope, **(arguments | {"end": dt.date(2026, 12, 30)})
    )
    assert sorted(from_roll_up, key=repr) == sorted(from_rows, key=repr)
    assert from_roll_up


def test_an_as_of_in_the_past_counts_what_was_submitted_by_then(realistic, office_a):
    """Yesterday's figures leave out what was submitted today: the activities are counted."""
    Activity.objects.filter(occurred_on=dt.date(2026, 6, 14)).update(counted_since=timezone.now())
    groups = dict(
        counted_groups(
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            as_of=dt.date(2026, 6, 14),
            by=("month",),
        )
    )
    assert groups == {dt.date(2026, 1, 1): 2}
    today = dict(
        counted_groups(
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            as_of=dt.date(2026, 6, 15),
            by=("month",),
        )
    )
    assert today == {dt.date(2026, 1, 1): 2, dt.date(2026, 6, 1): 1}


def test_rebuild_finds_and_mends_a_roll_up_that_is_off(realistic, capsys):
    call_command("rebuild_activity_counts", "--check")
    assert "is right" in capsys.readouterr().out
    ActivityMonthCount.objects.filter(status="verified").update(n=7)
    with pytest.raises(SystemExit):
        call_command("rebuild_activity_counts", "--check")
    call_command("rebuild_activity_counts")
    assert "2 groups were off" in capsys.readouterr().out
    assert kept() == recount()
    call_command("rebuild_activity_counts")
    assert "nothing was off" in capsys.readouterr().out


def test_rebuild_mends_the_as_of_roll_up_too(realistic, capsys):
    """The roll-up of what counted by each day (ActivityAsOfCount) is checked and recounted
    with the month roll-up; test_as_of_counts.py holds it to the rows day by day."""
    assert kept_as_of() == recount_as_of() != {}
    ActivityAsOfCount.objects.filter(grain=ActivityAsOfCount.DAY).delete()
    ActivityAsOfCount.objects.filter(grain=ActivityAsOfCount.MONTH).update(n=9)
    with pytest.raises(SystemExit):
        call_command("rebuild_activity_counts", "--check")
    call_command("rebuild_activity_counts")
    out = capsys.readouterr().out
    assert "counted by 2026-01-05 (day): 0 -> 1" in out
    assert kept_as_of() == recount_as_of()
    call_command("rebuild_activity_counts", "--check")


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        counted_groups(
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            as_of=dt.date(2026, 1, 1),
            by=("status",),
        )


# --- lists counted and paged with the roll-up ---------------------------------------------


@pytest.fixture
def many(frozen, office_a, unit_a, office_b, indicator):
    """Forty activities over eighteen months, several a day, all statuses and regions."""
    media = IndicatorFactory(code="media")
    hubei = RegionFactory(code="420000")
    offices, indicators = [office_a, unit_a, office_b], [indicator, media]
    statuses = [Status.SUBMITTED, Status.VERIFIED, Status.DRAFT, Status.RETURNED]
    for n in range(40):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=(n * 13) % 530)
        status = statuses[n % 4]
        ActivityFactory(
            lead_office=offices[n % 3],
            indicator=indicators[n % 2],
            occurred_on=day,
            status=status,
            region=hubei if n % 5 else None,
            counted_since=(
                timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
                if status in ("submitted", "verified")
                else None
            ),
        )
    removed = Activity.objects.order_by("pk").first()
    Activity.objects.filter(pk=removed.pk).update(
        removed_at=timezone.now(), removed_by=removed.created_by, removal_reason="Twice"
    )
    return {"media": media, "hubei": hubei}


COUNTABLE = [
    {},
    {"sort": "date"},
    {"sort": "-date"},
    {"sort": "indicator"},
    {"sort": "-indicator"},
    {"sort": "status"},
    {"sort": "-status"},
    {"sort": "office"},
    {"sort": "-office"},
    {"sort": "indicator", "region": "hubei"},
    {"sort": "-office", "status": "counted", "date_from": "2025-03-01"},
    {"date_from": "2025-03-01", "date_to": "2026-02-28"},
    {"status": "draft"},
    {"counted": "true", "as_of": "2026-06-15"},
    {"counted": "true", "status": "returned"},
    {"status": "counted", "as_of": "2026-06-15"},
    {"status": "counted", "office": "office_a", "part": "lead"},
    {"indicator": "media"},
    {"region": "hubei"},
    {"lead": "office_a"},
]


def _data(params: dict, many, office_a) -> dict:
    values = {"media": many["media"].pk, "hubei": many["hubei"].pk, "office_a": office_a.pk}
    return {key: values.get(value, value) for key, value in params.items()}


@pytest.mark.parametrize("params", COUNTABLE, ids=repr)
def test_a_counted_list_pages_as_its_queryset(many, bureau_viewer, office_a, params):
    from activities.selectors import activity_list, activity_totals, paged_list

    activity_filter = activity_list(user=bureau_viewer, data=_data(params, many, office_a))
    rows = paged_list(activity_filter, user=bureau_viewer)
    assert isinstance(rows, CountedList)
    expected = list(activity_filter.qs.values_list("pk", flat=True))
    assert rows.count() == len(expected)
    for start in range(0, len(expected) + 4, 4):
        assert [a.pk for a in rows[start : start + 4]] == expected[start : start + 4]
    assert activity_totals(rows) == activity_totals(activity_filter.qs)


@pytest.mark.parametrize("sort", ["indicator", "-indicator"])
def test_indicators_sharing_a_place_are_paged_as_one(many, bureau_viewer, indicator, sort):
    """Two indicators in the same place of the order: the list mixes their rows by date,
    and so does the counted list."""
    from activities.selectors import activity_list, paged_list

    many["media"].display_order = indicator.display_order
    many["media"].save()
    activity_filter = activity_list(user=bureau_viewer, data={"sort": sort})
    rows = paged_list(activity_filter, user=bureau_viewer)
    assert isinstance(rows, CountedList)
    expected = list(activity_filter.qs.values_list("pk", flat=True))
    assert rows.count() == len(expected)
    for start in range(0, len(expected) + 3, 3):
        assert [a.pk for a in rows[start : start + 3]] == expected[start : start + 3]


@pytest.mark.parametrize("sort", ["indicator", "-indicator"])
def test_indicators_sharing_a_place_in_different_months(
    frozen, bureau_viewer, office_a, indicator, sort
):
    """One indicator has rows in December and October, the other sharing its place only in
    November: every page holds the rows in the list's order, none repeated or left out."""
    from activities.selectors import activity_list, paged_list

    other = IndicatorFactory(code="media", display_order=indicator.display_order)
    for day, which in [
        (dt.date(2025, 12, 5), indicator),
        (dt.date(2025, 12, 2), indicator),
        (dt.date(2025, 11, 20), other),
        (dt.date(2025, 11, 3), other),
        (dt.date(2025, 10, 9), indicator),
        (dt.date(2025, 10, 1), indicator),
    ]:
        ActivityFactory(lead_office=office_a, indicator=which, occurred_on=day)
    activity_filter = activity_list(user=bureau_viewer, data={"sort": sort})
    rows = paged_list(activity_filter, user=bureau_viewer)
    assert isinstance(rows, CountedList)
    expected = list(activity_filter.qs.values_list("pk", flat=True))
    for size in (1, 2, 3, 4):
        pages = [[a.pk for a in rows[start : start + size]] for start in range(0, 6, size)]
        assert [pk for page in pages for pk in page] == expected, size


def test_a_sorted_list_is_in_one_order_whatever_ties(many, bureau_viewer):
    """Rows equal in the chosen sort come newest first, then by id (a reversed sort is the
    exact reverse): the same every time, so that pages neither repeat nor skip them."""
    from activities.selectors import activity_list

    Activity.objects.update(title="The same title")
    tails = {
        "title": ("-occurred_on", "-pk"),
        "-title": ("occurred_on", "pk"),  # the exact reverse of "title"
        "indicator": ("-occurred_on", "-pk"),
        "-status": ("occurred_on", "pk"),
        "office": ("-occurred_on", "-pk"),
        "date": ("occurred_on", "pk"),
        "-date": ("-occurred_on", "-pk"),
    }
    for sort, tail in tails.items():
        order = activity_list(user=bureau_viewer, data={"sort": sort}).qs.query.order_by
        assert tuple(order[-len(tail) :]) == tail, sort
        assert len(order) == len(tail) + (0 if sort.endswith("date") else 1), sort


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Commerce"},
        {"date_from": "2025-03-02"},
        {"date_to": "2025-03-30"},
        {"as_of": "2026-06-14"},
        {"office": "office_a"},
    ],
    ids=repr,
)
def test_other_lists_are_counted_from_their_rows(many, bureau_viewer, office_a, params):
    from activities.selectors import activity_list, paged_list

    activity_filter = activity_list(user=bureau_viewer, data=_data(params, many, office_a))
    assert not isinstance(paged_list(activity_filter, user=bureau_viewer), CountedList)


@pytest.mark.parametrize("params", COUNTABLE, ids=repr)
def test_an_offices_counted_list_holds_what_it_joined(many, staff_a, office_a, office_b, params):
    """An office's list also holds what it joined, led by others: counted from the rows."""
    from activities.selectors import activity_list, activity_totals, paged_list

    for activity in Activity.objects.filter(lead_office=office_b)[:6]:
        activity.participating_offices.add(office_a)
    activity_filter = activity_list(user=staff_a, data=_data(params, many, office_a))
    rows = paged_list(activity_filter, user=staff_a)
    assert isinstance(rows, CountedList)
    expected = list(activity_filter.qs.values_list("pk", flat=True))
    assert rows.count() == len(expected)
    for start in range(0, len(expected) + 4, 4):
        assert [a.pk for a in rows[start : start + 4]] == expected[start : start + 4]
    assert activity_totals(rows) == activity_totals(activity_filter.qs)


def test_the_list_page_and_the_api_page_deep_into_a_counted_list(
    many, client_bureau, bureau_viewer
):
    from django.urls import reverse

    from api.tests.clients import bearer

    expected = list(
        Activity.objects.not_removed().order_by("-occurred_on", "-pk").values_list("pk", flat=True)
    )
    page = client_bureau.get(reverse("activities:list"), {"page": 2})
    assert [a.pk for a in page.context["page"].object_list] == expected[25:50]
    assert page.context["page"].paginator.count == len(expected)
    api = client_bureau.get(
        reverse("api:activity-list"), {"page": 4, "page_size": 10}, **bearer(bureau_viewer)
    )
    assert [a["id"] for a in api.json()["results"]] == expected[30:40]
    assert api.json()["count"] == len(expected)
