"""Downloads: one class per export describes the columns and yields the rows; one writer
renders it as CSV or XLSX.

Modelled on pretix's `base/exporter.py`: an export knows nothing about file formats, and
the writer knows nothing about activities. The writer is where every cell is made safe to
open in a spreadsheet (a text cell that starts like a formula is neutralised), so no export
can forget it. Both formats run in constant memory: CSV is streamed to the client as the
rows come, XLSX is written row by row by openpyxl's write-only mode into a temporary file.

Every app's downloads use it: subclass `Export`, then `render_csv`/`render_xlsx` in a view,
or `write_csv`/`write_xlsx` to a file (command line, stored snapshots).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import DatabaseError
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

logger = logging.getLogger(__name__)

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets (tab and carriage return can precede one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_MAX_CELL_TEXT = 32_767  # Excel's limit per cell
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
CSV_ROWS_PER_CHUNK = 200  # rows per chunk sent to the client
SPOOL_MAX_BYTES = 5 * 1024 * 1024  # XLSX files larger than this go to disk while written


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate as a formula gets a leading `'`.

    Only text: numbers, dates and None are returned unchanged, so a real -5 stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column of an export. `label` is translated when the header is written; `width`
    is the typical content length in characters (XLSX widens it to fit the header)."""

    label: str
    width: int = 16


class Export:
    """One download: a header, then rows of plain values.

    Cells may be str, int, Decimal, float, bool, date, datetime or None; the writer turns
    them into text for CSV and into typed cells (real numbers, real dates) for XLSX.
    Translate text in `rows()`, not in `__init__`: the writer runs it in the language of the
    request, also when the rows are streamed after the view has returned.
    """

    filename: str = "export"  # without extension
    sheet_title: str = ""
    columns: Sequence[Column] = ()
    hidden: bool = False  # XLSX: a sheet other sheets refer to (drop-down lists), out of sight

    def header(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def rows(self) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def finish_xlsx(self, sheet) -> None:
        """XLSX only: what the sheet carries besides its cells (data validation), added
        after the rows and before the workbook is saved."""

    def iterate(self) -> Iterator[Sequence[Any]]:
        """The header, then the rows (pretix's `iterate_list`)."""
        yield self.header()
        yield from self.rows()


# --- CSV -----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns what it was given (Django's streaming CSV recipe)."""

    def write(self, value: str) -> str:
        return value


def csv_cells() -> Callable[[Any], str]:
    """The function that turns a cell into CSV text, in the active language and time zone
    (read once: it runs for every cell of a million rows)."""
    zone = timezone.get_current_timezone()
    yes, no = gettext("Yes"), gettext("No")
    datetime, date = dt.datetime, dt.date

    def cell(value: Any) -> str:
        if value is None:
            return ""
        kind = type(value)
        if kind is str:
            return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
        if kind is bool:
            return yes if value else no
        if kind is datetime:
            if value.tzinfo is not None:
                value = value.astimezone(zone)
            return value.isoformat(" ", "minutes")[:16]
        if kind is date:
            return value.isoformat()
        if isinstance(value, str):  # a lazy translation or a str subclass
            return neutralise(str(value))
        return str(value)

    return cell


def iter_csv(export: Export, *, language: str | None = None) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, so that Excel opens Chinese text intact; CRLF lines."""
    writer = csv.writer(_Echo())
    with translation.override(language or translation.get_language()):
        cell = csv_cells()
        yield "\ufeff".encode()
        lines: list[str] = []
        for row in export.iterate():
            lines.append(writer.writerow([cell(value) for value in row]))
            if len(lines) >= CSV_ROWS_PER_CHUNK:
                yield "".join(lines).encode()
                lines = []
        if lines:
            yield "".join(lines).encode()


def write_csv(export: Export, fileobj: IO[bytes]) -> None:
    for chunk in iter_csv(export):
        fileobj.write(chunk)


def render_csv(export: Export) -> StreamingHttpResponse:
    """Streamed as the rows come. The query runs once the response has started, after the
    session is saved: an SQLite connection with a read still open refuses that write. A
    database that cannot be reached has failed the request's first queries by then (a 503
    page, `common.middleware.database`); a failure during the download is `_abort_on_error`'s."""
    # The language is read now, while the request's is active: the rows are produced later.
    language = translation.get_language()
    response = StreamingHttpResponse(
        _abort_on_error(iter_csv(export, language=language), language=language),
        content_type=CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{export.filename}.csv"
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _abort_on_error(chunks: Iterator[bytes], *, language: str) -> Iterator[bytes]:
    """A failure after the response has started (the database connection lost after ten
    thousand rows) cannot become an error page any more. The file then ends with a line
    that says it is incomplete, and the error goes on to the server, which aborts the
    response: an HTTP/1.1 client sees the transfer cut short, and whoever opens a copy saved
    anyway reads that rows are missing. Never a file that looks whole without them."""
    try:
        yield from chunks
    except Exception as error:
        logger.exception("CSV download stopped part-way")
        with translation.override(language):
            if isinstance(error, DatabaseError):
                reason = gettext("the connection to the database was lost")
            else:
                reason = gettext("an error occurred on the server")
            notice = gettext(
                "INCOMPLETE DOWNLOAD: this file stopped part-way because %(reason)s. Rows "
                "are missing. Download it again."
            ) % {"reason": reason}
        yield csv.writer(_Echo()).writerow([neutralise(notice)]).encode()
        raise


# --- XLSX ----------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Characters as Excel lays them out: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    return cleaned[:31] or "Sheet"


def _xlsx_cell(sheet, value: Any):
    if value is None:
        return None
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):  # Excel has no time zones: Hong Kong wall time
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float | Decimal):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return neutralise(text)[:XLSX_MAX_CELL_TEXT]


