"""Bulk import of activities from a spreadsheet (issue 3, "Bulk import").

An upload goes through four steps; each can refuse it with a message that says what to do.

1. The file: at most 5 MB, named .xlsx or .csv and with content that agrees (sniffed, never
   trusted from the name). The size is known before a byte is parsed, and no more than
   5 MB of an upload is ever kept (`ImportUploadHandler`). A workbook's zip directory is
   read before anything is unpacked and refused if it would unpack to more than 50 MB (a
   zip bomb): Python's zipfile never inflates an entry beyond the size its directory
   declares, so that sum is a real bound (a directory that lies gets the entry cut short,
   and its checksum fails). openpyxl reads the XML in read-only mode, through defusedxml
   (installed with fpdf2): entity expansion and external entities are refused.
2. The rows: the header row is found by its names (English, Chinese or the column key),
   blank rows are skipped, and more than 5 000 rows refuses the whole file. Cells are read
   the way people write them (Excel dates, 2/3/2026 as day/month as in Hong Kong,
   2026年3月2日, full-width digits) and names are matched against the reference data,
   loaded once per file whatever its length. A refused row whose date reads two ways
   (12/03/2026) says how it was read. A cell that holds a formula is refused in its row,
   never read as the result the file may carry (which the program that saved it computed,
   if any did): only what was typed or pasted as text is imported.
3. Duplicates: an activity (not removed) with the same lead office, indicator, date and
   title (normalised, case-insensitive), or the same row earlier in the file. One query.
4. The rules: every other row goes through `services.activity_check`, the checks that
   `activity_create` runs, without writing, so the preview gives exactly the messages the
   form would give. Period states are looked up once per office and month.

The file is kept in an ImportBatch for its uploader. Confirming reads the same bytes again
and creates, as drafts through `activities_create_bulk`, exactly the rows the preview showed as
new, in one transaction: all of them, or none if any has become invalid or a duplicate in
the meantime (the preview is then updated to say which and why). Confirmations into the same
lead offices take their turn, so the same rows confirmed twice at once are imported once.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import filetype
import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.cell_range import CellRange

from common.db import retry_on_conflict
from common.exports import Column, Export
from offices.models import Counterpart, Indicator, Office, Region

from .access import can_write_for_office
from .models import MAX_IMPORT_FILE_BYTES, Activity, AuthorityLevel, ImportBatch
from .services import activities_create_bulk, activity_check

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = MAX_IMPORT_FILE_BYTES  # 5 MB
MAX_ROWS = 5_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_COLUMNS = 40  # cells further right are never read
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two
SNIFF_BYTES = 8192
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"
SUMMARY_ROWS = 20  # invalid rows listed in the error summary; the table has them all


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported: nothing in it is."""


class _NoHeader(ImportFileError):
    pass


