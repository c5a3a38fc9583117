"""What a report carries besides the counts: the offices' progress notes of its months, with
the bureau's replies, and the plans still ahead after its last counted day (the dashboards'
rule, planning.selectors.PLANNED_RULE). Read by `reports.report.report_data`, laid out by the
XLSX sheets below and by reports.pdf."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.exports import Column, Export
from offices.models import Indicator, Office, is_within
from planning.models import ProgressNote
from planning.selectors import NOTHING_AHEAD, notes_between, planned_ahead

if TYPE_CHECKING:
    from .report import ReportData, ReportScope


@dataclass(frozen=True)
class PlannedLine:
    """One office (with its units) or unit, one indicator: the plans ahead."""

    office: Office
    with_units: bool
    indicator: Indicator
    confirmed: int
    planned: int


def read_notes_and_plans(
    scope: ReportScope,
    *,
    covered: list[Office],
    listed: list[Office],
    parents: dict[str, str | None],
    indicators: list[Indicator],
) -> tuple[list[ProgressNote], list[PlannedLine]]:
    """Two queries: the notes of the report's months, and the plans ahead of its end, both
    of the offices it covers. Plans are listed as the offices are, a top office with its
    units rolled up and each unit under it; lines with nothing planned are left out."""
    covered_ids = {o.pk for o in covered}
    notes = notes_between(start=scope.date_from, end=scope.date_to, office_ids=covered_ids)
    ahead = planned_ahead(year=scope.year, as_of=scope.end, office_ids=covered_ids)
    lines = []
    for office in listed:
        with_units = parents[office.code] is None
        ids = {o.pk for o in covered if is_within(o, office.pk)} if with_units else {office.pk}
        for indicator in indicators:
            total = sum((ahead.get((o, indicator.pk), NOTHING_AHEAD) for o in ids), NOTHING_AHEAD)
            if total.confirmed or total.planned:
                lines.append(
                    PlannedLine(office, with_units, indicator, total.confirmed, total.planned)
                )
    order = {office.pk: position for position, office in enumerate(_printed_order(listed, parents))}
    lines.sort(key=lambda line: order[line.office.pk])  # stable: indicators stay in order
    # Notes follow the offices as the tables print them (an office, then its units); the
    # query's order (indicator, month) is kept within each office.
    notes.sort(key=lambda note: order.get(note.office_id, len(order)))
    return notes, lines


def _printed_order(listed: list[Office], parents: dict[str, str | None]) -> list[Office]:
    """Each top office followed by its units, as the report's tables print them."""
    printed = []
    for office in listed:
        if parents[office.code] is None:
            printed.append(office)
            printed += [o for o in listed if parents[o.code] == office.code]
    return printed


def month_label(note: ProgressNote) -> str:
    return formats.date_format(note.first_day, "YEAR_MONTH_FORMAT")


class NotesSheet(Export):
    """The offices' notes of the report's months, with the bureau's replies."""

    sheet_title = _("Notes")
    columns = (
        Column(_("Office code"), 8),
        Column(_("Office or unit"), 30),
        Column(_("Indicator"), 24),
        Column(_("Month"), 12),
        Column(_("Note"), 60),
        Column(_("The bureau's reply"), 50),
    )

    def __init__(self, data: ReportData) -> None:
        self.data = data

    def rows(self) -> Iterator[Sequence[Any]]:
        for note in self.data.notes:
            yield (
                note.office.code,
                note.office.name,
                note.indicator.name,
                month_label(note),
                note.text,
                note.reply,
            )


class PlansAheadSheet(Export):
    """The plans still ahead after the report's last counted day, by office and indicator."""

    sheet_title = _("Plans ahead")
    columns = (
        Column(_("Office code"), 8),
        Column(_("Office or unit"), 30),
        Column(_("Line"), 14),
        Column(_("Indicator"), 24),
        Column(_("Confirmed ahead"), 12),
        Column(_("Planned, not yet confirmed"), 14),
    )

    def __init__(self, data: ReportData) -> None:
        self.data = data

    def rows(self) -> Iterator[Sequence[Any]]:
        office_label, unit_label = gettext("Office, with units"), gettext("Unit only")
        for line in self.data.planned:
            yield (
                line.office.code,
                line.office.name,
                office_label if line.with_units else unit_label,
                line.indicator.name,
                line.confirmed,
                line.planned,
            )
