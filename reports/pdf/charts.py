"""The charts, drawn with fpdf2's rectangles, lines and text, so no plotting library is
needed: achieved against pace and target per indicator, activities per office, and activities
per month stacked by indicator."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..report import OfficeLine, ReportData
from . import layout
from .labels import MONTHS, number
from .layout import GREY, LIGHT_LINE, ReportPDF

ACHIEVED_COLOUR = (0, 114, 178)
EXPECTED_COLOUR = (140, 140, 140)
TARGET_COLOUR = (214, 214, 214)
# One colour per indicator in the monthly chart (Okabe and Ito's, told apart by most readers).
PALETTE = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
    (0, 0, 0),
]


@dataclass(frozen=True)
class BarRow:
    """One row of a horizontal bar chart: a named thing's bars, drawn against `scale`."""

    named: object  # an Indicator or an Office
    bars: Sequence[tuple[Sequence[int], int | None]]  # (colour, value); None draws nothing
    scale: int


def summary_chart(pdf: ReportPDF, data: ReportData) -> None:
    """Per indicator, three bars: achieved, where a steady pace would be, and the target. The
    indicators count different things, so each is drawn to its own scale."""
    rows = []
    for line in data.summary:
        bars = [
            (ACHIEVED_COLOUR, line.achieved),
            (EXPECTED_COLOUR, line.expected_rounded),
            (TARGET_COLOUR, line.target),
        ]
        scale = max((value for _colour, value in bars if value is not None), default=0)
        rows.append(BarRow(line.indicator, bars, scale or 1))
    legend = [
        (ACHIEVED_COLOUR, pdf.label("achieved")),
        (EXPECTED_COLOUR, pdf.label("expected")),
        (TARGET_COLOUR, pdf.label("target")),
    ]
    _bar_chart(pdf, "summary_chart", rows, legend=legend, note="own_scale")


def _bar_chart(
    pdf: ReportPDF,
    heading: str,
    rows: Sequence[BarRow],
    *,
    legend: Sequence[tuple[Sequence[int], str]] = (),
    note: str | None = None,
) -> None:
    """Names in the left margin, each with its bars and their values; kept on one page when
    it fits on one, otherwise broken between rows only."""
    label_width, bar_height, bar_step, gap = 62.0, 3.2, 3.8, 2.5
    heights = [
        max(_chart_label(pdf, label_width, row.named, draw=False), bar_step * len(row.bars))
        for row in rows
    ]
    introduction = 12 + (6 if legend else 0) + (9 if note else 0)
    layout.keep_together(pdf, introduction + sum(heights) + gap * len(rows))
    layout.subheading(pdf, heading)
    if legend:
        layout.legend(pdf, legend)
    if note:
        layout.note(pdf, note)
        pdf.ln(1)
    bar_x = pdf.l_margin + label_width + 2
    bar_room = pdf.epw - label_width - 2 - 16
    for row, height in zip(rows, heights, strict=True):
        if pdf.will_page_break(height + gap):
            pdf.add_page()
        top = pdf.get_y()
        _chart_label(pdf, label_width, row.named)
        bars_top = top + (height - bar_step * len(row.bars)) / 2
        for position, (colour, value) in enumerate(row.bars):
            if value is not None:
                length = bar_room * value / row.scale
                y = bars_top + position * bar_step
                _bar(pdf, bar_x, y, length, bar_height, colour, number(value))
        pdf.set_draw_color(*LIGHT_LINE)
        pdf.line(bar_x, top - gap / 2, bar_x, top + height + gap / 2)
        pdf.set_xy(pdf.l_margin, top + height + gap)


def _chart_label(pdf: ReportPDF, width: float, obj, *, draw: bool = True) -> float:
    """A name in a chart's margin at the current position, the English above the Chinese,
    wrapped to `width`. Returns its height, which `draw=False` only measures."""
    x, y = pdf.get_x(), pdf.get_y()
    height = 0.0
    for text, colour in ((obj.name_en, (0, 0, 0)), (pdf.chinese_name(obj), GREY)):
        if text:
            pdf.use_font(7.5, colour=colour)
            pdf.set_xy(x, y + height)
            height += pdf.multi_cell(width, 3.5, text, align="L", dry_run=not draw, output="HEIGHT")
    pdf.set_xy(x, y)
    return height


