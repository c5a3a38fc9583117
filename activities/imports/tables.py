"""Reading a workbook or a CSV file into the rows under its header.

The header row is found by its names (English, Chinese or the column key), blank rows are
skipped, and more than 5 000 rows refuses the whole file. A cell that holds a formula
is noted, so that its row refuses it (its result is never read); only what was typed or
pasted as text is imported.

A workbook whose parts hold no formula and no error value (most of them: the template
filled in and pasted as values) is read by calamine (Rust), ten times faster than
openpyxl; its values are made what openpyxl gives (a date cell a datetime, a whole number
an int, an empty cell None). Any other is read by openpyxl in read-only mode, with its
formulas, through defusedxml (installed with fpdf2). Neither expands XML entities.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from ..models import ImportBatch
from .cells import CONTROL_CHARACTERS, cell_text, tidy
from .columns import COLUMNS, COLUMNS_BY_KEY, REQUIRED_KEYS
from .upload import UTF16_BOMS, ImportFileError, broken_workbook

logger = logging.getLogger(__name__)

MAX_ROWS = 5_000
MAX_COLUMNS = 40  # cells further right are never read
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two


class _NoHeader(ImportFileError):
    pass


def _header_key(text: str) -> str:
    return re.sub(r"[\s/()\[\]:\-_*.]+", "", unicodedata.normalize("NFKC", text)).casefold()


def _header_aliases() -> dict[str, str]:
    aliases = {}
    for column in COLUMNS:
        names = {
            column.key,
            column.english,
            column.chinese,
            column.simplified,
            column.english + column.chinese,
            column.chinese + column.english,
            column.english + column.simplified,
            *column.aliases,
        }
        for name in names:
            aliases[_header_key(name)] = column.key
    return aliases


HEADER_ALIASES = _header_aliases()
NO_FORMULAS: frozenset[int] = frozenset()  # a CSV file holds text, never a formula


@dataclass
class Table:
    """The rows under the header, blank ones left out, each with its row number as the
    spreadsheet shows it."""

    positions: dict[str, int]  # column key -> index in a row
    labels: dict[str, str]  # column key -> the header as written in the file
    ignored: list[str]  # headers of columns that are not read
    rows: list[tuple[int, Sequence[Any]]]
    # row number -> the keys of its columns whose cell holds a formula (rows that have one)
    formulas: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def letter(self, key: str) -> str:
        return get_column_letter(self.positions[key] + 1) if key in self.positions else ""


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(limit)s rows of activities. Split it into files of at "
            "most %(limit)s rows and import them one after the other."
        )
        % {"limit": formats.number_format(MAX_ROWS, force_grouping=True)},
        code="too_many_rows",
    )


def _table(numbered_rows: Iterable[tuple[int, Sequence[Any], frozenset[int]]]) -> Table:
    """The table under the header, from (row number, cells, indices of the cells that hold
    a formula) for every row of a sheet. A row with a formula in a column that is read is
    never blank: it is refused, in its row, whatever the formula shows."""
    rows = iter(numbered_rows)
    header: Sequence[Any] | None = None
    keys: list[str | None] = []
    for number, cells, _formulas in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        keys = [HEADER_ALIASES.get(_header_key(cell_text(cell))) for cell in cells]
        if set(keys) >= REQUIRED_KEYS:
            header = cells
            break
    if header is None:
        raise _NoHeader(
            _(
                "The file has no header row with the columns %(columns)s. Start from the "
                "template: its first row has the names the import looks for."
            )
            % {"columns": ", ".join(c.header for c in COLUMNS if c.key in REQUIRED_KEYS)},
            code="no_header",
        )
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored = []
    for index, key in enumerate(keys):
        text = tidy(cell_text(header[index]))
        if key is None:
            if text:
                ignored.append(f"{get_column_letter(index + 1)} “{text}”")
            continue
        if key in positions:
            raise ImportFileError(
                _("Columns %(first)s and %(second)s are both “%(name)s”: keep only one.")
                % {
                    "first": get_column_letter(positions[key] + 1),
                    "second": get_column_letter(index + 1),
                    "name": COLUMNS_BY_KEY[key].header,
                },
                code="duplicate_column",
            )
        positions[key] = index
        labels[key] = text
    read = sorted(positions.values())
    key_at = {index: key for key, index in positions.items()}
    data = []
    formulas: dict[int, tuple[str, ...]] = {}
    for number, cells, formula_cells in rows:
        in_read = sorted(formula_cells & key_at.keys())
        if not in_read and not any(cell_text(cells[i]).strip() for i in read if i < len(cells)):
            continue  # blank rows, wherever they are
        data.append((number, tuple(cells)))
        if len(data) > MAX_ROWS:
            raise _too_many_rows()
        if in_read:
            formulas[number] = tuple(key_at[index] for index in in_read)
    return Table(positions=positions, labels=labels, ignored=ignored, rows=data, formulas=formulas)


def _sheet_rows(sheet) -> Iterator[tuple[int, tuple[Any, ...], frozenset[int]]]:
    """(row number, cell values, indices of the cells that hold a formula) for every row of
    a sheet opened with its formulas, not their results. A formula's result is whatever the
    program that saved the file last computed, or nothing (openpyxl saves none): never
    what is imported. A filled-down formula is written in every cell it fills (shared); an
    array formula, a dynamic array's spill or a data table only in its first cell, the
    others holding just a result: they are found from the range that first cell names."""
    ranges: list[CellRange] = []
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        found: set[int] = set()
        for index, cell in enumerate(cells):
            if cell.data_type != "f":
                continue
            found.add(index)
            ref = getattr(cell.value, "ref", None)  # ArrayFormula, DataTableFormula
            if ref:
                with contextlib.suppress(TypeError, ValueError):  # the first is refused anyway
                    ranges.append(CellRange(ref))
        for area in ranges:
            if area.min_row <= number <= area.max_row:
                found.update(range(area.min_col - 1, min(area.max_col, MAX_COLUMNS)))
        ranges = [area for area in ranges if area.max_row > number]
        yield number, tuple(cell.value for cell in cells), frozenset(found)


# What calamine is not given, each test a fast scan of a part's bytes: a formula (<f>,
# shared and array ones too), an error value (t="e"), text that the two read differently
# (an escaped character such as _x000D_, which openpyxl leaves as written; spaces at either
# end of a piece of text not marked xml:space="preserve", which calamine drops), a cell that
# does not begin by saying where it is (<c r="B2"), a style with a built-in East Asian
# date format (below), and one beyond MAX_COLUMNS or row 9 999
# (the 5 000 rows allowed, with room to spare). calamine holds a sheet as a full rectangle
# from A1 to its last cell, so that a lone cell at XFD1048576 would take gigabytes. A part
# that names these elements with a prefix (<x:c>) is not looked into: openpyxl reads it.
# Charts' references (<c:f>) and drawings' text (<a:t>) send a workbook to openpyxl too:
# that costs time, not rules.
_FORMULA = re.compile(rb"<f[\s/>]")
_ERROR_VALUE = re.compile(rb"\bt\s*=\s*[\"']e[\"']")
_ESCAPED_CHARACTER = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_UNPRESERVED_SPACES = re.compile(rb"<t>(?:\s|[^<]*\s</t>)")
_CELL = re.compile(rb"<c[\s/>]")
_CELL_OUT_OF_BOUNDS = re.compile(rb'<c r="(?:[A-Z]{3}|A[O-Z]|[B-Z][A-Z]|[A-Z]{1,2}(?:0|\d{5}))')
_PREFIXED = re.compile(rb":[cft][\s/>]")
# Excel's built-in East Asian date formats (27-36, 50-58: 2026年6月2日 and the like, which
# Excel in Chinese writes): calamine reads a number so formatted as a date, openpyxl (whose
# table of built-in formats has no such ids) as the number.
_EAST_ASIAN_DATE_FORMAT = re.compile(rb'numFmtId\s*=\s*["\'](?:2[7-9]|3[0-6]|5[0-8])["\']')


# An error value's type is a quoted "e": a part without one has none (found with a plain
# search, a tenth of the time of the pattern's, which must look at every "t" in the part).
_QUOTED_E = (b'"e"', b"'e'", b"\"e'", b"'e\"")


def _has_error_value(xml: bytes) -> bool:
    return any(quoted in xml for quoted in _QUOTED_E) and bool(_ERROR_VALUE.search(xml))


def _calamine_reads(xml: bytes) -> bool:
    return not (
        _PREFIXED.search(xml)
        or _FORMULA.search(xml)
        or _has_error_value(xml)
        or _ESCAPED_CHARACTER.search(xml)
        or _UNPRESERVED_SPACES.search(xml)
        or _CELL_OUT_OF_BOUNDS.search(xml)
        or _EAST_ASIAN_DATE_FORMAT.search(xml)
        or len(_CELL.findall(xml)) != xml.count(b'<c r="')
    )


def _needs_openpyxl(content: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return not all(
            _calamine_reads(package.read(entry))
            for entry in package.infolist()
            if entry.filename.endswith(".xml")
        )


def _calamine_value(value: Any) -> Any:
    """A cell as openpyxl gives it: calamine has "" for an empty cell, a float for every
    number, a date for a date cell at midnight."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _calamine_rows(sheet) -> Iterator[tuple[int, tuple[Any, ...], frozenset[int]]]:
    # From A1 (iter_rows and the default would start at the first column with a value).
    for number, cells in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        yield number, tuple(_calamine_value(cell) for cell in cells[:MAX_COLUMNS]), NO_FORMULAS


