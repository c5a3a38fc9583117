"""The report selector: every figure equals a count made independently from the rows, in a
fixed number of queries, and agrees with the dashboard for the same dates."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.models import Office
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeFactory,
    OfficeTargetFactory,
    RegionFactory,
)
from planning.tests.factories import PlanFactory, ProgressNoteFactory
from reports.dashboard import dashboard
from reports.report import ANNUAL, PROGRESS, ReportScope, report_data
from tests.datasets import at, removed

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 6, 15)
AS_OF = TODAY
YEAR_START, YEAR_END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def varied(office_a, unit_a, office_b):
    """Everything that must and must not count, as of 15 June 2026.

    Counted (10): visits 7, media 3. Office A with its unit: visits 5, media 2 (the unit
    alone: visits 2, media 1); office B: visits 2, media 1; office C: nothing.
    """
    visits = IndicatorFactory(
        code="visits", name_en="Visits", name_zh_hant="拜訪", name_zh_hans="拜访", display_order=1
    )
    media = IndicatorFactory(
        code="media", name_en="Media", name_zh_hant="媒體", name_zh_hans="媒体", display_order=2
    )
    retired = IndicatorFactory(code="retired", name_en="Retired", display_order=3, is_active=False)
    office_c = OfficeFactory(code="OFFC", name_en="Office C")
    hubei = RegionFactory(code="420000", name_en="Hubei")
    guangdong = RegionFactory(code="440000", name_en="Guangdong")
    sichuan = RegionFactory(code="510000", name_en="Sichuan")
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    AnnualTargetFactory(year=2026, indicator=media, target=20)
    AnnualTargetFactory(year=2025, indicator=visits, target=999)  # another year's
    OfficeTargetFactory(year=2026, indicator=visits, office=office_a, target=60)
    OfficeTargetFactory(year=2026, indicator=visits, office=unit_a, target=10)
    OfficeTargetFactory(year=2026, indicator=media, office=office_b, target=8)
    OfficeTargetFactory(year=2025, indicator=media, office=office_a, target=77)

    make = ActivityFactory
    rows = [
        # counted
        make(
            lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 1, 20), region=hubei
        ),
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 3, 5),
            status=Status.VERIFIED,
        ),
        make(lead_office=unit_a, indicator=visits, occurred_on=dt.date(2026, 6, 1), region=hubei),
        make(
            lead_office=unit_a,
            indicator=media,
            occurred_on=dt.date(2026, 4, 10),
            region=guangdong,
            status=Status.VERIFIED,
        ),
        make(lead_office=office_b, indicator=media, occurred_on=dt.date(2026, 2, 2)),
        make(
            lead_office=office_b,
            indicator=visits,
            occurred_on=dt.date(2026, 1, 1),
            region=guangdong,
            status=Status.VERIFIED,
        ),
        # recorded at the last second of the as-of day
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 6, 15),
            counted_since=at(dt.date(2026, 6, 15), 23, 59, 59),
        ),
        # a March activity submitted in May, no region
        make(
            lead_office=office_a,
            indicator=media,
            occurred_on=dt.date(2026, 3, 20),
            counted_since=at(dt.date(2026, 5, 1)),
        ),
        make(
            lead_office=unit_a,
            indicator=visits,
            occurred_on=dt.date(2026, 2, 10),
            counted_since=at(dt.date(2026, 6, 10)),
        ),
        # not counted
        make(lead_office=office_b, indicator=visits, occurred_on=dt.date(2025, 5, 5)),
        make(lead_office=unit_a, indicator=visits, occurred_on=dt.date(2025, 12, 31)),
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2027, 1, 5),
            counted_since=at(dt.date(2027, 1, 5)),
        ),
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 6, 2),
            status=Status.DRAFT,
        ),
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 6, 3),
            status=Status.RETURNED,
        ),
        make(
            lead_office=office_c, indicator=media, occurred_on=dt.date(2026, 3, 3), status="draft"
        ),
        # submitted the day after the as-of day
        make(
            lead_office=office_a,
            indicator=media,
            occurred_on=dt.date(2026, 6, 14),
            counted_since=at(dt.date(2026, 6, 16), 10),
        ),
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 6, 15),
            counted_since=at(dt.date(2026, 6, 16), 0),
        ),
        # takes place after the as-of day
        make(lead_office=office_a, indicator=media, occurred_on=dt.date(2026, 6, 20)),
        removed(office_a, media, dt.date(2026, 4, 4), reason="Logged twice"),
        # a deactivated indicator with nothing counted: left out of the tables (one with
        # counted activities keeps counting: test_deactivation.py)
        make(
            lead_office=office_a,
            indicator=retired,
            occurred_on=dt.date(2026, 3, 3),
            status=Status.DRAFT,
        ),
    ]
    joint = make(
        lead_office=office_b, indicator=visits, occurred_on=dt.date(2026, 5, 5), region=guangdong
    )
    joint.participating_offices.add(office_a, unit_a)  # counts once, for office B only
    rows.append(joint)
    return {
        "visits": visits,
        "media": media,
        "office_c": office_c,
        "regions": (hubei, guangdong, sichuan),
        "rows": rows,
        "joint": joint,
    }


# --- counting made independently, row by row -------------------------------------------------


def counted_rows(rows, *, date_from=YEAR_START, date_to=YEAR_END, as_of=AS_OF, offices=None):
    """The activities a report counts, decided in Python from the factory objects' raw
    fields by the domain rules (docs/domain.md; not by ActivityQuerySet). A deactivated
    indicator's activities count like any other's."""
    assert len(rows) == Activity.objects.count(), "every activity is looked at"
    end_of_as_of = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=HK)
    return [
        a
        for a in rows
        if a.status in ("submitted", "verified")
        and a.removed_at is None
        and date_from <= a.occurred_on <= date_to
        and a.occurred_on <= as_of
        and a.counted_since is not None
        and a.counted_since < end_of_as_of
        and (offices is None or a.lead_office_id in offices)
    ]


def counts_for(office: Office, activity: Activity) -> bool:
    """An office's line counts its own activities and, for a top-level office, its units'."""
    if office.parent_id is not None:
        return activity.lead_office_id == office.pk
    return (activity.lead_office.parent_id or activity.lead_office_id) == office.pk


def per_indicator(data, rows, keep=lambda a: True) -> list[int]:
    """The count per indicator, in the report's indicator order."""
    return [
        sum(1 for a in rows if a.indicator_id == indicator.pk and keep(a))
        for indicator in data.indicators
    ]