# --- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    """A column of the template. The header is bilingual and the same in every language of
    the interface, so that a file reads the same whoever fills it in."""

    key: str
    english: str
    chinese: str  # Traditional
    simplified: str
    hint: Any  # lazy translation: what to write in it
    required: bool = False
    width: int = 16
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.english} {self.chinese}"


COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "date",
        "Date",
        "日期",
        "日期",
        gettext_lazy(
            "Required. An Excel date, or 2026-03-02, 2/3/2026 (day/month/year) or 2026年3月2日."
        ),
        required=True,
        width=12,
        aliases=("Date of activity", "活動日期", "活动日期"),
    ),
    ImportColumn(
        "indicator",
        "Indicator",
        "指標",
        "指标",
        gettext_lazy(
            "Required. The indicator's name in English or Chinese, or its code (see the "
            "Lists sheet of the Excel template)."
        ),
        required=True,
        width=24,
        aliases=("KPI", "Indicator code", "指標代碼"),
    ),
    ImportColumn(
        "title",
        "Title",
        "標題",
        "标题",
        gettext_lazy("Required. What took place, in up to 200 characters."),
        required=True,
        width=40,
        aliases=("Activity", "活動", "活动", "題目", "题目"),
    ),
    ImportColumn(
        "lead_office",
        "Lead office or unit code",
        "主責辦事處或單位代碼",
        "主责办事处或单位代码",
        gettext_lazy(
            "Optional. Leave it empty for the office chosen when uploading, or give the code "
            "of one of its units."
        ),
        width=12,
        aliases=("Lead office", "Office code", "Office", "Unit code", "辦事處", "办事处"),
    ),
    ImportColumn(
        "region",
        "Region",
        "地區",
        "地区",
        gettext_lazy(
            "Optional. Province, municipality or autonomous region, in English or Chinese, or "
            "its six-digit code."
        ),
        width=14,
        aliases=("Province", "省份", "省市"),
    ),
    ImportColumn("city", "City", "城市", "城市", gettext_lazy("Optional."), width=14),
    ImportColumn(
        "counterparts",
        "Counterparts",
        "聯繫對象",
        "联系对象",
        gettext_lazy(
            "Names from the counterpart directory, in English or Chinese, separated by “;”. "
            "Required for the indicators that need a counterpart."
        ),
        width=40,
        aliases=("Counterpart", "對口單位", "对口单位", "對口機構", "对口机构"),
    ),
    ImportColumn(
        "authority_level",
        "Authority level",
        "部門級別",
        "部门级别",
        gettext_lazy(
            "For visits: central, provincial, municipal or district (or 中央, 省級, 市級, 區縣級)."
        ),
        width=12,
        aliases=("Level of the authority", "Level", "級別", "级别"),
    ),
    ImportColumn(
        "event",
        "Event",
        "活動名稱",
        "活动名称",
        gettext_lazy("For speaking occasions: the name of the event."),
        width=24,
        aliases=("Event name",),
    ),
    ImportColumn(
        "hk_participants",
        "Hong Kong participants",
        "香港參與人員",
        "香港参与人员",
        gettext_lazy("Optional. Separate the names with “;”."),
        width=30,
        aliases=("Participants", "參與人員", "参与人员"),
    ),
    ImportColumn(
        "notes",
        "Notes",
        "備註",
        "备注",
        gettext_lazy("Optional."),
        width=30,
        aliases=("Remarks", "備注"),
    ),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = frozenset(column.key for column in COLUMNS if column.required)

# The template's example row. A row with this title is skipped: people forget to delete it.
EXAMPLE_TITLE = "Example: call on the Department of Commerce 示例：拜訪商務廳"
EXAMPLE_ROW = {
    "date": dt.date(2026, 3, 2),
    "indicator": "visits",
    "title": EXAMPLE_TITLE,
    "lead_office": "",
    "region": "廣東省",
    "city": "Guangzhou 廣州",
    "counterparts": "Department of Commerce of Guangdong Province; 廣東省人民政府港澳事務辦公室",
    "authority_level": "provincial",
    "event": "",
    "hk_participants": "Director 主任; Deputy Director 副主任",
    "notes": "Delete this example row before uploading. 上載前請刪除此示例列。",
}

# Activity fields as named in the service's errors -> the column they come from.
FIELD_COLUMNS = {
    "occurred_on": "date",
    "indicator": "indicator",
    "title": "title",
    "lead_office": "lead_office",
    "region": "region",
    "city": "city",
    "counterparts": "counterparts",
    "authority_level": "authority_level",
    "event_name": "event",
    "hk_participants": "hk_participants",
    "notes": "notes",
}


# --- reading text the way spreadsheets hold it --------------------------------------------

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Full-width letters and digits, the ideographic space and the no-break space.
_FULL_WIDTH = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_FULL_WIDTH.update({0x3000: 0x20, 0xA0: 0x20})


def normalise(text: str) -> str:
    """The form used to compare names and titles: NFKC (full-width letters, digits, spaces
    and punctuation become their ASCII forms), case-folded, whitespace collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def tidy(text: str, *, multiline: bool = False) -> str:
    """The form that is stored: full-width letters, digits and spaces become ASCII, Chinese
    punctuation stays as written, runs of spaces are collapsed."""
    text = _CONTROL.sub("", text.translate(_FULL_WIDTH)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return ("\n" if multiline else " ").join(line for line in lines if line)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _split_list(text: str) -> list[str]:
    """Names separated by “;” (full-width too) or by line breaks (Alt+Enter in Excel)."""
    return [tidy(part) for part in re.split(r"[;；\r\n]", text) if part.strip()]


# --- dates ---------------------------------------------------------------------------------


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_MONTH_NAMES = (
    ("jan", "january"),
    ("feb", "february"),
    ("mar", "march"),
    ("apr", "april"),
    ("may",),
    ("jun", "june"),
    ("jul", "july"),
    ("aug", "august"),
    ("sep", "sept", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
)
MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_SEP = r"\s*[-/.]\s*"
_YMD = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}}){_TIME}$")
_DMY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}){_TIME}$")
_DMY_SHORT_YEAR = re.compile(rf"^\d{{1,2}}{_SEP}\d{{1,2}}{_SEP}\d{{2}}$")
_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日號号]?$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")
_MONTH_D_Y = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
# Excel day numbers from 2000-01-01 to 2099-12-31: a date in a cell formatted as a number.
EXCEL_SERIALS = (36526, 73050)


