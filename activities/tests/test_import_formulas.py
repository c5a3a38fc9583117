"""Bulk import: a cell that holds a spreadsheet formula is refused, never imported as the
value it computed, whether or not the file carries that value.

openpyxl writes a formula without a result; Excel and the other spreadsheet programs save
the result they last computed beside it (<f> and <v>). `with_cells` rewrites cells of a
workbook's sheet XML the way they do, shared and array formulas included.

The clock is frozen at 30 June 2026, 10:00 in Hong Kong, as in test_import.py.
"""

import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from activities.models import Activity
from activities.tests.test_import import (
    HEADERS,
    KEYS,
    confirm,
    issues,
    make_xlsx,
    preview_of,
    rows_by_number,
    upload,
    visit,
)
from offices.services import reference_data_load

HK = ZoneInfo("Asia/Hong_Kong")
SHEET = "xl/worksheets/sheet1.xml"
PASTE_AS_TEXT = "holds a formula: paste it as text"

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


@pytest.fixture(autouse=True)
def reference(db):
    reference_data_load()


def with_cells(content: bytes, cells: dict[str, tuple[str | None, str]]) -> bytes:
    """The workbook with each cell named ("C2") of its first sheet holding the XML given
    instead of what it held, with the cell type given (None: a number), its style kept."""
    found = []

    def rewrite(match: re.Match) -> str:
        ref, attributes = match.group(1), match.group(2)
        if ref not in cells:
            return match.group(0)
        found.append(ref)
        cell_type, inner = cells[ref]
        attributes = re.sub(r'\s+t="[^"]*"', "", attributes.rstrip("/"))
        type_attribute = f' t="{cell_type}"' if cell_type else ""
        return f'<c r="{ref}"{attributes}{type_attribute}>{inner}</c>'

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                data = re.sub(
                    r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>.*?</c>)', rewrite, data.decode()
                ).encode()
            target.writestr(item, data)
    assert sorted(found) == sorted(cells), "a cell to rewrite is not in the sheet"
    return buffer.getvalue()


def _formula_issue(row: dict) -> list[tuple[str, str]]:
    """(column, message up to the how-to in brackets) of each issue of the row."""
    return [(letter, message.partition(" (")[0]) for letter, message in issues(row)]


@pytest.mark.parametrize(
    "title_cell",
    [
        # as openpyxl and other programs that do not calculate write it: no result
        (None, '<f>"Call on the "&amp;"Department of Commerce"</f><v/>'),
        # as Excel saves it: the result it computed, ready to be read instead
        ("str", '<f>"Call on the "&amp;"Department of Commerce"</f><v>Call on the DoC</v>'),
    ],
    ids=["without-result", "with-result"],
)
def test_a_title_cell_holding_a_formula_is_refused_with_its_cell(client_staff_a, title_cell):
    rows = [
        visit(title="to be a formula"),  # row 2
        visit(day="2026-06-03", title="Typed in"),  # row 3
        {"title": "to be a formula that shows nothing"},  # row 4: looks blank
    ]
    content = with_cells(
        make_xlsx(rows),
        {"C2": title_cell, "C4": ("str", '<f>IF(A4="","",A4)</f><v></v>')},
    )
    response = upload(client_staff_a, content)
    batch = preview_of(response)

    assert batch.report["counts"] == {"new": 1, "duplicate": 0, "invalid": 2}
    by_number = rows_by_number(batch)
    [(letter, message)] = issues(by_number[2])
    assert letter == "C"
    assert message.startswith("cell C2 holds a formula: paste it as text")
    # A formula is refused whatever it shows, nothing included: what it would show in
    # another program, or once its cells change, is not known.
    assert _formula_issue(by_number[4]) == [("C", f"cell C4 {PASTE_AS_TEXT}")]
    page = client_staff_a.get(response.url).content.decode()
    assert "Row 2, column C (Title 標題): cell C2 holds a formula: paste it as text" in page

    confirm(client_staff_a, batch)
    assert list(Activity.objects.values_list("title", flat=True)) == ["Typed in"]
    upload_page = client_staff_a.get(reverse("activities:import")).content.decode()
    assert "a cell that holds a formula is refused" in upload_page  # said before, too


