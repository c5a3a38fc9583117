"""The targets' reads: the office × indicator grid of one year, what copying last year forward would do, and the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Lag

from ..models import AnnualTarget, Indicator, Office, OfficeTarget
from .rules import bureau_key, share_key, year_has_started


def grid_offices() -> QuerySet[Office]:
    """The rows below the bureau's: the Mainland Offices (units roll up into them)."""
    return Office.objects.top_level().active().order_by("sort_order", "code")


def grid_indicators(year: int) -> QuerySet[Indicator]:
    """Every active indicator, and any retired one that still has a target that year, so a
    past year's screen shows everything that was set for it."""
    return Indicator.objects.filter(
        Q(is_active=True)
        | Exists(AnnualTarget.objects.filter(year=year, indicator=OuterRef("pk")))
        | Exists(OfficeTarget.objects.filter(year=year, indicator=OuterRef("pk")))
    ).order_by("display_order", "code")


@dataclass
class IndicatorColumn:
    """One indicator of the grid with the sum of its office shares against its bureau
    target. Only the shares of the offices shown in the grid count."""

    indicator: Indicator
    bureau_target: int | None
    shares_total: int
    shares_count: int

    @property
    def status(self) -> str:
        """unset: no target at all; none: a bureau target and no shares (the offices are
        measured against it); no_bureau: shares without a bureau target; short, over,
        match: the sum of the shares against the bureau target."""
        if self.shares_count == 0:
            return "unset" if self.bureau_target is None else "none"
        if self.bureau_target is None:
            return "no_bureau"
        if self.shares_total < self.bureau_target:
            return "short"
        if self.shares_total > self.bureau_target:
            return "over"
        return "match"

    @property
    def difference(self) -> int:
        """How far the shares are from the bureau target, always positive."""
        return abs((self.bureau_target or 0) - self.shares_total)


@dataclass
class GridCell:
    key: str
    indicator: Indicator
    office: Office | None
    value: int | None
    field: object = None  # the bound form field, for an editor


@dataclass
class GridRow:
    office: Office | None  # None: the bureau-wide row
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class TargetGrid:
    year: int
    started: bool
    columns: list[IndicatorColumn]
    offices: list[Office]
    shares: dict[tuple[int, int], int]

    @property
    def indicators(self) -> list[Indicator]:
        return [column.indicator for column in self.columns]

    @property
    def bureau(self) -> dict[int, int | None]:
        return {c.indicator.pk: c.bureau_target for c in self.columns}

    def rows(self) -> list[GridRow]:
        """The bureau-wide row first, then one row per office, each with a cell per indicator."""
        rows = [
            GridRow(
                office=None,
                cells=[
                    GridCell(bureau_key(c.indicator.pk), c.indicator, None, c.bureau_target)
                    for c in self.columns
                ],
            )
        ]
        for office in self.offices:
            rows.append(
                GridRow(
                    office=office,
                    cells=[
                        GridCell(
                            share_key(office.pk, indicator.pk),
                            indicator,
                            office,
                            self.shares.get((office.pk, indicator.pk)),
                        )
                        for indicator in self.indicators
                    ],
                )
            )
        return rows

    def _with(self, status: str) -> list[IndicatorColumn]:
        return [c for c in self.columns if c.status == status]

    @property
    def short(self) -> list[IndicatorColumn]:
        return self._with("short")

    @property
    def over(self) -> list[IndicatorColumn]:
        return self._with("over")

    @property
    def without_bureau(self) -> list[IndicatorColumn]:
        return self._with("no_bureau")

    @property
    def unset(self) -> list[IndicatorColumn]:
        return self._with("unset")


