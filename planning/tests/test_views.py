"""The calendar's pages (month, week, list): what each persona sees of each plan (in full,
as a summary, or nothing), the filters, the navigation, the markers, the query counts.
A plan's own pages are tested in test_plan_views.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from planning import services
from planning.models import CancelReason, PlanConflict, PlanStatus
from planning.tests.factories import PlanFactory
from planning.tests.pages import SECRET_PURPOSE, SECRET_TITLE, content, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 15, 10))]


CALENDAR_PAGES = (
    ("planning:calendar", {}),
    ("planning:calendar", {"month": "2026-06"}),
    ("planning:week", {"week": "2026-06-22"}),
    ("planning:list", {}),
    ("planning:list", {"when": "all"}),
)


# --- the calendar -----------------------------------------------------------------------------


def test_the_calendar_shows_the_own_office_s_plans_in_full(staff_a, plan_a):
    client = signed_in(staff_a)
    for name, query in CALENDAR_PAGES:
        page = content(client.get(reverse(name), query))
        assert SECRET_TITLE in page, (name, query)
        assert reverse("planning:detail", args=[plan_a.pk]) in page


def test_other_offices_see_only_the_summary(staff_b, plan_a, department):
    client = signed_in(staff_b)
    for name, query in CALENDAR_PAGES:
        response = client.get(reverse(name), query)
        assert response.status_code == 200
        page = content(response)
        assert "OFFA" in page, (name, query)
        assert "Department of Commerce of Guangdong" in page
        assert "Guangzhou" in page  # the city
        assert "Visits" in page  # the indicator
        for secret in (SECRET_TITLE, SECRET_PURPOSE, "Mr Secret Attendee"):
            assert secret not in page, (name, query, secret)
        assert reverse("planning:detail", args=[plan_a.pk]) not in page


def test_a_restricted_plan_of_another_office_is_nowhere(staff_b, plan_a, restricted_a):
    client = signed_in(staff_b)
    queries = [q for _, q in CALENDAR_PAGES] + [
        {"counterpart": restricted_a.counterparts.get().pk},
        {"status": "planned"},
        {"office": restricted_a.lead_office_id},
        {"when": "upcoming", "region": restricted_a.region_id},
    ]
    for name in ("planning:calendar", "planning:week", "planning:list"):
        for query in queries:
            page = content(client.get(reverse(name), {"week": "2026-06-22", **query}))
            for secret in ("Restricted engagement", "Only on the restricted plan", "Shenzhen"):
                assert secret not in page, (name, query, secret)
    for name in ("planning:detail", "planning:edit", "planning:cancel"):
        assert client.get(reverse(name, args=[restricted_a.pk])).status_code == 404
    for name in ("planning:confirm", "planning:log", "planning:cancel", "planning:edit"):
        assert client.post(reverse(name, args=[restricted_a.pk])).status_code == 404
    restricted_a.refresh_from_db()
    assert restricted_a.status == PlanStatus.PLANNED


def test_the_bureau_sees_every_plan_in_full(bureau_viewer, plan_a, restricted_a):
    page = content(signed_in(bureau_viewer).get(reverse("planning:list")))
    assert SECRET_TITLE in page
    assert "Restricted engagement" in page


def test_summary_plans_of_another_office_have_no_page(staff_b, plan_a):
    client = signed_in(staff_b)
    assert client.get(reverse("planning:detail", args=[plan_a.pk])).status_code == 404
    assert client.get(reverse("planning:edit", args=[plan_a.pk])).status_code == 404


def test_cancelled_plans_are_struck_for_the_office_and_gone_for_others(staff_a, staff_b, plan_a):
    services.plan_cancel(user=staff_a, plan=plan_a, reason=CancelReason.TRAVEL)
    page = content(signed_in(staff_a).get(reverse("planning:calendar")))
    assert f"<s>{SECRET_TITLE}</s>" in page
    assert "Cancelled" in page
    other = content(signed_in(staff_b).get(reverse("planning:calendar")))
    assert "OFFA" not in other.split('<ol class="month__days">')[1]


def test_filters_narrow_the_plans_and_can_be_cleared(
    staff_a, plan_a, office_b, indicator, hebei, staff_b
):
    other = PlanFactory(
        lead_office=office_b,
        indicator=indicator,
        region=hebei,
        starts_on=dt.date(2026, 6, 25),
        city="Shijiazhuang",
        created_by=staff_b,
    )
    client = signed_in(staff_a)
    url = reverse("planning:list")
    both = content(client.get(url))
    assert "Shijiazhuang" in both and SECRET_TITLE in both
    assert "Clear filters" not in both
    by_region = content(client.get(url, {"region": hebei.pk}))
    assert "Shijiazhuang" in by_region and SECRET_TITLE not in by_region
    assert "Clear filters" in by_region and "Region: Hebei" in by_region
    by_office = content(client.get(url, {"office": plan_a.lead_office_id}))
    assert SECRET_TITLE in by_office and "Shijiazhuang" not in by_office
    by_counterpart = content(client.get(url, {"counterpart": plan_a.counterparts.get().pk}))
    assert SECRET_TITLE in by_counterpart and "Shijiazhuang" not in by_counterpart
    # Others' plans have no status shown: the status filter keeps to the plans seen in full.
    by_status = content(client.get(url, {"status": "planned"}))
    assert SECRET_TITLE in by_status and "Shijiazhuang" not in by_status
    assert other.status == PlanStatus.PLANNED
    assert client.get(url, {"office": "nonsense"}).status_code == 400


def test_month_and_week_navigation(staff_a, plan_a):
    client = signed_in(staff_a)
    july = client.get(reverse("planning:calendar"), {"month": "2026-07"})
    assert july.context["first"] == dt.date(2026, 7, 1)
    assert SECRET_TITLE not in content(july)
    assert "?month=2026-06" in content(july) and "?month=2026-08" in content(july)
    # Not a date: this month.
    assert client.get(reverse("planning:calendar"), {"month": "13-2026"}).context[
        "first"
    ] == dt.date(2026, 6, 1)
    week = client.get(reverse("planning:week"), {"week": "2026-06-24"})
    assert week.context["monday"] == dt.date(2026, 6, 22)
    assert SECRET_TITLE in content(week)
    assert "?week=2026-06-15" in content(week) and "?week=2026-06-29" in content(week)


def test_empty_calendar_says_so(staff_a):
    client = signed_in(staff_a)
    assert "Nothing planned this month yet." in content(client.get(reverse("planning:calendar")))
    assert "Nothing planned this week yet." in content(client.get(reverse("planning:week")))
    assert "Nothing planned yet." in content(client.get(reverse("planning:list")))
    assert "No plans match these filters." in content(
        client.get(reverse("planning:list"), {"status": "done"})
    )


def test_an_open_conflict_is_marked_for_those_who_see_the_plan_in_full(
    staff_a, staff_b, plan_a, plan_b
):
    PlanConflict.objects.create(
        plan=plan_b,
        office=plan_a.lead_office,
        kinds=["counterpart"],
        message="the same department",
        reason="Agreed by phone",
        created_by=staff_b,
    ).other_plans.add(plan_a)
    for user in (staff_a, staff_b):
        for name, query in CALENDAR_PAGES:
            page = content(signed_in(user).get(reverse(name), query))
            # Each office sees the marker on its own plan only (the other's is a summary).
            assert page.count('class="conflict-marker"') == 1, (user, name, query)


def test_the_menu_and_the_plan_button(staff_a, bureau_viewer):
    page = content(signed_in(staff_a).get(reverse("planning:calendar")))
    assert 'href="/planning/" aria-current="page">Planning' in page
    assert reverse("planning:create") in page
    viewer = content(signed_in(bureau_viewer).get(reverse("planning:calendar")))
    assert ">Planning</a>" in viewer
    assert reverse("planning:create") not in viewer


def test_anonymous_people_are_sent_to_sign_in(client, plan_a):
    for url in (
        reverse("planning:calendar"),
        reverse("planning:week"),
        reverse("planning:list"),
        reverse("planning:create"),
        reverse("planning:detail", args=[plan_a.pk]),
        reverse("planning:edit", args=[plan_a.pk]),
        reverse("planning:cancel", args=[plan_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- query counts -------------------------------------------------------------------------


def _more_plans(office, indicator, region, user, department, n=5):
    for i in range(n):
        PlanFactory(
            lead_office=office,
            indicator=indicator,
            region=region,
            starts_on=dt.date(2026, 6, 22 + i),
            created_by=user,
            counterparts=[department],
        )


@pytest.mark.parametrize(
    "name,query", [("planning:calendar", {}), ("planning:week", {"week": "2026-06-22"})]
)
def test_calendar_query_count(
    name,
    query,
    staff_a,
    plan_a,
    plan_b,
    indicator,
    guangdong,
    department,
    django_assert_num_queries,
):
    client = signed_in(staff_a)
    # session, user (with office), user's scope, offices, indicators, regions, counterparts
    # (filter), plans (with lead office, indicator, region, in full, open conflicts), their
    # counterparts, and the session save (savepoint, update, release)
    with django_assert_num_queries(12):
        client.get(reverse(name), query)
    _more_plans(plan_b.lead_office, indicator, guangdong, plan_b.created_by, department)
    with django_assert_num_queries(12):
        client.get(reverse(name), query)


def test_list_query_count(
    staff_a, plan_a, plan_b, indicator, guangdong, department, django_assert_num_queries
):
    client = signed_in(staff_a)
    # as the month, with the page's count, and the year's cancellations by reason
    with django_assert_num_queries(14):
        client.get(reverse("planning:list"), {"when": "all"})
    _more_plans(plan_b.lead_office, indicator, guangdong, plan_b.created_by, department)
    with django_assert_num_queries(14):
        response = client.get(reverse("planning:list"), {"when": "all"})
    assert len(response.context["page"].object_list) == 7


def test_the_list_counts_the_years_cancellations_by_reason(staff_a, staff_b, plan_a, plan_b):
    services.plan_cancel(user=staff_a, plan=plan_a, reason=CancelReason.COUNTERPART_POSTPONED)
    services.plan_cancel(
        user=staff_b, plan=plan_b, reason=CancelReason.OTHER, note="Typhoon signal 8."
    )
    response = signed_in(staff_a).get(reverse("planning:list"))
    cancellations = response.context["cancellations"]
    # Office B's cancelled plan is not office A's to see, nor counted for it.
    assert cancellations.total == 1
    assert cancellations.by_reason[0] == ("Postponed by the counterpart", 1)
    assert "Cancelled in 2026, by reason" in content(response)


def test_the_list_says_when_nothing_was_cancelled(staff_a, plan_a):
    response = signed_in(staff_a).get(reverse("planning:list"))
    assert response.context["cancellations"].total == 0
    assert "No plan dated this year has been cancelled." in content(response)
