"""The annual and progress reports as a printable, bilingual PDF: `write_pdf` and the
document's sections in the order they are printed.

The figures are those of `reports.report.report_data`; this module only lays them out. Only
the script of the Chinese follows the request: Simplified when it is in "zh-hans", Traditional
otherwise (see `fonts.chinese_variant`).
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.utils import timezone
from fpdf.fonts import FontFace

from ..report import ANNUAL, OfficeLine, PeriodLine, ReportData
from . import charts, direction, layout
from .fonts import chinese_variant, installed_fonts
from .labels import (
    AUTHOR,
    LABELS,
    MONTHS,
    chinese_date,
    english_date,
    in_english,
    number,
    percent,
)
from .layout import GREY, NAVY, Column, Line, ReportPDF

PORTRAIT_MAX_INDICATORS = 6  # beyond this the tables' columns get too narrow on A4 portrait


def write_pdf(data: ReportData, fileobj: IO[bytes]) -> None:
    """Write the report to `fileobj`: the same data gives the same bytes, so a stored report
    can be checked against a fresh rendering."""
    variant = chinese_variant()
    fonts = installed_fonts(variant)
    orientation = "L" if len(data.indicators) > PORTRAIT_MAX_INDICATORS else "P"
    pdf = ReportPDF(variant=variant, fonts=fonts, orientation=orientation)
    pdf.footer_lines = _title_lines(pdf, data)
    _set_metadata(pdf, data)
    pdf.add_page()
    _title_page_header(pdf, data)
    _summary(pdf, data)
    charts.summary_chart(pdf, data)
    pdf.add_page()
    _by_office(pdf, data)
    _office_progress(pdf, data)
    # The sections after it run on where the last ended (a heading needs room under it, a
    # table that fits on a page is not split): no page is left with a line or two.
    _by_period(pdf, data)
    _by_region(pdf, data)
    direction.notes_and_plans(pdf, data)
    fileobj.write(bytes(pdf.output()))


def _texts(pdf: ReportPDF, key: str, english: dict, chinese: dict) -> tuple[str, str]:
    """A label filled in with values written for each language (dates are); the Chinese is
    empty where it cannot be printed."""
    texts = LABELS[key]
    chinese_text = str(texts[pdf.variant]).format(**chinese) if pdf.bilingual else ""
    return in_english(texts["en"]).format(**english), chinese_text


def _dates(pdf: ReportPDF, start: dt.date, end: dt.date, separator: str = "\n") -> str:
    english = {"start": english_date(start), "end": english_date(end)}
    chinese = {"start": chinese_date(start), "end": chinese_date(end)}
    return pdf.both(*_texts(pdf, "date_range", english, chinese), separator)


def _day(pdf: ReportPDF, day: dt.date, separator: str = "\n") -> str:
    return pdf.both(english_date(day), chinese_date(day), separator)


def _moment(pdf: ReportPDF, moment: dt.datetime, separator: str = "\n") -> str:
    time = f"{moment:%H:%M}"
    english, chinese = english_date(moment.date()), chinese_date(moment.date())
    return pdf.both(f"{english} {time}", f"{chinese} {time}", separator)


def _title_parts(pdf: ReportPDF, data: ReportData) -> list[tuple[str, str]]:
    """The report's title, and for an office's own report the office, each as (English,
    Chinese); the Chinese is empty where it cannot be printed."""
    scope = data.scope
    if scope.kind == ANNUAL:
        year = {"year": scope.year}
        title = _texts(pdf, "annual_title", year, year)
    else:
        english = {"start": english_date(scope.date_from), "end": english_date(scope.date_to)}
        chinese = {"start": chinese_date(scope.date_from), "end": chinese_date(scope.date_to)}
        title = _texts(pdf, "progress_title", english, chinese)
    parts = [title]
    if scope.office is not None:
        parts.append((scope.office.name_en, pdf.chinese_name(scope.office)))
    return parts


def _title_lines(pdf: ReportPDF, data: ReportData) -> list[str]:
    """The title in two lines, one per language, for the footer and the file's metadata."""
    parts = _title_parts(pdf, data)
    english = " – ".join(english for english, _chinese in parts)
    chinese = " ".join(chinese for _english, chinese in parts if chinese)
    return [english, chinese] if chinese else [english]


def _set_metadata(pdf: ReportPDF, data: ReportData) -> None:
    pdf.set_title(" | ".join(_title_lines(pdf, data)))
    pdf.set_subject(pdf.label("subject", " | "))
    pdf.set_author(AUTHOR)
    pdf.set_creator("Mainland Offices KPI Tracker")
    pdf.set_lang("en-HK")
    # The data's own time, not the clock's: the same data must give the same bytes.
    pdf.set_creation_date(data.made_at)