def assert_figures_equal_rows(data, counted):
    assert data.activity_count == len(counted)
    assert [line.achieved for line in data.summary] == per_indicator(data, counted)
    for line in data.offices:
        assert line.counts == per_indicator(
            data, counted, lambda a, o=line.office: counts_for(o, a)
        ), line.office.code
        for unit in line.units:
            assert unit.office.parent_id == line.office.pk
            assert unit.counts == per_indicator(
                data, counted, lambda a, u=unit.office: counts_for(u, a)
            ), unit.office.code
    for period in [*data.quarters, *data.months]:
        assert period.counts == per_indicator(
            data, counted, lambda a, p=period: p.start <= a.occurred_on <= p.end
        ), period.label
    for line in data.regions:
        region_id = line.region.pk if line.region else None
        assert line.counts == per_indicator(
            data, counted, lambda a, r=region_id: a.region_id == r
        ), line.label


def test_bureau_figures_equal_counts_made_from_the_rows(varied, office_a, unit_a, office_b):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    counted = counted_rows(varied["rows"])

    assert_figures_equal_rows(data, counted)
    # The independent count itself, by hand (see the fixture's docstring).
    # the deactivated one, with nothing counted, is left out
    assert [i.code for i in data.indicators] == ["visits", "media"]
    assert [line.achieved for line in data.summary] == [7, 3]
    assert data.activity_count == 10
    assert {line.office.code: line.counts for line in data.offices} == {
        "OFFA": [5, 2],
        "OFFB": [2, 1],
        "OFFC": [0, 0],
    }
    assert [line.total for line in data.months] == [2, 2, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0]
    assert [q.counts for q in data.quarters] == [[4, 2], [3, 1], [0, 0], [0, 0]]
    assert [(r.region.code if r.region else None, r.total) for r in data.regions] == [
        ("440000", 3),  # most first
        ("420000", 2),
        ("510000", 0),
        (None, 5),  # no region recorded, last
    ]
    assert data.regions[-1].label == "No region recorded"


