"""The bilingual A4 page and the pieces every section is built from: headings, notes, tables
and legends.

`ReportPDF` holds the document's one style: its fonts (a CJK font where one is installed, the
core Helvetica otherwise), the way English and Chinese are put together, and the footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.fonts import FontFace

from ..report import ReportData
from .fonts import CJKFonts
from .labels import LABELS, in_english

CJK_FAMILY = "cjk"
CORE_FAMILY = "helvetica"

NAVY = (31, 56, 100)
GREY = (95, 95, 95)
LIGHT_LINE = (200, 200, 200)
HEADING_FILL = (224, 231, 241)


class ReportPDF(FPDF):
    """An A4 document in one bilingual style: the fonts, the way English and Chinese are put
    together, and the footer every page carries."""

    def __init__(self, *, variant: str, fonts: CJKFonts | None, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.variant = variant
        self.bilingual = fonts is not None
        self.footer_lines: list[str] = []
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        if fonts is None:
            self.text_family = CORE_FAMILY
            # Windows-1252 rather than Latin-1: dashes, curly quotes and the ellipsis print.
            self.core_fonts_encoding = "windows-1252"
        else:
            self.text_family = CJK_FAMILY
            self.add_font(CJK_FAMILY, "", fonts.regular[0], collection_font_number=fonts.regular[1])
            # Without a bold face, headings are set in the regular one.
            bold = fonts.bold or fonts.regular
            self.add_font(CJK_FAMILY, "B", bold[0], collection_font_number=bold[1])

    def normalize_text(self, text: str) -> str:
        """With the core font, a character it cannot print becomes "?" instead of an error:
        an English name may still hold a character outside Windows-1252."""
        if not self.is_ttf_font:
            encoding = self.core_fonts_encoding
            text = text.encode(encoding, errors="replace").decode(encoding)
        return super().normalize_text(text)

    def use_font(self, size: float, *, bold: bool = False, colour: Sequence[int] = (0, 0, 0)):
        self.set_font(self.text_family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def both(self, english: str, chinese: str, separator: str = " ") -> str:
        """English, then the Chinese where it can be printed and differs from the English."""
        if not self.bilingual or not chinese or chinese == english:
            return english
        return f"{english}{separator}{chinese}"

    def label(self, key: str, separator: str = " ", **values: object) -> str:
        texts = LABELS[key]
        english = in_english(texts["en"]).format(**values)
        return self.both(english, str(texts[self.variant]).format(**values), separator)

    def name(self, obj, separator: str = "\n") -> str:
        """An indicator's, office's or region's name in English with its Chinese name."""
        return self.both(obj.name_en, self.chinese_name(obj), separator)

    def chinese_name(self, obj) -> str:
        """The name in the document's Chinese, or in Traditional Chinese where it has none;
        empty where Chinese cannot be printed."""
        if not self.bilingual:
            return ""
        return getattr(obj, f"name_{self.variant.replace('-', '_')}") or obj.name_zh_hant

    def fit(self, text: str, width: float) -> str:
        """`text` cut with an ellipsis to fit on one line of `width` in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def footer(self) -> None:
        top = self.h - 14
        self.set_draw_color(*LIGHT_LINE)
        self.line(self.l_margin, top, self.w - self.r_margin, top)
        self.use_font(6.5, colour=GREY)
        for position, text in enumerate(self.footer_lines):
            self.set_xy(self.l_margin, top + 1 + 3.2 * position)
            self.cell(self.epw - 20, 3.2, self.fit(text, self.epw - 25))
        self.set_xy(self.w - self.r_margin - 20, top + 1)
        self.cell(20, 3.2, f"{self.page_no()} / {self.str_alias_nb_pages}", align="R")


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # a share of the table's width
    align: str = "R"


@dataclass(frozen=True)
class Line:
    cells: Sequence[str]
    indent: float = 0  # mm before the first cell: a unit sits under its office
    muted: bool = False


def heading(pdf: ReportPDF, key: str, *, room: float = 40) -> None:
    """A section heading, on a new page unless `room` mm are left under it: a heading is never
    left alone at the foot of a page. It is also the section's entry in the PDF outline."""
    if pdf.will_page_break(room):
        pdf.add_page()
    elif pdf.get_y() > pdf.t_margin:
        pdf.ln(4)
    text = pdf.label(key)
    pdf.start_section(text)
    pdf.use_font(13, bold=True, colour=NAVY)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def keep_together(pdf: ReportPDF, height: float) -> None:
    """Start a new page for something `height` mm tall that does not fit in what is left of
    this page but would on a fresh one: a chart is not split when it need not be."""
    fresh_page = pdf.page_break_trigger - pdf.t_margin
    if height <= fresh_page and pdf.will_page_break(height):
        pdf.add_page()


def subheading(pdf: ReportPDF, key: str | None = None, *, text: str = "") -> None:
    pdf.ln(3)
    pdf.use_font(10, bold=True, colour=NAVY)
    pdf.multi_cell(0, 5.5, text or pdf.label(key), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


HEADING_HEIGHT = 4 + 7 + 1.5  # a section heading on one line, with the space around it
SUBHEADING_HEIGHT = 3 + 2 * 5.5 + 1  # a two-line subheading (a long bilingual name)
TABLE_LINE = 3.6
TABLE_PADDING = 2  # above and below a row's text


def table_height(pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line]) -> float:
    """How tall `table` draws these lines (its heading row included), measured with the
    same fonts and widths, so that it can be kept on one page where it fits."""
    return sum(_row_heights(pdf, columns, lines)) + 2


