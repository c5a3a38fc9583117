"""The dashboards: figures equal counts made independently from the rows, a fixed number of
queries, drill-downs that list exactly what was counted, and who may see what."""

import datetime as dt
import html
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeFactory,
    OfficeTargetFactory,
    RegionFactory,
)
from planning.tests.factories import PlanFactory, ProgressNoteFactory
from reports.dashboard import dashboard
from tests.datasets import activity, at, joint, not_counted_by_30_june, removed

HK = ZoneInfo("Asia/Hong_Kong")
AS_OF = dt.date(2026, 6, 30)
# Two days after AS_OF: what was submitted on 1 July is in the past, not to come.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 7, 2, 18, 0, tzinfo=HK)),
]


@pytest.fixture
def year_of_data(office_a, unit_a, office_b):
    """A mix of everything that must and must not count."""
    visits = IndicatorFactory(code="visits", name_en="Visits", display_order=1)
    media = IndicatorFactory(code="media", name_en="Media", display_order=2)
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    AnnualTargetFactory(year=2026, indicator=media, target=20)
    OfficeTargetFactory(year=2026, indicator=visits, office=office_a, target=60)
    region = RegionFactory(code="420000", name_en="Hubei")
    rows = [
        activity(office_a, visits, dt.date(2026, 1, 20), region=region),
        activity(office_a, visits, dt.date(2026, 3, 5), status=Status.VERIFIED),
        activity(unit_a, visits, dt.date(2026, 6, 1), region=region),
        activity(office_b, media, dt.date(2026, 2, 2)),
        activity(office_b, visits, dt.date(2025, 5, 5)),  # last year
        *not_counted_by_30_june(office_a, visits, media),
        # happens after the as-of date
        activity(office_a, media, dt.date(2026, 7, 1), counted_since=at(dt.date(2026, 7, 1))),
    ]
    removed(office_a, media, dt.date(2026, 4, 4))
    joint(office_b, visits, dt.date(2026, 5, 5), joined_by=office_a)  # counts for office B only
    return {"visits": visits, "media": media, "rows": rows, "region": region}


def independent_count(*, indicator, offices=None, year=2026, as_of=AS_OF):
    """Counted activities, decided row by row in Python from the raw fields."""
    end_of_day = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    total = 0
    for a in Activity.objects.all():
        top = a.lead_office.parent_id or a.lead_office_id
        if (
            a.indicator_id == indicator.pk
            and a.status in ("submitted", "verified")
            and a.removed_at is None
            and a.occurred_on.year == year
            and a.occurred_on <= as_of
            and a.counted_since is not None
            and a.counted_since < end_of_day
            and (offices is None or top in offices or a.lead_office_id in offices)
        ):
            total += 1
    return total


def test_bureau_figures_equal_counts_made_from_the_rows(year_of_data, office_a, office_b):
    data = dashboard(year=2026, as_of=AS_OF)
    figures = {f.indicator.code: f.achieved for f in data.figures}
    assert figures == {
        "visits": independent_count(indicator=year_of_data["visits"]),
        "media": independent_count(indicator=year_of_data["media"]),
    }
    assert figures == {"visits": 4, "media": 1}
    rows = {row.office.code: [f.achieved for f in row.figures] for row in data.rows}
    assert rows["OFFA"] == [
        independent_count(indicator=year_of_data["visits"], offices={office_a.pk}),
        0,
    ]
    assert rows["OFFB"] == [1, 1]
    [unit_row] = next(r for r in data.rows if r.office == office_a).units
    assert [f.achieved for f in unit_row.figures] == [1, 0]


def test_pace_projection_and_status_follow_the_domain_rules(year_of_data):
    data = dashboard(year=2026, as_of=AS_OF)
    visits = data.figures[0]
    # day 181 of 365: steady pace to 100 is 49.6; 4 achieved is far behind
    assert visits.expected_rounded == 50
    assert visits.projected == 8
    assert (str(visits.percent), visits.status) == ("4.0", "behind")


