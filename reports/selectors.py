"""Reads that assemble progress figures. Plain data out; every count comes from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext

from activities.counts import counted_groups
from offices.models import (
    Indicator,
    Office,
    Region,
    is_within,
    shown_in_figures,
)
from offices.targets.selectors import year_targets
from planning.models import ProgressNote
from planning.selectors import NOTHING_AHEAD, Ahead, planned_ahead

from .progress import IndicatorProgress
from .report import (
    FIGURES_VERSION,
    MONTHS,
    OFFICES,
    QUARTERS,
    REGIONS,
    TABLE_LABELS,
    TOTALS,
    WITH_UNITS,
    FileLayout,
    Groups,
    Window,
    file_groups,
)


@dataclass
class OfficeRow:
    """One office's progress per indicator (its units rolled up into it), in the
    indicators' order, with its units' own rows under it."""

    office: Office
    figures: list[IndicatorProgress]
    units: list[OfficeRow] = field(default_factory=list)
    notes: dict[int, ProgressNote] = field(default_factory=dict)  # indicator id -> latest

    @property
    def cells(self) -> list[tuple[IndicatorProgress, ProgressNote | None]]:
        """Each indicator's figures with the office's latest note on it, for the tables."""
        return [(figure, self.notes.get(figure.indicator.pk)) for figure in self.figures]

    @property
    def achieved(self) -> list[int]:
        return [figure.achieved for figure in self.figures]


@dataclass(frozen=True)
class OfficeFigures:
    """The year so far, counted per office × indicator, with the bureau's targets and each
    office's share: the one reading behind every office × indicator figure of the
    dashboards, the offices page and the progress API (the reports count theirs from the
    file's groups, reports.report.file_groups, which the published-report comparison
    rebuilds). Every office and unit is here, active or not: what a deactivated unit
    counted still counts, for it and for its parent (docs/domain.md, "What counts")."""

    year: int
    as_of: dt.date
    offices: list[Office]  # every office and unit in the scope, active or not
    indicators: list[Indicator]  # those a table lists (offices.models.shown_in_figures)
    counts: dict[tuple[int, int], int]  # (lead office id, indicator id) -> counted
    bureau_targets: dict[int, int]
    shares: dict[tuple[int, int], int]  # (office id, indicator id) -> its target share
    # (lead office id, indicator id) -> plans still ahead (planning.selectors.planned_ahead)
    ahead: dict[tuple[int, int], Ahead] = field(default_factory=dict)

    def figures(self, office_ids: set[int], target_of) -> list[IndicatorProgress]:
        progress = []
        for indicator in self.indicators:
            ahead = sum(
                (self.ahead.get((o, indicator.pk), NOTHING_AHEAD) for o in office_ids),
                NOTHING_AHEAD,
            )
            progress.append(
                IndicatorProgress.year_so_far(
                    indicator,
                    achieved=sum(self.counts.get((o, indicator.pk), 0) for o in office_ids),
                    target=target_of(indicator),
                    year=self.year,
                    as_of=self.as_of,
                    confirmed_ahead=ahead.confirmed,
                    planned_ahead=ahead.planned,
                )
            )
        return progress

    def bureau(self) -> list[IndicatorProgress]:
        """Every office's activities against the bureau's targets."""
        return self.figures({o.pk for o in self.offices}, lambda i: self.bureau_targets.get(i.pk))

    def of_office(self, office: Office) -> list[IndicatorProgress]:
        """The office with its units (whether or not they are listed) against its share."""
        return self.figures(
            {o.pk for o in self.offices if is_within(o, office.pk)},
            lambda i: self.shares.get((office.pk, i.pk)),
        )

    def listed(self) -> list[Office]:
        """The offices and units a table lists: the active ones, and an inactive one with
        figures (or a share), or with a unit that has them."""
        with_figures = {o for o, _i in self.counts} | {o for o, _i in self.shares}
        for unit in self.offices:
            if unit.parent_id is not None and unit.pk in with_figures:
                with_figures.add(unit.parent_id)
        return shown_in_figures(self.offices, with_figures=with_figures)

    def row(self, office: Office, *, units: list[Office] = ()) -> OfficeRow:
        return OfficeRow(
            office=office,
            figures=self.of_office(office),
            units=[OfficeRow(office=u, figures=self.of_office(u)) for u in units],
        )


def office_figures(
    *, year: int, as_of: dt.date, office: Office | None = None, viewer=None
) -> OfficeFigures:
    """All offices, or one office with its units. Six queries whatever the data: bureau
    targets, shares, offices, counts (from a roll-up whatever the day, activities.counts),
    the plans ahead (planning.selectors.planned_ahead: only those `viewer` may see, when
    given) and indicators."""
    bureau_targets, shares = year_targets(year)
    offices = list(Office.objects.select_related("parent"))
    scope = None
    if office is not None:
        offices = [o for o in offices if is_within(o, office.pk)]
        scope = {o.pk for o in offices}
    counts = {
        (office_id, indicator_id): n
        for office_id, indicator_id, n in counted_groups(
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            as_of=as_of,
            by=("lead_office", "indicator"),
            office_ids=scope,
        )
    }
    ahead = planned_ahead(year=year, as_of=as_of, office_ids=scope, viewer=viewer)
    indicators = shown_in_figures(
        Indicator.objects.all(),
        with_figures={i for _o, i in counts} | set(bureau_targets) | {i for _o, i in shares},
    )
    return OfficeFigures(
        year=year,
        as_of=as_of,
        offices=offices,
        indicators=indicators,
        counts=counts,
        bureau_targets=bureau_targets,
        shares=shares,
        ahead=ahead,
    )


@dataclass
class FigureChange:
    """One figure of a published file that a fresh count no longer gives: in `table`, on
    the line `row` ((kind, key) as in `FileLayout.tables`), for one indicator."""

    table: str
    row: tuple[str, str]
    indicator_code: str
    was: int
    now: int
    table_label: str = ""
    row_label: str = ""
    indicator_label: str = ""

    @property
    def difference(self) -> int:
        return self.now - self.was


@dataclass
class ReportChanges:
    """How the figures a published file states differ from a fresh count of the same dates
    today, in the file's own terms: its totals, each office as it prints it (with its
    units) and each unit, its quarters, months and regions; and the reopened months of its
    period."""

    figures: list[FigureChange]
    swapped: bool  # every table the same, but not the same activities behind them
    reopenings: list
    partial: bool = False  # a file published before months and regions were kept with it

    @property
    def changed(self) -> bool:
        return bool(self.figures or self.swapped or self.reopenings)


def report_changes(reports: list) -> dict[int, ReportChanges]:
    """For each finished published report, what has changed since it was made. Two queries
    for any number of reports: the groups of every report's period side by side, and the
    reopenings granted since the oldest of them; a few more to name what changed, only if
    something did (and one for reports published before their layout was kept)."""
    from activities.models import PeriodReopening

    from .models import PublishedReport

    done = [r for r in reports if r.state == PublishedReport.State.DONE]
    if not done:
        return {}
    now = file_groups(
        {r.pk: Window(r.date_from, r.end, r.office_id) for r in done}  # counted now
    )

    reopened = list(
        PeriodReopening.objects.filter(
            state=PeriodReopening.State.GRANTED,
            decided_at__gt=min(r.completed_at for r in done),
        ).select_related("office")
    )

    changes = {}
    current_parents = None
    for report in done:
        if report.figures.get("version") == FIGURES_VERSION:
            layout = FileLayout.from_json(report.figures["layout"])
            was = {tuple(key): (n, s) for *key, n, s in report.figures["groups"]}
            fresh, partial = now[report.pk], False
        else:  # only (office, indicator) cells were kept: compare the totals and offices
            if current_parents is None:
                current_parents = dict(Office.objects.values_list("code", "parent__code"))
            was = {(o, i, "", None): (n, s) for o, i, n, s in report.figures.get("cells", [])}
            fresh = _by_office(now[report.pk])
            codes = sorted({i for _o, i, _m, _r in was} | {i for _o, i, _m, _r in fresh})
            layout = FileLayout(tuple(codes), current_parents, (), ())
            partial = True
        figures = _differences(layout, was, fresh, only=(TOTALS, OFFICES) if partial else None)
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
        changes[report.pk] = ReportChanges(
            figures=figures,
            swapped=not figures and was != fresh,
            reopenings=reopenings,
            partial=partial,
        )
    _name_changes([(report, change) for report in done if (change := changes[report.pk]).figures])
    return changes


def _by_office(groups: Groups) -> Groups:
    """Groups summed over months and regions: what a report of the first kind kept."""
    summed: Groups = {}
    for (office, indicator, _month, _region), (n, s) in groups.items():
        was_n, was_s = summed.get((office, indicator, "", None), (0, 0))
        summed[office, indicator, "", None] = (was_n + n, was_s + s)
    return summed


def _differences(
    layout: FileLayout, was: Groups, now: Groups, *, only: tuple[str, ...] | None = None
) -> list[FigureChange]:
    before, after = layout.tables(was), layout.tables(now)
    changed = []
    for table in TABLE_LABELS:
        if only is not None and table not in only:
            continue
        for row in sorted(before[table].keys() | after[table].keys()):
            old = before[table].get(row, [0] * len(layout.indicators))
            new = after[table].get(row, [0] * len(layout.indicators))
            changed += [
                FigureChange(table, row, code, old[at], new[at])
                for at, code in enumerate(layout.indicators)
                if old[at] != new[at]
            ]
    return changed


def _name_changes(changed: list[tuple]) -> None:
    """Each changed figure's table, line and indicator as the file prints them."""
    if not changed:
        return
    figures = [figure for _report, change in changed for figure in change.figures]
    offices = Office.objects.in_bulk(
        {f.row[1] for f in figures if f.table == OFFICES}, field_name="code"
    )
    regions = Region.objects.in_bulk(
        {f.row[1] for f in figures if f.table == REGIONS and f.row[1]}, field_name="code"
    )
    indicators = Indicator.objects.in_bulk({f.indicator_code for f in figures}, field_name="code")
    for report, change in changed:
        for figure in change.figures:
            figure.table_label = str(TABLE_LABELS[figure.table])
            indicator = indicators.get(figure.indicator_code)
            figure.indicator_label = indicator.name if indicator else figure.indicator_code
            figure.row_label = _row_label(report, figure, offices, regions)


def _row_label(report, figure: FigureChange, offices: dict, regions: dict) -> str:
    kind, key = figure.row
    if figure.table == TOTALS:
        return report.office.name if report.office_id else gettext("All offices")
    if figure.table == OFFICES:
        office = offices.get(key)
        name = office.name if office else key
        if kind == WITH_UNITS and office is not None and not office.parent_id:
            return gettext("%(office)s, with its units") % {"office": name}
        return name
    if figure.table == QUARTERS:
        return gettext("Q%(quarter)s %(year)s") % {
            "quarter": key[1:],
            "year": report.date_from.year,
        }
    if figure.table == MONTHS:
        year, month = (int(part) for part in key.split("-"))
        return formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")
    region = regions.get(key)
    return region.name if region else gettext("No region recorded")
