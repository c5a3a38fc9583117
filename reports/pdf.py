"""The annual and progress reports as a printable, bilingual PDF (issue 5).

The document is printed, filed and passed on to readers of English and of Chinese, so every
heading and label carries both languages whatever the language of the request. The labels are
in `LABELS`, each in every language; the statuses and their rule are read from the catalogue
in each language, so they say what the pages say. Only the script of the Chinese
follows the request: Simplified when it is in "zh-hans", Traditional otherwise.

Chinese needs a CJK font embedded in the file (fpdf2 subsets it, so only the characters used
are stored). The font is looked up when a report is written, in `settings.KPI_PDF_FONTS` (and
`KPI_PDF_BOLD_FONTS` for headings) or, without those settings, among the usual Debian font
files: fonts-noto-cjk is installed in the Docker image and in CI. Each setting is a list of
candidates tried in order, each a path, a `(path, face)` pair or a `(path, face for Traditional,
face for Simplified Chinese)` triple, where a face is a font's number in a .ttc collection.
Where no CJK font is installed the PDF is written in English only with the core Helvetica font,
rather than with empty boxes or an error, and a warning is logged once.

The figures are those of `reports.report.report_data`; this module only lays them out and
draws the charts with fpdf2's rectangles, lines and text, so no plotting library is needed.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from fpdf import FPDF
from fpdf.fonts import FontFace

from offices.i18n import current_suffix

from . import progress
from .report import ANNUAL, OfficeLine, PeriodLine, ReportData

logger = logging.getLogger(__name__)

FontFile = tuple[str, int]  # path, face number in a font collection (0 for a single font)
# A setting's entry: a path, (path, face) or (path, Traditional face, Simplified face).
FontEntry = str | os.PathLike | tuple[str, int] | tuple[str, int, int]

NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
# Faces of the Noto Sans CJK collections whose glyph forms are those of each script.
NOTO_CJK_FACES = (3, 2)  # Traditional: Noto Sans CJK TC; Simplified: SC (4 would be HK)
# Other Debian packages with Chinese glyphs, for a machine without fonts-noto-cjk.
OTHER_CJK_FONTS: list[FontEntry] = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
]
CJK_FAMILY = "cjk"
CORE_FAMILY = "helvetica"

AUTHOR = "Constitutional and Mainland Affairs Bureau"
PORTRAIT_MAX_INDICATORS = 6  # beyond this the tables' columns get too narrow on A4 portrait

NAVY = (31, 56, 100)
GREY = (95, 95, 95)
LIGHT_LINE = (200, 200, 200)
HEADING_FILL = (224, 231, 241)
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

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# Every fixed text of the document: English, Traditional and Simplified Chinese.
class _InLanguage:
    """A catalogue translation in one language, read when printed (the catalogue is loaded by
    then), so the PDF says what the pages say."""

    def __init__(self, text: Promise, language: str) -> None:
        self.text, self.language = text, language

    def __str__(self) -> str:
        with translation.override(self.language):
            return str(self.text)


def _in_each_language(text: Promise) -> dict:
    return {
        "en": text,
        "zh-hant": _InLanguage(text, "zh-hant"),
        "zh-hans": _InLanguage(text, "zh-hans"),
    }


LABELS: dict[str, dict[str, str | Promise]] = {
    "bureau": {"en": AUTHOR, "zh-hant": "政制及內地事務局", "zh-hans": "政制及内地事务局"},
    "subject": {
        "en": "Key performance indicators of the Mainland Offices",
        "zh-hant": "內地辦事處關鍵績效指標",
        "zh-hans": "内地办事处关键绩效指标",
    },
    "annual_title": {
        "en": "Annual report {year}",
        "zh-hant": "{year}年度報告",
        "zh-hans": "{year}年度报告",
    },
    "progress_title": {
        "en": "Progress report {start} to {end}",
        "zh-hant": "進度報告（{start}至{end}）",
        "zh-hans": "进度报告（{start}至{end}）",
    },
    "period": {"en": "Period", "zh-hant": "報告期間", "zh-hans": "报告期间"},
    "date_range": {
        "en": "{start} to {end}",
        "zh-hant": "{start}至{end}",
        "zh-hans": "{start}至{end}",
    },
    "as_of": {"en": "Data as of", "zh-hant": "數據截至", "zh-hans": "数据截至"},
    "generated_at": {"en": "Generated at", "zh-hant": "製備時間", "zh-hans": "制备时间"},
    "offices": {"en": "Offices", "zh-hant": "辦事處", "zh-hans": "办事处"},
    "all_offices": {
        "en": "All offices and units",
        "zh-hant": "所有辦事處及單位",
        "zh-hans": "所有办事处及单位",
    },
    "with_units": {
        "en": "with its units",
        "zh-hant": "包括其轄下單位",
        "zh-hans": "包括其辖下单位",
    },
    "activities_counted": {
        "en": "Activities counted",
        "zh-hant": "計算在內的活動",
        "zh-hans": "计算在内的活动",
    },
    "what_counts": {
        "en": "What counts: submitted or verified activities that were not removed, once for "
        "their lead office, on the date they took place. Units roll up into their office.",
        "zh-hant": "計算方法：已提交或已核實且未被移除的活動，按活動日期計入其主責辦事處一次。"
        "單位的數字計入其所屬辦事處。",
        "zh-hans": "计算方法：已提交或已核实且未被移除的活动，按活动日期计入其主责办事处一次。"
        "单位的数字计入其所属办事处。",
    },
    "no_cjk_font": {
        "en": "Chinese text is left out of this copy: no Chinese font is installed on the server.",
        "zh-hant": "",
        "zh-hans": "",
    },
    "summary": {"en": "Summary", "zh-hant": "摘要", "zh-hans": "摘要"},
    "indicator": {"en": "Indicator", "zh-hant": "指標", "zh-hans": "指标"},
    "target": {"en": "Annual target", "zh-hant": "全年目標", "zh-hans": "全年目标"},
    "achieved": {"en": "Achieved", "zh-hant": "已達成", "zh-hans": "已达成"},
    "percent": {"en": "Per cent of target", "zh-hant": "佔目標百分比", "zh-hans": "占目标百分比"},
    "expected": {
        "en": "Expected at a steady pace",
        "zh-hant": "按平均進度應達數字",
        "zh-hans": "按平均进度应达数字",
    },
    "projected": {"en": "Projected year-end", "zh-hant": "預計全年數字", "zh-hans": "预计全年数字"},
    "status": {"en": "Status", "zh-hant": "狀態", "zh-hans": "状态"},
    # The statuses and their rule are progress's own, in every language: from the catalogue.
    **{status: _in_each_language(label) for status, label in progress.STATUS_LABELS.items()},
    "status_rule": _in_each_language(progress.STATUS_RULE),
    "arithmetic_rule": _in_each_language(progress.ARITHMETIC_RULE),
    "still_needed": {"en": "Still needed", "zh-hant": "尚欠數字", "zh-hans": "尚欠数字"},
    "per_month": {"en": "Needed per month", "zh-hant": "每月所需", "zh-hans": "每月所需"},
    "too_early": {"en": "Too early to judge", "zh-hant": "現時評估尚早", "zh-hans": "现时评估尚早"},
    "no_target": {"en": "No target set", "zh-hant": "未設目標", "zh-hans": "未设目标"},
    "summary_chart": {
        "en": "Achieved, steady pace and target",
        "zh-hant": "已達成、平均進度及目標",
        "zh-hans": "已达成、平均进度及目标",
    },
    "own_scale": {
        "en": "Each indicator is drawn to its own scale.",
        "zh-hant": "每項指標按其本身的比例繪畫。",
        "zh-hans": "每项指标按其本身的比例绘画。",
    },
    "by_office": {"en": "By office", "zh-hant": "按辦事處劃分", "zh-hans": "按办事处划分"},
    "office": {"en": "Office or unit", "zh-hant": "辦事處或單位", "zh-hans": "办事处或单位"},
    "total": {"en": "Total", "zh-hant": "總數", "zh-hans": "总数"},
    "units_included": {
        "en": "An office's figures include those of its units, which are listed under it.",
        "zh-hant": "辦事處的數字包括其轄下單位的數字，單位列於辦事處之下。",
        "zh-hans": "办事处的数字包括其辖下单位的数字，单位列于办事处之下。",
    },
    "office_chart": {
        "en": "Activities per office",
        "zh-hant": "各辦事處的活動數目",
        "zh-hans": "各办事处的活动数目",
    },
    "by_quarter": {"en": "By quarter", "zh-hant": "按季度劃分", "zh-hans": "按季度划分"},
    "quarter": {"en": "Quarter", "zh-hant": "季度", "zh-hans": "季度"},
    "quarter_label": {
        "en": "Q{quarter} {year}",
        "zh-hant": "{year}年第{quarter}季",
        "zh-hans": "{year}年第{quarter}季",
    },
    "dates": {"en": "Dates", "zh-hant": "日期", "zh-hans": "日期"},
    "by_month": {"en": "By month", "zh-hant": "按月份劃分", "zh-hans": "按月份划分"},
    "month": {"en": "Month", "zh-hant": "月份", "zh-hans": "月份"},
    "not_reached": {
        "en": "– : the period starts after the data's as-of date.",
        "zh-hant": "–：該期間在數據截至日期之後開始。",
        "zh-hans": "–：该期间在数据截至日期之后开始。",
    },
    "month_chart": {
        "en": "Activities per month",
        "zh-hant": "每月活動數目",
        "zh-hans": "每月活动数目",
    },
    "by_region": {"en": "By region", "zh-hant": "按地區劃分", "zh-hans": "按地区划分"},
    "region": {"en": "Region", "zh-hant": "地區", "zh-hans": "地区"},
    "no_region": {"en": "No region recorded", "zh-hant": "未記錄地區", "zh-hans": "未记录地区"},
    "no_activities": {
        "en": "No activities were counted.",
        "zh-hant": "沒有計算在內的活動。",
        "zh-hans": "没有计算在内的活动。",
    },
}


def write_pdf(data: ReportData, fileobj: IO[bytes]) -> None:
    """Write the report to `fileobj`: the same data gives the same bytes, so a stored report
    can be checked against a fresh rendering."""
    variant = _chinese_variant()
    fonts = _installed_fonts(variant)
    orientation = "L" if len(data.indicators) > PORTRAIT_MAX_INDICATORS else "P"
    pdf = ReportPDF(variant=variant, fonts=fonts, orientation=orientation)
    pdf.footer_lines = _title_lines(pdf, data)
    _set_metadata(pdf, data)
    pdf.add_page()
    _title_page_header(pdf, data)
    _summary(pdf, data)
    _summary_chart(pdf, data)
    pdf.add_page()
    _by_office(pdf, data)
    pdf.add_page()
    _by_period(pdf, data)
    pdf.add_page()
    _by_region(pdf, data)
    fileobj.write(bytes(pdf.output()))


def cjk_font_path() -> tuple[str, int] | None:
    """The installed font (path, face number in its collection) that prints the Chinese of the
    active language, or None where none of the candidates is installed."""
    default = [(NOTO_CJK.format(weight="Regular"), *NOTO_CJK_FACES), *OTHER_CJK_FONTS]
    return _first_installed("KPI_PDF_FONTS", default, _chinese_variant())


# --- fonts and languages ---------------------------------------------------------------


@dataclass(frozen=True)
class CJKFonts:
    regular: FontFile
    bold: FontFile | None


def _chinese_variant() -> str:
    """The Chinese printed beside the English: Simplified for a Simplified Chinese request,
    Traditional otherwise (the bureau's own script)."""
    return "zh-hans" if current_suffix() == "zh_hans" else "zh-hant"


def _first_installed(setting: str, default: list[FontEntry], variant: str) -> FontFile | None:
    """The first of the setting's candidates (or of `default` without the setting) whose file
    exists, with its face for `variant`. The setting is read now, not at import, so that a
    deployment or a test can change it."""
    configured = getattr(settings, setting, None)
    for entry in default if configured is None else configured:
        font = _font_file(entry, variant)
        if os.path.isfile(font[0]):
            return font
    return None


def _font_file(entry: FontEntry, variant: str) -> FontFile:
    if isinstance(entry, str | os.PathLike):
        return (os.fspath(entry), 0)
    if len(entry) == 2:
        return (os.fspath(entry[0]), entry[1])
    path, traditional, simplified = entry
    return (os.fspath(path), simplified if variant == "zh-hans" else traditional)


def _installed_fonts(variant: str) -> CJKFonts | None:
    regular = cjk_font_path()
    if regular is None:
        _warn_no_cjk_font()
        return None
    noto_bold = (NOTO_CJK.format(weight="Bold"), *NOTO_CJK_FACES)
    bold = _first_installed("KPI_PDF_BOLD_FONTS", [noto_bold], variant)
    return CJKFonts(regular=regular, bold=bold)


@functools.cache
def _warn_no_cjk_font() -> None:
    """Once per process: every report would repeat it, and the fix (install fonts-noto-cjk or
    set KPI_PDF_FONTS) is the same each time."""
    logger.warning(
        "No CJK font found (KPI_PDF_FONTS or fonts-noto-cjk): PDF reports are written in "
        "English only."
    )


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
        english = _english(texts["en"]).format(**values)
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


# --- text -------------------------------------------------------------------------------


def _english(text: str | Promise) -> str:
    """A lazy translation in English, whatever the language of the request."""
    with translation.override("en"):
        return str(text)


def _english_date(day: dt.date) -> str:
    """Spelt out, not from the locale: the English half of the document is always English."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _texts(pdf: ReportPDF, key: str, english: dict, chinese: dict) -> tuple[str, str]:
    """A label filled in with values written for each language (dates are); the Chinese is
    empty where it cannot be printed."""
    texts = LABELS[key]
    chinese_text = str(texts[pdf.variant]).format(**chinese) if pdf.bilingual else ""
    return _english(texts["en"]).format(**english), chinese_text


def _dates(pdf: ReportPDF, start: dt.date, end: dt.date, separator: str = "\n") -> str:
    english = {"start": _english_date(start), "end": _english_date(end)}
    chinese = {"start": _chinese_date(start), "end": _chinese_date(end)}
    return pdf.both(*_texts(pdf, "date_range", english, chinese), separator)


def _day(pdf: ReportPDF, day: dt.date, separator: str = "\n") -> str:
    return pdf.both(_english_date(day), _chinese_date(day), separator)


def _moment(pdf: ReportPDF, moment: dt.datetime, separator: str = "\n") -> str:
    time = f"{moment:%H:%M}"
    english, chinese = _english_date(moment.date()), _chinese_date(moment.date())
    return pdf.both(f"{english} {time}", f"{chinese} {time}", separator)


def _title_parts(pdf: ReportPDF, data: ReportData) -> list[tuple[str, str]]:
    """The report's title, and for an office's own report the office, each as (English,
    Chinese); the Chinese is empty where it cannot be printed."""
    scope = data.scope
    if scope.kind == ANNUAL:
        year = {"year": scope.year}
        title = _texts(pdf, "annual_title", year, year)
    else:
        english = {"start": _english_date(scope.date_from), "end": _english_date(scope.date_to)}
        chinese = {"start": _chinese_date(scope.date_from), "end": _chinese_date(scope.date_to)}
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


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


# --- layout helpers ---------------------------------------------------------------------


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


def _heading(pdf: ReportPDF, key: str, *, room: float = 40) -> None:
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


def _keep_together(pdf: ReportPDF, height: float) -> None:
    """Start a new page for something `height` mm tall that does not fit in what is left of
    this page but would on a fresh one: a chart is not split when it need not be."""
    fresh_page = pdf.page_break_trigger - pdf.t_margin
    if height <= fresh_page and pdf.will_page_break(height):
        pdf.add_page()


def _subheading(pdf: ReportPDF, key: str) -> None:
    pdf.ln(3)
    pdf.use_font(10, bold=True, colour=NAVY)
    pdf.multi_cell(0, 5.5, pdf.label(key), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _note(pdf: ReportPDF, *keys: str) -> None:
    """Small print under a table: each text in English, then its Chinese on the next line."""
    pdf.use_font(7.5, colour=GREY)
    for key in keys:
        pdf.multi_cell(0, 3.6, pdf.label(key, "\n"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    pdf.set_text_color(0, 0, 0)


def _table(pdf: ReportPDF, columns: Sequence[Column], lines: Sequence[Line]) -> None:
    """A full-width table whose heading row is repeated on every page it runs onto; text wraps
    within its column, numbers are right-aligned."""
    pdf.use_font(8)
    pdf.set_fill_color(255, 255, 255)  # the cells' background is the fill colour at the start
    headings = FontFace(emphasis="BOLD", size_pt=7, color=NAVY, fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=[column.width for column in columns],
        text_align=[column.align for column in columns],
        headings_style=headings,
        line_height=3.6,
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
    pdf.ln(2)


def _indicator_columns(pdf: ReportPDF, data: ReportData) -> list[Column]:
    return [
        *(Column(pdf.name(indicator), 1) for indicator in data.indicators),
        Column(pdf.label("total", "\n"), 0.7),
    ]


def _axis_step(top: int, lines: int = 5) -> int:
    """A round gridline step (1, 2 or 5 × 10ⁿ) giving at most `lines` gridlines up to `top`."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(top / step) <= lines:
                return step
        magnitude *= 10


def _legend(pdf: ReportPDF, entries: Sequence[tuple[Sequence[int], str]]) -> None:
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


# --- sections ---------------------------------------------------------------------------


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
        ("activities_counted", _number(data.activity_count)),
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
        _note(pdf, "no_cjk_font")
    _note(pdf, "what_counts")
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
    _heading(pdf, "summary")
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
                _number(line.target),
                _number(line.achieved),
                _percent(line.percent),
                _number(line.expected_rounded),
                _number(line.projected),
                _status_text(pdf, line.status, line.target),
                _number(line.still_needed),
                _number(line.needed_per_month),
            ]
        )
        for line in data.summary
    ]
    _table(pdf, columns, lines)
    _note(pdf, "status_rule")
    _note(pdf, "arithmetic_rule")