def _calamine_table(content: bytes) -> Table:
    with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
        no_header = None
        for sheet in workbook.sheets_metadata:
            if sheet.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                return _table(_calamine_rows(workbook.get_sheet_by_name(sheet.name)))
            except _NoHeader as exc:
                no_header = exc
        if no_header is not None:
            raise no_header
        raise ValueError("no worksheet")


def _xlsx_table(name: str, content: bytes) -> Table:
    try:
        if not _needs_openpyxl(content):
            return _calamine_table(content)
    except ImportFileError:
        raise
    except Exception as exc:  # whatever calamine or zipfile raise: openpyxl has its say
        logger.info("Workbook %r not read by calamine: %r", name, exc)
    return _openpyxl_table(name, content)


def _openpyxl_table(name: str, content: bytes) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        logger.info("Unreadable workbook %r: %r", name, exc)
        raise broken_workbook(name) from exc
    try:
        no_header = None
        for sheet in workbook.worksheets:
            try:
                return _table(_sheet_rows(sheet))
            except _NoHeader as exc:
                no_header = exc
        raise no_header or broken_workbook(name)
    except ImportFileError:
        raise
    except Exception as exc:
        logger.info("Unreadable workbook %r: %r", name, exc)
        raise broken_workbook(name) from exc
    finally:
        workbook.close()