def _new_sheet(workbook: Workbook, export: Export, header: list[str], part: int):
    title = str(export.sheet_title or export.filename)
    if part > 1:  # " (2)" must survive the 31-character limit
        suffix = f" ({part})"
        title = sheet_title(title)[: 31 - len(suffix)] + suffix
    sheet = workbook.create_sheet(sheet_title(title))
    if export.hidden:
        sheet.sheet_state = "hidden"
    # In write-only mode the sheet's layout goes out with the first row: set it before.
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for index, (column, label) in enumerate(zip(export.columns, header, strict=True), start=1):
        width = max(column.width, display_width(label)) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 80)

    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=neutralise(label))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    return sheet


def _add_sheet(workbook: Workbook, export: Export) -> None:
    """One sheet, or as many as needed: past Excel's row limit the rows go on in a new
    sheet with the same header ("Activities (2)")."""
    header = export.header()
    part = 1
    sheet = _new_sheet(workbook, export, header, part)
    last_column = get_column_letter(max(len(header), 1))
    count = 1
    for row in export.rows():
        if count >= XLSX_MAX_ROWS:
            sheet.auto_filter.ref = f"A1:{last_column}{count}"
            part += 1
            sheet = _new_sheet(workbook, export, header, part)
            count = 1
        count += 1
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    sheet.auto_filter.ref = f"A1:{last_column}{count}"
    export.finish_xlsx(sheet)


def write_xlsx(fileobj: IO[bytes], *exports: Export) -> None:
    """One sheet per export, in the order given."""
    workbook = Workbook(write_only=True)
    try:
        for export in exports:
            _add_sheet(workbook, export)
        workbook.save(fileobj)
    except BaseException:
        _discard(workbook)
        raise


def _discard(workbook: Workbook) -> None:
    """A workbook abandoned part-way (the database connection lost after 100 000 rows):
    openpyxl keeps each write-only sheet in a temporary file that only `save` removes, so
    without this every failed export would leave one on disk until the worker exits."""
    for sheet in workbook.worksheets:
        writer = sheet._writer
        if writer is None:
            continue
        with suppress(Exception):
            if not sheet.closed:
                sheet.close()
        with suppress(Exception):
            writer.cleanup()


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