def test_monthly_series_this_year_and_last(year_of_data):
    data = dashboard(year=2026, as_of=AS_OF)
    visits = year_of_data["visits"].pk
    assert data.monthly[visits] == [1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert data.monthly_last_year[visits][4] == 1
    assert data.regions[0][0] == year_of_data["region"] and data.regions[0][1] == 2


def test_office_dashboard_counts_its_units_and_not_joined_activities(year_of_data, office_a):
    data = dashboard(year=2026, as_of=AS_OF, office=office_a)
    visits, media = data.figures
    assert (visits.achieved, visits.target) == (3, 60)  # share of its own
    assert (media.achieved, media.target) == (0, None)  # no share: bureau target only


def test_reporting_health(year_of_data, office_a, office_b):
    data = dashboard(year=2026, as_of=AS_OF)
    cutoff = timezone.make_aware(dt.datetime(2026, 6, 23))
    expected = {}
    for a in Activity.objects.select_related("lead_office"):
        if a.status == "submitted" and a.removed_at is None and a.counted_since < cutoff:
            top = a.lead_office.parent or a.lead_office
            expected[top.code] = expected.get(top.code, 0) + 1
    assert {o.code: n for o, n, _oldest in data.waiting} == expected
    assert expected  # the data set has some waiting

    quiet = OfficeFactory(code="QUIET")
    data = dashboard(year=2026, as_of=AS_OF)
    assert [o for o, _last in data.quiet_offices] == [quiet]  # the others logged today


def test_reporting_health_puts_the_longest_wait_and_silence_first(frozen, office_a, office_b):
    """The bureau acts from the top: the office whose oldest submission has waited longest
    comes first, and the office that has logged nothing for longest (never, before any)."""
    indicator = IndicatorFactory()
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 2, 10)), tick=False):
        ActivityFactory(lead_office=office_b, indicator=indicator, occurred_on=dt.date(2026, 5, 1))
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 20, 10)), tick=False):
        ActivityFactory.create_batch(
            3, lead_office=office_a, indicator=indicator, occurred_on=dt.date(2026, 5, 19)
        )
    never = OfficeFactory(code="NEVER")

    data = dashboard(year=2026, as_of=dt.date(2026, 6, 15))

    assert [o for o, _n, _oldest in data.waiting] == [office_b, office_a]
    assert [o for o, _last in data.quiet_offices] == [never, office_b, office_a]


# --- pages -------------------------------------------------------------------------------