def test_months_and_quarters_of_an_annual_report_cover_the_year(varied):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    assert [(m.start, m.end) for m in data.months][:3] == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ]
    assert len(data.months) == 12 and data.months[-1].end == YEAR_END
    assert [(q.label, q.start, q.end) for q in data.quarters] == [
        ("Q1 2026", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("Q2 2026", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        ("Q3 2026", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("Q4 2026", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ]
    assert [m.label for m in data.months][:2] == ["January 2026", "February 2026"]


def test_a_later_as_of_day_counts_what_was_recorded_by_then(varied):
    as_of = dt.date(2026, 6, 30)
    data = report_data(ReportScope.annual(2026, as_of=as_of))
    counted = counted_rows(varied["rows"], as_of=as_of)

    assert_figures_equal_rows(data, counted)
    # the 14 June media (submitted 16 June), the 15 June visit (submitted at midnight) and
    # the 20 June media now count
    assert [line.achieved for line in data.summary] == [8, 5]


def test_activities_are_exactly_the_counted_rows(varied, office_a):
    scope = ReportScope.annual(2026, as_of=AS_OF)
    assert {a.pk for a in scope.activities()} == {a.pk for a in counted_rows(varied["rows"])}

    scope = ReportScope(dt.date(2026, 2, 1), dt.date(2026, 5, 31), AS_OF, office_a)
    expected = counted_rows(
        varied["rows"],
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 5, 31),
        offices=set(office_a.scope_ids()),
    )
    assert {a.pk for a in scope.activities()} == {a.pk for a in expected}
    # the unit's February visit, A's March visit and media, the unit's April media; not
    # the May visit B led with A
    assert len(expected) == 4


def test_groups_keep_count_and_id_sum_per_office_indicator_month_and_region(varied):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    expected: dict[tuple, tuple[int, int]] = {}
    for a in counted_rows(varied["rows"]):
        key = (  # units apart
            a.lead_office.code,
            a.indicator.code,
            f"{a.occurred_on:%Y-%m}",
            a.region.code if a.region else None,
        )
        n, id_sum = expected.get(key, (0, 0))
        expected[key] = (n + 1, id_sum + a.pk)

    assert data.groups == expected
    assert ("UNITA", "visits", "2026-06", "420000") in data.groups
    figures = data.figures()
    assert figures["version"] == 2
    assert figures["layout"] == {
        "indicators": ["visits", "media"],
        "offices": [["OFFA", None], ["OFFB", None], ["OFFC", None], ["UNITA", "OFFA"]],
        "quarters": ["Q1", "Q2", "Q3", "Q4"],
        "months": [f"2026-{month:02d}" for month in range(1, 13)],
    }
    assert sorted(tuple(group[:4]) for group in figures["groups"]) == sorted(
        expected, key=lambda key: (*key[:3], key[3] or "")
    )
    assert {tuple(group[:4]): tuple(group[4:]) for group in figures["groups"]} == expected


# --- roll-up and joint activities ------------------------------------------------------------


def test_units_roll_up_into_their_office_and_joint_activities_count_for_the_lead_only(
    varied, office_a, unit_a, office_b
):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    line_a = next(line for line in data.offices if line.office == office_a)
    line_b = next(line for line in data.offices if line.office == office_b)

    [unit_line] = line_a.units
    assert unit_line.office == unit_a
    assert unit_line.counts == [2, 1]  # the unit's own
    assert line_a.counts == [5, 2]  # office A's own 3 + 1, with the unit's
    assert line_b.units == []
    assert [line.office for line in data.offices] == [office_a, office_b, varied["office_c"]]
    # The joint visit led by B, joined by A and its unit: once, for B only.
    assert line_b.counts[0] == 2
    assert sum(line.total for line in data.offices) == data.activity_count
    assert [
        sum(column) for column in zip(*(line.counts for line in data.offices), strict=True)
    ] == [line.achieved for line in data.summary]


def test_office_lines_carry_their_own_shares_as_targets(varied, office_a, unit_a, office_b):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))
    targets = {line.office.code: line.targets for line in data.offices}
    assert targets == {"OFFA": [60, None], "OFFB": [None, 8], "OFFC": [None, None]}
    assert data.offices[0].units[0].targets == [10, None]


# --- progress reports ------------------------------------------------------------------------


def test_progress_report_for_a_quarter(varied):
    scope = ReportScope(dt.date(2026, 4, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 30))
    assert (scope.kind, scope.end) == (PROGRESS, dt.date(2026, 6, 30))
    data = report_data(scope)
    counted = counted_rows(
        varied["rows"],
        date_from=dt.date(2026, 4, 1),
        date_to=dt.date(2026, 6, 30),
        as_of=scope.as_of,
    )

    assert_figures_equal_rows(data, counted)
    assert [line.achieved for line in data.summary] == [4, 3]
    assert [(q.label, q.start, q.end) for q in data.quarters] == [
        ("Q2 2026", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    ]
    assert [(m.start, m.end) for m in data.months] == [
        (dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
        (dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
        (dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
    ]
    visits, media = data.summary
    # 1 April to 30 June is 91 days of 365; the target stays the year's
    assert visits.target == 100
    assert visits.expected == Decimal(100) * 91 / 365
    assert visits.expected_rounded == 25
    assert media.expected == Decimal(20) * 91 / 365  # 4.99
    assert visits.projected is None and media.projected is None  # not from 1 January
    assert visits.percent == Decimal("4.0")
    # 4 achieved against 24.9 expected: behind; 3 against 4.99: 60 %, behind
    assert (visits.status, media.status) == ("behind", "behind")


def test_a_progress_report_cut_before_its_end_expects_only_up_to_the_cut(varied):
    scope = ReportScope(dt.date(2026, 4, 1), dt.date(2026, 6, 30), AS_OF)
    assert scope.end == AS_OF
    data = report_data(scope)
    counted = counted_rows(
        varied["rows"], date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 6, 30)
    )

    assert_figures_equal_rows(data, counted)
    # 1 April to 15 June: 30 + 31 + 15 = 76 days
    assert data.summary[0].expected == Decimal(100) * 76 / 365
    assert data.summary[1].expected == Decimal(20) * 76 / 365


def test_a_range_cut_mid_month_splits_its_quarters_and_months_at_the_range(varied):
    scope = ReportScope(dt.date(2026, 2, 15), dt.date(2026, 5, 10), AS_OF)
    data = report_data(scope)
    counted = counted_rows(
        varied["rows"], date_from=dt.date(2026, 2, 15), date_to=dt.date(2026, 5, 10)
    )

    assert_figures_equal_rows(data, counted)
    assert [(q.label, q.start, q.end) for q in data.quarters] == [
        ("Q1 2026", dt.date(2026, 2, 15), dt.date(2026, 3, 31)),
        ("Q2 2026", dt.date(2026, 4, 1), dt.date(2026, 5, 10)),
    ]
    assert [(m.start, m.end) for m in data.months] == [
        (dt.date(2026, 2, 15), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
        (dt.date(2026, 5, 1), dt.date(2026, 5, 10)),
    ]
    # 2 February (B's media) and 10 February (the unit's visit) are before the range
    assert [m.counts for m in data.months] == [[0, 0], [1, 1], [0, 1], [1, 0]]
    # 15 February to 10 May: 14 + 31 + 30 + 10 = 85 days
    assert data.summary[0].expected == Decimal(100) * 85 / 365


def test_a_report_from_1_january_projects_the_year_end(varied):
    scope = ReportScope(dt.date(2026, 1, 1), dt.date(2026, 3, 31), AS_OF)
    data = report_data(scope)
    visits, media = data.summary

    assert scope.kind == PROGRESS
    assert [visits.achieved, media.achieved] == [4, 2]
    # 1 January to 31 March: 90 days; 4 × 365 / 90 = 16.2, rounded down
    assert visits.expected == Decimal(100) * 90 / 365
    assert visits.projected == 16
    assert media.projected == 8  # 2 × 365 / 90 = 8.1


def expected_status(achieved: int, expected: Decimal | None) -> str | None:
    """The domain's thresholds (docs/domain.md), written out again."""
    if not expected:
        return None
    ratio = Decimal(achieved) / expected
    if ratio >= Decimal("1.1"):
        return "ahead"
    if ratio >= Decimal("1"):
        return "on_track"
    if ratio >= Decimal("0.9"):
        return "at_risk"
    return "behind"


@pytest.mark.parametrize(
    ("date_to", "as_of", "judged"),
    [
        (dt.date(2026, 1, 14), dt.date(2026, 6, 15), False),  # the range ends on 14 January
        (dt.date(2026, 12, 31), dt.date(2026, 1, 14), False),  # cut on 14 January
        (dt.date(2026, 1, 15), dt.date(2026, 6, 15), True),
        (dt.date(2026, 12, 31), dt.date(2026, 1, 15), True),
    ],
)
def test_no_status_before_15_january(office_a, date_to, as_of, judged):
    visits = IndicatorFactory(code="visits", display_order=1)
    AnnualTargetFactory(year=2026, indicator=visits, target=730)  # two a day
    ActivityFactory.create_batch(
        2, lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 1, 2)
    )
    ActivityFactory.create_batch(
        22, lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 1, 5)
    )

    [line] = report_data(ReportScope(YEAR_START, date_to, as_of)).summary
    assert line.achieved == 24
    if judged:
        # 15 days × 2 = 30 expected; 24 is 80 %
        assert line.expected == 30
        assert line.status == expected_status(24, Decimal(30)) == "behind"
    else:
        assert line.status is None
        assert line.status_label == ""


@pytest.mark.parametrize(
    ("achieved", "status"), [(11, "ahead"), (10, "on_track"), (9, "at_risk"), (8, "behind")]
)
def test_status_compares_the_period_with_its_own_expected(office_a, achieved, status):
    # a one-day range, 1 June: expected 3650 × 1 / 365 = 10
    visits = IndicatorFactory(code="visits", display_order=1)
    AnnualTargetFactory(year=2026, indicator=visits, target=3650)
    ActivityFactory.create_batch(
        achieved, lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 6, 1)
    )
    ActivityFactory(lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 6, 2))

    [line] = report_data(ReportScope(dt.date(2026, 6, 1), dt.date(2026, 6, 1), AS_OF)).summary
    assert (line.achieved, line.expected) == (achieved, 10)
    assert line.status == expected_status(achieved, Decimal(10)) == status


def test_no_target_no_expected_nor_status(varied):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF, office=varied["office_c"]))
    for line in data.summary:
        assert line.target is None
        assert (line.expected, line.percent, line.status) == (None, None, None)


