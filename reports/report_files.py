"""A report's files: XLSX (one sheet per section), PDF (reports.pdf) and CSV (the counted
activities). The sections are `Export`s of `common.exports`, so every cell goes through the
one writer that types numbers and dates and neutralises formula-looking text."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.exports import ActivityExport
from common.exports import CSV_CONTENT_TYPE, Column, Export, write_csv
from common.xlsx import XLSX_CONTENT_TYPE, write_xlsx
from planning.selectors import PLANNED_RULE

from . import progress as progress_rules
from .notes_and_plans import NotesSheet, PlansAheadSheet
from .report import ReportData, ReportScope

PDF_CONTENT_TYPE = "application/pdf"
FORMATS = {
    "xlsx": (_("Excel workbook (XLSX)"), XLSX_CONTENT_TYPE),
    "pdf": (_("Printable document (PDF)"), PDF_CONTENT_TYPE),
    "csv": (_("Counted activities (CSV)"), CSV_CONTENT_TYPE),
}

Progress = Callable[[int], None]


def _indicator_columns(data: ReportData, width: int = 10) -> list[Column]:
    return [Column(indicator.name, width) for indicator in data.indicators]


class AboutSheet(Export):
    """What the workbook is: title, dates, data cut, scope; read before the numbers."""

    sheet_title = _("Report")
    columns = (Column(_("Item"), 24), Column(_("Value"), 60))

    def __init__(self, data: ReportData) -> None:
        self.data = data

    def rows(self) -> Iterator[Sequence[Any]]:
        scope = self.data.scope
        yield (gettext("Report"), scope.title())
        yield (gettext("From"), scope.date_from)
        yield (gettext("To"), scope.date_to)
        yield (gettext("Data as of"), scope.as_of)
        yield (gettext("Offices"), scope.office.name if scope.office else gettext("All offices"))
        yield (gettext("Activities counted"), self.data.activity_count)
        yield (gettext("Generated at"), timezone.localtime(self.data.made_at))
        yield (
            gettext("What counts"),
            gettext(
                "Submitted or verified activities that were not removed, once for their lead "
                "office, on the date they took place. Units roll up into their office."
            ),
        )
        yield (gettext("Status"), str(progress_rules.STATUS_RULE))
        yield (gettext("Arithmetic"), str(progress_rules.ARITHMETIC_RULE))
        yield (gettext("Plans ahead"), str(PLANNED_RULE))


class SummarySheet(Export):
    sheet_title = _("Summary")
    columns = (
        Column(_("Indicator"), 30),
        Column(_("Annual target"), 10),
        Column(_("Achieved"), 10),
        Column(_("Per cent of target"), 10),
        Column(_("Expected at a steady pace"), 12),
        Column(_("Projected year-end"), 12),
        Column(_("Status"), 10),
        Column(_("Still needed"), 10),
        Column(_("Needed per month"), 10),
    )

    def __init__(self, data: ReportData) -> None:
        self.data = data

    def rows(self) -> Iterator[Sequence[Any]]:
        for line in self.data.summary:
            yield (
                line.indicator.name,
                line.target,
                line.achieved,
                line.percent,
                line.expected_rounded,
                line.projected,
                line.status_label or gettext("Not judged"),
                line.still_needed,
                line.needed_per_month,
            )


class OfficesSheet(Export):
    """Offices with their units rolled up; each unit's own line follows its office."""

    sheet_title = _("By office")

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.columns = [
            Column(_("Office code"), 8),
            Column(_("Office or unit"), 36),
            Column(_("Line"), 14),
            *_indicator_columns(data),
            Column(_("Total"), 8),
        ]

    def rows(self) -> Iterator[Sequence[Any]]:
        office_label, unit_label = gettext("Office, with units"), gettext("Unit only")
        for line in self.data.offices:
            yield (line.office.code, line.office.name, office_label, *line.counts, line.total)
            for unit in line.units:
                yield (unit.office.code, unit.office.name, unit_label, *unit.counts, unit.total)


