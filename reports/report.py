"""The annual and progress reports' figures (issue 5): one selector, every format.

`report_data(scope)` reads the figures of a report in a fixed number of aggregate queries;
the XLSX, PDF and CSV writers and the stored snapshots only lay them out. Counting follows
`ActivityQuerySet` (DOMAIN.md, "What counts") and the arithmetic `reports.progress`, so a
report agrees with the dashboard for the same dates.

A report covers a date range inside one KPI year and is cut "as of" a day: activities that
took place from `date_from` to the earlier of `date_to` and `as_of`, counted by the end of
`as_of`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityQuerySet
from offices.models import AnnualTarget, Indicator, Office, OfficeTarget, Region

from . import progress

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
                "start": formats.date_format(self.date_from, "DATE_FORMAT"),
                "end": formats.date_format(self.date_to, "DATE_FORMAT"),
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

    def activities(self) -> ActivityQuerySet:
        """The activities the report counts, and nothing else: like the dashboard, those of
        active indicators and active offices and units."""
        counted = (
            Activity.objects.counted()
            .between(self.date_from, self.end)
            .as_of(self.as_of)
            .filter(indicator__is_active=True, lead_office__is_active=True)
        )
        if self.office is not None:  # the office and its units, without a query for them
            counted = counted.filter(
                Q(lead_office_id=self.office.pk) | Q(lead_office__parent_id=self.office.pk)
            )
        return counted


@dataclass
class IndicatorLine:
    """One indicator in the summary: the year's target, what the period achieved and where a
    steady pace would be by the period's last counted day."""

    indicator: Indicator
    target: int | None
    achieved: int
    expected: Decimal | None
    projected: int | None
    status: str | None

    @property
    def percent(self) -> Decimal | None:
        return progress.percent_of_target(self.achieved, self.target)

    @property
    def expected_rounded(self) -> int | None:
        return None if self.expected is None else int(self.expected.quantize(0))

    @property
    def status_label(self) -> str:
        return str(progress.STATUS_LABELS.get(self.status, ""))


@dataclass
class OfficeLine:
    """An office's counts per indicator (in the report's indicator order) with its target
    shares; a top-level office's counts include its units, which are listed under it."""

    office: Office
    counts: list[int]
    targets: list[int | None]
    units: list[OfficeLine] = field(default_factory=list)

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


@dataclass
class ReportData:
    scope: ReportScope
    indicators: list[Indicator]
    summary: list[IndicatorLine]
    offices: list[OfficeLine]
    quarters: list[PeriodLine]
    months: list[PeriodLine]
    regions: list[RegionLine]
    activity_count: int
    cells: dict[tuple[str, str], tuple[int, int]]  # (office code, indicator code) -> (n, Σ id)
    made_at: dt.datetime

    def figures(self) -> dict:
        """What a stored snapshot keeps to tell later whether its figures still hold: per
        lead office (units apart) and indicator, the count and the sum of the activities'
        ids (which also changes when one counted activity is swapped for another)."""
        return {
            "cells": [
                [office, indicator, n, id_sum]
                for (office, indicator), (n, id_sum) in sorted(self.cells.items())
            ]
        }


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