def target_grid(*, year: int, today: dt.date | None = None) -> TargetGrid:
    """The year's targets in three queries, whatever the number of offices or indicators:
    the indicators with their bureau target and the sum and count of their office shares,
    the offices, and the shares."""
    offices = list(grid_offices())
    office_ids = grid_offices().values("pk")
    shares_of_indicator = (
        OfficeTarget.objects.filter(year=year, indicator=OuterRef("pk"), office__in=office_ids)
        .order_by()
        .values("indicator")
    )
    indicators = grid_indicators(year).annotate(
        bureau_target=Subquery(
            AnnualTarget.objects.filter(year=year, indicator=OuterRef("pk")).values("target")[:1]
        ),
        shares_total=Subquery(
            shares_of_indicator.annotate(total=Sum("target")).values("total"),
            output_field=IntegerField(),
        ),
        shares_count=Subquery(
            shares_of_indicator.annotate(n=Count("pk")).values("n"), output_field=IntegerField()
        ),
    )
    columns = [
        IndicatorColumn(
            indicator=indicator,
            bureau_target=indicator.bureau_target,
            shares_total=indicator.shares_total or 0,
            shares_count=indicator.shares_count or 0,
        )
        for indicator in indicators
    ]
    shares = {
        (office_id, indicator_id): target
        for office_id, indicator_id, target in OfficeTarget.objects.filter(
            year=year, office__in=office_ids
        ).values_list("office_id", "indicator_id", "target")
    }
    return TargetGrid(
        year=year,
        started=year_has_started(year, today=today),
        columns=columns,
        offices=offices,
        shares=shares,
    )


@dataclass
class CopyItem:
    """A target of the previous year that will fill an empty cell."""

    indicator: Indicator
    office: Office | None  # None: the bureau-wide target
    target: int


def copy_forward_preview(*, year: int) -> list[CopyItem]:
    """What "Copy from the previous year" would copy into `year`: the previous year's
    bureau targets and office shares of active indicators (and active Mainland Offices)
    whose cell in `year` is empty. Two queries."""
    previous = year - 1
    active = Indicator.objects.filter(is_active=True)
    bureau = (
        AnnualTarget.objects.filter(year=previous, indicator__in=active)
        .exclude(Exists(AnnualTarget.objects.filter(year=year, indicator=OuterRef("indicator"))))
        .select_related("indicator")
        .order_by("indicator__display_order", "indicator__code")
    )
    shares = (
        OfficeTarget.objects.filter(
            year=previous, indicator__in=active, office__in=grid_offices().values("pk")
        )
        .exclude(
            Exists(
                OfficeTarget.objects.filter(
                    year=year, indicator=OuterRef("indicator"), office=OuterRef("office")
                )
            )
        )
        .select_related("indicator", "office")
        .order_by("office__sort_order", "office__code", "indicator__display_order")
    )
    return [CopyItem(t.indicator, None, t.target) for t in bureau] + [
        CopyItem(t.indicator, t.office, t.target) for t in shares
    ]


@dataclass
class HistoryEntry:
    """One version of one target: who made it when, the value before and after, why."""

    when: dt.datetime
    who: object  # the user, or None when made outside a request (a command, a migration)
    office: Office | None  # None: the bureau-wide target
    indicator: Indicator
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's history_type)
    old: int | None
    new: int | None
    reason: str


def _versions(model, year: int, *related: str) -> list:
    """The model's history for the year, newest first, each version with the value of the
    version before it of the same target (a window over that target's own history)."""
    return list(
        model.history.filter(year=year)
        .select_related("history_user", *related)
        .annotate(
            previous_target=Window(
                Lag("target"),
                partition_by=[F("id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
        .order_by("-history_date", "-history_id")
    )


def _entry(version) -> HistoryEntry:
    deleted = version.history_type == "-"
    return HistoryEntry(
        when=version.history_date,
        who=version.history_user,
        office=getattr(version, "office", None),
        indicator=version.indicator,
        kind=version.history_type,
        # A deletion's version carries the value it deleted.
        old=version.target if deleted else version.previous_target,
        new=None if deleted else version.target,
        reason=version.history_change_reason or "",
    )


def target_history(*, year: int) -> list[HistoryEntry]:
    """Every version of every target of the year, bureau-wide and office, newest first.
    Two queries (one per model), whatever the number of versions."""
    entries = [_entry(v) for v in _versions(AnnualTarget, year, "indicator")]
    entries += [_entry(v) for v in _versions(OfficeTarget, year, "indicator", "office")]
    entries.sort(key=lambda e: e.when, reverse=True)  # stable: ties keep their order
    return entries


def year_targets(year: int) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """The year's targets as figures read them (two queries): the bureau's per indicator id,
    and each office's share per (office id, indicator id)."""
    bureau = dict(AnnualTarget.objects.filter(year=year).values_list("indicator_id", "target"))
    shares = {
        (office_id, indicator_id): target
        for office_id, indicator_id, target in OfficeTarget.objects.filter(year=year).values_list(
            "office_id", "indicator_id", "target"
        )
    }
    return bureau, shares
