"""Reads that assemble progress figures. Plain data out; every count comes from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

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
