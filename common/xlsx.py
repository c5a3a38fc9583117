"""XLSX downloads of `common.exports.Export`s: one sheet per export, typed cells, every text
cell made safe to open as in the CSV (`common.exports.neutralise`).

XlsxWriter makes the workbook in its constant-memory mode (styles, frozen header, filter,
print settings, data validation through `Export.finish_xlsx`, the zip), with each row
written here as one string of SpreadsheetML into the sheet's temporary file: typed cells
(real numbers, real dates in DATE_FORMAT and DATETIME_FORMAT, Hong Kong wall time) at
several times the speed of a cell object each (docs/performance.md). openpyxl is only used
to read uploaded workbooks.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from contextlib import suppress
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
import xlsxwriter.workbook
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from xlsxwriter.utility import xl_col_to_name

from .exports import FORMULA_TRIGGERS, Export

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_MAX_CELL_TEXT = 32_767  # Excel's limit per cell
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
# A workbook larger than this goes to disk while it is written: memory per download stays
# about the same for a month or ten years of rows (bench: "peak memory flat").
SPOOL_MAX_BYTES = 1024 * 1024

# XlsxWriter makes the workbook (styles, sheet settings, data validation, the zip), in its
# constant-memory mode: each sheet's rows go to a temporary file as they come. The rows
# themselves are turned into SpreadsheetML here, one string per row, and written to that
# file: XlsxWriter's own per-cell calls cost three times as much (docs/performance.md).
# `_SheetRows` (the row file, the sheet's extent), `_Workbook.discard` (the row files of
# an abandoned workbook) and `_ZipFile` are the places that know XlsxWriter's internals;
# common/tests/test_xlsx.py reads every kind of cell and setting back with openpyxl, so an
# XlsxWriter release that changes them fails there (pyproject.toml keeps it at the tested 3.3).

# C0 controls other than tab, line feed and carriage return, and the two non-characters,
# are not allowed in XML: dropped (a pasted control character must not break the file).
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel reads "_x0041_" in a text as an escaped character: a literal one keeps its "_".
_EXCEL_ESCAPE_RE = re.compile("(_x[0-9a-fA-F]{4}_)")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 0, for dates from 1 March 1900 on
_EXCEL_EPOCH_DATE = _EXCEL_EPOCH.date()
_FIRST_SERIAL_DATE = dt.date(1900, 3, 1)  # before it Excel counts a 29 February 1900
_FIRST_SERIAL_TIME = dt.datetime(1900, 3, 1)
_FIRST_SERIAL = 61  # 1 March 1900
_EPOCH_ORDINAL = _EXCEL_EPOCH_DATE.toordinal()
_DAY = dt.timedelta(days=1)
# A text that needs more than wrapping: a character to drop or escape, an Excel escape to
# keep, a formula trigger first, a space at either end. Most cells have none; a character
# class, `in` and two set look-ups tell at a fifth of the cost of one anchored regex.
_TEXT_WORK_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")
_SPACES = frozenset(chr(code) for code in range(0x3001) if chr(code).isspace())
_FIRST_WORK = _SPACES | frozenset(FORMULA_TRIGGERS)
ROWS_PER_WRITE = 500  # rows joined into one write to the sheet's temporary file
XLSX_ZLIB_LEVEL = 1  # a third more bytes than zlib's default 6, in half the time


def display_width(text: str) -> int:
    """Characters as Excel lays them out: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    return cleaned[:31] or "Sheet"


def _numbered(title: str, part: int) -> str:
    """The title of a sheet's second part on, "Activities (2)": the suffix survives the
    31-character limit."""
    suffix = f" ({part})"
    return sheet_title(title)[: 31 - len(suffix)] + suffix