def parse_date(value: Any) -> dt.date:
    """A date from an Excel date cell or from the ways people type one. Two numbers and a
    year are day/month/year, the Hong Kong convention: 2/3/2026 is 2 March 2026."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        raise CellError(_("This cell holds a time, not a date."))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            return from_excel(value).date()
        raise CellError(
            _("“%(value)s” is a number, not a date. Format the cell as a date.")
            % {"value": cell_text(value)}
        )
    text = normalise(str(value))
    year = month = day = None
    if match := _YMD.match(text) or _CHINESE.match(text):
        year, month, day = match.groups()
    elif match := _DMY.match(text):
        day, month, year = match.groups()
    elif match := _D_MONTH_Y.match(text):
        day, name, year = match.groups()
        month = MONTHS.get(name)
    elif match := _MONTH_D_Y.match(text):
        name, day, year = match.groups()
        month = MONTHS.get(name)
    elif _DMY_SHORT_YEAR.match(text):
        raise CellError(
            _("Write the year in full: “%(value)s” could be in any century.") % {"value": value}
        )
    if year is None or month is None:
        raise CellError(
            _(
                "“%(value)s” is not a date we can read. Write it as 2026-03-02, 2/3/2026 "
                "(day/month/year) or 2026年3月2日."
            )
            % {"value": value}
        )
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": value}) from exc


def other_reading(value: Any) -> dt.date | None:
    """The other date a text that `parse_date` reads day/month/year would be, read
    month/day/year as in the United States (12/03/2026: 3 December, not 12 March); None
    if it reads one way only. Excel date cells and year-first dates read one way."""
    if not isinstance(value, str) or not (match := _DMY.match(normalise(value))):
        return None
    day, month, year = (int(part) for part in match.groups())
    if day == month or day > 12 or month > 12:
        return None
    return dt.date(year, day, month)


def date_note(written: str, read: dt.date, other: dt.date) -> str:
    """How a date that reads two ways was read, said beside a refusal of its row: whoever
    meant month/day/year sees that the date refused is not the one they meant."""
    in_words = pgettext("a date in words, as a Django date format", "j F Y")
    return _(
        "%(written)s was read as %(read)s (day/month/year). If you meant %(other)s, write %(iso)s."
    ) % {
        "written": written,
        "read": dateformat.format(read, in_words),
        "other": dateformat.format(other, in_words),
        "iso": other.isoformat(),
    }


# --- the file --------------------------------------------------------------------------------


def _file_name(upload: UploadedFile) -> str:
    name = os.path.basename((upload.name or "").replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-255:] or "file"


def _extension(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


class ImportUploadHandler(FileUploadHandler):
    """Keeps at most the first MAX_FILE_BYTES + 1 bytes of an uploaded file and counts the
    rest, so `check_upload` refuses a larger file by its real size while a 2 GB upload
    costs neither memory nor disk. (Django's own handlers would keep all of it, on disk
    past FILE_UPLOAD_MAX_MEMORY_SIZE.) Installed by the upload view before the body is read.
    """

    limit = MAX_FILE_BYTES + 1

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the request)
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        self.received = 0
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.limit - self.received
        if room > 0:
            self.file.write(raw_data[:room])
        self.received += len(raw_data)
        return None  # no other handler keeps a copy

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.seek(0)
        return UploadedFile(
            self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def check_upload(upload: UploadedFile) -> tuple[str, str, bytes]:
    """(name, format, content) of an upload that may be read, or an ImportFileError.
    The size is checked before a byte is read, the type from the content."""
    name = _file_name(upload)
    if upload.size is None or upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("“%(name)s” is %(size)s; a file to import can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size or 0),
                "limit": filesizeformat(MAX_FILE_BYTES),
            },
            code="too_big",
        )
    if upload.size == 0:
        raise ImportFileError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    extension = _extension(name)
    if extension == "xls":
        raise ImportFileError(
            _(
                "“%(name)s” is in the old Excel 97–2003 format. Open it in Excel and save it as "
                "Excel Workbook (.xlsx)."
            )
            % {"name": name},
            code="xls",
        )
    if extension not in ImportBatch.Format.values:
        raise ImportFileError(
            _("“%(name)s” is not an Excel workbook (.xlsx) or a CSV file (.csv).") % {"name": name},
            code="extension",
        )
    upload.seek(0)
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("“%(name)s” is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(MAX_FILE_BYTES)},
            code="too_big",
        )
    if extension == "xlsx":
        _check_workbook(name, content)
    else:
        _check_csv(name, content)
    return name, extension, content


def _not_what_it_says(name: str, kind) -> ImportFileError:
    return ImportFileError(
        _(
            "The content of “%(name)s” is not what its name says: it is a %(kind)s file. "
            "Upload the filled template as .xlsx or .csv."
        )
        % {"name": name, "kind": kind.extension.upper()},
        code="content",
    )


def _broken(name: str) -> ImportFileError:
    return ImportFileError(
        _(
            "“%(name)s” could not be read: the file is damaged or not a real Excel workbook. "
            "Open it in Excel, save it again as .xlsx, and upload that."
        )
        % {"name": name},
        code="broken",
    )


def _check_workbook(name: str, content: bytes) -> None:
    head = content[:SNIFF_BYTES]
    if head.startswith(OLE_SIGNATURE):
        raise ImportFileError(
            _(
                "“%(name)s” is protected with a password or in the old .xls format. Remove the "
                "password and save it as Excel Workbook (.xlsx)."
            )
            % {"name": name},
            code="ole",
        )
    kind = filetype.guess(head)
    if kind is not None and kind.extension not in ("xlsx", "zip"):
        raise _not_what_it_says(name, kind)
    if not head.startswith(ZIP_SIGNATURE):
        raise _broken(name)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
    except Exception as exc:  # a damaged directory: BadZipFile to NotImplementedError
        raise _broken(name) from exc
    if (
        len(entries) > MAX_ZIP_ENTRIES
        or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES
    ):
        raise ImportFileError(
            _(
                "“%(name)s” would unpack to more than %(limit)s, which no sheet of 5,000 rows "
                "needs. Copy the rows into the template and upload that."
            )
            % {"name": name, "limit": filesizeformat(MAX_UNCOMPRESSED_BYTES)},
            code="zip_bomb",
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError(
            _("“%(name)s” is a zip file but not an Excel workbook.") % {"name": name},
            code="content",
        )


def _check_csv(name: str, content: bytes) -> None:
    head = content[:SNIFF_BYTES]
    kind = filetype.guess(head)
    if kind is not None:
        if kind.extension in ("xlsx", "zip"):
            raise ImportFileError(
                _("“%(name)s” is an Excel workbook, not a CSV file: name it .xlsx.")
                % {"name": name},
                code="content",
            )
        raise _not_what_it_says(name, kind)
    if b"\x00" in head and not head.startswith(UTF16_BOMS):
        raise ImportFileError(
            _("“%(name)s” is not a text file, so it cannot be a CSV file.") % {"name": name},
            code="content",
        )


# --- the table ---------------------------------------------------------------------------------


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


def _xlsx_table(name: str, content: bytes) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        logger.info("Unreadable workbook %r: %r", name, exc)
        raise _broken(name) from exc
    try:
        no_header = None
        for sheet in workbook.worksheets:
            try:
                return _table(_sheet_rows(sheet))
            except _NoHeader as exc:
                no_header = exc
        raise no_header or _broken(name)
    except ImportFileError:
        raise
    except Exception as exc:
        logger.info("Unreadable workbook %r: %r", name, exc)
        raise _broken(name) from exc
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


# --- matching names against the reference data --------------------------------------------

# Chinese names without their administrative suffix: 廣東 for 廣東省, 廣西 for 廣西壯族自治區.
_REGION_SUFFIX = re.compile(r"(省|市|(壯族|壮族|回族|維吾爾|维吾尔)?自治[區区])$")
AUTHORITY_ALIASES = {
    AuthorityLevel.CENTRAL: ("中央級", "中央级", "中央", "national", "國家級", "国家级"),
    AuthorityLevel.PROVINCIAL: ("省級", "省级", "省", "province"),
    AuthorityLevel.MUNICIPAL: ("市級", "市级", "市", "city", "municipality"),
    AuthorityLevel.DISTRICT: (
        "區縣級",
        "区县级",
        "區級",
        "区级",
        "縣級",
        "县级",
        "district",
        "county",
    ),
}


def _index(objects: Iterable, names: Callable[[Any], Iterable[str]]) -> dict[str, Any]:
    """Normalised name -> object; None where a name is shared by two objects (ambiguous)."""
    index: dict[str, Any] = {}
    for obj in objects:
        for name in {normalise(name) for name in names(obj) if name}:
            index[name] = obj if index.get(name, obj) is obj else None
    return index


def _indicator_names(indicator: Indicator) -> list[str]:
    return [
        indicator.code,
        re.sub(r"[_-]+", " ", indicator.code),
        indicator.name_en,
        indicator.name_zh_hant,
        indicator.name_zh_hans,
    ]


def _region_names(region: Region) -> list[str]:
    names = [region.code, region.name_en, region.name_zh_hant, region.name_zh_hans]
    for suffix in ("province", "municipality", "autonomous region"):
        names.append(f"{region.name_en} {suffix}")
    for chinese in (region.name_zh_hant, region.name_zh_hans):
        short = _REGION_SUFFIX.sub("", chinese)
        if len(short) >= 2:
            names.append(short)
    return names


def _authority_levels() -> dict[str, str]:
    index = {}
    for value, label in AuthorityLevel.choices:
        names = {value, *AUTHORITY_ALIASES.get(value, ())}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(str(label))
        for name in names:
            index[normalise(name)] = value
    return index


class Lookups:
    """Everything a row is matched against, loaded once per file: four queries, and one
    for the user's offices, whatever the number of rows."""

    def __init__(self, *, user, office: Office):
        self.office = office
        indicators = list(Indicator.objects.all())
        self.indicators = _index(indicators, _indicator_names)
        self.indicator_codes = ", ".join(i.code for i in indicators if i.is_active)
        self.regions = _index(Region.objects.all(), _region_names)
        self.counterparts: dict[str, list[Counterpart]] = {}
        # Partner bodies are recorded as partners, not counterparts (as in the form).
        for counterpart in (
            Counterpart.objects.filter(is_active=True)
            .exclude(type=Counterpart.Type.PARTNER)
            .only("pk", "type", "name_en", "name_zh_hant", "name_zh_hans")
        ):
            names = (counterpart.name_en, counterpart.name_zh_hant, counterpart.name_zh_hans)
            for name in {normalise(name) for name in names if name}:
                self.counterparts.setdefault(name, []).append(counterpart)
        offices = list(Office.objects.all())
        self.offices = {o.code: o for o in offices}
        top_id = office.parent_id or office.pk
        self.allowed = {
            o.pk: o
            for o in offices
            if o.is_active
            and (o.pk == top_id or o.parent_id == top_id)
            and can_write_for_office(user, o)
        }
        self.allowed_codes = ", ".join(o.code for o in self.allowed.values())
        self.authority_levels = _authority_levels()