# --- the annual report agrees with the dashboard ---------------------------------------------


def _figures(lines):
    return [
        (
            f.indicator.code,
            f.achieved,
            f.target,
            f.percent,
            f.expected_rounded,
            f.projected,
            f.status,
        )
        for f in lines
    ]


@pytest.fixture
def later(frozen, varied):
    """After every submission of `varied` (some are dated after TODAY): a dashboard as of
    today or later reads the roll-up of what counts now, which holds only once nothing was
    submitted after now; these tests compare the "as of" rule itself."""
    frozen.move_to(dt.datetime(2027, 1, 6, 10, 0, tzinfo=HK))


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2026, 1, 10), dt.date(2026, 3, 31)])
def test_annual_report_agrees_with_the_bureau_dashboard(varied, later, as_of):
    board = dashboard(year=2026, as_of=as_of)
    data = report_data(ReportScope.annual(2026, as_of=as_of))

    assert _figures(data.summary) == _figures(board.figures)
    assert [(line.office, line.counts, line.targets) for line in data.offices] == [
        (row.office, [f.achieved for f in row.figures], [f.target for f in row.figures])
        for row in board.rows
    ]
    assert [[unit.counts for unit in line.units] for line in data.offices] == [
        [[f.achieved for f in unit.figures] for unit in row.units] for row in board.rows
    ]
    months_of_board = [
        [board.monthly.get(i.pk, [0] * 12)[month] for i in data.indicators] for month in range(12)
    ]
    assert [m.counts for m in data.months] == months_of_board


