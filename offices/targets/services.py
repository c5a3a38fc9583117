"""The targets' writes: save the grid (three-way merged when someone else saved first), and copy last year's targets forward. Only bureau admins write (offices.access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.merge import three_way

from ..access import require_can_edit_targets
from ..models import AnnualTarget, Indicator, Office, OfficeTarget
from .conflicts import TargetsChangedError, changed_cells
from .rules import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_TARGET,
    MIN_TARGET,
    REASON_MAX_LENGTH,
    bureau_key,
    is_valid_year,
    share_key,
    year_has_started,
)
from .selectors import copy_forward_preview, grid_indicators, grid_offices


@dataclass
class TargetChange:
    indicator: Indicator
    office: Office | None
    old: int | None
    new: int | None


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
    require_can_edit_targets(user)
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
    require_can_edit_targets(user)
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
