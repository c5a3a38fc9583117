"""Downloads: one class per export describes the columns and yields the rows; one writer
renders it as CSV (here) or XLSX (`common.xlsx`).

Modelled on pretix's `base/exporter.py`: an export knows nothing about file formats, and
the writer knows nothing about activities. The writer is where every cell is made safe to
open in a spreadsheet (a text cell that starts like a formula is neutralised), so no export
can forget it. Both formats run in constant memory: CSV is streamed to the client as the
rows come; XLSX is made by XlsxWriter in its constant-memory mode (`common.xlsx`).

Every app's downloads use it: subclass `Export`, then `render_csv` (or `render_xlsx`) in a
view, or `write_csv` (`write_xlsx`) to a file (command line, stored snapshots). On
PostgreSQL an export may instead hand the CSV writer one SELECT (`Export.copy_query`), whose
rows PostgreSQL writes itself with COPY, byte for byte what the writer would write
(docs/performance.md, "What keeps it fast").
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import DatabaseError
from django.db.models import Case, Expression, F, Func, TextField, Value, When
from django.db.models.functions import Left, NullIf
from django.db.models.lookups import In
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from .copy_csv import CopyQuery, copy_csv

logger = logging.getLogger(__name__)

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets (tab and carriage return can precede one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CSV_ROWS_PER_CHUNK = 200  # rows per chunk sent to the client
# One line end for every CSV: PostgreSQL's COPY ends its lines with LF and has no option for
# CRLF, and turning its LFs into CRLFs would mean reading every quoted field in Python again.
# Excel, LibreOffice, Numbers, Google Sheets and our own import all read LF.
CSV_LINE_END = "\n"


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate as a formula gets a leading `'`.

    Only text: numbers, dates and None are returned unchanged, so a real -5 stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralised(expression: Expression | str) -> Expression:
    """`neutralise` and the CSV writer's text rules in SQL, for an export PostgreSQL writes
    (`Export.copy_query`): a formula-looking start gets a `'`, and an empty text becomes
    NULL, which COPY writes as an empty field as the csv module writes "" (COPY would write
    "" as `""`)."""
    if isinstance(expression, str):
        expression = F(expression)
    return NullIf(
        Case(
            When(
                In(Left(expression, 1), list(FORMULA_TRIGGERS)),
                then=joined_text(Value("'"), expression),
            ),
            default=expression,
            output_field=TextField(),
        ),
        Value(""),
        output_field=TextField(),
    )


def joined_text(*expressions: Expression) -> Expression:
    """Texts joined with SQL's `||` (NULL if one is NULL): Concat makes each side NULL-safe,
    which a column read for a million rows pays for."""
    return Func(
        *expressions, arg_joiner=" || ", template="(%(expressions)s)", output_field=TextField()
    )


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
        after the rows and before the workbook is saved. `sheet` is an XlsxWriter
        worksheet whose rows are written: add settings (`sheet.data_validation(...)`),
        not cells."""

    def copy_query(self) -> CopyQuery | None:
        """CSV only: a SELECT whose rows, written by PostgreSQL's COPY (FORMAT csv), are
        exactly the lines this writer makes of `rows()`: the same cells as text, text cells
        `neutralised`, None and "" as NULL. Built when the rows are written, in the reader's
        language. None (the default) where the export has none or the database is not
        PostgreSQL: the writer then writes `rows()`."""
        return None

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


class _Writer:
    """The csv module's writer, its lines ended by CSV_LINE_END. It writes with its default
    CRLF, which is what makes it quote a field holding a carriage return (with LF it would
    leave a lone CR unquoted, which a spreadsheet reads as a line break), then ends the line
    with LF: the CRLF it adds is always the line's last two characters."""

    def __init__(self) -> None:
        self.writer = csv.writer(_Echo())

    def writerow(self, row: Iterable[Any]) -> str:
        return self.writer.writerow(row)[:-2] + CSV_LINE_END


def _csv_writer() -> _Writer:
    return _Writer()


def iter_csv(export: Export, *, language: str | None = None) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, so that Excel opens Chinese text intact; LF lines."""
    writer = _csv_writer()
    with translation.override(language or translation.get_language()):
        cell = csv_cells()
        query = export.copy_query()
        if query is not None:
            # The header (translated here) goes out at once; PostgreSQL writes the rows.
            header = writer.writerow([cell(value) for value in export.header()])
            yield ("\ufeff" + header).encode()
            yield from copy_csv(query)
            return
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
        yield _csv_writer().writerow([neutralise(notice)]).encode()
        raise
