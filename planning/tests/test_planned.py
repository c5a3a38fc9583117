"""What is planned ahead beside each status: the rule (planning.selectors.PLANNED_RULE), the
roll-up of units into their office, the dashboards, the offices page and the progress API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from activities.models import Status
from activities.tests.factories import ActivityFactory
from api.tests.clients import TokenClient
from offices.tests.factories import AnnualTargetFactory, OfficeTargetFactory
from planning.models import Confidentiality, Plan, PlanStatus
from planning.selectors import Ahead, planned_ahead
from planning.tests.factories import PlanFactory
from reports.dashboard import dashboard

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)  # conftest's frozen day


def confirmed(**kwargs):
    return PlanFactory(status=PlanStatus.CONFIRMED, confirmed_at=timezone.now(), **kwargs)


@pytest.fixture
def plans(office_a, unit_a, office_b, indicator, staff_a):
    """Office A's and its unit's plans around the frozen day, and office B's restricted one."""
    made = {
        "tomorrow": confirmed(
            lead_office=office_a, indicator=indicator, starts_on=TODAY.replace(day=16)
        ),
        "unit": confirmed(lead_office=unit_a, indicator=indicator, starts_on=dt.date(2026, 9, 1)),
        "not_confirmed": PlanFactory(
            lead_office=office_a, indicator=indicator, starts_on=dt.date(2026, 7, 1)
        ),
        "today": confirmed(lead_office=office_a, indicator=indicator, starts_on=TODAY),
        "past": confirmed(lead_office=office_a, indicator=indicator, starts_on=dt.date(2026, 6, 1)),
        "next_year": confirmed(
            lead_office=office_a, indicator=indicator, starts_on=dt.date(2027, 1, 4)
        ),
        "cancelled": PlanFactory(
            lead_office=office_a,
            indicator=indicator,
            starts_on=dt.date(2026, 8, 3),
            status=PlanStatus.CANCELLED,
            cancel_reason="other",
            cancelled_at=timezone.now(),
        ),
        "b_restricted": confirmed(
            lead_office=office_b,
            indicator=indicator,
            starts_on=dt.date(2026, 10, 5),
            confidentiality=Confidentiality.RESTRICTED,
        ),
        "b_summary": PlanFactory(
            lead_office=office_b, indicator=indicator, starts_on=dt.date(2026, 11, 5)
        ),
    }
    activity = ActivityFactory(
        lead_office=office_a, indicator=indicator, status=Status.VERIFIED, occurred_on=TODAY
    )
    made["done"] = PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        starts_on=dt.date(2026, 12, 1),  # a date ahead, but done: it is an activity now
        status=PlanStatus.DONE,
        activity=activity,
    )
    return made


def by_hand(office_ids, indicator, as_of, year=2026):
    """The rule, counted row by row in Python: what the one query must agree with."""
    confirmed_n = planned_n = 0
    for plan in Plan.objects.all():
        if plan.lead_office_id not in office_ids or plan.indicator_id != indicator.pk:
            continue
        if not (as_of < plan.starts_on and plan.starts_on.year == year):
            continue
        confirmed_n += plan.status == PlanStatus.CONFIRMED
        planned_n += plan.status == PlanStatus.PLANNED
    return confirmed_n, planned_n


@pytest.mark.usefixtures("frozen")
class TestRule:
    def test_after_the_day_within_the_year_open_plans_only_by_lead_office(
        self, plans, office_a, unit_a, office_b, indicator
    ):
        ahead = planned_ahead(year=2026, as_of=TODAY)
        assert ahead == {
            (office_a.pk, indicator.pk): Ahead(confirmed=1, planned=1),
            (unit_a.pk, indicator.pk): Ahead(confirmed=1, planned=0),
            (office_b.pk, indicator.pk): Ahead(confirmed=1, planned=1),
        }

    def test_a_past_day_reads_the_plans_as_they_stand_today(self, plans, office_a, indicator):
        ahead = planned_ahead(year=2026, as_of=dt.date(2026, 5, 31))
        # 1 June, 15 June and 16 June are after 31 May; the cancelled one is still left out
        assert ahead[office_a.pk, indicator.pk] == Ahead(confirmed=3, planned=1)

    def test_a_year_over_has_nothing_ahead_and_a_year_to_come_all_of_its_plans(
        self, plans, office_a, indicator
    ):
        assert planned_ahead(year=2026, as_of=dt.date(2026, 12, 31)) == {}
        assert planned_ahead(year=2027, as_of=TODAY) == {
            (office_a.pk, indicator.pk): Ahead(confirmed=1, planned=0)
        }

    def test_a_viewer_counts_only_the_plans_they_may_see(self, plans, staff_a, office_b, indicator):
        ahead = planned_ahead(year=2026, as_of=TODAY, viewer=staff_a)
        assert ahead[office_b.pk, indicator.pk] == Ahead(confirmed=0, planned=1)  # summary only

    def test_one_query(self, plans, django_assert_num_queries):
        with django_assert_num_queries(1):
            planned_ahead(year=2026, as_of=TODAY, office_ids=[1, 2, 3])


