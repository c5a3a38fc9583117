"""The bureau's gaps: regions nobody engaged or planned to engage in the last months, and
counterparts of high level nobody contacted this year."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Status
from activities.tests.factories import ActivityFactory
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory, RegionFactory
from planning.models import PlanStatus
from planning.selectors import counterpart_gaps, months_back, region_gaps
from planning.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # 15 June 2026
TODAY = dt.date(2026, 6, 15)
URL = reverse("planning:gaps")


def activity(day, *, region=None, counterpart=None, removed=False, **extra):
    row = ActivityFactory(occurred_on=day, region=region, status=Status.VERIFIED, **extra)
    if counterpart is not None:
        row.counterparts.add(counterpart)
    if removed:
        row.removed_at, row.removed_by, row.removal_reason = timezone.now(), row.created_by, "Twice"
        row.save()
    return row


def test_months_back_keeps_the_day_or_the_months_last():
    assert months_back(TODAY, 6) == dt.date(2025, 12, 15)
    assert months_back(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_back(dt.date(2026, 3, 31), 12) == dt.date(2025, 3, 31)


class TestRegions:
    @pytest.fixture
    def regions(self, office_a):
        names = ["engaged", "removed", "planned", "cancelled", "done", "never", "january"]
        made = {name: RegionFactory(name_en=name.title()) for name in names}
        activity(dt.date(2026, 3, 1), region=made["engaged"])
        activity(dt.date(2026, 4, 1), region=made["removed"], removed=True)
        activity(dt.date(2025, 10, 1), region=made["removed"])
        PlanFactory(
            region=made["planned"],
            starts_on=dt.date(2026, 9, 1),
            status=PlanStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        PlanFactory(
            region=made["cancelled"],
            starts_on=dt.date(2026, 9, 1),
            status=PlanStatus.CANCELLED,
            cancel_reason="other",
            cancelled_at=timezone.now(),
        )
        PlanFactory(
            region=made["done"],
            starts_on=dt.date(2026, 1, 10),
            status=PlanStatus.DONE,
            activity=activity(dt.date(2024, 1, 10)),
        )
        activity(dt.date(2026, 1, 10), region=made["january"])
        office_a.regions.add(made["never"])
        return made

    def test_regions_without_an_activity_or_a_plan_in_the_window(self, regions, office_a):
        gaps = {r.name_en: r for r in region_gaps(today=TODAY, months=6)}
        assert set(gaps) == {"Removed", "Cancelled", "Never"}
        assert gaps["Removed"].last_activity == dt.date(2025, 10, 1)  # the removed one is not
        assert gaps["Never"].last_activity is None
        assert list(gaps["Never"].offices.all()) == [office_a]

    def test_the_window_is_choosable(self, client_bureau, regions):
        def listed(months):
            response = client_bureau.get(URL, {"months": months})
            return {r.name_en for r in response.context["regions"]}

        assert "January" in listed(3) and "January" not in listed(6)
        # its April activity was removed; its last one, 1 October 2025, is within 12 months
        assert "Removed" in listed(3) and "Removed" not in listed(12)

    def test_the_page_lists_each_region_with_its_last_activity_and_offices(
        self, client_bureau, regions
    ):
        page = client_bureau.get(URL).content.decode()
        assert "Never" in page and "Office A" in page
        assert "2025-10-01" in page


class TestCounterparts:
    @pytest.fixture
    def counterparts(self):
        made = {
            "contacted": CounterpartFactory(name_en="Contacted"),
            "last_year": CounterpartFactory(name_en="Last year"),
            "planned": CounterpartFactory(
                name_en="Planned", type=Counterpart.Type.CENTRAL_AUTHORITY
            ),
            "removed": CounterpartFactory(name_en="Removed only"),
            "media": CounterpartFactory(name_en="A newspaper", type=Counterpart.Type.MEDIA),
            "inactive": CounterpartFactory(name_en="Merged", is_active=False),
        }
        activity(dt.date(2026, 2, 1), counterpart=made["contacted"])
        activity(dt.date(2025, 11, 3), counterpart=made["last_year"])
        activity(dt.date(2026, 2, 1), counterpart=made["removed"], removed=True)
        PlanFactory(counterparts=[made["planned"]], starts_on=dt.date(2026, 10, 1))
        return made

    def test_high_level_active_and_not_contacted_this_year(self, counterparts):
        gaps = {c.name_en: c for c in counterpart_gaps(year=2026)}
        assert set(gaps) == {"Last year", "Planned", "Removed only"}
        assert gaps["Last year"].last_contact == dt.date(2025, 11, 3)
        assert gaps["Removed only"].last_contact is None
        assert gaps["Planned"].planned and not gaps["Last year"].planned

    def test_the_page_links_each_counterpart(self, client_bureau, counterparts):
        page = client_bureau.get(URL).content.decode()
        assert reverse("counterparts:detail", args=[counterparts["planned"].pk]) in page
        assert "A newspaper" not in page

    def test_paginated(self, client_bureau):
        CounterpartFactory.create_batch(51)
        assert len(client_bureau.get(URL).context["page"].object_list) == 50
        assert len(client_bureau.get(URL, {"page": 2}).context["page"].object_list) == 1


def test_a_window_not_offered_is_refused_and_the_default_shown(client_bureau):
    response = client_bureau.get(URL, {"months": "5"})
    assert response.status_code == 400
    assert response.context["months"] == 6


def test_the_default_window_is_the_setting(client_bureau, settings):
    settings.KPI_GAP_MONTHS = 12
    response = client_bureau.get(URL)
    assert response.context["months"] == 12
    assert response.context["since"] == dt.date(2025, 6, 15)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("client_staff_a", 403),
        ("client_supervisor_a", 403),
        ("client_staff_b", 403),
        ("client_bureau", 200),
        ("client_admin", 200),
    ],
)
def test_the_bureau_only(request, persona, status):
    assert request.getfixturevalue(persona).get(URL).status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_query_count(client_bureau, office_a, django_assert_num_queries):
    # session, user, regions (with their last activity, engaged and planned), their offices,
    # count and page of counterparts, and the session save (savepoint, update, release)
    RegionFactory()
    CounterpartFactory()
    with django_assert_num_queries(9):
        client_bureau.get(URL)
    for _ in range(5):
        region = RegionFactory()
        office_a.regions.add(region)
        activity(dt.date(2025, 1, 1), region=region, counterpart=CounterpartFactory())
    with django_assert_num_queries(9):
        client_bureau.get(URL)


def test_the_menu_and_the_bureau_dashboard_link_conflicts_and_gaps_for_the_bureau_only(
    client, bureau_viewer, staff_a
):
    client.force_login(bureau_viewer)
    page = client.get(reverse("reports:bureau")).content.decode()
    nav = page[page.index('class="site-nav"') : page.index("</nav>", page.index("site-nav"))]
    assert reverse("planning:conflicts") in nav and URL in nav
    assert nav.index(URL) < nav.index(reverse("targets:year"))  # just before "Targets"
    assert "Gaps: regions and counterparts not engaged" in page
    client.force_login(staff_a)
    page = client.get("/activities/").content.decode()
    assert URL not in page and f'href="{reverse("planning:conflicts")}"' not in page
