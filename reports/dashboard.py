"""Reads for the bureau and office dashboards. Plain data out; a fixed number of aggregate
queries whatever the number of activities or offices. The charts' series, the tables and
the API's progress figures all come from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone

from activities.counts import counted_groups
from activities.models import Activity, ActivityMonthCount, Status
from offices.models import (
    Indicator,
    Office,
    Region,
)
from planning.models import ProgressNote
from planning.selectors import latest_notes

from . import progress
from .selectors import OfficeRow, office_figures

HEALTH_QUIET_DAYS = 14
HEALTH_WAITING_DAYS = 7


@dataclass
class Dashboard:
    year: int
    as_of: dt.date
    office: Office | None
    indicators: list[Indicator]
    figures: list[progress.IndicatorProgress]
    rows: list[OfficeRow]
    monthly: dict[int, list[int]]  # indicator id -> 12 monthly counts, this year up to as_of
    monthly_last_year: dict[int, list[int]]
    regions: list[tuple[Region, int]]
    quiet_offices: list[tuple[Office, dt.date | None]]
    waiting: list[tuple[Office, int, dt.date]]
    health_days: tuple[int, int] = (HEALTH_QUIET_DAYS, HEALTH_WAITING_DAYS)
    notes: dict[int, ProgressNote] | None = None  # the office's latest, by indicator id

    @property
    def cards(self) -> list[tuple[progress.IndicatorProgress, ProgressNote | None]]:
        """Each indicator's figures with the office's latest note on it (none on the
        bureau's own figures: notes are the offices')."""
        notes = self.notes or {}
        return [(figure, notes.get(figure.indicator.pk)) for figure in self.figures]

    def chart_data(self) -> dict:
        """The series the page's script draws, as plain JSON-able data."""
        return {
            "year": self.year,
            "asOf": self.as_of.isoformat(),
            "daysInYear": progress.days_in_year(self.year),
            "indicators": [
                {
                    "id": f.indicator.pk,
                    "code": f.indicator.code,
                    "name": f.indicator.name,
                    "target": f.target,
                    "monthly": self.monthly.get(f.indicator.pk, [0] * 12),
                    "lastYear": self.monthly_last_year.get(f.indicator.pk, [0] * 12),
                }
                for f in self.figures
            ],
            "regions": [{"name": r.name, "count": n} for r, n in self.regions],
        }


def default_as_of(year: int, *, today: dt.date | None = None) -> dt.date:
    """The day a dashboard is taken as of when none is asked for: today for this year (or a
    year to come), the last day of a past year. Pages and the API use it alike."""
    today = today or timezone.localdate()
    return min(today, dt.date(year, 12, 31))


def _month_series(rows, year: int) -> dict[int, list[int]]:
    series: dict[int, list[int]] = {}
    for row_year, month, indicator_id, n in rows:
        if row_year == year:
            series.setdefault(indicator_id, [0] * 12)[month - 1] += n
    return series


def dashboard(
    *, year: int, as_of: dt.date, office: Office | None = None, notes: bool = True
) -> Dashboard:
    """The bureau's dashboard, or one office's (with its units) when `office` is given.

    Queries: indicators, bureau targets, office shares, offices, counts by office and
    indicator, the plans ahead, counts by month (this year and last), counts by region,
    regions, the reporting health per office, and (unless `notes` is false) the offices'
    latest progress notes: eleven, whatever the data. The counts come from a roll-up
    (activities.counts), as of today or of a past day.
    """
    figures_of = office_figures(year=year, as_of=as_of, office=office)
    all_offices, indicators = figures_of.offices, figures_of.indicators
    scope = None if office is None else {o.pk for o in all_offices}
    offices = figures_of.listed()
    year_end = dt.date(year, 12, 31)
    months = [
        (first_day.year, first_day.month, indicator_id, n)
        for first_day, indicator_id, n in counted_groups(
            start=dt.date(year - 1, 1, 1),
            end=year_end,
            as_of=as_of,
            by=("month", "indicator"),
            office_ids=scope,
        )
    ]
    region_counts = {
        region_id: n
        for region_id, n in counted_groups(
            start=dt.date(year, 1, 1), end=year_end, as_of=as_of, by=("region",), office_ids=scope
        )
        if region_id is not None
    }
    regions = sorted(
        ((region, region_counts.get(region.pk, 0)) for region in Region.objects.all()),
        key=lambda pair: (-pair[1], pair[0].code),
    )

    if office is None:
        rows = [
            figures_of.row(top, units=[o for o in offices if o.parent_id == top.pk])
            for top in offices
            if top.parent_id is None
        ]
        figures = figures_of.bureau()
    elif office.parent_id is None:
        rows = [figures_of.row(office, units=[o for o in offices if o.parent_id == office.pk])]
        figures = rows[0].figures
    else:
        rows = [figures_of.row(office)]
        figures = rows[0].figures

    latest = latest_notes(as_of=as_of, office_ids=scope) if notes else {}
    for row in rows:
        for line in (row, *row.units):
            line.notes = {i: n for (o, i), n in latest.items() if o == line.office.pk}

    # A closed office is not expected to log: only active ones are watched.
    health_offices = [
        o for o in offices if o.is_active and (office is not None or o.parent_id is None)
    ]
    quiet, waiting = _reporting_health(health_offices, as_of, all_offices, office)
    return Dashboard(
        year=year,
        as_of=as_of,
        office=office,
        indicators=indicators,
        figures=figures,
        rows=rows,
        monthly=_month_series(months, year),
        monthly_last_year=_month_series(months, year - 1),
        regions=regions,
        quiet_offices=quiet,
        waiting=waiting,
        notes=rows[0].notes if office is not None else None,
    )