def _text_xml(text: str) -> str:
    """A text cell's content, as XlsxWriter writes an inline string."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    text = text[:XLSX_MAX_CELL_TEXT]
    if "_x" in text:
        text = _EXCEL_ESCAPE_RE.sub(r"_x005F\1", text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


class _SheetRows:
    """Writes one sheet's rows as SpreadsheetML into XlsxWriter's constant-memory row file.

    Cells are typed as before: numbers stay numbers, dates and times are Excel serial numbers
    shown as DATE_FORMAT and DATETIME_FORMAT, a time-zone-aware time is Hong Kong wall time
    (Excel has no time zones), True/False are "Yes"/"No" in the active language, None is an
    empty cell, anything else is text: cleaned of characters XML forbids, neutralised,
    cut at Excel's limit."""

    def __init__(self, sheet, columns: int, styles: dict[str, int]) -> None:
        self.sheet = sheet
        self.file = sheet.fh  # XlsxWriter's row file in constant-memory mode
        self.letters = [xl_col_to_name(i) for i in range(max(columns, 1))]
        self.header_style = styles["header"]
        self.date_style = styles["date"]
        self.datetime_style = styles["datetime"]
        self.zone = timezone.get_current_timezone()
        self.local_epoch = _EXCEL_EPOCH.replace(tzinfo=self.zone)
        self.yes, self.no = gettext("Yes"), gettext("No")
        self.count = 0  # rows written, header included
        self.pending: list[str] = []

    def header(self, labels: Sequence[str]) -> None:
        self.count += 1
        cells = "".join(
            f'<c r="{letter}1" s="{self.header_style}" t="inlineStr">{_text_xml(str(label))}</c>'
            for letter, label in zip(self.letters, labels, strict=False)
        )
        self.pending.append(f'<row r="1">{cells}</row>')

    def row(self, values: Sequence[Any]) -> None:
        self.count += 1
        number = str(self.count)  # made text once, not in each cell
        if len(values) > len(self.letters):  # more cells than the header: none is lost
            self.letters += [xl_col_to_name(i) for i in range(len(self.letters), len(values))]
        cells = []
        add = cells.append
        text_work, first_work, spaces = _TEXT_WORK_RE.search, _FIRST_WORK, _SPACES
        date_style, datetime_style = self.date_style, self.datetime_style
        datetime, date = dt.datetime, dt.date
        for letter, value in zip(self.letters, values, strict=False):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if (
                    value[0] in first_work
                    or value[-1] in spaces
                    or text_work(value)
                    or "_x" in value
                    or len(value) > XLSX_MAX_CELL_TEXT
                ):
                    add(f'<c r="{letter}{number}" t="inlineStr">{_text_xml(value)}</c>')
                else:
                    add(f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>')
            elif value is None:
                continue
            elif kind is datetime and value.tzinfo is None and value >= _FIRST_SERIAL_TIME:
                # A wall time (as PostgreSQL gives a time in Hong Kong): its serial at once.
                serial = (value - _EXCEL_EPOCH) / _DAY
                add(f'<c r="{letter}{number}" s="{datetime_style}"><v>{serial!r}</v></c>')
            elif kind is date and value >= _FIRST_SERIAL_DATE:
                serial = value.toordinal() - _EPOCH_ORDINAL
                add(f'<c r="{letter}{number}" s="{date_style}"><v>{serial}</v></c>')
            elif kind is int:
                add(f'<c r="{letter}{number}"><v>{value}</v></c>')
            elif kind is datetime or kind is date:
                add(self._date(letter, number, value))
            else:
                add(self._other(letter, number, value))
        self.pending.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(self.pending) >= ROWS_PER_WRITE:
            self.flush()

    def _number(self, letter: str, number: int | str, value: int | float | Decimal) -> str:
        if isinstance(value, int):
            text = str(int(value))
        elif math.isfinite(value):
            text = repr(float(value))
        else:  # NaN or infinity: no number Excel knows
            return f'<c r="{letter}{number}" t="inlineStr">{_text_xml(str(value))}</c>'
        return f'<c r="{letter}{number}"><v>{text}</v></c>'

    def _date(self, letter: str, number: int | str, value: dt.date) -> str:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:  # Excel has no time zones: Hong Kong wall time
                # Two times of one tzinfo subtract as wall times: the zone's own epoch.
                value = value.astimezone(self.zone)
                serial = (value - self.local_epoch) / _DAY
            else:
                serial = (value - _EXCEL_EPOCH) / _DAY
            if serial < _FIRST_SERIAL:  # before Excel's dates are right: as text
                text = value.replace(tzinfo=None).isoformat(" ", "minutes")
                return self._other(letter, number, text)
            return f'<c r="{letter}{number}" s="{self.datetime_style}"><v>{serial!r}</v></c>'
        if value < _FIRST_SERIAL_DATE:
            return self._other(letter, number, value.isoformat())
        serial = value.toordinal() - _EPOCH_ORDINAL
        return f'<c r="{letter}{number}" s="{self.date_style}"><v>{serial}</v></c>'

    def _other(self, letter: str, number: int | str, value: Any) -> str:
        """The rarer cells: True/False, Decimal, float, subclasses of numbers and dates,
        anything else as its text."""
        if isinstance(value, bool):
            value = self.yes if value else self.no
        elif isinstance(value, int | float | Decimal):
            return self._number(letter, number, value)
        elif isinstance(value, dt.date):  # a subclass of date or datetime
            return self._date(letter, number, value)
        return f'<c r="{letter}{number}" t="inlineStr">{_text_xml(str(value))}</c>'

    def flush(self) -> None:
        if self.pending:
            self.file.write("".join(self.pending))
            self.pending = []

    def close(self, columns: int) -> None:
        """Write what is left and tell XlsxWriter how far the sheet goes."""
        self.flush()
        sheet = self.sheet
        sheet.dim_rowmin, sheet.dim_rowmax = 0, self.count - 1
        sheet.dim_colmin, sheet.dim_colmax = 0, max(columns, len(self.letters), 1) - 1
        sheet.previous_row = self.count  # XlsxWriter's own row writes could not go back


class _ZipFile(zipfile.ZipFile):
    """The zip XlsxWriter packs a workbook into, at XLSX_ZLIB_LEVEL: at its default level
    compressing took a third of an export's time (docs/performance.md). XlsxWriter has no
    option for it, hence the one name replaced in its module, the only user in the process."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compresslevel", XLSX_ZLIB_LEVEL)
        super().__init__(*args, **kwargs)


xlsxwriter.workbook.ZipFile = _ZipFile


class _Workbook:
    """One XlsxWriter workbook in constant-memory mode, its three cell styles, and the
    names of its sheets (Excel compares them without regard to case)."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.book = xlsxwriter.Workbook(
            fileobj,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        formats = {
            "header": self.book.add_format({"bold": True}),
            "date": self.book.add_format({"num_format": DATE_FORMAT}),
            "datetime": self.book.add_format({"num_format": DATETIME_FORMAT}),
        }
        self.styles = {key: fmt._get_xf_index() for key, fmt in formats.items()}
        self.titles: set[str] = set()

    def unique_title(self, title: str) -> str:
        candidate, part = title, 1
        while candidate.lower() in self.titles:
            part += 1
            candidate = _numbered(title, part)
        self.titles.add(candidate.lower())
        return candidate

    def discard(self) -> None:
        """A workbook abandoned part-way (the database connection lost after 100 000 rows):
        XlsxWriter keeps each sheet's rows in a temporary file that only `close` removes, so
        without this every failed export would leave one on disk until the worker exits."""
        for sheet in self.book.worksheets():
            handle = getattr(sheet, "row_data_fh", None)
            if handle is not None:
                with suppress(Exception):
                    handle.close()
            name = getattr(sheet, "row_data_filename", None)
            if name:
                with suppress(OSError):
                    os.unlink(name)
        self.book.fileclosed = True


def _new_sheet(workbook: _Workbook, export: Export, header: list[str], part: int) -> _SheetRows:
    title = str(export.sheet_title or export.filename)
    title = _numbered(title, part) if part > 1 else sheet_title(title)
    sheet = workbook.book.add_worksheet(workbook.unique_title(title))
    if export.hidden:
        sheet.hide()
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many down as needed
    for index, (column, label) in enumerate(zip(export.columns, header, strict=True)):
        width = max(column.width, display_width(label)) + 2
        sheet.set_column(index, index, min(width, 80))
    rows = _SheetRows(sheet, len(header), workbook.styles)
    rows.header(header)
    return rows


def _end_sheet(rows: _SheetRows, columns: int) -> None:
    rows.close(columns)
    rows.sheet.autofilter(0, 0, rows.count - 1, max(columns, 1) - 1)


def _add_sheet(workbook: _Workbook, export: Export) -> None:
    """One sheet, or as many as needed: past Excel's row limit the rows go on in a new
    sheet with the same header ("Activities (2)")."""
    header = export.header()
    columns = len(header)
    part = 1
    rows = _new_sheet(workbook, export, header, part)
    for row in export.rows():
        if rows.count >= XLSX_MAX_ROWS:
            _end_sheet(rows, columns)
            part += 1
            rows = _new_sheet(workbook, export, header, part)
        rows.row(row)
    _end_sheet(rows, columns)
    export.finish_xlsx(rows.sheet)


def write_xlsx(fileobj: IO[bytes], *exports: Export) -> None:
    """One sheet per export, in the order given."""
    workbook = _Workbook(fileobj)
    try:
        for export in exports:
            _add_sheet(workbook, export)
        workbook.book.close()
    except BaseException:
        workbook.discard()
        raise


def render_xlsx(export: Export, *more_sheets: Export) -> FileResponse:
    """The workbook is written before the response starts (a zip needs its directory at the
    end), into a temporary file that moves to disk once it outgrows SPOOL_MAX_BYTES."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115 (closed by the response)
    try:
        write_xlsx(spool, export, *more_sheets)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=f"{export.filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