def report_data(scope: ReportScope) -> ReportData:
    """The figures of one report. Seven queries, whatever the number of activities: the
    indicators, bureau targets, office shares, offices, counts by office × indicator × month,
    counts by region × indicator, and the regions."""
    made_at = timezone.now()
    indicators = list(Indicator.objects.filter(is_active=True))
    order = {indicator.pk: position for position, indicator in enumerate(indicators)}
    year = scope.year
    bureau_targets = dict(
        AnnualTarget.objects.filter(year=year).values_list("indicator_id", "target")
    )
    shares = {
        (office_id, indicator_id): target
        for office_id, indicator_id, target in OfficeTarget.objects.filter(year=year).values_list(
            "office_id", "indicator_id", "target"
        )
    }
    all_offices = list(Office.objects.filter(is_active=True).select_related("parent"))
    by_pk = {office.pk: office for office in all_offices}

    # lead office -> month -> indicator position -> count; and the snapshot's cells
    counts: dict[int, dict[int, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0] * len(indicators))
    )
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    activities = scope.activities()
    for lead_office_id, indicator_id, month, n, id_sum in (
        activities.order_by()
        .annotate(month=ExtractMonth("occurred_on"))
        .values_list("lead_office_id", "indicator_id", "month")
        .annotate(n=Count("pk"), id_sum=Sum("pk"))
    ):
        counts[lead_office_id][month][order[indicator_id]] += n
        office_code = by_pk[lead_office_id].code if lead_office_id in by_pk else str(lead_office_id)
        key = (office_code, indicators[order[indicator_id]].code)
        previous = cells.get(key, (0, 0))
        cells[key] = (previous[0] + n, previous[1] + int(id_sum))  # numeric on PostgreSQL

    def add(*lists: list[int]) -> list[int]:
        return [sum(values) for values in zip(*lists, strict=True)] or [0] * len(indicators)

    def office_counts(office_ids, months=None) -> list[int]:
        return add(
            [0] * len(indicators),
            *(
                month_counts
                for office_id in office_ids
                for month, month_counts in counts.get(office_id, {}).items()
                if months is None or month in months
            ),
        )

    def line_for(office: Office, units: list[Office]) -> OfficeLine:
        ids = [office.pk, *(unit.pk for unit in units)]
        return OfficeLine(
            office=office,
            counts=office_counts(ids),
            targets=[shares.get((office.pk, indicator.pk)) for indicator in indicators],
            units=[line_for(unit, []) for unit in units],
        )

    if scope.office is None:
        tops = [office for office in all_offices if office.parent_id is None]
        in_scope = [office.pk for office in all_offices]
    elif scope.office.parent_id is None:
        tops = [scope.office]
        in_scope = [
            office.pk for office in all_offices if scope.office.pk in (office.pk, office.parent_id)
        ]
    else:
        tops = [scope.office]
        in_scope = [scope.office.pk]
    office_lines = [
        line_for(top, [o for o in all_offices if o.parent_id == top.pk and o.pk in in_scope])
        for top in tops
    ]
    totals = office_counts(counts.keys())

    def target_of(indicator: Indicator) -> int | None:
        if scope.office is None:
            return bureau_targets.get(indicator.pk)
        return shares.get((scope.office.pk, indicator.pk))

    judged = scope.end >= dt.date(year, 1, progress.FIRST_JUDGED_DAY)
    summary = []
    for position, indicator in enumerate(indicators):
        target = target_of(indicator)
        achieved = totals[position]
        expected = progress.expected_between(target, scope.date_from, scope.end)
        summary.append(
            IndicatorLine(
                indicator=indicator,
                target=target,
                achieved=achieved,
                expected=expected,
                projected=(
                    progress.projected_year_end(achieved, year, scope.end)
                    if scope.from_start_of_year
                    else None
                ),
                status=progress.status_against(achieved, expected) if judged else None,
            )
        )

    scope_ids = list(counts.keys())
    quarters = [
        PeriodLine(
            label=gettext("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year},
            start=start,
            end=end,
            counts=office_counts(scope_ids, range(start.month, end.month + 1)),
        )
        for quarter, start, end in _quarters(scope)
    ]
    months = [
        PeriodLine(
            label=formats.date_format(start, "YEAR_MONTH_FORMAT"),
            start=start,
            end=end,
            counts=office_counts(scope_ids, [month]),
        )
        for month, start, end in _months(scope)
    ]

    region_counts: dict[int | None, list[int]] = defaultdict(lambda: [0] * len(indicators))
    for region_id, indicator_id, n in (
        activities.order_by().values_list("region_id", "indicator_id").annotate(n=Count("pk"))
    ):
        region_counts[region_id][order[indicator_id]] += n
    regions = [
        RegionLine(region, region_counts.get(region.pk, [0] * len(indicators)))
        for region in Region.objects.all()
    ]
    regions.sort(key=lambda line: (-line.total, line.region.code))
    if None in region_counts:
        regions.append(RegionLine(None, region_counts[None]))

    return ReportData(
        scope=scope,
        indicators=indicators,
        summary=summary,
        offices=office_lines,
        quarters=quarters,
        months=months,
        regions=regions,
        activity_count=sum(n for n, _id_sum in cells.values()),
        cells=cells,
        made_at=made_at,
    )