# --- rows ------------------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    values: dict[str, str] = field(default_factory=dict)  # what the preview shows
    issues: list[tuple[str, str]] = field(default_factory=list)  # (column key or "", message)
    kwargs: dict[str, Any] | None = None  # for activity_create; None: cannot be checked
    key: tuple | None = None  # (office, indicator, date, title) for duplicates
    duplicate_of_row: int | None = None
    duplicate_of_activity: int | None = None
    # a date that reads two ways: (as written, as read day/month/year, month/day/year)
    date_read: tuple[str, dt.date, dt.date] | None = None

    def issue(self, column: str, message: str) -> None:
        self.issues.append((column, message))

    def has_issue(self, column: str) -> bool:
        return any(key == column for key, _message in self.issues)

    @property
    def status(self) -> str:
        if self.duplicate_of_row or self.duplicate_of_activity:
            return DUPLICATE
        return INVALID if self.issues else NEW

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's messages, each put in the column it is about. A column whose cell
        could not be read already says why; the service's view of it would only confuse."""
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                column = FIELD_COLUMNS.get(name, "")
                if column and self.has_issue(column):
                    continue
                for message in messages:
                    self.issue(column, message)
        else:
            for message in exc.messages:
                self.issue("", message)

    def as_dict(self, table: Table) -> dict[str, Any]:
        return {
            "number": self.number,
            "status": self.status,
            "values": self.values,
            "issues": [
                {
                    "column": column,
                    "letter": table.letter(column) if column else "",
                    "label": (
                        (table.labels.get(column) or COLUMNS_BY_KEY[column].header)
                        if column
                        else ""
                    ),
                    "message": message,
                }
                for column, message in self.issues
            ],
            "duplicate_of_row": self.duplicate_of_row,
            "duplicate_of_activity": self.duplicate_of_activity,
            # Beside a refusal only: a row that is imported needs no second look.
            "date_note": date_note(*self.date_read)
            if self.date_read and self.status != NEW
            else "",
        }


