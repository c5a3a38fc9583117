"""Reading one cell the way people write it: text as spreadsheets hold it (full-width digits
and letters, stray control characters), names and titles in the form they are compared in,
lists separated by “;”, and dates (Excel dates, 2/3/2026 as day/month as in Hong Kong,
2026年3月2日). A refused row whose date reads two ways (12/03/2026) says how it was read.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils.datetime import from_excel

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Full-width letters and digits, the ideographic space and the no-break space.
_FULL_WIDTH = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_FULL_WIDTH.update({0x3000: 0x20, 0xA0: 0x20})


# A file repeats its names (indicator, region, counterparts, level) on every row: each form
# of a short text is worked out once (both are pure functions of their text). Long ones
# (notes, people) are not kept: a worker would hold thousands of them after the import.
SHORT_TEXT = 200


def normalise(text: str) -> str:
    """The form used to compare names and titles: NFKC (full-width letters, digits, spaces
    and punctuation become their ASCII forms), case-folded, whitespace collapsed."""
    return _normalised(text) if len(text) <= SHORT_TEXT else _normalise(text)


def tidy(text: str, *, multiline: bool = False) -> str:
    """The form that is stored: full-width letters, digits and spaces become ASCII, Chinese
    punctuation stays as written, runs of spaces are collapsed."""
    if len(text) <= SHORT_TEXT:
        return _tidied(text, multiline)
    return _tidy(text, multiline)


def _normalise(text: str) -> str:
    # str.split() splits on runs of what the pattern \s+ matches (Python's whitespace):
    # the join collapses them as re.sub would, in C. ASCII text is already in NFKC, and
    # its case folds as lower() folds it: the titles of a file and of the activities it is
    # compared with are mostly ASCII, and each is new to the cache.
    if text.isascii():
        return " ".join(text.split()).lower()
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _tidy(text: str, multiline: bool) -> str:
    text = (
        CONTROL_CHARACTERS.sub("", text.translate(_FULL_WIDTH))
        .replace("\r\n", "\n")
        .replace("\r", "\n")
    )
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return ("\n" if multiline else " ").join(line for line in lines if line)


_normalised = functools.lru_cache(maxsize=4096)(_normalise)
_tidied = functools.lru_cache(maxsize=4096)(_tidy)


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


def split_list(text: str) -> list[str]:
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
