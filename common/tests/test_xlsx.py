"""The XLSX writer (common/xlsx.py), read back with openpyxl: each kind of cell keeps its
type and format, each sheet its settings, whatever the export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from common import xlsx
from common.exports import Column, Export

HK = ZoneInfo("Asia/Hong_Kong")


class _Cells(Export):
    filename = "cells"
    sheet_title = "Cells"
    columns = (Column("Value", 12),)

    def __init__(self, *values, title: str = "Cells", hidden: bool = False) -> None:
        self.values = values
        self.sheet_title = title
        self.hidden = hidden

    def rows(self):
        for value in self.values:
            yield (value,)


def _write(*exports_: Export) -> bytes:
    buffer = io.BytesIO()
    xlsx.write_xlsx(buffer, *exports_)
    return buffer.getvalue()


def _read(*exports_: Export) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(_write(*exports_)))


def _column(sheet) -> list:
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_numbers_dates_and_times_are_typed_cells_in_the_formats_of_the_site():
    utc = dt.datetime(2026, 3, 4, 1, 30, 15, tzinfo=dt.UTC)  # 09:30:15 in Hong Kong
    sheet = _read(
        _Cells(
            12,
            -3,
            40.5,
            Decimal("12.25"),
            dt.date(2026, 6, 30),
            utc,
            dt.datetime(2026, 1, 2, 23, 59, tzinfo=HK),
            dt.datetime(2026, 1, 2, 8, 0),  # naive: as it is
            10**15,
        )
    ).active
    values = _column(sheet)
    assert values[:4] == [12, -3, 40.5, 12.25]
    assert all(type(v) in (int, float) for v in values[:4])
    assert values[4] == dt.datetime(2026, 6, 30)
    assert sheet["A6"].is_date and sheet["A6"].number_format == xlsx.DATE_FORMAT
    assert abs(values[5] - dt.datetime(2026, 3, 4, 9, 30, 15)) < dt.timedelta(milliseconds=1)
    assert sheet["A7"].is_date and sheet["A7"].number_format == xlsx.DATETIME_FORMAT
    assert abs(values[6] - dt.datetime(2026, 1, 2, 23, 59)) < dt.timedelta(milliseconds=1)
    assert abs(values[7] - dt.datetime(2026, 1, 2, 8, 0)) < dt.timedelta(milliseconds=1)
    assert values[8] == 10**15


def test_the_time_zone_of_the_request_gives_the_wall_time():
    from django.utils import timezone

    moment = dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC)
    with timezone.override(ZoneInfo("Europe/London")):
        (value,) = _column(_read(_Cells(moment)).active)
    assert abs(value - dt.datetime(2026, 3, 4, 1, 30)) < dt.timedelta(milliseconds=1)


def test_text_is_cleaned_escaped_neutralised_and_cut_at_excels_limit():
    long = "x" * (xlsx.XLSX_MAX_CELL_TEXT + 10)
    sheet = _read(
        _Cells(
            "甲辦事處 & <partners>",
            "=1+1",
            "-5",
            "@SUM(A1)",
            "a\x00b\x1fc\ufffe",
            "  spaced  ",
            "_x0041_ stays as typed",
            "line one\nline two",
            long,
            gettext_lazy("Yes"),
            True,
            False,
            "",
            None,
            dt.date(1899, 1, 1),  # before Excel's dates: as text
            float("nan"),
        )
    ).active
    assert _column(sheet) == [
        "甲辦事處 & <partners>",
        "'=1+1",
        "'-5",
        "'@SUM(A1)",
        "abc",
        "  spaced  ",
        "_x005F_x0041_ stays as typed",  # Excel shows "_x0041_": openpyxl does not decode it
        "line one\nline two",
        "x" * xlsx.XLSX_MAX_CELL_TEXT,
        "Yes",
        "Yes",
        "No",
        None,
        None,
        "1899-01-01",
        "nan",
    ]
    assert sheet["A2"].data_type == "s"


def test_excels_first_day_is_where_dates_and_times_become_serial_numbers():
    """1 March 1900 is the first day Excel counts right: before it, text (wall times as
    PostgreSQL gives them and times with a zone alike)."""
    sheet = _read(
        _Cells(
            dt.date(1900, 2, 28),
            dt.date(1900, 3, 1),
            dt.datetime(1900, 2, 28, 23, 59),
            dt.datetime(1900, 3, 1, 0, 0),
            dt.datetime(1900, 3, 1, 0, 0, tzinfo=HK),
        )
    ).active
    assert _column(sheet) == [
        "1900-02-28",
        dt.datetime(1900, 3, 1),
        "1900-02-28 23:59",
        dt.datetime(1900, 3, 1),
        dt.datetime(1900, 3, 1),
    ]
    assert [sheet[f"A{row}"].number_format for row in (3, 5, 6)] == [
        xlsx.DATE_FORMAT,
        xlsx.DATETIME_FORMAT,
        xlsx.DATETIME_FORMAT,
    ]


def test_yes_and_no_are_in_the_language_of_the_request():
    with translation.override("zh-hant"):
        values = _column(_read(_Cells(True, False)).active)
    with translation.override("zh-hant"):
        assert values == [translation.gettext("Yes"), translation.gettext("No")]


def test_every_sheet_has_a_bold_frozen_header_a_filter_widths_and_page_setup():
    class Wide(Export):
        filename = "wide"
        sheet_title = "Wide"
        columns = (Column("Office", 8), Column("Title", 40), Column("二"))

        def rows(self):
            yield ("A", "B", 3)

    workbook = _read(Wide(), _Cells(1, 2, title="Second"))
    assert workbook.sheetnames == ["Wide", "Second"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        assert not sheet["A2"].font.bold, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert int(sheet.page_setup.paperSize) == 9, sheet.title  # A4
        assert int(sheet.page_setup.fitToHeight) == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    wide = workbook["Wide"]
    assert wide.auto_filter.ref == "A1:C2"
    assert [c.value for c in wide[1]] == ["Office", "Title", "二"]
    assert wide.column_dimensions["B"].width >= 40
    assert wide.column_dimensions["A"].width < wide.column_dimensions["B"].width
    assert workbook["Second"].auto_filter.ref == "A1:A3"


def test_a_header_that_looks_like_a_formula_is_neutralised():
    class Odd(Export):
        filename = "odd"
        columns = (Column("=Total"),)

        def rows(self):
            return []

    sheet = _read(Odd()).active
    assert sheet["A1"].value == "'=Total"
    assert sheet.auto_filter.ref == "A1"  # the header alone


def test_a_hidden_sheet_is_hidden_and_the_first_opens():
    workbook = _read(_Cells(1, title="Shown"), _Cells(2, title="Codes", hidden=True))
    assert workbook["Codes"].sheet_state == "hidden"
    assert workbook["Shown"].sheet_state == "visible"
    assert workbook.active.title == "Shown"


def test_sheets_of_the_same_title_get_their_own_names():
    workbook = _read(_Cells(1, title="Sheet"), _Cells(2, title="sheet"), _Cells(3, title="Sheet"))
    assert workbook.sheetnames == ["Sheet", "sheet (2)", "Sheet (3)"]
    assert [_column(sheet) for sheet in workbook.worksheets] == [[1], [2], [3]]


def test_a_row_longer_than_the_header_loses_no_cell():
    class Ragged(Export):
        filename = "ragged"
        columns = (Column("A"),)

        def rows(self):
            yield ("a", "b", 3)
            yield ("c",)

    sheet = _read(Ragged()).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("a", "b", 3), ("c", None, None)]


def test_finish_xlsx_adds_a_data_validation_after_the_rows():
    class Validated(Export):
        filename = "validated"
        columns = (Column("Code"),)

        def rows(self):
            yield ("B",)

        def finish_xlsx(self, sheet) -> None:
            sheet.data_validation(
                1, 0, 9, 0, {"validate": "list", "source": ["A", "B"], "error_type": "warning"}
            )

    sheet = _read(Validated()).active
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.errorStyle == "warning"
    assert validation.formula1 == '"A,B"'
    assert [str(r) for r in validation.sqref.ranges] == ["A2:A10"]
    assert _column(sheet) == ["B"]


def test_rows_are_written_in_constant_memory_as_inline_strings():
    """No table of every text in memory: each sheet's rows go to a file as they come."""
    content = _write(_Cells(*(f"row {i}" for i in range(xlsx.ROWS_PER_WRITE * 2 + 3))))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == xlsx.ROWS_PER_WRITE * 2 + 4
    assert '<dimension ref="A1:A1004"/>' in sheet


def test_an_export_that_fails_part_way_leaves_no_temporary_file(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    class Failing(Export):
        filename = "failing"
        columns = (Column("N"),)

        def rows(self):
            yield from ((i,) for i in range(xlsx.ROWS_PER_WRITE + 1))
            raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        xlsx.write_xlsx(io.BytesIO(), _Cells(1), Failing())
    assert list(tmp_path.iterdir()) == []


def test_the_workbook_is_zipped_at_the_fast_level():
    """XlsxWriter zips with the writer's own ZipFile (common/xlsx.py, `_ZipFile`): an
    XlsxWriter release that stops using that name shows here, not as a slower export."""
    content = _write(_Cells(*(f"row {i} of many" for i in range(2000))))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        xml = archive.read(info)
    assert info.compress_type == zipfile.ZIP_DEFLATED

    def deflated(level: int) -> int:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        return len(compressor.compress(xml) + compressor.flush())

    assert deflated(xlsx.XLSX_ZLIB_LEVEL) != deflated(zlib.Z_DEFAULT_COMPRESSION)
    assert info.compress_size == deflated(xlsx.XLSX_ZLIB_LEVEL)