def _parse_row(number: int, cells: Sequence[Any], table: Table, lookups: Lookups) -> RowResult:
    row = RowResult(number=number)
    formulas = table.formulas.get(number, ())
    for key in formulas:
        row.issue(
            key,
            _("cell %(cell)s holds a formula: paste it as text (Paste Special › Values).")
            % {"cell": f"{table.letter(key)}{number}"},
        )

    def raw(key: str) -> Any:
        if key in formulas:
            return None  # refused above; its result is never read
        index = table.positions.get(key)
        value = cells[index] if index is not None and index < len(cells) else None
        # Control characters never reach a message or the database: PostgreSQL refuses a
        # NUL in text and in JSON, and a CSV can carry one past the bytes that are sniffed.
        return _CONTROL.sub("", value) if isinstance(value, str) else value

    def text(key: str) -> str:
        return cell_text(raw(key))

    if formulas and not any(text(key).strip() for key in table.positions):
        # Nothing but formulas (which may show nothing): "give the date" would be noise.
        row.values = dict.fromkeys(("date", "indicator", "title", "lead_office", "region"), "")
        return row

    occurred_on = None
    if row.has_issue("date"):
        pass
    elif not text("date").strip():
        row.issue("date", _("Give the date of the activity."))
    else:
        try:
            occurred_on = parse_date(raw("date"))
        except CellError as exc:
            row.issue("date", exc.message)
        else:
            if other := other_reading(raw("date")):
                row.date_read = (tidy(text("date")), occurred_on, other)
    row.values["date"] = occurred_on.isoformat() if occurred_on else tidy(text("date"))

    indicator = None
    name = tidy(text("indicator"))
    if not name:
        if not row.has_issue("indicator"):
            row.issue("indicator", _("Give the indicator."))
    else:
        indicator = lookups.indicators.get(normalise(name))
        if indicator is None:
            row.issue(
                "indicator",
                _(
                    "“%(name)s” is not an indicator. Use its name in English or Chinese, or one of the codes %(codes)s."
                )
                % {"name": name, "codes": lookups.indicator_codes},
            )
        elif not indicator.is_active:
            row.issue(
                "indicator", _("The indicator “%(name)s” is no longer in use.") % {"name": name}
            )
            indicator = None
    row.values["indicator"] = indicator.name if indicator else name

    title = tidy(text("title"))
    row.values["title"] = title

    lead_office = None
    code = unicodedata.normalize("NFKC", text("lead_office")).strip().upper()
    if row.has_issue("lead_office"):
        pass  # a formula: not the upload's office, which an empty cell would mean
    elif not code:
        lead_office = lookups.allowed.get(lookups.office.pk)
        if lead_office is None:
            row.issue("lead_office", _("You cannot record activities for this office."))
    else:
        office = lookups.offices.get(code)
        if office is None:
            row.issue(
                "lead_office",
                _("“%(code)s” is not an office or unit code. Use %(codes)s, or leave it empty.")
                % {"code": code, "codes": lookups.allowed_codes},
            )
        elif office.pk not in lookups.allowed:
            row.issue(
                "lead_office",
                _(
                    "%(office)s (%(code)s) is not an office you can import for here: use "
                    "%(codes)s, or leave it empty."
                )
                % {"office": office.name, "code": code, "codes": lookups.allowed_codes},
            )
        else:
            lead_office = office
    row.values["lead_office"] = lead_office.code if lead_office else code

    region = None
    name = tidy(text("region"))
    if name:
        region = lookups.regions.get(normalise(name))
        if region is None:
            row.issue(
                "region",
                _(
                    "“%(name)s” is not a province, municipality or region we know. Use its name "
                    "in English or Chinese, or its six-digit code (440000 for Guangdong)."
                )
                % {"name": name},
            )
    row.values["region"] = region.name if region else name

    counterparts: list[Counterpart] = []
    for name in _split_list(text("counterparts")):
        found = lookups.counterparts.get(normalise(name), [])
        if len(found) > 1 and indicator is not None:
            offered = [c for c in found if c.type in (indicator.counterpart_types or [])]
            found = offered if len(offered) == 1 else found
        if not found:
            row.issue(
                "counterparts",
                _(
                    "“%(name)s” is not in the counterpart directory. Check the spelling, or add "
                    "it on the Counterparts page first."
                )
                % {"name": name},
            )
        elif len(found) > 1:
            row.issue(
                "counterparts",
                _(
                    "“%(name)s” is the name of %(count)d counterparts in the directory: write "
                    "its name in the other language to say which."
                )
                % {"name": name, "count": len(found)},
            )
        elif found[0] not in counterparts:
            counterparts.append(found[0])

    authority_level = ""
    level = tidy(text("authority_level"))
    if level:
        authority_level = lookups.authority_levels.get(normalise(level), "")
        if not authority_level and (indicator is None or indicator.asks_authority_level):
            row.issue(
                "authority_level",
                _("“%(value)s” is not a level. Use one of: %(levels)s.")
                % {
                    "value": level,
                    "levels": ", ".join(str(label) for label in AuthorityLevel.labels),
                },
            )

    if indicator and lead_office and occurred_on:
        row.kwargs = {
            "lead_office": lead_office,
            "indicator": indicator,
            "occurred_on": occurred_on,
            "title": title,
            "region": region,
            "city": tidy(text("city")),
            "authority_level": authority_level,
            "event_name": tidy(text("event")),
            "hk_participants": "\n".join(_split_list(text("hk_participants"))),
            "notes": tidy(text("notes"), multiline=True),
            "counterparts": counterparts,
        }
        if title and not formulas:
            row.key = (lead_office.pk, indicator.pk, occurred_on, normalise(title))
    return row