def _reporting_health(offices, as_of, all_offices, office):
    """Offices with nothing logged for HEALTH_QUIET_DAYS, and submitted activities waiting
    for verification longer than HEALTH_WAITING_DAYS. One query, a few index lookups per
    office whatever the number of activities: the latest activity logged and the oldest
    submission waiting come from indexes, the number waiting is all submitted (the roll-up)
    less those submitted since."""
    parent_of = {o.pk: (o.parent_id or o.pk) for o in all_offices}
    roll_up = office is None  # the bureau sees offices with their units rolled up
    waiting_before = timezone.make_aware(
        dt.datetime.combine(as_of - dt.timedelta(days=HEALTH_WAITING_DAYS), dt.time.min)
    )
    of_office = {"lead_office_id": OuterRef("pk")}
    alive = Activity.objects.not_removed().filter(**of_office).order_by()
    submitted = alive.filter(status=Status.SUBMITTED)
    per_office = Office.objects.filter(pk__in=list(parent_of)).annotate(
        last_logged=Subquery(alive.order_by("-created_at").values("created_at")[:1]),
        oldest_waiting=Subquery(
            submitted.filter(counted_since__lt=waiting_before)
            .order_by("counted_since")
            .values("counted_since")[:1]
        ),
        all_submitted=Subquery(
            ActivityMonthCount.objects.filter(**of_office, status=Status.SUBMITTED)
            .order_by()
            .values("lead_office_id")
            .annotate(n=Sum("n"))
            .values("n")
        ),
        # COUNT(*), not of a column: the partial index of submissions holds all it reads.
        submitted_since=Subquery(
            submitted.filter(counted_since__gte=waiting_before)
            .values("lead_office_id")
            .annotate(n=Count("*"))
            .values("n")
        ),
    )
    last_logged: dict[int, dt.date] = {}
    waiting_counts: dict[int, list] = {}
    for row in per_office.values_list(
        "pk", "last_logged", "oldest_waiting", "all_submitted", "submitted_since"
    ):
        pk, created, oldest, all_submitted, since = row
        key = parent_of.get(pk, pk) if roll_up else pk
        if created is not None:
            day = timezone.localdate(created)
            if key not in last_logged or day > last_logged[key]:
                last_logged[key] = day
        waiting = (all_submitted or 0) - (since or 0)
        if oldest is not None and waiting > 0:
            entry = waiting_counts.setdefault(key, [0, oldest])
            entry[0] += waiting
            entry[1] = min(entry[1], oldest)
    quiet_since = as_of - dt.timedelta(days=HEALTH_QUIET_DAYS)
    # The longest silence first (never logged before any date), then the longest wait first:
    # the bureau acts from the top of each list.
    quiet = sorted(
        (
            (o, last_logged.get(o.pk))
            for o in offices
            if last_logged.get(o.pk) is None or last_logged[o.pk] < quiet_since
        ),
        key=lambda pair: (pair[1] is not None, pair[1] or dt.date.min),
    )
    waiting = sorted(
        (
            (o, waiting_counts[o.pk][0], timezone.localdate(waiting_counts[o.pk][1]))
            for o in offices
            if o.pk in waiting_counts
        ),
        key=lambda row: (row[2], -row[1]),
    )
    return quiet, waiting