def test_annual_report_agrees_with_an_offices_dashboard(varied, later, office_a):
    board = dashboard(year=2026, as_of=AS_OF, office=office_a)
    data = report_data(ReportScope.annual(2026, as_of=AS_OF, office=office_a))

    assert _figures(data.summary) == _figures(board.figures)
    assert [f.achieved for f in data.summary] == [5, 2]
    assert [(f.target, f.status) for f in data.summary] == [(60, "behind"), (None, None)]


def test_annual_report_agrees_with_the_dashboard_when_an_office_has_closed(varied, later, office_b):
    """docs/domain.md: dashboards and reports agree to the unit, also after an office closes."""
    office_b.is_active = False
    office_b.save()
    board = dashboard(year=2026, as_of=AS_OF)
    data = report_data(ReportScope.annual(2026, as_of=AS_OF))

    assert _figures(data.summary) == _figures(board.figures)
    assert sum(line.total for line in data.offices) == sum(f.achieved for f in data.summary)


# --- an office's own report ------------------------------------------------------------------


def test_office_report_counts_only_the_office_and_its_unit(varied, office_a, unit_a):
    scope = ReportScope.annual(2026, as_of=AS_OF, office=office_a)
    data = report_data(scope)
    counted = counted_rows(varied["rows"], offices={office_a.pk, unit_a.pk})

    assert_figures_equal_rows(data, counted)
    assert data.activity_count == len(counted) == 7
    assert [line.office for line in data.offices] == [office_a]
    assert [unit.office for unit in data.offices[0].units] == [unit_a]
    # office A's shares, not the bureau's targets; none for media
    assert [(line.achieved, line.target) for line in data.summary] == [(5, 60), (2, None)]
    assert data.summary[0].expected == Decimal(60) * 166 / 365  # 1 January to 15 June
    assert data.summary[0].percent == Decimal("8.3")
    assert {(r.region.code if r.region else None): r.total for r in data.regions} == {
        "420000": 2,
        "440000": 1,  # the unit's own; not B's joint visit
        "510000": 0,
        None: 4,
    }
    assert {office for office, _indicator, _month, _region in data.groups} == {"OFFA", "UNITA"}