def _title_page_header(pdf: ReportPDF, data: ReportData) -> None:
    scope = data.scope
    pdf.use_font(9, colour=GREY)
    pdf.multi_cell(0, 4.5, pdf.label("bureau", " | "), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4.5, pdf.label("subject", " | "), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.use_font(18, bold=True, colour=NAVY)
    for english, chinese in _title_parts(pdf, data):
        pdf.multi_cell(0, 8.5, pdf.both(english, chinese, "\n"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    # One line per fact, the Chinese after the English, to leave the first page to the summary.
    separator = " | "
    made_at = timezone.localtime(data.made_at)
    facts = [
        ("period", _dates(pdf, scope.date_from, scope.date_to, separator)),
        ("as_of", _day(pdf, scope.as_of, separator)),
        ("generated_at", _moment(pdf, made_at, separator)),
        ("offices", _offices(pdf, data)),
        ("activities_counted", number(data.activity_count)),
    ]
    pdf.use_font(9)
    pdf.set_fill_color(255, 255, 255)  # the cells' background is the fill colour at the start
    with pdf.table(
        col_widths=(1.3, 3),
        text_align=("L", "L"),
        first_row_as_headings=False,
        borders_layout="NONE",
        line_height=4.4,
        padding=(0.6, 1.5),
        align="L",
    ) as table:
        for key, value in facts:
            row = table.row()
            row.cell(pdf.label(key), style=FontFace(emphasis="BOLD", color=GREY))
            row.cell(value)
    pdf.ln(2)
    if not pdf.bilingual:
        layout.note(pdf, "no_cjk_font")
    layout.note(pdf, "what_counts")
    pdf.ln(3)


def _offices(pdf: ReportPDF, data: ReportData) -> str:
    """Whose activities the report counts."""
    office = data.scope.office
    if office is None:
        return pdf.label("all_offices", " | ")
    english, chinese = office.name_en, pdf.chinese_name(office)
    if any(line.units for line in data.offices):
        english = f"{english} ({LABELS['with_units']['en']})"
        chinese = chinese and f"{chinese}（{LABELS['with_units'][pdf.variant]}）"
    return pdf.both(english, chinese, "\n")


def _status_text(pdf: ReportPDF, status: str | None, target: int | None) -> str:
    if status is not None:
        return pdf.label(status, "\n")
    return pdf.label("no_target" if target is None else "too_early", "\n")


def _summary(pdf: ReportPDF, data: ReportData) -> None:
    layout.heading(pdf, "summary")
    columns = [
        Column(pdf.label("indicator", "\n"), 3.6, "L"),
        Column(pdf.label("target", "\n"), 1.1),
        Column(pdf.label("achieved", "\n"), 1.1),
        Column(pdf.label("percent", "\n"), 1.1),
        Column(pdf.label("expected", "\n"), 1.5),
        Column(pdf.label("projected", "\n"), 1.2),
        Column(pdf.label("status", "\n"), 1.3, "L"),
        Column(pdf.label("still_needed", "\n"), 1.1),
        Column(pdf.label("per_month", "\n"), 1.1),
    ]
    lines = [
        Line(
            [
                pdf.name(line.indicator),
                number(line.target),
                number(line.achieved),
                percent(line.percent),
                number(line.expected_rounded),
                number(line.projected),
                _status_text(pdf, line.status, line.target),
                number(line.still_needed),
                number(line.needed_per_month),
            ]
        )
        for line in data.summary
    ]
    layout.table(pdf, columns, lines)
    layout.note(pdf, "status_rule")
    layout.note(pdf, "arithmetic_rule")


def _by_office(pdf: ReportPDF, data: ReportData) -> None:
    layout.heading(pdf, "by_office")
    columns = [Column(pdf.label("office", "\n"), 2.2, "L"), *layout.indicator_columns(pdf, data)]
    lines: list[Line] = []
    for office in data.offices:
        lines.append(_office_line(pdf, office))
        lines.extend(_office_line(pdf, unit, indent=4) for unit in office.units)
    layout.table(pdf, columns, lines)
    layout.note(pdf, "units_included")
    charts.office_chart(pdf, data.offices)


def _office_progress(pdf: ReportPDF, data: ReportData) -> None:
    """Each office's and unit's progress against its own share of an indicator's target, as
    the dashboards show it (`OfficeLine.progress`), one table per indicator that has shares.
    An office without a share is measured against the bureau target only."""
    lines = [(line, indent) for office in data.offices for line, indent in _with_units(office)]
    shared = [
        position
        for position in range(len(data.indicators))
        if any(line.targets[position] for line, _indent in lines)
    ]
    if not shared:
        return
    columns = [
        Column(pdf.label("office", "\n"), 2.6, "L"),
        Column(pdf.label("office_target", "\n"), 1),
        Column(pdf.label("achieved", "\n"), 1),
        Column(pdf.label("percent", "\n"), 1),
        Column(pdf.label("still_needed", "\n"), 1),
        Column(pdf.label("status", "\n"), 1.4, "L"),
    ]
    first = True
    for position in shared:
        rows = [
            _progress_line(pdf, line.progress[position], line, indent=indent)
            for line, indent in lines
        ]
        indicator = data.indicators[position]
        above = layout.SUBHEADING_HEIGHT + (layout.HEADING_HEIGHT + 12 if first else 0)
        layout.keep_table_together(pdf, columns, rows, above=above)
        if first:
            layout.heading(pdf, "office_progress", room=0)
            layout.note(pdf, "office_progress_rule")
            first = False
        layout.subheading(pdf, text=pdf.name(indicator, " | "))
        layout.table(pdf, columns, rows)


def _with_units(office: OfficeLine) -> list[tuple[OfficeLine, float]]:
    """An office's line, then its units' lines indented under it."""
    return [(office, 0), *((unit, 4) for unit in office.units)]


def _progress_line(pdf: ReportPDF, figures, line: OfficeLine, *, indent: float) -> Line:
    status = (
        pdf.label("no_share", "\n")
        if not figures.target
        else _status_text(pdf, figures.status, figures.target)
    )
    return Line(
        [
            pdf.name(line.office),
            number(figures.target),
            number(figures.achieved),
            percent(figures.percent),
            number(figures.still_needed),
            status,
        ],
        indent=indent,
        muted=indent > 0,
    )


def _office_line(pdf: ReportPDF, line: OfficeLine, *, indent: float = 0) -> Line:
    counts = [number(count) for count in [*line.counts, line.total]]
    return Line([pdf.name(line.office), *counts], indent=indent, muted=indent > 0)


def _by_period(pdf: ReportPDF, data: ReportData) -> None:
    end = data.scope.end
    columns = [
        Column(pdf.label("quarter", "\n"), 1.1, "L"),
        Column(pdf.label("dates", "\n"), 1.2, "L"),
        *layout.indicator_columns(pdf, data),
    ]
    lines = [
        Line([_quarter_label(pdf, line), _short_dates(pdf, line), *_counts(line, end)])
        for line in data.quarters
    ]
    layout.keep_table_together(pdf, columns, lines, above=layout.HEADING_HEIGHT)
    layout.heading(pdf, "by_quarter")
    layout.table(pdf, columns, lines)
    if any(line.start > end for line in data.quarters):
        layout.note(pdf, "not_reached")

    columns = [Column(pdf.label("month", "\n"), 1.4, "L"), *layout.indicator_columns(pdf, data)]
    lines = [Line([_month_label(pdf, line.start), *_counts(line, end)]) for line in data.months]
    layout.keep_table_together(pdf, columns, lines, above=layout.HEADING_HEIGHT)
    layout.heading(pdf, "by_month")
    layout.table(pdf, columns, lines)
    if any(line.start > end for line in data.months):
        layout.note(pdf, "not_reached")
    charts.month_chart(pdf, data)


def _counts(line: PeriodLine, end: dt.date) -> list[str]:
    """A period's counts, or dashes for a period the data does not reach yet: nothing has
    been counted there, which is not the same as none achieved."""
    if line.start > end:
        return ["–"] * (len(line.counts) + 1)
    return [number(count) for count in [*line.counts, line.total]]


def _quarter_label(pdf: ReportPDF, line: PeriodLine) -> str:
    quarter = (line.start.month - 1) // 3 + 1
    return pdf.label("quarter_label", "\n", quarter=quarter, year=line.start.year)


def _short_dates(pdf: ReportPDF, line: PeriodLine) -> str:
    """A period's first and last days without the year, which its label gives."""
    start, end = line.start, line.end
    english = {
        "start": f"{start.day} {MONTHS[start.month - 1][:3]}",
        "end": f"{end.day} {MONTHS[end.month - 1][:3]}",
    }
    chinese = {"start": f"{start.month}月{start.day}日", "end": f"{end.month}月{end.day}日"}
    return pdf.both(*_texts(pdf, "date_range", english, chinese), "\n")


def _month_label(pdf: ReportPDF, start: dt.date, separator: str = "\n") -> str:
    return pdf.both(
        f"{MONTHS[start.month - 1]} {start.year}", f"{start.year}年{start.month}月", separator
    )


def _by_region(pdf: ReportPDF, data: ReportData) -> None:
    """Regions where something was counted, busiest first, then the activities with none."""
    lines = [
        Line([_region_label(pdf, line.region), *(number(n) for n in [*line.counts, line.total])])
        for line in data.regions
        if line.total > 0
    ]
    columns = [Column(pdf.label("region", "\n"), 2.2, "L"), *layout.indicator_columns(pdf, data)]
    if lines:
        layout.keep_table_together(pdf, columns, lines, above=layout.HEADING_HEIGHT)
    layout.heading(pdf, "by_region")
    if not lines:
        layout.note(pdf, "no_activities")
        return
    layout.table(pdf, columns, lines)


def _region_label(pdf: ReportPDF, region) -> str:
    """On one line: region names are short, and a table of some thirty fits on one page."""
    if region is None:
        return pdf.label("no_region")
    return pdf.name(region, " ")