FORMULAS_BY_COLUMN = {
    # column key: (cell type, what the file holds), each with the result Excel saved
    "date": (None, "<f>DATE(2026,6,2)</f><v>46175</v>"),  # a date cell's style is kept
    "indicator": ("str", '<f>LOWER("VISITS")</f><v>visits</v>'),
    "lead_office": ("str", '<f>"OFF"&amp;"A"</f><v>OFFA</v>'),
    "region": ("str", '<f>"440000"</f><v>440000</v>'),
    "counterparts": ("str", '<f>"廣東省商務廳"</f><v>廣東省商務廳</v>'),
    "authority_level": ("str", '<f>"provincial"</f><v>provincial</v>'),
    "hk_participants": ("str", '<f>"Director"</f><v>Director</v>'),
    "notes": ("str", "<f>1+1</f><v>2</v>"),
}


@pytest.mark.parametrize("key", FORMULAS_BY_COLUMN)
def test_a_formula_in_any_column_that_is_read_is_refused(client_staff_a, key):
    """Dates and codes too: a computed office code or date is not what anyone typed."""
    row = visit(day=dt.datetime(2026, 6, 2), lead_office="OFFA", hk_participants="x", notes="x")
    letter = chr(ord("A") + KEYS.index(key))
    content = with_cells(make_xlsx([row]), {f"{letter}2": FORMULAS_BY_COLUMN[key]})

    batch = preview_of(upload(client_staff_a, content))

    [only] = batch.report["rows"]
    assert only["status"] == "invalid"
    assert _formula_issue(only) == [(letter, f"cell {letter}2 {PASTE_AS_TEXT}")]
    assert confirm(client_staff_a, batch).status_code == 302
    assert Activity.objects.count() == 0


def test_a_formula_in_a_column_that_is_not_read_is_no_matter(client_staff_a):
    """A column of the person's own (a check mark, a running total) is never read."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([*HEADERS, "Count 數目"])
    sheet.append([*(visit().get(key, "") for key in KEYS), "=ROW()-1"])
    sheet.append([*(visit(title="A formula").get(key, "") for key in KEYS), "=ROW()-1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = with_cells(buffer.getvalue(), {"C3": ("str", '<f>"Second"</f><v>Second</v>')})

    batch = preview_of(upload(client_staff_a, content))

    assert [row["status"] for row in batch.report["rows"]] == ["new", "invalid"]
    assert _formula_issue(batch.report["rows"][1]) == [("C", f"cell C3 {PASTE_AS_TEXT}")]


def test_shared_formulas_are_refused_in_every_cell_they_fill(client_staff_a):
    """Excel writes a formula filled down once, in the first cell; the others only point
    to it (t="shared" si="0")."""
    rows = [visit(title="first"), visit(day="2026-06-03", title="second")]
    content = with_cells(
        make_xlsx(rows),
        {
            "C2": ("str", '<f t="shared" ref="C2:C3" si="0">"Visit "&amp;ROW()</f><v>Visit 2</v>'),
            "C3": ("str", '<f t="shared" si="0"/><v>Visit 3</v>'),
        },
    )
    batch = preview_of(upload(client_staff_a, content))

    by_number = rows_by_number(batch)
    assert batch.report["counts"]["invalid"] == 2
    assert _formula_issue(by_number[2]) == [("C", f"cell C2 {PASTE_AS_TEXT}")]
    assert _formula_issue(by_number[3]) == [("C", f"cell C3 {PASTE_AS_TEXT}")]
    confirm(client_staff_a, batch)
    assert Activity.objects.count() == 0


def test_array_formulas_are_refused_in_every_cell_they_fill(client_staff_a):
    """An array formula (and a dynamic array's spill) is written in its first cell only;
    the other cells of its range hold nothing but a result."""
    rows = [visit(title="first"), visit(day="2026-06-03", title="second"), visit(title="Typed")]
    content = with_cells(
        make_xlsx(rows),
        {
            "C2": ("str", '<f t="array" ref="C2:C3">UPPER(K2:K3)</f><v>ONE</v>'),
            "C3": ("str", "<v>TWO</v>"),
        },
    )
    batch = preview_of(upload(client_staff_a, content))

    by_number = rows_by_number(batch)
    assert [by_number[n]["status"] for n in (2, 3, 4)] == ["invalid", "invalid", "new"]
    assert _formula_issue(by_number[2]) == [("C", f"cell C2 {PASTE_AS_TEXT}")]
    assert _formula_issue(by_number[3]) == [("C", f"cell C3 {PASTE_AS_TEXT}")]
    confirm(client_staff_a, batch)
    assert list(Activity.objects.values_list("title", flat=True)) == ["Typed"]