def _mark_duplicates(rows: list[RowResult]) -> None:
    """One query for the activities already recorded; the file's own repeats in memory."""
    keyed = [row for row in rows if row.key]
    existing: dict[tuple, int] = {}
    if keyed:
        days = [row.key[2] for row in keyed]
        recorded = (
            Activity.objects.not_removed()
            .filter(
                lead_office_id__in={row.key[0] for row in keyed},
                indicator_id__in={row.key[1] for row in keyed},
                occurred_on__range=(min(days), max(days)),
            )
            .order_by("pk")
            .values_list("pk", "lead_office_id", "indicator_id", "occurred_on", "title")
        )
        for pk, office_id, indicator_id, day, title in recorded:
            existing.setdefault((office_id, indicator_id, day, normalise(title)), pk)
    first_seen: dict[tuple, int] = {}
    for row in keyed:
        if row.key in existing:
            row.duplicate_of_activity = existing[row.key]
        elif row.key in first_seen:
            row.duplicate_of_row = first_seen[row.key]
        else:
            first_seen[row.key] = row.number


def read_rows(*, user, office: Office, table: Table) -> tuple[list[RowResult], bool]:
    """Every non-blank row read, matched and checked for duplicates, in a fixed number of
    queries. Returns the rows and whether the template's example row was skipped."""
    rows, example_skipped = _read_rows(user=user, office=office, table=table)
    _mark_duplicates(rows)
    return rows, example_skipped