def _bar(
    pdf: ReportPDF,
    x: float,
    y: float,
    length: float,
    height: float,
    colour: Sequence[int],
    value: str,
) -> None:
    """A horizontal bar with its value just past its end."""
    if length > 0:
        pdf.set_fill_color(*colour)
        pdf.rect(x, y, length, height, style="F")
    pdf.use_font(6.5)
    pdf.set_xy(x + length + 1, y - 0.3)
    pdf.cell(15, height + 0.6, value)


def office_chart(pdf: ReportPDF, offices: Sequence[OfficeLine]) -> None:
    """Each office's total, its units included, on one scale."""
    scale = max((office.total for office in offices), default=0) or 1
    rows = [BarRow(office.office, [(ACHIEVED_COLOUR, office.total)], scale) for office in offices]
    _bar_chart(pdf, "office_chart", rows)


def month_chart(pdf: ReportPDF, data: ReportData) -> None:
    """Columns of each month's activities, stacked by indicator, on one scale."""
    chart_height = 60.0
    legend_height = 6 + 5 * math.ceil(len(data.indicators) / 2)
    layout.keep_together(pdf, 12 + chart_height + 9 + legend_height)
    layout.subheading(pdf, "month_chart")
    highest = max((line.total for line in data.months), default=0) or 1
    step = _axis_step(highest)
    top_value = step * math.ceil(highest / step)

    axis_width = 12.0
    left = pdf.l_margin + axis_width
    bottom = pdf.get_y() + chart_height
    slot = (pdf.epw - axis_width) / max(len(data.months), 1)
    width = min(slot * 0.6, 10)
    _gridlines(pdf, left, bottom, chart_height, step, top_value)

    for position, line in enumerate(data.months):
        x = left + position * slot
        if line.start <= data.scope.end:
            y = bottom
            for index, count in enumerate(line.counts):
                height = chart_height * count / top_value
                if height > 0:
                    pdf.set_fill_color(*PALETTE[index % len(PALETTE)])
                    pdf.rect(x + (slot - width) / 2, y - height, width, height, style="F")
                y -= height
            pdf.use_font(6)
            pdf.set_xy(x, y - 3.6)
            pdf.cell(slot, 3.4, number(line.total), align="C")
        short = pdf.both(MONTHS[line.start.month - 1][:3], f"{line.start.month}月", "\n")
        pdf.use_font(6.5, colour=GREY if line.start > data.scope.end else (0, 0, 0))
        pdf.set_xy(x, bottom + 1)
        pdf.multi_cell(slot, 3, short, align="C")
    pdf.set_xy(pdf.l_margin, bottom + 9)
    layout.legend(
        pdf,
        [
            (PALETTE[index % len(PALETTE)], pdf.name(indicator, " "))
            for index, indicator in enumerate(data.indicators)
        ],
    )


def _gridlines(
    pdf: ReportPDF, left: float, bottom: float, height: float, step: int, top_value: int
) -> None:
    """Horizontal gridlines with their values in the left margin, and the baseline."""
    pdf.set_line_width(0.1)
    pdf.use_font(6, colour=GREY)
    for value in range(0, top_value + 1, step):
        y = bottom - height * value / top_value
        pdf.set_draw_color(*(LIGHT_LINE if value else GREY))
        pdf.line(left, y, pdf.w - pdf.r_margin, y)
        pdf.set_xy(pdf.l_margin, y - 1.7)
        pdf.cell(left - pdf.l_margin - 1.5, 3.4, number(value), align="R")
    pdf.set_text_color(0, 0, 0)
    pdf.set_line_width(0.2)


def _axis_step(top: int, lines: int = 5) -> int:
    """A round gridline step (1, 2 or 5 × 10ⁿ) giving at most `lines` gridlines up to `top`."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(top / step) <= lines:
                return step
        magnitude *= 10