def _csv_table(name: str, content: bytes) -> Table:
    try:
        text = (
            content.decode("utf-16")
            if content.startswith(UTF16_BOMS)
            else content.decode("utf-8-sig")
        )
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "“%(name)s” is not saved as UTF-8, so its Chinese text would be garbled. In "
                "Excel choose Save As › CSV UTF-8 (Comma delimited), or upload the .xlsx file."
            )
            % {"name": name},
            code="encoding",
        ) from exc
    first_line = text[:4096].split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(
            (number, cells[:MAX_COLUMNS], NO_FORMULAS) for number, cells in enumerate(reader, 1)
        )
    except csv.Error as exc:
        raise ImportFileError(
            _("“%(name)s” could not be read as a CSV file: %(error)s")
            % {"name": name, "error": exc},
            code="broken",
        ) from exc


def read_table(*, name: str, file_format: str, content: bytes) -> Table:
    if file_format == ImportBatch.Format.XLSX:
        return _xlsx_table(name, content)
    return _csv_table(name, content)


# --- the table kept for the confirmation ---------------------------------------------------


def _cell_to_json(value: Any) -> Any:
    if isinstance(value, str):
        # As a row reads it (`rows._parse_row`): PostgreSQL keeps no NUL in JSON.
        return CONTROL_CHARACTERS.sub("", value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    for kind in (dt.datetime, dt.date, dt.time):  # datetime first: it is a date too
        if isinstance(value, kind):
            return {kind.__name__: value.isoformat()}
    return _cell_to_json(str(value))  # read as text only (`cells.cell_text`): its text is all


def _cell_from_json(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    [(kind, text)] = value.items()
    if kind == "float":
        return float(text)
    return {"datetime": dt.datetime, "date": dt.date, "time": dt.time}[kind].fromisoformat(text)


def table_to_json(table: Table) -> dict[str, Any]:
    """The table as JSON, with the cells that are read and their types (an Excel date stays a
    date, a number a number), kept with the batch: the confirmation checks these rows again
    without reading the file a second time."""
    read = set(table.positions.values())
    return {
        "positions": table.positions,
        "labels": table.labels,
        "ignored": table.ignored,
        "rows": [
            [
                number,
                [_cell_to_json(cell) if i in read else None for i, cell in enumerate(cells)],
            ]
            for number, cells in table.rows
        ],
        "formulas": [[number, list(keys)] for number, keys in table.formulas.items()],
    }


def table_from_json(data: dict[str, Any]) -> Table:
    return Table(
        positions=data["positions"],
        labels=data["labels"],
        ignored=data["ignored"],
        rows=[
            (number, [_cell_from_json(cell) for cell in cells]) for number, cells in data["rows"]
        ],
        formulas={number: tuple(keys) for number, keys in data["formulas"]},
    )