@pytest.mark.usefixtures("frozen")
class TestDashboards:
    def test_every_figure_equals_the_plans_counted_by_hand(
        self, plans, office_a, unit_a, office_b, indicator
    ):
        for as_of in (TODAY, dt.date(2026, 3, 31)):
            bureau = dashboard(year=2026, as_of=as_of)
            (figure,) = bureau.figures
            everyone = {office_a.pk, unit_a.pk, office_b.pk}
            assert (figure.confirmed_ahead, figure.planned_ahead) == by_hand(
                everyone, indicator, as_of
            )
            rows = {row.office: row for row in bureau.rows}
            a_row = rows[office_a]
            assert (
                a_row.figures[0].confirmed_ahead,
                a_row.figures[0].planned_ahead,
            ) == by_hand({office_a.pk, unit_a.pk}, indicator, as_of)
            (unit_row,) = a_row.units
            assert (unit_row.figures[0].confirmed_ahead, unit_row.figures[0].planned_ahead) == (
                by_hand({unit_a.pk}, indicator, as_of)
            )
            own = dashboard(year=2026, as_of=as_of, office=office_a).figures[0]
            assert (own.confirmed_ahead, own.planned_ahead) == by_hand(
                {office_a.pk, unit_a.pk}, indicator, as_of
            )

    def test_plans_never_count_as_achieved(self, plans, office_a, indicator):
        (figure,) = dashboard(year=2026, as_of=TODAY, office=office_a).figures
        assert figure.achieved == 1  # the one verified activity, not its plan nor the others
        assert figure.with_confirmed == 1 + 2

    def test_the_office_dashboard_says_achieved_plus_confirmed_of_the_target(
        self, client_staff_a, plans, office_a, indicator
    ):
        OfficeTargetFactory(office=office_a, indicator=indicator, target=3400)
        page = client_staff_a.get(reverse("offices:detail", args=[office_a.code])).content.decode()
        assert "Achieved 1 + confirmed 2 of 3,400" in page
        assert "1 more planned, not yet confirmed" in page
        assert "Plans never count as achieved" in page  # the rule, on the page

    def test_the_bureau_dashboard_shows_each_office_and_the_total(
        self, client_bureau, plans, indicator
    ):
        AnnualTargetFactory(indicator=indicator, target=100)
        page = client_bureau.get(reverse("reports:bureau")).content.decode()
        assert "Achieved 1 + confirmed 3 of 100" in page
        assert "2 more planned, not yet confirmed" in page
        assert "+ 2 confirmed · 1 planned" in page  # office A with its unit
        assert "+ 1 confirmed · 1 planned" in page  # office B

    def test_the_offices_page_totals_count_only_the_plans_the_reader_may_see(
        self, client, plans, staff_a, staff_b, bureau_viewer
    ):
        def totals(user):
            client.force_login(user)
            return client.get(reverse("offices:list")).content.decode()

        # the bureau: A's 2 confirmed (one its unit's) and B's restricted one
        assert "Achieved 1 + confirmed 3" in totals(bureau_viewer)
        # office B sees its own restricted plan, and A's plans shown as a summary
        assert "Achieved 1 + confirmed 3" in totals(staff_b)
        # office A: B's restricted plan is not even a number to it
        page = totals(staff_a)
        assert "Achieved 1 + confirmed 2" in page and "confirmed 3" not in page


@pytest.mark.usefixtures("frozen")
def test_the_progress_api_carries_the_planned_figures_and_their_rule(plans, staff_a):
    body = TokenClient(staff_a).get(reverse("api:progress")).json()
    (figure,) = body["indicators"]
    assert (figure["confirmed_ahead"], figure["planned_ahead"]) == (2, 1)
    assert body["offices"][0]["units"][0]["figures"][0]["confirmed_ahead"] == 1
    assert "Plans never count as achieved" in body["planned_rule"]


def test_the_schema_says_what_the_planned_figures_are():
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    figure = schema["Figure"]["properties"]
    assert "Confirmed plans" in str(figure["confirmed_ahead"]["description"])
    assert "not yet confirmed" in str(figure["planned_ahead"]["description"])
    assert "planned_rule" in schema["Progress"]["properties"]
