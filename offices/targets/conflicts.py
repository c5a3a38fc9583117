"""Targets saved by someone else after a person opened the grid: which cells, who saved
them and when, and what became of each when the grid is merged three ways
(common/merge.py) for the person to check and save again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from common.merge import Merge, three_way

from ..models import AnnualTarget, Indicator, Office, OfficeTarget


@dataclass
class ChangedCell:
    """A cell someone else changed since the person opened the grid, who did it and when,
    and what became of it: "theirs" (taken into the grid, the person had not touched it),
    "same" (both entered the same value) or "conflict" (the person chooses)."""

    key: str
    indicator: Indicator
    office: Office | None  # None: the bureau-wide target
    old: int | None  # as the person saw it; None when unknown or empty
    new: int | None
    mine: int | None
    by: object
    at: dt.datetime | None
    outcome: str

    @property
    def is_conflict(self) -> bool:
        return self.outcome == "conflict"


class TargetsChangedError(Exception):
    """Someone saved targets of this year after the grid was opened; nothing was saved.
    The grid is merged three ways (common/merge.py): `values` is what to offer in each cell
    the person submitted, `latest` the values it was merged with (what the person has now
    "seen"), `changes` the cells someone else changed."""

    def __init__(self, changes: list[ChangedCell], values: dict[str, int | None], latest):
        self.changes = changes
        self.values = values
        self.latest = latest
        super().__init__("The targets changed since the grid was opened.")

    @property
    def conflicts(self) -> list[ChangedCell]:
        return [change for change in self.changes if change.is_conflict]


def _last_changed(
    year: int, cells: dict[str, tuple[int | None, int]]
) -> dict[str, tuple[object, dt.datetime]]:
    """Who last changed each cell ((office id or None, indicator id) by key), and when:
    two queries, one per model's history."""
    bureau_ids = [cell[1] for cell in cells.values() if cell[0] is None]
    share_pairs = {cell for cell in cells.values() if cell[0] is not None}
    found: dict[tuple, tuple[object, dt.datetime]] = {}
    if bureau_ids:
        for version in (
            AnnualTarget.history.filter(year=year, indicator_id__in=bureau_ids)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        ):
            found.setdefault(
                (None, version.indicator_id), (version.history_user, version.history_date)
            )
    if share_pairs:
        for version in (
            OfficeTarget.history.filter(
                year=year,
                office_id__in={o for o, _i in share_pairs},
                indicator_id__in={i for _o, i in share_pairs},
            )
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        ):
            pair = (version.office_id, version.indicator_id)
            if pair in share_pairs:
                found.setdefault(pair, (version.history_user, version.history_date))
    return {key: found[cell] for key, cell in cells.items() if cell in found}


def changed_cells(
    *,
    year: int,
    merge: Merge,
    base: dict[str, int | None] | None,
    mine: dict[str, int | None],
    theirs: dict[str, int | None],
    cells: list[tuple[str, Indicator, Office | None]],
) -> list[ChangedCell]:
    """The cells someone else changed, in the order of `cells` (key, indicator, office),
    each with who changed it last and when."""
    changed = [cell for cell in cells if cell[0] in merge.theirs_changed]
    who = _last_changed(
        year,
        {key: (office.pk if office else None, indicator.pk) for key, indicator, office in changed},
    )
    return [
        ChangedCell(
            key=key,
            indicator=indicator,
            office=office,
            old=base.get(key) if base is not None else None,
            new=theirs.get(key),
            mine=mine.get(key),
            by=who.get(key, (None, None))[0],
            at=who.get(key, (None, None))[1],
            outcome=merge.outcome(key),
        )
        for key, indicator, office in changed
    ]


def cells_to_choose(
    *,
    year: int,
    mine: dict[str, int | None],
    theirs: dict[str, int | None],
    cells: list[tuple[str, Indicator, Office | None]],
) -> list[ChangedCell]:
    """The cells still to be chosen on a merged grid sent back without a choice: the
    person's value against the one they were shown, with who saved that one and when."""
    return changed_cells(
        year=year,
        merge=three_way(None, mine, theirs),
        base=None,
        mine=mine,
        theirs=theirs,
        cells=cells,
    )