def test_unit_report_counts_the_unit_alone_with_its_share(varied, office_a, unit_a):
    data = report_data(ReportScope.annual(2026, as_of=AS_OF, office=unit_a))
    counted = counted_rows(varied["rows"], offices={unit_a.pk})

    assert_figures_equal_rows(data, counted)
    assert [(line.achieved, line.target) for line in data.summary] == [(2, 10), (1, None)]
    assert [(line.office, line.units) for line in data.offices] == [(unit_a, [])]


def test_office_report_counts_what_it_lists_when_a_unit_has_closed(varied, office_a, unit_a):
    """Every activity in the report's list is in its figures (the CSV adds up to the
    summary), also when one of the office's units has been closed since."""
    unit_a.is_active = False
    unit_a.save()
    office = Office.objects.get(pk=office_a.pk)
    scope = ReportScope.annual(2026, as_of=AS_OF, office=office)
    data = report_data(scope)

    listed = scope.activities().count()
    assert data.activity_count == listed
    assert sum(line.achieved for line in data.summary) == listed


# --- the scope -------------------------------------------------------------------------------


def test_annual_scope(office_a):
    scope = ReportScope.annual(2026)
    assert (scope.date_from, scope.date_to, scope.as_of, scope.office) == (
        YEAR_START,
        YEAR_END,
        TODAY,  # this year: up to today
        None,
    )
    assert (scope.kind, scope.end, scope.year) == (ANNUAL, TODAY, 2026)
    assert scope.title() == "Annual report 2026"
    assert scope.filename() == "kpi-annual-report-2026-as-of-2026-06-15"

    past = ReportScope.annual(2025, as_of=dt.date(2025, 12, 31), office=office_a)
    assert (past.kind, past.end) == (ANNUAL, dt.date(2025, 12, 31))
    assert past.title() == "Annual report 2025 · Office A"
    assert past.filename() == "kpi-annual-report-2025-offa-as-of-2025-12-31"
    assert ReportScope.annual(2025).end == dt.date(2025, 12, 31)  # whatever the default cut

    later = ReportScope.annual(2025, as_of=dt.date(2026, 2, 1))
    assert later.end == dt.date(2025, 12, 31)  # nothing after the year counts