class OfficeProgressSheet(Export):
    """Each office's (and unit's) progress against its own share of each target, by the
    dashboards' rule: an office without a share is measured against the bureau target only,
    so it has no per cent or status of its own (docs/domain.md, "Targets and progress")."""

    sheet_title = _("Progress by office")
    columns = (
        Column(_("Office code"), 8),
        Column(_("Office or unit"), 36),
        Column(_("Line"), 14),
        Column(_("Indicator"), 30),
        Column(_("Office target"), 10),
        Column(_("Achieved"), 10),
        Column(_("Per cent of target"), 10),
        Column(_("Still needed"), 10),
        Column(_("Status"), 14),
    )

    def __init__(self, data: ReportData) -> None:
        self.data = data

    def rows(self) -> Iterator[Sequence[Any]]:
        office_label, unit_label = gettext("Office, with units"), gettext("Unit only")
        for line in self.data.offices:
            yield from self._lines(line, office_label)
            for unit in line.units:
                yield from self._lines(unit, unit_label)

    def _lines(self, line, label: str) -> Iterator[Sequence[Any]]:
        for figures in line.progress:
            yield (
                line.office.code,
                line.office.name,
                label,
                figures.indicator.name,
                figures.target,
                figures.achieved,
                figures.percent,
                figures.still_needed,
                status_text(figures),
            )


def status_text(figures: progress_rules.IndicatorProgress) -> str:
    """The status, or why there is none: no target of its own, or too early to judge."""
    if figures.status is not None:
        return figures.status_label
    return gettext("No target of its own") if not figures.target else gettext("Not judged")


class PeriodsSheet(Export):
    def __init__(self, data: ReportData, *, quarters: bool) -> None:
        self.lines = data.quarters if quarters else data.months
        self.sheet_title = _("By quarter") if quarters else _("By month")
        self.columns = [
            Column(_("Quarter") if quarters else _("Month"), 12),
            Column(_("From"), 10),
            Column(_("To"), 10),
            *_indicator_columns(data),
            Column(_("Total"), 8),
        ]

    def rows(self) -> Iterator[Sequence[Any]]:
        for line in self.lines:
            yield (line.label, line.start, line.end, *line.counts, line.total)


class RegionsSheet(Export):
    sheet_title = _("By region")

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.columns = [
            Column(_("Region code"), 8),
            Column(_("Region"), 24),
            *_indicator_columns(data),
            Column(_("Total"), 8),
        ]

    def rows(self) -> Iterator[Sequence[Any]]:
        for line in self.data.regions:
            code = line.region.code if line.region is not None else ""
            yield (code, line.label, *line.counts, line.total)


def counted_activities(scope: ReportScope, progress: Progress | None = None) -> ActivityExport:
    """The activities behind the figures, by date: what a LegCo question is answered from."""
    queryset = (
        scope.activities()
        .select_related("lead_office", "indicator", "region", "reviewed_by", "created_by")
        .order_by("occurred_on", "pk")
    )
    export = ActivityExport(queryset, filename=scope.filename(), progress=progress)
    export.sheet_title = _("Activities counted")
    return export


def write_report(
    data: ReportData, fmt: str, fileobj: IO[bytes], *, progress: Progress | None = None
) -> None:
    """Write the report in `fmt` (a key of FORMATS). `progress` is told how many of the
    counted activities have been written, for a background job to report."""
    if fmt == "xlsx":
        write_xlsx(
            fileobj,
            AboutSheet(data),
            SummarySheet(data),
            OfficesSheet(data),
            OfficeProgressSheet(data),
            PeriodsSheet(data, quarters=True),
            PeriodsSheet(data, quarters=False),
            RegionsSheet(data),
            NotesSheet(data),
            PlansAheadSheet(data),
            counted_activities(data.scope, progress),
        )
    elif fmt == "csv":
        write_csv(counted_activities(data.scope, progress), fileobj)
    elif fmt == "pdf":
        from .pdf import write_pdf

        write_pdf(data, fileobj)
    else:
        raise ValueError(f"Unknown report format: {fmt}")


def content_type(fmt: str) -> str:
    return FORMATS[fmt][1]
