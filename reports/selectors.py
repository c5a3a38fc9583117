"""Reads that assemble progress figures. Plain data out; every count comes from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from activities.models import Activity
from offices.models import AnnualTarget, Indicator, Office

from .progress import percent_of_target


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    achieved: int
    target: int | None
    bureau_target: int | None

    @property
    def percent(self) -> Decimal | None:
        return percent_of_target(self.achieved, self.target)


@dataclass(frozen=True)
class OfficeRow:
    office: Office
    cells: list[tuple[Indicator, int]]  # (indicator, achieved), in the indicators' order

    @property
    def achieved(self) -> list[int]:
        return [n for _indicator, n in self.cells]


@dataclass(frozen=True)
class OfficeOverview:
    indicators: list[Indicator]
    rows: list[OfficeRow]
    totals: list[IndicatorProgress]


def offices_overview(*, offices: list[Office], year: int, as_of: dt.date) -> OfficeOverview:
    """Counted activities per top-level office (units rolled up) and indicator, and the
    bureau totals against the bureau targets. Three queries, whatever the number of rows."""
    indicators = list(Indicator.objects.filter(is_active=True))
    counts: dict[tuple[int, int], int] = {}
    for reporting_office_id, indicator_id, n in (
        Activity.objects.counted()
        .in_year(year)
        .as_of(as_of)
        .with_reporting_office()
        .order_by()
        .values_list("reporting_office_id", "indicator_id")
        .annotate(n=Count("id"))
    ):
        counts[reporting_office_id, indicator_id] = n
    bureau = dict(AnnualTarget.objects.filter(year=year).values_list("indicator_id", "target"))
    rows = [
        OfficeRow(office=office, cells=[(i, counts.get((office.pk, i.pk), 0)) for i in indicators])
        for office in offices
    ]
    totals = [
        IndicatorProgress(
            indicator=indicator,
            achieved=sum(n for (_o, i), n in counts.items() if i == indicator.pk),
            target=bureau.get(indicator.pk),
            bureau_target=bureau.get(indicator.pk),
        )
        for indicator in indicators
    ]
    return OfficeOverview(indicators=indicators, rows=rows, totals=totals)


@dataclass
class CellChange:
    office_code: str
    indicator_code: str
    was: int
    now: int
    office: Office | None = None
    indicator: Indicator | None = None

    @property
    def difference(self) -> int:
        return self.now - self.was


@dataclass
class ReportChanges:
    """How the figures behind a published report differ from a fresh count of the same
    dates today: per lead office and indicator, and reopened months of its period."""

    cells: list[CellChange]
    swapped: bool  # the same counts, but not the same activities
    reopenings: list

    @property
    def changed(self) -> bool:
        return bool(self.cells or self.swapped or self.reopenings)


def report_changes(reports: list) -> dict[int, ReportChanges]:
    """For each finished published report, what has changed since it was made. Two queries
    for any number of reports: the counts of every report's period side by side, and the
    reopenings granted since the oldest of them; two more for the names, only if a count
    changed."""
    from activities.models import PeriodReopening

    from .models import PublishedReport

    done = [r for r in reports if r.state == PublishedReport.State.DONE]
    if not done:
        return {}
    columns = {}
    for report in done:
        window = Q(occurred_on__gte=report.date_from, occurred_on__lte=report.end)
        if report.office_id is not None:  # the office and its units, without a query
            window &= Q(lead_office_id=report.office_id) | Q(
                lead_office__parent_id=report.office_id
            )
        columns[f"n{report.pk}"] = Count("pk", filter=window)
        columns[f"s{report.pk}"] = Sum("pk", filter=window)
    now: dict[int, dict[tuple[str, str], tuple[int, int]]] = {r.pk: {} for r in done}
    rows = (
        Activity.objects.counted()
        .filter(
            indicator__is_active=True,
            lead_office__is_active=True,  # as ReportScope.activities() counts
            occurred_on__gte=min(r.date_from for r in done),
            occurred_on__lte=max(r.end for r in done),
        )
        .order_by()
        .values("lead_office__code", "indicator__code")
        .annotate(**columns)
    )
    for row in rows:
        key = (row["lead_office__code"], row["indicator__code"])
        for report in done:
            n = row[f"n{report.pk}"]
            if n:
                now[report.pk][key] = (n, int(row[f"s{report.pk}"] or 0))

    reopened = list(
        PeriodReopening.objects.filter(
            state=PeriodReopening.State.GRANTED,
            decided_at__gt=min(r.completed_at for r in done),
        ).select_related("office")
    )

    changes = {}
    for report in done:
        was = {(o, i): (n, s) for o, i, n, s in report.figures.get("cells", [])}
        cells = [
            CellChange(o, i, was.get((o, i), (0, 0))[0], now[report.pk].get((o, i), (0, 0))[0])
            for o, i in sorted(set(was) | set(now[report.pk]))
            if was.get((o, i), (0, 0))[0] != now[report.pk].get((o, i), (0, 0))[0]
        ]
        swapped = not cells and was != now[report.pk]
        months = {
            (report.date_from.year, month)
            for month in range(report.date_from.month, report.end.month + 1)
        }
        reopenings = [
            reopening
            for reopening in reopened
            if reopening.decided_at > report.completed_at
            and (reopening.year, reopening.month) in months
            and (
                report.office_id is None
                or report.office_id in (reopening.office_id, reopening.office.parent_id)
            )
        ]
        changes[report.pk] = ReportChanges(cells=cells, swapped=swapped, reopenings=reopenings)
    _name_cells([cell for change in changes.values() for cell in change.cells])
    return changes


def _name_cells(cells: list[CellChange]) -> None:
    if not cells:
        return
    offices = Office.objects.in_bulk({c.office_code for c in cells}, field_name="code")
    indicators = Indicator.objects.in_bulk({c.indicator_code for c in cells}, field_name="code")
    for cell in cells:
        cell.office = offices.get(cell.office_code)
        cell.indicator = indicators.get(cell.indicator_code)