def test_progress_scope(office_a):
    scope = ReportScope(dt.date(2026, 4, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 15))
    assert (scope.kind, scope.end) == (PROGRESS, dt.date(2026, 6, 15))
    assert scope.title() == "Progress report 2026-04-01 to 2026-06-30"
    assert scope.filename() == "kpi-progress-report-2026-04-01-to-2026-06-30-as-of-2026-06-15"

    unit_scope = ReportScope(dt.date(2026, 1, 1), dt.date(2026, 12, 30), TODAY, office_a)
    assert unit_scope.kind == PROGRESS  # not the whole year
    assert unit_scope.filename().isascii()
    assert unit_scope.filename().endswith("-offa-as-of-2026-06-15")


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (dt.date(2026, 6, 2), dt.date(2026, 6, 1)),  # starts after it ends
        (dt.date(2025, 12, 1), dt.date(2026, 1, 31)),  # across two years
    ],
)
def test_scope_refuses_impossible_dates(date_from, date_to):
    with pytest.raises(ValueError):
        ReportScope(date_from, date_to, TODAY)


def test_a_one_day_scope_is_allowed():
    scope = ReportScope(TODAY, TODAY, TODAY)
    assert scope.end == TODAY and scope.kind == PROGRESS


# --- a fixed number of queries ---------------------------------------------------------------


def _more_data(varied, office_a, unit_a, office_b, n):
    offices = [office_a, unit_a, office_b, varied["office_c"]]
    indicators = [varied["visits"], varied["media"]]
    regions = [*varied["regions"], None]
    for i in range(n):
        ActivityFactory(
            lead_office=offices[i % 4],
            indicator=indicators[i % 2],
            region=regions[i % 4],
            occurred_on=dt.date(2026, 1 + i % 6, 1 + i % 28),
            status=Status.VERIFIED if i % 3 else Status.SUBMITTED,
        )
    for i in range(3):
        OfficeFactory(code=f"NEW{i}")
        RegionFactory(code=f"{61 + i}0000")
    for office in offices:
        ProgressNoteFactory(office=office, indicator=indicators[0], year=2026, month=3)
        PlanFactory(lead_office=office, indicator=indicators[1], starts_on=dt.date(2026, 11, 2))


@pytest.mark.parametrize("scoped", [False, True], ids=["bureau", "office"])
def test_report_data_query_count(
    varied, office_a, unit_a, office_b, django_assert_num_queries, scoped
):
    # bureau targets, office shares, offices, indicators, regions, the counts by lead
    # office × indicator × month × region, the progress notes of the report's months and
    # the plans ahead of its end (reports.notes_and_plans)
    def scope():
        office = Office.objects.get(pk=office_a.pk) if scoped else None  # as a view loads it
        return ReportScope.annual(2026, as_of=AS_OF, office=office)

    small = scope()
    with django_assert_num_queries(8):
        small_data = report_data(small)

    _more_data(varied, office_a, unit_a, office_b, 60)
    large = scope()
    with django_assert_num_queries(8):
        large_data = report_data(large)
    assert large_data.activity_count > small_data.activity_count + 20
