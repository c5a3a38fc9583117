"""Targets administration: the office × indicator grid of one year, its history, and the
two writes (save the grid, copy last year's targets forward).

Who may look, the reads (selectors), then the writes (services), as in STYLE.md.

Rules (issue 4, DOMAIN.md "Targets and progress"):

- A target is a minimum ("no less than"): a whole number from 1 to 1,000,000.
- The bureau-wide target stands on its own; an office's share is optional. An office
  with no share of its own is measured against the bureau target only.
- Once a year has started (today, Hong Kong time, is on or after 1 January of it), every
  change to its targets needs a reason, kept as simple-history's change reason.
- A cleared cell deletes the target row; its history stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from django.utils import timezone
from django.utils.translation import gettext as _

from common.merge import three_way

from .models import AnnualTarget, Indicator, Office, OfficeTarget
from .target_conflicts import TargetsChangedError, changed_cells

__all__ = ["TargetsChangedError"]  # raised by targets_save, caught by the pages

MIN_TARGET = 1
MAX_TARGET = 1_000_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
REASON_MAX_LENGTH = 100
"""simple-history's change-reason column is a CharField(max_length=100)."""


# --- who may look -----------------------------------------------------------------------


def can_view_targets(user) -> bool:
    """The bureau reads targets (DOMAIN.md, "Who"); office staff and supervisors do not."""
    return bool(user.is_authenticated and user.is_active and user.is_bureau)


def can_edit_targets(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_bureau_admin)


def year_has_started(year: int, *, today: dt.date | None = None) -> bool:
    """A KPI year starts on 1 January, Hong Kong time."""
    today = today or timezone.localdate()
    return today >= dt.date(year, 1, 1)


def is_valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def year_choices(year: int, *, today: dt.date | None = None) -> list[int]:
    """The years offered by the year selector: five back and two ahead of this year and of
    the year shown."""
    this_year = (today or timezone.localdate()).year
    first = max(FIRST_YEAR, min(year, this_year) - 5)
    last = min(LAST_YEAR, max(year, this_year) + 2)
    return list(range(first, last + 1))


# The names of the grid's cells: the form's field names and the keys of the service's errors.


def bureau_key(indicator_id: int) -> str:
    return f"bureau-{indicator_id}"


def share_key(office_id: int, indicator_id: int) -> str:
    return f"share-{office_id}-{indicator_id}"


# --- reads ------------------------------------------------------------------------------


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


# --- writes -----------------------------------------------------------------------------


@dataclass
class TargetChange:
    indicator: Indicator
    office: Office | None
    old: int | None
    new: int | None


def _require_editor(user) -> None:
    if not can_edit_targets(user):
        raise PermissionDenied(_("Only bureau admins set targets."))


def _check_year(year: int) -> None:
    if not is_valid_year(year):
        raise ValidationError(
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


def _value_error(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Enter a whole number.")
    if value < MIN_TARGET:
        return _("Enter a whole number of %(min)s or more.") % {"min": MIN_TARGET}
    if value > MAX_TARGET:
        return _("Enter a number no larger than %(max)s.") % {"max": f"{MAX_TARGET:,}"}
    return None


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason to %(max)s characters or fewer.")
                % {"max": REASON_MAX_LENGTH}
            }
        )
    return reason


def _write(obj, *, user, reason: str, delete: bool = False) -> None:
    obj._history_user = user
    obj._change_reason = reason or None
    if delete:
        obj.delete()
    else:
        obj.full_clean()
        obj.save()