def _read_rows(*, user, office: Office, table: Table) -> tuple[list[RowResult], bool]:
    lookups = Lookups(user=user, office=office)
    rows = []
    example_skipped = False
    example = normalise(EXAMPLE_TITLE)
    for number, cells in table.rows:
        row = _parse_row(number, cells, table, lookups)
        if normalise(row.values["title"]) == example:
            example_skipped = True
            continue
        rows.append(row)
    return rows, example_skipped


def _apply(row: RowResult, action: Callable[[], Any]) -> None:
    try:
        action()
    except ValidationError as exc:
        row.add_service_errors(exc)
    except PermissionDenied:
        row.issue("lead_office", _("You cannot record activities for this office."))


def check_rows(*, user, rows: Sequence[RowResult]) -> None:
    """The form's rules, from the service itself (`activity_check`, which `activity_create`
    runs too), without writing: one period look-up per office and month, not per row."""
    periods: dict = {}
    for row in rows:
        if row.kwargs is not None and row.status != DUPLICATE:
            _apply(
                row,
                lambda row=row: activity_check(
                    user=user, submit=False, periods=periods, **row.kwargs
                ),
            )


def _report(table: Table, rows: Sequence[RowResult], *, example_skipped: bool) -> dict[str, Any]:
    return {
        "ignored_columns": table.ignored,
        "example_skipped": example_skipped,
        "rows": [row.as_dict(table) for row in rows],
        "counts": _counts(row.status for row in rows),
    }


def _counts(statuses: Iterable[str]) -> dict[str, int]:
    counts = {NEW: 0, DUPLICATE: 0, INVALID: 0}
    for status in statuses:
        counts[status] += 1
    return counts


# --- the service -------------------------------------------------------------------------------


@transaction.atomic
def import_preview(*, user, office: Office, upload: UploadedFile) -> ImportBatch:
    """Check an uploaded file and keep it, with the preview of every row, for its uploader.
    Nothing is imported yet. The uploader's earlier previews that were not imported go."""
    if not office.is_active or not can_write_for_office(user, office):
        raise PermissionDenied
    name, file_format, content = check_upload(upload)
    table = read_table(name=name, file_format=file_format, content=content)
    rows, example_skipped = read_rows(user=user, office=office, table=table)
    check_rows(user=user, rows=rows)
    ImportBatch.objects.filter(created_by=user, imported_at__isnull=True).delete()
    return ImportBatch.objects.create(
        office=office,
        created_by=user,
        original_name=name,
        file_format=file_format,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        report=_report(table, rows, example_skipped=example_skipped),
    )


@dataclass(frozen=True)
class ImportOutcome:
    imported: int  # activities created
    refused: int  # rows of the preview that can no longer be imported (then nothing is)
    duplicates: int = 0  # of those, rows recorded since the preview