def keep_table_together(
    pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line], *, above: float = 0
) -> None:
    """A new page for a table (and `above` mm of heading over it) that fits on a fresh page
    but not on what is left of this one. A longer table starts where it is, with at least its
    heading row and three lines under the heading, and runs on: no page ends with a heading
    alone, and none is left with a table's last line or two when the table could be whole."""
    height = above + table_height(pdf, columns, lines)
    fresh_page = pdf.page_break_trigger - pdf.t_margin
    if height <= fresh_page:
        keep_together(pdf, height)
    else:
        keep_together(pdf, above + table_height(pdf, columns, lines[:3]))


def note(pdf: ReportPDF, *keys: str) -> None:
    """Small print under a table: each text in English, then its Chinese on the next line."""
    pdf.use_font(7.5, colour=GREY)
    for key in keys:
        pdf.multi_cell(0, 3.6, pdf.label(key, "\n"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    pdf.set_text_color(0, 0, 0)


def table(pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line]) -> None:
    """A full-width table whose heading row is repeated on every page it runs onto; text wraps
    within its column, numbers are right-aligned. Where it runs onto another page, that page
    gets at least its last three lines (`_pages`): never a line or two alone."""
    for number, page in enumerate(_pages(pdf, columns, lines)):
        if number:
            pdf.add_page()
        _table_part(pdf, columns, page)
    pdf.ln(2)


def _table_part(pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line]) -> None:
    pdf.use_font(8)
    pdf.set_fill_color(255, 255, 255)  # the cells' background is the fill colour at the start
    headings = FontFace(emphasis="BOLD", size_pt=7, color=NAVY, fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=[column.width for column in columns],
        text_align=[column.align for column in columns],
        headings_style=headings,
        line_height=TABLE_LINE,
        padding=(1, 1.5),
        borders_layout="HORIZONTAL_LINES",
        v_align="MIDDLE",
        repeat_headings=1,
    ) as table:
        table.row([column.heading for column in columns])
        for line in lines:
            style = FontFace(color=GREY) if line.muted else None
            row = table.row(style=style)
            for position, text in enumerate(line.cells):
                padding = (1, 1.5, 1, 1.5 + line.indent) if position == 0 else None
                row.cell(text, padding=padding)


WIDOW_LINES = 3


def _pages(pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line]) -> list[list[Line]]:
    """The lines in the parts that fit on each page, from where the table starts; where the
    last part would hold fewer than three lines, lines of the part before move to it."""
    heights = _row_heights(pdf, columns, lines)
    heading, rows = heights[0], heights[1:]
    parts: list[list[Line]] = [[]]
    room = pdf.page_break_trigger - pdf.get_y() - heading
    for line, height in zip(lines, rows, strict=True):
        if parts[-1] and height > room:
            parts.append([])
            room = pdf.page_break_trigger - pdf.t_margin - heading
        parts[-1].append(line)
        room -= height
    if len(parts) > 1 and len(parts[-1]) < WIDOW_LINES:
        moved = WIDOW_LINES - len(parts[-1])
        if len(parts[-2]) > moved + WIDOW_LINES:
            parts[-2], parts[-1] = parts[-2][:-moved], parts[-2][-moved:] + parts[-1]
    return parts


def _row_heights(pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line]) -> list[float]:
    """The heading row's height, then each line's, as `_table_part` draws them: the same
    fonts, widths and padding."""
    total_width = sum(column.width for column in columns)

    def height(cells: Sequence[str], size: float, bold: bool, indent: float = 0) -> float:
        pdf.set_font(pdf.text_family, "B" if bold else "", size)
        most = 1
        for position, (column, text) in enumerate(zip(columns, cells, strict=False)):
            width = pdf.epw * column.width / total_width - 3 - (indent if position == 0 else 0)
            wrapped = pdf.multi_cell(max(width, 1), TABLE_LINE, text, dry_run=True, output="LINES")
            most = max(most, len(wrapped))
        return most * TABLE_LINE + TABLE_PADDING

    heading = height([column.heading for column in columns], 7, True)
    return [heading, *(height(line.cells, 8, False, line.indent) for line in lines)]


def indicator_columns(pdf: ReportPDF, data: ReportData) -> list[Column]:
    return [
        *(Column(pdf.name(indicator), 1) for indicator in data.indicators),
        Column(pdf.label("total", "\n"), 0.7),
    ]


def legend(pdf: ReportPDF, entries: Sequence[tuple[Sequence[int], str]]) -> None:
    """Colour swatches with their labels, on as many lines as they need."""
    pdf.use_font(7)
    x, y = pdf.l_margin, pdf.get_y()
    for colour, label in entries:
        text = pdf.fit(label, pdf.epw - 11)
        width = 5 + pdf.get_string_width(text) + 6
        if x + width > pdf.w - pdf.r_margin and x > pdf.l_margin:
            x, y = pdf.l_margin, y + 5
        pdf.set_fill_color(*colour)
        pdf.rect(x, y + 0.8, 3.2, 3.2, style="F")
        pdf.set_xy(x + 4.2, y)
        pdf.cell(width - 5, 4.8, text)
        x += width
    pdf.set_xy(pdf.l_margin, y + 6)