@dataclass(frozen=True)
class BarRow:
    """One row of a horizontal bar chart: a named thing's bars, drawn against `scale`."""

    named: object  # an Indicator or an Office
    bars: Sequence[tuple[Sequence[int], int | None]]  # (colour, value); None draws nothing
    scale: int


def _summary_chart(pdf: ReportPDF, data: ReportData) -> None:
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
    _keep_together(pdf, introduction + sum(heights) + gap * len(rows))
    _subheading(pdf, heading)
    if legend:
        _legend(pdf, legend)
    if note:
        _note(pdf, note)
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
                _bar(pdf, bar_x, y, length, bar_height, colour, _number(value))
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


def _by_office(pdf: ReportPDF, data: ReportData) -> None:
    _heading(pdf, "by_office")
    columns = [Column(pdf.label("office", "\n"), 2.2, "L"), *_indicator_columns(pdf, data)]
    lines: list[Line] = []
    for office in data.offices:
        lines.append(_office_line(pdf, office))
        lines.extend(_office_line(pdf, unit, indent=4) for unit in office.units)
    _table(pdf, columns, lines)
    _note(pdf, "units_included")
    _office_chart(pdf, data.offices)


def _office_line(pdf: ReportPDF, line: OfficeLine, *, indent: float = 0) -> Line:
    counts = [_number(count) for count in [*line.counts, line.total]]
    return Line([pdf.name(line.office), *counts], indent=indent, muted=indent > 0)