@transaction.atomic
def targets_save(
    *,
    user,
    year: int,
    bureau: dict[int, int | None],
    shares: dict[tuple[int, int], int | None],
    reason: str = "",
    seen_bureau: dict[int, int | None] | None = None,
    seen_shares: dict[tuple[int, int], int | None] | None = None,
) -> list[TargetChange]:
    """Save the grid of one year, all of it or nothing. `bureau` maps an indicator's id to
    its bureau target, `shares` an (office id, indicator id) pair to the office's share;
    None clears the cell (the row is deleted; its history stays). Cells left out of the
    dicts are not touched. Returns what changed; nothing is written when nothing changed.

    `seen_bureau` / `seen_shares` are the values the person saw when the grid was opened:
    if someone else changed one of the cells sent since, nothing is saved and
    TargetsChangedError carries the grid merged three ways (common/merge.py), so that
    nobody overwrites a colleague's change, and nobody puts back a value they never touched.

    Raises ValidationError keyed by `bureau_key()` / `share_key()` / "reason"."""
    _require_editor(user)
    _check_year(year)
    reason = _clean_reason(reason)

    indicators = {i.pk: i for i in grid_indicators(year)}
    offices = {o.pk: o for o in grid_offices()}
    unknown = [i for i in bureau if i not in indicators] + [
        pair for pair in shares if pair[0] not in offices or pair[1] not in indicators
    ]
    if unknown:
        raise ValidationError(
            _("The list of offices or indicators has changed. Reload the page and try again.")
        )

    errors: dict[str, str] = {}
    for indicator_id, value in bureau.items():
        if message := _value_error(value):
            errors[bureau_key(indicator_id)] = message
    for (office_id, indicator_id), value in shares.items():
        if message := _value_error(value):
            errors[share_key(office_id, indicator_id)] = message
    if errors:
        raise ValidationError(errors)

    existing_bureau = {
        t.indicator_id: t for t in AnnualTarget.objects.select_for_update().filter(year=year)
    }
    existing_shares = {
        (t.office_id, t.indicator_id): t
        for t in OfficeTarget.objects.select_for_update().filter(year=year)
    }

    base: dict[str, int | None] = {}
    mine: dict[str, int | None] = {}
    theirs: dict[str, int | None] = {}
    for indicator_id, seen in (seen_bureau or {}).items():
        if indicator_id in indicators:
            key = bureau_key(indicator_id)
            row = existing_bureau.get(indicator_id)
            base[key], theirs[key] = seen, row.target if row else None
            if indicator_id in bureau:
                mine[key] = bureau[indicator_id]
    for (office_id, indicator_id), seen in (seen_shares or {}).items():
        if office_id in offices and indicator_id in indicators:
            key = share_key(office_id, indicator_id)
            row = existing_shares.get((office_id, indicator_id))
            base[key], theirs[key] = seen, row.target if row else None
            if (office_id, indicator_id) in shares:
                mine[key] = shares[(office_id, indicator_id)]
    merge = three_way(base, mine, theirs)
    # A colleague's change to a cell the person sent back: they have not seen it, and
    # saving their page as it is would put the old value back.
    if merge.theirs_changed & set(mine):
        changes = changed_cells(
            year=year,
            merge=merge,
            base=base,
            mine=mine,
            theirs=theirs,
            cells=[(bureau_key(i), indicator, None) for i, indicator in indicators.items()]
            + [
                (share_key(o, i), indicator, office)
                for o, office in offices.items()
                for i, indicator in indicators.items()
            ],
        )
        raise TargetsChangedError(changes, values=merge.values, latest=theirs)

    # (change, existing row or None)
    planned: list[tuple[TargetChange, AnnualTarget | OfficeTarget | None]] = []
    for indicator_id, value in bureau.items():
        row = existing_bureau.get(indicator_id)
        old = row.target if row else None
        if old != value:
            planned.append((TargetChange(indicators[indicator_id], None, old, value), row))
    for (office_id, indicator_id), value in shares.items():
        row = existing_shares.get((office_id, indicator_id))
        old = row.target if row else None
        if old != value:
            planned.append(
                (TargetChange(indicators[indicator_id], offices[office_id], old, value), row)
            )

    if planned and not reason and year_has_started(year):
        raise ValidationError(
            {
                "reason": _(
                    "%(year)s has started: give the reason for the change. It is kept in "
                    "the targets' history."
                )
                % {"year": year}
            }
        )

    for change, row in planned:
        if change.new is None:
            _write(row, user=user, reason=reason, delete=True)
            continue
        if row is None:
            if change.office is None:
                row = AnnualTarget(year=year, indicator=change.indicator)
            else:
                row = OfficeTarget(year=year, indicator=change.indicator, office=change.office)
        row.target = change.new
        _write(row, user=user, reason=reason)
    return [change for change, _row in planned]


@transaction.atomic
def targets_copy_forward(*, user, year: int, reason: str = "") -> int:
    """Copy the previous year's targets into the empty cells of `year`, as a starting
    point; a value already set is never overwritten. Copying into a year that has started
    adds targets to it, so it needs a reason like any other change. Returns how many
    targets were copied."""
    _require_editor(user)
    _check_year(year)
    _check_year(year - 1)
    reason = _clean_reason(reason)
    items = copy_forward_preview(year=year)
    if items and not reason and year_has_started(year):
        raise ValidationError(
            {
                "reason": _("%(year)s has started: give the reason for adding these targets.")
                % {"year": year}
            }
        )
    history_reason = reason or _("Copied from %(year)s") % {"year": year - 1}
    for item in items:
        if item.office is None:
            row = AnnualTarget(year=year, indicator=item.indicator, target=item.target)
        else:
            row = OfficeTarget(
                year=year, indicator=item.indicator, office=item.office, target=item.target
            )
        _write(row, user=user, reason=history_reason[:REASON_MAX_LENGTH])
    return len(items)
