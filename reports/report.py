"""The annual and progress reports' figures (docs/guide-bureau-viewer.md, "Reports"): one
selector, every format.

`report_data(scope)` reads the figures of a report in a fixed number of aggregate queries;
the XLSX, PDF and CSV writers and the stored snapshots only lay them out. Counting follows
`ActivityQuerySet` (docs/domain.md, "What counts") and the arithmetic `reports.progress`, so a
report agrees with the dashboard for the same dates.

A report covers a date range inside one KPI year and is cut "as of" a day: activities that
took place from `date_from` to the earlier of `date_to` and `as_of`, counted by the end of
`as_of`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityQuerySet, counted_as_of
from offices.models import (
    Indicator,
    Office,
    Region,
    is_within,
    office_with_units,
    shown_in_figures,
)
from offices.targets.selectors import year_targets

from . import progress
from .notes_and_plans import read_notes_and_plans

ANNUAL = "annual"
PROGRESS = "progress"
KIND_LABELS = {ANNUAL: _("Annual report"), PROGRESS: _("Progress report")}


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: the dates, the data cut and, for an office's own report, the
    office (with its units). `office=None` is the whole bureau."""

    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    office: Office | None = None

    @classmethod
    def annual(cls, year: int, *, as_of: dt.date | None = None, office: Office | None = None):
        as_of = as_of or timezone.localdate()
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), as_of, office)

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise ValueError("A report's start date must not be after its end date.")
        if self.date_from.year != self.date_to.year:
            raise ValueError("A report covers dates within one year.")

    @property
    def year(self) -> int:
        return self.date_from.year

    @property
    def end(self) -> dt.date:
        """The last day whose activities are counted."""
        return min(self.date_to, self.as_of)

    @property
    def kind(self) -> str:
        full_year = (self.date_from, self.date_to) == (
            dt.date(self.year, 1, 1),
            dt.date(self.year, 12, 31),
        )
        return ANNUAL if full_year else PROGRESS

    @property
    def from_start_of_year(self) -> bool:
        return self.date_from == dt.date(self.year, 1, 1)

    def title(self) -> str:
        if self.kind == ANNUAL:
            title = gettext("Annual report %(year)s") % {"year": self.year}
        else:
            title = gettext("Progress report %(start)s to %(end)s") % {
                "start": formats.date_format(self.date_from, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(self.date_to, "SHORT_DATE_FORMAT"),
            }
        if self.office is not None:
            title = f"{title} · {self.office.name}"
        return title

    def filename(self) -> str:
        """Without extension; ASCII only, so every browser and mail client keeps it."""
        if self.kind == ANNUAL:
            stem = f"kpi-annual-report-{self.year}"
        else:
            stem = f"kpi-progress-report-{self.date_from:%Y-%m-%d}-to-{self.date_to:%Y-%m-%d}"
        if self.office is not None:
            stem += f"-{self.office.code.lower()}"
        return f"{stem}-as-of-{self.as_of:%Y-%m-%d}"

    def window(self) -> Window:
        return Window(
            start=self.date_from,
            end=self.end,
            office_id=self.office.pk if self.office is not None else None,
            as_of=self.as_of,
        )

    def activities(self) -> ActivityQuerySet:
        """The activities the report counts, and nothing else (docs/domain.md, "What
        counts"): deactivated offices, units and indicators included."""
        counted = Activity.objects.counted().between(self.date_from, self.end).as_of(self.as_of)
        if self.office is not None:  # the office and its units, without a query for them
            counted = counted.filter(office_with_units(self.office.pk, field="lead_office"))
        return counted


@dataclass
class OfficeLine:
    """An office's counts per indicator (in the report's indicator order) with its target
    shares and its progress against them (per cent, still needed, status: the dashboards'
    rule, `progress.IndicatorProgress`); a top-level office's counts include its units,
    which are listed under it."""

    office: Office
    counts: list[int]
    targets: list[int | None]
    units: list[OfficeLine] = field(default_factory=list)
    progress: list[progress.IndicatorProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class PeriodLine:
    label: str
    start: dt.date
    end: dt.date
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class RegionLine:
    region: Region | None  # None: activities with no region recorded

    counts: list[int]

    @property
    def label(self) -> str:
        return self.region.name if self.region is not None else gettext("No region recorded")

    @property
    def total(self) -> int:
        return sum(self.counts)


# The finest grain of what a report counts: (lead office code, indicator code, "YYYY-MM",
# region code or None) -> (activities, sum of their ids). Every table of the file is a sum
# over these groups, so a stored copy of them is enough to rebuild the file's figures and
# compare them with a fresh count, table by table (reports.selectors.report_changes). The
# sum of ids tells apart two counts that agree but are not of the same activities.
GroupKey = tuple[str, str, str, str | None]
Groups = dict[GroupKey, tuple[int, int]]

TOTALS, OFFICES, QUARTERS, MONTHS, REGIONS = "totals", "offices", "quarters", "months", "regions"
TABLE_LABELS = {
    TOTALS: _("Summary"),
    OFFICES: _("By office"),
    QUARTERS: _("By quarter"),
    MONTHS: _("By month"),
    REGIONS: _("By region"),
}
WITH_UNITS, UNIT_ONLY = "office", "unit"  # an office's line (with its units), a unit's own
FIGURES_VERSION = 2


@dataclass(frozen=True)
class FileLayout:
    """What a report's tables are made of: its indicators in order, its offices (code ->
    parent code, None for a top-level office), and its quarters and months ("Q1", "2026-03").
    Stored with a published report, so its figures are rebuilt in the file's own terms."""

    indicators: tuple[str, ...]
    parents: dict[str, str | None]
    quarters: tuple[str, ...]
    months: tuple[str, ...]

    def tables(self, groups: Groups) -> dict[str, dict[tuple[str, str], list[int]]]:
        """Every table the file prints, as {table: {(kind, key): counts per indicator}}:
        the totals, each office with its units and each unit alone, each quarter, month
        and region (None: no region recorded). Rows with nothing counted may be left out."""
        position = {code: at for at, code in enumerate(self.indicators)}
        width = len(self.indicators)
        tables: dict[str, dict[tuple[str, str], list[int]]] = {name: {} for name in TABLE_LABELS}

        def add(table: str, row: tuple[str, str], at: int, n: int) -> None:
            tables[table].setdefault(row, [0] * width)[at] += n

        for (office, indicator, month, region), (n, _id_sum) in groups.items():
            at = position.get(indicator)
            if at is None:  # an indicator the file does not print: none is left out today
                continue
            parent = self.parents.get(office)
            add(TOTALS, ("", ""), at, n)
            add(OFFICES, (WITH_UNITS, parent or office), at, n)
            if parent is not None:
                add(OFFICES, (UNIT_ONLY, office), at, n)
            if month:  # kept since the month and region tables are compared
                add(MONTHS, ("", month), at, n)
                add(QUARTERS, ("", f"Q{(int(month[5:7]) - 1) // 3 + 1}"), at, n)
                add(REGIONS, ("", region or ""), at, n)
        return tables

    def as_json(self) -> dict:
        return {
            "indicators": list(self.indicators),
            "offices": [[code, parent] for code, parent in self.parents.items()],
            "quarters": list(self.quarters),
            "months": list(self.months),
        }

    @classmethod
    def from_json(cls, data: dict) -> FileLayout:
        return cls(
            indicators=tuple(data["indicators"]),
            parents=dict(data["offices"]),
            quarters=tuple(data["quarters"]),
            months=tuple(data["months"]),
        )


@dataclass
class ReportData:
    scope: ReportScope
    indicators: list[Indicator]
    summary: list[progress.IndicatorProgress]  # as on the dashboards
    offices: list[OfficeLine]
    quarters: list[PeriodLine]
    months: list[PeriodLine]
    regions: list[RegionLine]
    activity_count: int
    layout: FileLayout
    groups: Groups
    made_at: dt.datetime
    # The offices' notes of the report's months and the plans ahead of its end
    # (reports.notes_and_plans): beside the figures, never part of them.
    notes: list = field(default_factory=list)
    planned: list = field(default_factory=list)

    def figures(self) -> dict:
        """What a published report keeps to tell later whether the file's figures still
        hold: its layout and its groups (reports.selectors.report_changes)."""
        return {
            "version": FIGURES_VERSION,
            "layout": self.layout.as_json(),
            "groups": [
                [*key, n, id_sum]
                for key, (n, id_sum) in sorted(self.groups.items(), key=_group_order)
            ],
        }


def _group_order(item) -> tuple:
    (office, indicator, month, region), _counts = item
    return (office, indicator, month, region or "")


def _quarters(scope: ReportScope) -> list[tuple[int, dt.date, dt.date]]:
    year = scope.year
    spans = []
    for quarter in range(1, 5):
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year, 3 * quarter, 1) + dt.timedelta(days=31)
        end = end.replace(day=1) - dt.timedelta(days=1)
        if end >= scope.date_from and start <= scope.date_to:
            spans.append((quarter, max(start, scope.date_from), min(end, scope.date_to)))
    return spans


def _months(scope: ReportScope) -> list[tuple[int, dt.date, dt.date]]:
    spans = []
    for month in range(scope.date_from.month, scope.date_to.month + 1):
        start = dt.date(scope.year, month, 1)
        end = (start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        spans.append((month, max(start, scope.date_from), min(end, scope.date_to)))
    return spans


def month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


@dataclass(frozen=True)
class Window:
    """What one report counts: activities that took place from `start` to `end`, of one
    office with its units (or all), counted by the end of `as_of` (None: counted now)."""

    start: dt.date
    end: dt.date
    office_id: int | None = None
    as_of: dt.date | None = None


def file_groups(windows: dict[Hashable, Window]) -> dict[Hashable, Groups]:
    """The groups (office × indicator × month × region, with the sum of the activities'
    ids) of each window, side by side in one query whatever their number: a report's own
    figures when it is made (reports.report.report_data) and a fresh count of every
    published report's figures for the comparison (reports.selectors.report_changes) are
    the same reading. Keyed by codes, as the file prints them (codes survive a database
    move)."""
    if not windows:
        return {}
    aggregates, names = {}, {}
    for position, (key, window) in enumerate(windows.items()):
        condition = Q(occurred_on__gte=window.start, occurred_on__lte=window.end)
        if window.office_id is not None:  # the office and its units, without a query
            condition &= office_with_units(window.office_id, field="lead_office")
        if window.as_of is not None:
            condition &= counted_as_of(window.as_of)
        names[key] = (f"n{position}", f"s{position}")
        aggregates[f"n{position}"] = Count("pk", filter=condition)
        aggregates[f"s{position}"] = Sum("pk", filter=condition)
    rows = (
        Activity.objects.counted()  # deactivated offices, units and indicators included
        .between(min(w.start for w in windows.values()), max(w.end for w in windows.values()))
        .annotate(first_day=TruncMonth("occurred_on"))
        .order_by()
        .values("lead_office__code", "indicator__code", "first_day", "region__code")
        .annotate(**aggregates)
    )
    groups: dict[Hashable, Groups] = {key: {} for key in windows}
    for row in rows:
        group = (
            row["lead_office__code"],
            row["indicator__code"],
            month_key(row["first_day"]),
            row["region__code"],
        )
        for key, (n, id_sum) in names.items():
            if row[n]:
                groups[key][group] = (row[n], int(row[id_sum] or 0))  # numeric on PostgreSQL
    return groups


def report_data(scope: ReportScope) -> ReportData:
    """The figures of one report. Eight queries, whatever the number of activities: the
    bureau targets, office shares, offices, indicators, regions, the groups of the
    activities counted (office × indicator × month × region), and the offices' notes and
    plans ahead (reports.notes_and_plans). Every table is a sum of the groups
    (`FileLayout.tables`), exactly as a later comparison rebuilds it.

    Offices, units and indicators that were deactivated still count, and are listed where
    they have figures (offices.models.shown_in_figures)."""
    made_at = timezone.now()
    year = scope.year
    bureau_targets, shares = year_targets(year)
    all_offices = list(Office.objects.select_related("parent"))
    all_indicators = list(Indicator.objects.all())
    all_regions = list(Region.objects.all())
    groups = file_groups({"report": scope.window()})["report"]

    # The offices the report covers, each with its parent within the report (None: a line of
    # its own with its units), and those of them it lists.
    if scope.office is None:
        covered = all_offices
    elif scope.office.parent_id is None:
        covered = [o for o in all_offices if is_within(o, scope.office.pk)]
    else:
        covered = [scope.office]
    covered_ids = {o.pk for o in covered}
    parents = {o.code: (o.parent.code if o.parent_id in covered_ids else None) for o in covered}
    counted_codes = {office for office, _i, _m, _r in groups}
    with_figures = {o.pk for o in covered if o.code in counted_codes}
    with_figures |= {o for o, _i in shares if o in covered_ids}
    with_figures |= {o.parent_id for o in covered if o.pk in with_figures and o.parent_id}
    listed = shown_in_figures(covered, with_figures=with_figures)

    if scope.office is None:
        targets = bureau_targets
    else:
        targets = {i: t for (o, i), t in shares.items() if o == scope.office.pk}
    counted_indicators = {indicator for _o, indicator, _m, _r in groups}
    indicators = shown_in_figures(
        all_indicators,
        with_figures={i.pk for i in all_indicators if i.code in counted_indicators}
        | set(targets)
        | {i for o, i in shares if o in covered_ids},
    )

    quarter_spans, month_spans = _quarters(scope), _months(scope)
    layout = FileLayout(
        indicators=tuple(i.code for i in indicators),
        parents=parents,
        quarters=tuple(f"Q{quarter}" for quarter, _start, _end in quarter_spans),
        months=tuple(f"{year}-{month:02d}" for month, _start, _end in month_spans),
    )
    tables = layout.tables(groups)
    nothing = [0] * len(indicators)

    def counts(table: str, kind: str, key: str) -> list[int]:
        return list(tables[table].get((kind, key), nothing))

    def line_for(office: Office) -> OfficeLine:
        is_top = parents[office.code] is None
        achieved = counts(OFFICES, WITH_UNITS if is_top else UNIT_ONLY, office.code)
        office_targets = [shares.get((office.pk, indicator.pk)) for indicator in indicators]
        return OfficeLine(
            office=office,
            counts=achieved,
            targets=office_targets,
            units=[line_for(o) for o in listed if is_top and parents[o.code] == office.code],
            progress=[
                progress.IndicatorProgress(
                    indicator, achieved=n, target=target, start=scope.date_from, end=scope.end
                )
                for indicator, n, target in zip(indicators, achieved, office_targets, strict=True)
            ],
        )

    office_lines = [line_for(office) for office in listed if parents[office.code] is None]
    totals = counts(TOTALS, "", "")
    summary = [
        progress.IndicatorProgress(
            indicator,
            achieved=totals[position],
            target=targets.get(indicator.pk),
            start=scope.date_from,
            end=scope.end,
        )
        for position, indicator in enumerate(indicators)
    ]
    quarters = [
        PeriodLine(
            label=gettext("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year},
            start=start,
            end=end,
            counts=counts(QUARTERS, "", f"Q{quarter}"),
        )
        for quarter, start, end in quarter_spans
    ]
    months = [
        PeriodLine(
            label=formats.date_format(start, "YEAR_MONTH_FORMAT"),
            start=start,
            end=end,
            counts=counts(MONTHS, "", f"{year}-{month:02d}"),
        )
        for month, start, end in month_spans
    ]
    regions = [RegionLine(region, counts(REGIONS, "", region.code)) for region in all_regions]
    regions.sort(key=lambda line: (-line.total, line.region.code))
    if ("", "") in tables[REGIONS]:
        regions.append(RegionLine(None, counts(REGIONS, "", "")))

    notes, planned = read_notes_and_plans(
        scope, covered=covered, listed=listed, parents=parents, indicators=indicators
    )
    return ReportData(
        scope=scope,
        indicators=indicators,
        summary=summary,
        offices=office_lines,
        quarters=quarters,
        months=months,
        regions=regions,
        activity_count=sum(n for n, _id_sum in groups.values()),
        layout=layout,
        groups=groups,
        made_at=made_at,
        notes=notes,
        planned=planned,
    )