def _office_chart(pdf: ReportPDF, offices: Sequence[OfficeLine]) -> None:
    """Each office's total, its units included, on one scale."""
    scale = max((office.total for office in offices), default=0) or 1
    rows = [BarRow(office.office, [(ACHIEVED_COLOUR, office.total)], scale) for office in offices]
    _bar_chart(pdf, "office_chart", rows)


def _by_period(pdf: ReportPDF, data: ReportData) -> None:
    end = data.scope.end
    _heading(pdf, "by_quarter")
    columns = [
        Column(pdf.label("quarter", "\n"), 1.1, "L"),
        Column(pdf.label("dates", "\n"), 1.2, "L"),
        *_indicator_columns(pdf, data),
    ]
    lines = [
        Line([_quarter_label(pdf, line), _short_dates(pdf, line), *_counts(line, end)])
        for line in data.quarters
    ]
    _table(pdf, columns, lines)
    if any(line.start > end for line in data.quarters):
        _note(pdf, "not_reached")

    _heading(pdf, "by_month")
    columns = [Column(pdf.label("month", "\n"), 1.4, "L"), *_indicator_columns(pdf, data)]
    lines = [Line([_month_label(pdf, line.start), *_counts(line, end)]) for line in data.months]
    _table(pdf, columns, lines)
    if any(line.start > end for line in data.months):
        _note(pdf, "not_reached")
    _month_chart(pdf, data)


