"""The document's last section: the offices' progress notes of the report's months, with the
bureau's replies, and the plans still ahead after its last counted day
(reports.notes_and_plans). Notes are free text in whatever language the office wrote: they
run as paragraphs, which break across pages, rather than as table cells, which would not."""

from __future__ import annotations

from ..report import ReportData
from . import layout
from .labels import MONTHS, number
from .layout import GREY, NAVY, Column, Line, ReportPDF


def notes_and_plans(pdf: ReportPDF, data: ReportData) -> None:
    layout.heading(pdf, "notes_and_plans")
    layout.subheading(pdf, "progress_notes")
    if not data.notes:
        layout.note(pdf, "no_notes")
    for note in data.notes:
        pdf.ln(1)
        pdf.use_font(8.5, bold=True, colour=NAVY)
        title = " · ".join(
            [
                pdf.name(note.office, " "),
                pdf.name(note.indicator, " "),
                pdf.both(f"{MONTHS[note.month - 1]} {note.year}", f"{note.year}年{note.month}月"),
            ]
        )
        pdf.multi_cell(0, 4.2, title, new_x="LMARGIN", new_y="NEXT")
        pdf.use_font(8.5)
        pdf.multi_cell(0, 4.2, note.text, new_x="LMARGIN", new_y="NEXT")
        if note.reply:
            pdf.use_font(8.5, colour=GREY)
            pdf.multi_cell(
                0,
                4.2,
                f"{pdf.label('reply')}: {note.reply}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.set_text_color(0, 0, 0)

    columns = [
        Column(pdf.label("office", "\n"), 2.4, "L"),
        Column(pdf.label("indicator", "\n"), 2.4, "L"),
        Column(pdf.label("confirmed_ahead", "\n"), 1.2),
        Column(pdf.label("planned_ahead", "\n"), 1.2),
    ]
    lines = [
        Line(
            [
                pdf.name(line.office),
                pdf.name(line.indicator),
                number(line.confirmed),
                number(line.planned),
            ],
            indent=0 if line.with_units else 4,
            muted=not line.with_units,
        )
        for line in data.planned
    ]
    if lines:
        layout.keep_table_together(pdf, columns, lines, above=layout.SUBHEADING_HEIGHT)
    layout.subheading(pdf, "plans_ahead")
    if lines:
        layout.table(pdf, columns, lines)
    layout.note(pdf, "planned_rule")