def test_the_bureau_dashboard_shows_figures_rule_and_charts(client_bureau, year_of_data):
    response = client_bureau.get(reverse("reports:bureau"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "ahead at 110% or more" in page
    assert 'id="dashboard-data"' in page
    assert "vendor/plotly/plotly-basic.min.js" in page
    assert "Show the data as a table" in page


def test_every_count_drills_down_to_exactly_the_activities_counted(
    client_bureau, year_of_data, office_a
):
    page = client_bureau.get(reverse("reports:bureau")).content.decode()
    link = re.search(
        rf'href="(/activities/\?counted=1&amp;indicator={year_of_data["visits"].pk}'
        rf'&amp;lead={office_a.pk}[^"]*)"',
        page,
    )
    assert link, "the office cell links to the activity list"
    listed = client_bureau.get(link.group(1).replace("&amp;", "&"))
    ids = {a.pk for a in listed.context["filter"].qs}
    assert (
        len(ids) == independent_count(indicator=year_of_data["visits"], offices={office_a.pk}) == 3
    )
    assert "Showing exactly the activities a dashboard figure counted." in listed.content.decode()


FIGURE_LINK = re.compile(r'<a href="(/activities/\?[^"]*)"[^>]*>([\d,]+)</a>')


def test_every_figure_lists_as_many_activities_as_it_shows(client_bureau, year_of_data):
    page = client_bureau.get(reverse("reports:bureau"), {"as_of": AS_OF}).content.decode()
    links = FIGURE_LINK.findall(page)
    assert len(links) >= 6  # the cards, each office's cells, the regions
    for href, shown in links:
        listed = client_bureau.get(html.unescape(href))
        # the count above the list, exact (a figure's list is counted to the end)
        assert not listed.context["count_capped"], href
        assert listed.context["totals"]["total"] == int(shown.replace(",", "")), href


def _office_cell_link(page, indicator, office):
    link = re.search(
        rf'href="(/activities/\?counted=1&amp;indicator={indicator.pk}&amp;lead={office.pk}[^"]*)"',
        page,
    )
    assert link, "the office cell links to the activity list"
    return html.unescape(link.group(1))


def test_a_drill_down_shows_every_filter_in_force(client_bureau, year_of_data, office_a):
    page = client_bureau.get(reverse("reports:bureau")).content.decode()
    listed = client_bureau.get(_office_cell_link(page, year_of_data["visits"], office_a))
    form = listed.context["filter"].form
    assert (form["status"].value(), form["office"].value(), form["part"].value()) == (
        "counted",
        str(office_a.pk),
        "lead",
    )
    assert form["as_of"].value() == form["date_to"].value() == "2026-07-02"
    text = listed.content.decode()
    assert '<option value="counted" selected>Submitted or verified (what counts)</option>' in text
    assert f'<option value="{office_a.pk}" selected>' in text
    assert '<option value="lead" selected>Led by it (what its figures count)</option>' in text
    assert 'type="date" name="as_of" value="2026-07-02"' in text
    assert 'type="hidden"' not in text.split('role="search"')[1].split("</form>")[0]


def test_choosing_another_office_in_a_drill_down_lists_its_figure(
    client_bureau, year_of_data, office_a, office_b
):
    page = client_bureau.get(reverse("reports:bureau")).content.decode()
    listed = client_bureau.get(_office_cell_link(page, year_of_data["visits"], office_a))
    form = listed.context["filter"].form
    # the panel as the browser sends it, with office B chosen instead
    sent = {field.name: field.value() or "" for field in form}
    sent["office"] = office_b.pk
    again = client_bureau.get(reverse("activities:list"), sent)
    figure_b = _office_cell_link(page, year_of_data["visits"], office_b)
    expected = independent_count(
        indicator=year_of_data["visits"], offices={office_b.pk}, as_of=dt.date(2026, 7, 2)
    )
    assert expected > 0
    assert again.context["totals"]["total"] == expected
    assert client_bureau.get(figure_b).context["totals"]["total"] == expected
    # and with the status removed too, what office B led or joined, whatever its status
    sent.update(status="", part="")
    every = client_bureau.get(reverse("activities:list"), sent).context["filter"].qs
    assert {a.lead_office_id for a in every} == {office_b.pk}
    assert {a.pk for a in every} >= {a.pk for a in again.context["filter"].qs}


def test_a_visible_office_replaces_a_links_lead_office(
    client_bureau, year_of_data, office_a, office_b
):
    listed = client_bureau.get(
        reverse("activities:list"), {"counted": 1, "lead": office_a.pk, "office": office_b.pk}
    )
    form = listed.context["filter"].form
    assert (form["office"].value(), form["part"].value()) == (str(office_b.pk), None)
    joint = Activity.objects.get(participating_offices=office_a)
    assert joint.pk in {a.pk for a in listed.context["filter"].qs}  # not contradicted to none


def test_the_status_submitted_or_verified_lists_what_counts(client_bureau, year_of_data):
    counted = client_bureau.get(reverse("activities:list"), {"status": "counted"})
    ids = {a.pk for a in counted.context["filter"].qs}
    assert ids == set(
        Activity.objects.not_removed()
        .filter(status__in=("submitted", "verified"))
        .values_list("pk", flat=True)
    )
    assert counted.context["page"].paginator.count == len(ids)


def test_a_past_year_defaults_to_its_last_day(client_bureau, year_of_data):
    response = client_bureau.get(reverse("reports:bureau"), {"year": 2025})
    assert response.context["data"].as_of == dt.date(2025, 12, 31)
    assert response.context["data"].figures[0].achieved == 1


def test_bad_parameters_are_refused_and_the_figures_shown_as_of_today(client_bureau, year_of_data):
    response = client_bureau.get(reverse("reports:bureau"), {"year": "abc", "as_of": "x"})
    assert response.status_code == 400
    assert response.context["data"].as_of == dt.date(2026, 7, 2)  # today
    assert "The figures below are as of 2026-07-02." in response.content.decode()


def test_staff_land_on_their_office_dashboard(client_staff_a, office_a, year_of_data):
    response = client_staff_a.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("offices:detail", args=[office_a.code])
    assert response.context["data"].office == office_a


@pytest.mark.parametrize("persona", ["client_staff_a", "client_supervisor_a"])
def test_office_staff_cannot_open_the_bureau_dashboard(request, persona):
    assert request.getfixturevalue(persona).get(reverse("reports:bureau")).status_code == 403


def test_office_staff_cannot_open_another_offices_dashboard(client_staff_b, office_a):
    assert client_staff_b.get(reverse("offices:detail", args=[office_a.code])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("reports:bureau"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# As of today, or as of a past day (then the counts come from the "as of" roll-up, as many
# queries), or for last year (as of its last day).
AS_OF_CASES = [{}, {"as_of": "2026-03-31"}, {"year": 2025}]


@pytest.mark.parametrize("query", AS_OF_CASES)
def test_bureau_dashboard_query_count(
    client_bureau, year_of_data, django_assert_num_queries, query
):
    # session, user, indicators, bureau targets, office shares, offices, counts by office
    # and indicator, the plans ahead (planning.selectors.planned_ahead), counts by month
    # (this year and last), counts by region, regions, the offices' latest progress notes,
    # the reporting health per office (latest logged, oldest waiting, how many), and the
    # session save (savepoint, update, release)
    with django_assert_num_queries(16):
        client_bureau.get(reverse("reports:bureau"), query)
    for _ in range(3):
        office = OfficeFactory()
        ActivityFactory.create_batch(4, lead_office=office, indicator=year_of_data["media"])
        PlanFactory(
            lead_office=office, indicator=year_of_data["media"], starts_on=dt.date(2026, 12, 1)
        )
        ProgressNoteFactory(office=office, indicator=year_of_data["media"], year=2026, month=6)
    with django_assert_num_queries(16):
        client_bureau.get(reverse("reports:bureau"), query)


@pytest.mark.parametrize("query", AS_OF_CASES)
def test_office_dashboard_query_count(
    client_staff_a, office_a, year_of_data, django_assert_num_queries, query
):
    # session, user, user's scope, office, the same eleven as the bureau's (with the plans
    # ahead and the latest notes), the office's regions, "your work" (drafts, returned, the
    # months' reopenings, the person's requests) and the session save (savepoint, update,
    # release)
    with django_assert_num_queries(23) as ctx:
        client_staff_a.get(reverse("offices:detail", args=[office_a.code]), query)
    n = len(ctx)
    ActivityFactory.create_batch(10, lead_office=office_a, indicator=year_of_data["media"])
    with django_assert_num_queries(n):
        client_staff_a.get(reverse("offices:detail", args=[office_a.code]), query)


@pytest.mark.parametrize("scope", ["bureau", "office"])
def test_a_past_day_is_counted_from_the_as_of_roll_up(year_of_data, office_a, scope):
    with CaptureQueriesContext(connection) as ctx:
        dashboard(year=2026, as_of=AS_OF, office=office_a if scope == "office" else None)
    # counts by office and indicator, by month (this year and last), by region: all three
    # from the roll-up, none from the activities
    from_roll_up = [q for q in ctx.captured_queries if "activities_activityasofcount" in q["sql"]]
    assert len(from_roll_up) == 3


# --- an "as of" day still to come: refused the same way everywhere ---------------------------

FUTURE = "2026-07-03"  # today is 2 July
FUTURE_REFUSED = "Figures cannot be taken as of a day still to come (2026-07-03)"


@pytest.mark.parametrize("page", ["bureau", "office"])
def test_the_dashboards_refuse_an_as_of_day_to_come_and_show_today(
    client_admin, office_a, year_of_data, page
):
    url = (
        reverse("reports:bureau")
        if page == "bureau"
        else reverse("offices:detail", args=[office_a.code])
    )
    response = client_admin.get(url, {"year": 2026, "as_of": FUTURE})
    assert response.status_code == 400
    text = response.content.decode()
    assert FUTURE_REFUSED in text
    assert "The figures below are as of 2026-07-02." in text
    assert 'aria-invalid="true"' in text and 'max="2026-07-02"' in text
    data = response.context["data"]
    assert data.as_of == dt.date(2026, 7, 2)
    # never every indicator "at risk" or "behind" for want of days: today's figures
    today = client_admin.get(url, {"year": 2026})
    assert [f.status for f in data.figures] == [f.status for f in today.context["data"].figures]


def test_the_drill_down_list_and_its_downloads_refuse_it(client_bureau, year_of_data):
    query = {"counted": 1, "date_from": "2026-01-01", "date_to": FUTURE, "as_of": FUTURE}
    listed = client_bureau.get(reverse("activities:list"), query)
    assert listed.status_code == 400
    assert FUTURE_REFUSED in listed.content.decode()
    for fmt in ("csv", "xlsx"):
        download = client_bureau.get(reverse("activities:export", args=[fmt]), query)
        assert download.status_code == 400
        assert download["Content-Type"].startswith("text/html")
        assert FUTURE_REFUSED in download.content.decode()
    assert (
        client_bureau.get(reverse("activities:list"), {**query, "as_of": "2026-07-02"}).status_code
        == 200
    )


def test_the_activities_api_refuses_it(bureau_viewer, year_of_data):
    from django.test import Client

    from api.tests.clients import bearer

    response = Client().get(
        reverse("api:activity-list"), {"counted": "true", "as_of": FUTURE}, **bearer(bureau_viewer)
    )
    assert response.status_code == 400
    assert FUTURE_REFUSED in response.json()["as_of"][0]


def test_a_count_link_is_named_with_the_number_as_shown():
    """Label in name (WCAG 2.5.3): the link's accessible name holds the figure exactly as the
    card shows it, thousands separator included, so speech control finds it by what is seen
    (docs/accessibility.md)."""
    figure = SimpleNamespace(
        indicator=SimpleNamespace(pk=1, name="Visits", is_active=True),
        achieved=12345,
        target=None,
        status="",
        finished=True,
    )
    page = render_to_string(
        "reports/_kpi_cards.html",
        {"data": SimpleNamespace(cards=[(figure, None)], year=2026, as_of=AS_OF)},
    )
    link = re.search(r'<a [^>]*aria-label="([^"]*)"[^>]*>([^<]*)</a>', page)
    assert link.group(2) == "12,345"
    assert link.group(2) in html.unescape(link.group(1))