def _counts(line: PeriodLine, end: dt.date) -> list[str]:
    """A period's counts, or dashes for a period the data does not reach yet: nothing has
    been counted there, which is not the same as none achieved."""
    if line.start > end:
        return ["–"] * (len(line.counts) + 1)
    return [_number(count) for count in [*line.counts, line.total]]


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


def _month_chart(pdf: ReportPDF, data: ReportData) -> None:
    """Columns of each month's activities, stacked by indicator, on one scale."""
    chart_height = 60.0
    legend_height = 6 + 5 * math.ceil(len(data.indicators) / 2)
    _keep_together(pdf, 12 + chart_height + 9 + legend_height)
    _subheading(pdf, "month_chart")
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
            pdf.cell(slot, 3.4, _number(line.total), align="C")
        short = pdf.both(MONTHS[line.start.month - 1][:3], f"{line.start.month}月", "\n")
        pdf.use_font(6.5, colour=GREY if line.start > data.scope.end else (0, 0, 0))
        pdf.set_xy(x, bottom + 1)
        pdf.multi_cell(slot, 3, short, align="C")
    pdf.set_xy(pdf.l_margin, bottom + 9)
    _legend(
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
        pdf.cell(left - pdf.l_margin - 1.5, 3.4, _number(value), align="R")
    pdf.set_text_color(0, 0, 0)
    pdf.set_line_width(0.2)


def _by_region(pdf: ReportPDF, data: ReportData) -> None:
    """Regions where something was counted, busiest first, then the activities with none."""
    _heading(pdf, "by_region")
    lines = [
        Line([_region_label(pdf, line.region), *(_number(n) for n in [*line.counts, line.total])])
        for line in data.regions
        if line.total > 0
    ]
    if not lines:
        _note(pdf, "no_activities")
        return
    columns = [Column(pdf.label("region", "\n"), 2.2, "L"), *_indicator_columns(pdf, data)]
    _table(pdf, columns, lines)


def _region_label(pdf: ReportPDF, region) -> str:
    """On one line: region names are short, and a table of some thirty fits on one page."""
    if region is None:
        return pdf.label("no_region")
    return pdf.name(region, " ")
