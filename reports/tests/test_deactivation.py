"""Deactivating an office, a unit or an indicator never changes a figure already counted
(docs/domain.md, "What counts"): every dashboard, the progress API, the offices page, the
reports, the published-report comparison and the drill-down lists say the same before and
after, as of today (from the roll-up) and as of a past day (from the rows). It only closes
them for new entries, and the admin says so before saving."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.models import Status
from activities.tests.factories import ActivityFactory
from offices.models import Indicator
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeTargetFactory,
    RegionFactory,
)
from reports import services as report_services
from reports.dashboard import dashboard
from reports.report import ReportScope, report_data
from reports.selectors import office_figures, report_changes

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 7, 2)
PAST = dt.date(2026, 5, 31)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 7, 2, 18, 0, tzinfo=HK)),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def counted(office_a, unit_a, office_b, indicator):
    """Counted activities of office A, its unit and office B, two indicators, two regions."""
    # after the other indicator, whatever the factories' counter has reached
    media = IndicatorFactory(
        code="media", name_en="Media", display_order=indicator.display_order + 1
    )
    AnnualTargetFactory(year=2026, indicator=indicator, target=100)
    AnnualTargetFactory(year=2026, indicator=media, target=20)
    OfficeTargetFactory(year=2026, indicator=indicator, office=unit_a, target=10)
    hubei = RegionFactory(code="420000", name_en="Hubei")
    sichuan = RegionFactory(code="510000", name_en="Sichuan")
    make = ActivityFactory
    for day, office, which, region in [
        (dt.date(2026, 1, 20), office_a, indicator, hubei),
        (dt.date(2026, 2, 3), unit_a, indicator, hubei),
        (dt.date(2026, 3, 9), unit_a, indicator, sichuan),
        (dt.date(2026, 4, 1), unit_a, media, None),
        (dt.date(2026, 6, 10), unit_a, indicator, hubei),  # after PAST
        (dt.date(2026, 5, 5), office_b, media, sichuan),
        (dt.date(2026, 6, 20), office_b, indicator, None),
    ]:
        make(lead_office=office, indicator=which, occurred_on=day, region=region)
    make(lead_office=unit_a, indicator=indicator, status=Status.DRAFT)  # does not count
    return {"visits": indicator, "media": media}


def figures(client, office_a, unit_a) -> dict:
    """Every figure a person can read, as plain numbers keyed by where they read it."""
    seen: dict = {}
    for as_of in (TODAY, PAST):
        for scope in (None, office_a, unit_a):
            data = dashboard(year=2026, as_of=as_of, office=scope)
            where = ("dashboard", as_of, scope and scope.code)
            seen[where] = [(f.indicator.code, f.achieved, f.status) for f in data.figures]
            seen[(*where, "rows")] = [
                (row.office.code, [f.achieved for f in row.figures], len(row.units))
                for row in data.rows
            ] + [
                (unit.office.code, [f.achieved for f in unit.figures])
                for row in data.rows
                for unit in row.units
            ]
            report = report_data(ReportScope.annual(2026, as_of=as_of, office=scope))
            seen[("report", as_of, scope and scope.code)] = (
                [(line.indicator.code, line.achieved) for line in report.summary],
                [(line.office.code, line.counts) for line in report.offices],
                [period.counts for period in (*report.quarters, *report.months)],
                [(r.label, r.counts) for r in report.regions],
                report.activity_count,
            )
        figures = office_figures(year=2026, as_of=as_of)
        seen[("offices page", as_of)] = (
            [(t.indicator.code, t.achieved) for t in figures.bureau()],
            [
                (office.code, figures.row(office).achieved)
                for office in figures.offices
                if office.parent_id is None
            ],
        )
        body = client.get(reverse("api:progress"), {"year": 2026, "as_of": as_of.isoformat()})
        seen[("api", as_of)] = [
            (f["indicator"], f["achieved"], f["status"]) for f in body.json()["indicators"]
        ]
        # the drill-down behind office A's visits figure lists as many as it counts
        listed = client.get(
            reverse("activities:list"),
            {
                "counted": 1,
                "lead": office_a.pk,
                "indicator": Indicator.objects.get(code="visits").pk,
                "date_from": "2026-01-01",
                "date_to": as_of.isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
        assert listed.status_code == 200 and not listed.context["count_capped"]
        seen[("drill-down", as_of)] = listed.context["totals"]["total"]  # the count shown
    return seen


@pytest.mark.parametrize("deactivate", ["unit", "office", "indicator", "all"])
def test_deactivating_changes_no_figure_anywhere(
    client_admin, bureau_admin, counted, office_a, unit_a, deactivate
):
    published = report_services.report_generate(
        report_id=report_services.report_publish(
            user=bureau_admin,
            scope=ReportScope.annual(2026, as_of=TODAY),
            fmt="csv",
            language="en",
        ).pk
    )
    before = figures(client_admin, office_a, unit_a)
    assert before[("dashboard", TODAY, None)][0][:2] == ("visits", 5)
    assert before[("dashboard", PAST, "OFFA")][0][:2] == ("visits", 3)
    assert before[("drill-down", TODAY)] == 4

    targets = {
        "unit": [unit_a],
        "office": [office_a],
        "indicator": [counted["media"]],
        "all": [unit_a, office_a, counted["media"], counted["visits"]],
    }[deactivate]
    for obj in targets:
        type(obj).objects.filter(pk=obj.pk).update(is_active=False)
    office_a.refresh_from_db()
    unit_a.refresh_from_db()

    assert figures(client_admin, office_a, unit_a) == before
    change = report_changes([published])[published.pk]
    assert not change.changed, change


def test_a_deactivated_unit_is_listed_where_it_has_figures_only(counted, office_a, unit_a):
    unit_a.is_active = False
    unit_a.save()
    [row_a] = [row for row in dashboard(year=2026, as_of=TODAY).rows if row.office == office_a]
    assert [unit.office for unit in row_a.units] == [unit_a]  # counted this year
    # a year in which it counted nothing and has no share: not listed, nothing hidden
    [row_a] = [row for row in dashboard(year=2025, as_of=TODAY).rows if row.office == office_a]
    assert row_a.units == []
    # an active unit is always listed
    unit_a.is_active = True
    unit_a.save()
    [row_a] = [row for row in dashboard(year=2025, as_of=TODAY).rows if row.office == office_a]
    assert [unit.office for unit in row_a.units] == [unit_a]


def test_a_deactivated_unit_takes_no_new_activity_but_keeps_its_own(
    counted, unit_a, staff_a, office_a
):
    unit_a.is_active = False
    unit_a.save()
    with pytest.raises(ValidationError) as refused:
        services.activity_create(
            user=staff_a,
            lead_office=unit_a,
            indicator=counted["visits"],
            occurred_on=dt.date(2026, 7, 1),
            title="A new visit",
        )
    assert refused.value.message_dict["lead_office"] == [
        "Unit A1 is closed for new entries: it was deactivated."
    ]
    # an activity it led before can still be put right and submitted
    draft = ActivityFactory(
        lead_office=unit_a,
        indicator=counted["visits"],
        occurred_on=dt.date(2026, 7, 1),
        status=Status.DRAFT,
        created_by=staff_a,
    )
    services.activity_update(
        user=staff_a, activity_id=draft.pk, expected_version=draft.version, title="Corrected"
    )
    # but not moved to it from elsewhere
    other = ActivityFactory(
        lead_office=office_a,
        indicator=counted["visits"],
        occurred_on=dt.date(2026, 7, 1),
        status=Status.DRAFT,
        created_by=staff_a,
    )
    with pytest.raises(ValidationError):
        services.activity_update(
            user=staff_a, activity_id=other.pk, expected_version=other.version, lead_office=unit_a
        )


def test_a_deactivated_indicator_takes_no_new_activity(counted, staff_a, office_a):
    counted["media"].is_active = False
    counted["media"].save()
    with pytest.raises(ValidationError) as refused:
        services.activity_create(
            user=staff_a,
            lead_office=office_a,
            indicator=counted["media"],
            occurred_on=dt.date(2026, 7, 1),
            title="An interview",
        )
    assert "no longer in use" in refused.value.message_dict["indicator"][0]


@pytest.mark.parametrize("model", ["office", "indicator", "counterpart"])
def test_the_admin_says_what_deactivating_does_before_it_is_saved(
    client_admin, counted, unit_a, model
):
    from offices.tests.factories import CounterpartFactory

    obj = {
        "office": unit_a,
        "indicator": counted["media"],
        "counterpart": CounterpartFactory(name_en="Ministry of Commerce"),
    }[model]
    url = reverse(f"admin:offices_{model}_change", args=[obj.pk])
    form = client_admin.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None and value is not False:
            data[name] = value
    del data["is_active"]  # unticked

    refused = client_admin.post(url, data)
    assert refused.status_code == 200  # the form again, nothing saved
    text = refused.content.decode()
    assert "It changes no figure" in text or "no figure changes" in text
    assert "I understand what deactivating does" in text
    assert type(obj).objects.get(pk=obj.pk).is_active

    saved = client_admin.post(url, {**data, "confirm_deactivation": "on"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert not type(obj).objects.get(pk=obj.pk).is_active
