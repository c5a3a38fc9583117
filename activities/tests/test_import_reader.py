"""The two readers of an uploaded workbook (activities/imports/tables.py): calamine reads one
that holds no formula, no error value and no cell out of bounds, and gives the table openpyxl
would give; any other goes to openpyxl."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from activities.imports.tables import (
    _calamine_table,
    _needs_openpyxl,
    _openpyxl_table,
    read_table,
)


def _saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _varied_workbook() -> bytes:
    """A first sheet without the header, then one with a title row above it, the columns
    from B on and one nobody reads, and every kind of cell a person leaves."""
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "Read me first"
    sheet = book.create_sheet("Activities")
    sheet["B1"] = "Visits of June"
    sheet.append(
        [None, "Date 日期", "Indicator 指標", "Title 標題", "Lead office", "Remarks", "City"]
    )
    sheet.append(
        [None, dt.date(2026, 6, 2), "visits", "  Call on  the Department ", "GDETO", 3, "廣州"]
    )
    sheet.append([None, dt.datetime(2026, 6, 3, 14, 30), "VISITS", 12345, None, 2.5, True])
    sheet.append([])
    sheet.append([None, "2/6/2026", "visits", "Forum", "", dt.time(9, 15), False])
    sheet.append([None, 46175, "media", "ＦＵＬＬ ｗｉｄｔｈ", None, -4, 0.1])
    sheet.append([None, None, None, None, None, "only a remark"])
    for row in (3, 4, 7):
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
    sheet["B4"].number_format = "yyyy-mm-dd hh:mm"
    sheet["F6"].number_format = "hh:mm"
    return _saved(book)


def _rows(table) -> list:
    """Rows without the empty cells after the last one (openpyxl fills every row to 40)."""
    rows = []
    for number, cells in table.rows:
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append((number, cells))
    return rows


def test_calamine_reads_a_workbook_as_openpyxl_does():
    content = _varied_workbook()
    assert not _needs_openpyxl(content)
    fast, slow = _calamine_table(content), _openpyxl_table("a.xlsx", content)
    assert (fast.positions, fast.labels, fast.ignored, fast.formulas) == (
        slow.positions,
        slow.labels,
        slow.ignored,
        slow.formulas,
    )
    assert _rows(fast) == _rows(slow)
    assert [type(cell) for cell in _rows(fast)[0][1]] == [
        type(None),
        dt.datetime,  # a date cell is a datetime, as openpyxl gives it
        str,
        str,
        str,
        int,  # a whole number is an int
        str,
    ]


def _with(*cells: tuple[str, object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Indicator", "Title", "Lead office"])
    for reference, value in cells:
        sheet[reference] = value
    return _saved(book)


@pytest.mark.parametrize(
    "cells",
    [
        [("C2", "=A2&B2")],  # a formula: refused in its row, from openpyxl's reading
        [("C2", "Title"), ("XFD2", "far right")],  # calamine would hold 16 384 columns
        [("C2", "Title"), ("A20000", "far down")],  # and 20 000 rows
    ],
)
def test_a_workbook_calamine_is_not_given_goes_to_openpyxl(cells):
    assert _needs_openpyxl(_with(*cells))


def test_an_error_value_goes_to_openpyxl():
    book = openpyxl.load_workbook(io.BytesIO(_with(("C2", "Title"))))
    book.active["D2"] = "#N/A"
    book.active["D2"].data_type = "e"
    content = _saved(book)
    assert _needs_openpyxl(content)
    table = read_table(name="a.xlsx", file_format="xlsx", content=content)
    assert table.rows[0][1][3] == "#N/A"  # as before: its text, read by openpyxl


def _with_shared_string(xml: str) -> bytes:
    """A workbook (written by XlsxWriter, with shared strings) whose second row's title is
    the piece of shared-string XML given."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Date", "Indicator", "Title"])
    sheet.write_row(1, 0, ["2026-06-02", "visits", "PLACEHOLDER"])
    book.close()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<t>PLACEHOLDER</t>", xml.encode())
            target.writestr(entry, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("xml", "title"),
    [
        # runs of rich text with a space at an end, not marked to be kept: calamine drops it
        (
            '<r><t>Call on </t></r><r><rPr><b/></rPr><t xml:space="preserve">the Bureau</t></r>',
            "Call on the Bureau",
        ),
        # an escaped character: openpyxl leaves it as written
        ("<t>Forum_x000D_ of the Bay Area</t>", "Forum_x000D_ of the Bay Area"),
    ],
)
def test_text_the_readers_differ_on_goes_to_openpyxl(xml, title):
    content = _with_shared_string(xml)
    assert _needs_openpyxl(content)
    table = read_table(name="a.xlsx", file_format="xlsx", content=content)
    assert table.rows[0][1][2] == title


def test_text_both_readers_read_alike_goes_to_calamine():
    content = _with_shared_string('<t xml:space="preserve"> Forum </t>')
    assert not _needs_openpyxl(content)
    assert _calamine_table(content).rows == [(2, ("2026-06-02", "visits", " Forum "))]


@pytest.mark.parametrize(
    "number_format",
    [
        "General",
        "mm-dd-yy",
        "d/m/yyyy",
        'yyyy"年"m"月"d"日"',
        "[$-zh-HK]yyyy/m/d;@",
        "[$-F800]dddd, mmmm dd, yyyy",
        "d mmm yyyy h:mm AM/PM",
        "[h]:mm:ss",
        "0.00",
        "#,##0",
        '"Week "0',
        "@",
    ],
)
def test_both_readers_read_a_number_in_any_format_alike(number_format):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Indicator", "Title"])
    for value in (46175, 46175.5, 0.25, 3):
        sheet.append([value, "visits", "Forum"])
        sheet.cell(row=sheet.max_row, column=1).number_format = number_format
    content = _saved(book)
    assert not _needs_openpyxl(content)
    assert _rows(_calamine_table(content)) == _rows(_openpyxl_table("a.xlsx", content))


@pytest.mark.parametrize("format_id", [27, 31, 36, 50, 55, 58])
def test_a_number_in_an_east_asian_date_format_reads_as_openpyxl_reads_it(format_id):
    """Excel's built-in East Asian date formats (2026年6月2日): calamine would read the
    number as a date, openpyxl as the number: such a workbook goes to openpyxl."""
    content = io.BytesIO()
    book = xlsxwriter.Workbook(content)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Date", "Indicator", "Title"])
    sheet.write_number(1, 0, 46175, book.add_format({"num_format": format_id}))
    sheet.write_row(1, 1, ["visits", "Forum"])
    book.close()
    assert _needs_openpyxl(content.getvalue())
    table = read_table(name="x.xlsx", file_format="xlsx", content=content.getvalue())
    assert table.rows[0][1][0] == 46175