def _lock_lead_offices(rows: Iterable[RowResult]) -> None:
    """Serialise the imports into the same lead offices, so that the second of two that
    meet finds the first one's rows when it looks for duplicates (each statement of a READ
    COMMITTED transaction sees what was committed before it began). FOR NO KEY UPDATE,
    in one order: the foreign-key checks of other inserts (FOR KEY SHARE) and of the
    roll-up's rows are not held up by it, and two imports cannot deadlock on it."""
    office_ids = sorted({row.kwargs["lead_office"].pk for row in rows if row.kwargs})
    if office_ids:
        list(
            Office.objects.select_for_update(no_key=True)
            .filter(pk__in=office_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


@retry_on_conflict
def import_confirm(*, user, batch_id: int, expected: int) -> ImportOutcome:
    """Create, as drafts, exactly the rows the preview showed as new: all of them, or none.

    The stored file is read and checked again, since the data may have changed since the
    preview (a month closed, the same activity logged by a colleague, the same file
    imported by someone else a moment ago). If any of those rows fails, nothing is created
    and the preview is updated to say which and why. `expected` is the count on the
    button the person pressed: if the preview has changed since their page was drawn,
    nothing is done. The batch is locked, so the same confirmation sent twice imports
    once; the lead offices are locked before duplicates are looked for, so two
    confirmations of the same rows import them once. One transaction, run again if the
    database ends it for a deadlock.
    """
    batch = (
        ImportBatch.objects.for_user(user)
        .select_for_update(of=("self",))
        .select_related("office")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise ImportBatch.DoesNotExist
    if batch.imported_at is not None:
        raise ValidationError(
            _("This file was already imported, on %(when)s.")
            % {
                "when": formats.date_format(
                    timezone.localtime(batch.imported_at), "DATETIME_FORMAT"
                )
            },
            code="imported",
        )
    if not can_write_for_office(user, batch.office):
        raise PermissionDenied
    report = batch.report
    previewed = {row["number"] for row in report["rows"] if row["status"] == NEW}
    if not previewed:
        raise ValidationError(_("There is nothing to import in this file."), code="empty")
    if expected != len(previewed):
        raise ValidationError(
            _("The preview changed after this page was opened. Check it again, then import."),
            code="stale",
        )

    table = read_table(
        name=batch.original_name, file_format=batch.file_format, content=bytes(batch.content)
    )
    rows, _example = _read_rows(user=user, office=batch.office, table=table)
    _lock_lead_offices(row for row in rows if row.number in previewed)
    _mark_duplicates(rows)
    rows = [row for row in rows if row.number in previewed]
    check_rows(user=user, rows=rows)
    refused = [row for row in rows if row.status != NEW]
    if not refused and len(rows) == len(previewed):
        activities_create_bulk(user=user, items=[row.kwargs for row in rows])

    if refused or len(rows) != len(previewed):
        fresh = {row.number: row.as_dict(table) for row in rows}
        report["rows"] = [fresh.get(row["number"], row) for row in report["rows"]]
        report["counts"] = _counts(row["status"] for row in report["rows"])
        batch.report = report
        batch.save(update_fields=["report"])
        return ImportOutcome(
            imported=0,
            refused=len(refused) or len(previewed) - len(rows),
            duplicates=sum(row.status == DUPLICATE for row in refused),
        )
    batch.imported_at = timezone.now()
    batch.imported_count = len(rows)
    batch.save(update_fields=["imported_at", "imported_count"])
    return ImportOutcome(imported=len(rows), refused=0)


def batch_rows(batch: ImportBatch, *, status: str = "") -> list[dict[str, Any]]:
    """The preview's rows, all or those of one status."""
    rows = batch.report.get("rows", [])
    return [row for row in rows if row["status"] == status] if status else rows


# --- the template --------------------------------------------------------------------------


class ImportTemplate(Export):
    """The sheet to fill in: the bilingual header and one example row."""

    filename = "activities-import-template"
    sheet_title = "Activities 活動"
    columns = tuple(Column(column.header, column.width) for column in COLUMNS)

    def rows(self) -> Iterator[list[Any]]:
        yield [EXAMPLE_ROW[column.key] for column in COLUMNS]


class ImportLists(Export):
    """A second sheet of the Excel template: the names and codes the import understands."""

    filename = "lists"
    sheet_title = "Lists 選項"
    columns = (
        Column("List 清單", 12),
        Column("Code 代碼", 12),
        Column("English 英文", 40),
        Column("繁體中文", 24),
        Column("简体中文", 24),
    )

    def __init__(self, *, user) -> None:
        self.user = user

    def rows(self) -> Iterator[list[Any]]:
        for indicator in Indicator.objects.filter(is_active=True):
            yield [
                "Indicator 指標",
                indicator.code,
                indicator.name_en,
                indicator.name_zh_hant,
                indicator.name_zh_hans,
            ]
        offices = Office.objects.active()
        if not self.user.is_bureau_admin:
            offices = offices.filter(pk__in=self.user.office_scope_ids())
        for office in offices:
            yield [
                "Office 辦事處",
                office.code,
                office.name_en,
                office.name_zh_hant,
                office.name_zh_hans,
            ]
        for region in Region.objects.all():
            yield [
                "Region 地區",
                region.code,
                region.name_en,
                region.name_zh_hant,
                region.name_zh_hans,
            ]
        for value, label in AuthorityLevel.choices:
            chinese = AUTHORITY_ALIASES[value]
            with translation.override("en"):
                english = str(label)
            yield ["Authority level 部門級別", value, english, chinese[0], chinese[1]]
