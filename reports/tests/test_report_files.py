"""A report's XLSX and CSV files read back to the selector's numbers, list exactly the
counted activities, and are safe to open in a spreadsheet; long sheets go on in new ones."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import translation

from activities.exports import ActivityExport
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from common import xlsx
from common.exports import Column, Export
from offices.tests.factories import (
    AnnualTargetFactory,
    IndicatorFactory,
    OfficeFactory,
    OfficeTargetFactory,
    RegionFactory,
)
from reports.report import ReportScope, report_data
from reports.report_files import write_report
from tests.datasets import removed

HK = ZoneInfo("Asia/Hong_Kong")
AS_OF = dt.date(2026, 6, 15)
NO_SHARE = "No target of its own"
SHEETS = [
    "Report",
    "Summary",
    "By office",
    "Progress by office",
    "By quarter",
    "By month",
    "By region",
    "Notes",
    "Plans ahead",
    "Activities counted",
]
ID, DATE, INDICATOR, TITLE, LEAD_OFFICE = -1, 0, 1, 2, 4
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def report_rows(office_a, unit_a, office_b):
    """Ten counted activities in the first half of 2026 and five that do not count."""
    visits = IndicatorFactory(
        code="visits", name_en="Visits", name_zh_hant="拜訪", name_zh_hans="拜访", display_order=1
    )
    media = IndicatorFactory(
        code="media", name_en="Media", name_zh_hant="媒體", name_zh_hans="媒体", display_order=2
    )
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    AnnualTargetFactory(year=2026, indicator=media, target=20)
    OfficeTargetFactory(year=2026, indicator=visits, office=office_a, target=60)
    hubei = RegionFactory(code="420000", name_en="Hubei", name_zh_hant="湖北省")
    make = ActivityFactory
    counted = [
        make(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 1, 1 + i),
            region=hubei if i % 2 else None,
            status=Status.VERIFIED if i % 3 else Status.SUBMITTED,
        )
        for i in range(4)
    ]
    counted += [
        make(lead_office=unit_a, indicator=media, occurred_on=dt.date(2026, 4, 2), region=hubei),
        make(lead_office=unit_a, indicator=visits, occurred_on=dt.date(2026, 5, 9)),
        make(lead_office=office_b, indicator=media, occurred_on=dt.date(2026, 2, 20)),
        make(lead_office=office_b, indicator=visits, occurred_on=dt.date(2026, 6, 15)),
        make(lead_office=office_b, indicator=visits, occurred_on=dt.date(2026, 3, 1)),
        make(lead_office=office_a, indicator=media, occurred_on=dt.date(2026, 3, 1)),
    ]
    counted[-2].participating_offices.add(office_a)  # joint, led by B: listed once
    gone = removed(office_a, visits, dt.date(2026, 2, 2))
    not_counted = [
        make(lead_office=office_a, indicator=visits, status=Status.DRAFT),
        make(lead_office=office_a, indicator=visits, status=Status.RETURNED),
        make(lead_office=office_b, indicator=visits, occurred_on=dt.date(2026, 6, 20)),
        make(
            lead_office=office_b,
            indicator=media,
            occurred_on=dt.date(2026, 6, 1),
            counted_since=dt.datetime(2026, 6, 16, 9, tzinfo=HK),
        ),
        make(lead_office=office_b, indicator=media, occurred_on=dt.date(2025, 12, 31)),
        gone,
    ]
    assert Activity.objects.count() == len(counted) + len(not_counted)
    return {"visits": visits, "media": media, "counted": counted, "region": hubei}


def counted_ids(activities) -> list[int]:
    """The counted activities' ids in the file's order: by date, then id."""
    return [a.pk for a in sorted(activities, key=lambda a: (a.occurred_on, a.pk))]


def _annual(office=None):
    return report_data(ReportScope.annual(2026, as_of=AS_OF, office=office))


def _xlsx(data, **kwargs) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_report(data, "xlsx", buffer, **kwargs)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def _csv(data, **kwargs) -> list[list[str]]:
    buffer = io.BytesIO()
    write_report(data, "csv", buffer, **kwargs)
    body = buffer.getvalue()
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _day(value: dt.date) -> dt.datetime:
    """openpyxl reads a date cell back as a datetime at midnight."""
    return dt.datetime.combine(value, dt.time.min)


# --- XLSX --------------------------------------------------------------------------------------


def test_xlsx_has_one_sheet_per_section_each_frozen_and_printable(report_rows):
    workbook = _xlsx(_annual())

    assert workbook.sheetnames == SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet["A1"].font.bold, sheet.title
        assert sheet.page_setup.orientation == "landscape", sheet.title
        # one page wide: 1 is the attribute's default, which a writer may leave out
        assert int(sheet.page_setup.fitToWidth or 1) == 1, sheet.title
        assert int(sheet.page_setup.fitToHeight) == 0, sheet.title  # as many pages down as needed
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title  # the header on every page


def test_xlsx_report_sheet_says_what_the_workbook_is(report_rows):
    data = _annual()
    about = dict(_rows(_xlsx(data)["Report"]))

    assert about["Report"] == "Annual report 2026"
    assert (about["From"], about["To"], about["Data as of"]) == (
        dt.datetime(2026, 1, 1),
        dt.datetime(2026, 12, 31),
        _day(AS_OF),
    )
    assert about["Activities counted"] == data.activity_count == 10
    assert isinstance(about["Activities counted"], int)
    assert about["Generated at"] == dt.datetime(2026, 6, 15, 10, 0)  # Hong Kong wall time
    assert about["Offices"] == "All offices"
    assert "ahead at 110% or more" in about["Status"]


def test_xlsx_figures_read_back_to_the_selectors_numbers(report_rows, office_a, unit_a, office_b):
    data = _annual()
    workbook = _xlsx(data)

    summary = _rows(workbook["Summary"])
    # 1 January to 15 June is 166 days of 365: projected 7 × 365 ÷ 166 = 15.4 and 6.6,
    # rounded down; 199 days left are 6.5 months: 93 and 17 still needed, 15 and 3 a month
    assert summary == [
        ("Visits", 100, 7, 7.0, 45, 15, "Behind", 93, 15),
        ("Media", 20, 3, 15.0, 9, 6, "Behind", 17, 3),
    ]
    assert summary == [
        (
            line.indicator.name,
            line.target,
            line.achieved,
            float(line.percent),
            line.expected_rounded,
            line.projected,
            line.status_label,
            line.still_needed,
            line.needed_per_month,
        )
        for line in data.summary
    ]
    header = next(workbook["By office"].iter_rows(max_row=1, values_only=True))
    assert header == ("Office code", "Office or unit", "Line", "Visits", "Media", "Total")
    assert _rows(workbook["By office"]) == [
        ("OFFA", "Office A", "Office, with units", 5, 2, 7),
        ("UNITA", "Unit A1", "Unit only", 1, 1, 2),
        ("OFFB", "Office B", "Office, with units", 2, 1, 3),
    ]
    progress = workbook["Progress by office"]
    assert next(progress.iter_rows(max_row=1, values_only=True)) == (
        "Office code",
        "Office or unit",
        "Line",
        "Indicator",
        "Office target",
        "Achieved",
        "Per cent of target",
        "Still needed",
        "Status",
    )
    # office A's share of visits is 60: 5 by 15 June, 166 days of 365, is behind the pace
    assert _rows(progress) == [
        ("OFFA", "Office A", "Office, with units", "Visits", 60, 5, 8.3, 55, "Behind"),
        ("OFFA", "Office A", "Office, with units", "Media", None, 2, None, None, NO_SHARE),
        ("UNITA", "Unit A1", "Unit only", "Visits", None, 1, None, None, NO_SHARE),
        ("UNITA", "Unit A1", "Unit only", "Media", None, 1, None, None, NO_SHARE),
        ("OFFB", "Office B", "Office, with units", "Visits", None, 2, None, None, NO_SHARE),
        ("OFFB", "Office B", "Office, with units", "Media", None, 1, None, None, NO_SHARE),
    ]
    quarters = _rows(workbook["By quarter"])
    assert quarters == [
        (q.label, _day(q.start), _day(q.end), *q.counts, q.total) for q in data.quarters
    ]
    assert [q[3:] for q in quarters] == [(5, 2, 7), (2, 1, 3), (0, 0, 0), (0, 0, 0)]
    months = _rows(workbook["By month"])
    assert months == [
        (m.label, _day(m.start), _day(m.end), *m.counts, m.total) for m in data.months
    ]
    assert [m[-1] for m in months] == [4, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert _rows(workbook["By region"]) == [
        ("420000", "Hubei", 2, 1, 3),
        (None, "No region recorded", 5, 2, 7),
    ]
    for sheet in ("By office", "By quarter", "By month", "By region"):
        for row in _rows(workbook[sheet]):
            assert all(isinstance(value, int) for value in row[-3:]), (sheet, row)
    date_cell = workbook["By month"]["B2"]
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"


def test_xlsx_lists_exactly_the_counted_activities(report_rows):
    data = _annual()
    sheet = _xlsx(data)["Activities counted"]
    rows = _rows(sheet)

    assert len(rows) == data.activity_count
    assert [row[ID] for row in rows] == counted_ids(report_rows["counted"])
    assert all(isinstance(row[ID], int) for row in rows)
    assert rows[0][DATE] == dt.datetime(2026, 1, 1) and sheet["A2"].is_date
    assert sheet.auto_filter.ref == f"A1:W{len(rows) + 1}"


def test_xlsx_of_an_offices_report_lists_only_that_office(report_rows, office_a, unit_a):
    data = _annual(office_a)
    workbook = _xlsx(data)
    mine = [a for a in report_rows["counted"] if a.lead_office in (office_a, unit_a)]

    assert [row[ID] for row in _rows(workbook["Activities counted"])] == counted_ids(mine)
    assert data.activity_count == len(mine) == 7
    assert _rows(workbook["Summary"])[0][:3] == ("Visits", 60, 5)  # office A's share
    assert dict(_rows(workbook["Report"]))["Offices"] == "Office A"


def test_formula_looking_text_is_neutralised_in_every_sheet(office_a):
    formula = IndicatorFactory(code="formula", name_en="=SUM(A1)", display_order=1)
    office = OfficeFactory(code="PLUS", name_en="+Office")
    region = RegionFactory(code="110000", name_en="-Region")
    ActivityFactory(
        lead_office=office,
        indicator=formula,
        region=region,
        title='=HYPERLINK("http://example.com")',
        city="@SUM(A1)",
        occurred_on=dt.date(2026, 3, 3),
    )
    workbook = _xlsx(_annual())

    assert workbook["Summary"]["A2"].value == "'=SUM(A1)"
    assert workbook["By office"]["D1"].value == "'=SUM(A1)"  # a header
    offices = {row[0]: row for row in _rows(workbook["By office"])}
    assert offices["PLUS"][1] == "'+Office"
    assert _rows(workbook["By region"])[0][1] == "'-Region"
    activities = workbook["Activities counted"]
    assert activities.cell(row=2, column=TITLE + 1).value == '\'=HYPERLINK("http://example.com")'
    assert activities.cell(row=2, column=TITLE + 1).data_type == "s"  # text, not a formula
    assert activities.cell(row=2, column=INDICATOR + 1).value == "'=SUM(A1)"
    assert activities.cell(row=2, column=8).value == "'@SUM(A1)"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


def test_an_unknown_format_is_refused(report_rows):
    with pytest.raises(ValueError):
        write_report(_annual(), "docx", io.BytesIO())


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_is_exactly_the_counted_activities_in_chinese(report_rows, office_a):
    ActivityFactory(
        lead_office=office_a,
        indicator=report_rows["visits"],
        occurred_on=dt.date(2026, 5, 1),
        title="=1+1",
        city="+852",
    )
    expected = counted_ids([*report_rows["counted"], Activity.objects.get(title="=1+1")])
    with translation.override("zh-hant"):
        data = _annual()
        rows = _csv(data)

    header, *body = rows
    assert header[DATE] == "日期"
    assert len(body) == data.activity_count == 11
    assert [int(row[ID]) for row in body] == expected
    by_id = {int(row[ID]): row for row in body}
    first = by_id[report_rows["counted"][0].pk]
    assert (first[DATE], first[INDICATOR], first[LEAD_OFFICE]) == ("2026-01-01", "拜訪", "甲辦事處")
    assert by_id[report_rows["counted"][4].pk][INDICATOR] == "媒體"
    formula = next(row for row in body if row[TITLE].endswith("=1+1"))
    assert (formula[TITLE], formula[7]) == ("'=1+1", "'+852")


def test_csv_joint_activity_appears_once_under_its_lead(report_rows, office_a, office_b):
    rows = _csv(_annual())[1:]
    joint = report_rows["counted"][-2]
    listed = [row for row in rows if int(row[ID]) == joint.pk]
    assert len(listed) == 1
    assert (listed[0][3], listed[0][5]) == ("OFFB", "Office A")  # lead, then participants


# --- progress of a long write ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_progress_is_told_the_rows_written_so_far(report_rows, monkeypatch, fmt):
    monkeypatch.setattr(ActivityExport, "chunk_size", 3)
    data = _annual()
    calls: list[int] = []
    buffer = io.BytesIO()
    write_report(data, fmt, buffer, progress=calls.append)

    # once per chunk of three, before it is written: 0, 3, 6, 9 of 10
    assert calls == [0, 3, 6, 9]
    assert all(a < b for a, b in zip(calls, calls[1:], strict=False))
    assert calls[-1] < data.activity_count


# --- an export longer than one sheet -----------------------------------------------------------


class _Numbers(Export):
    filename = "numbers"
    sheet_title = "Numbers"
    columns = (Column("N", 6), Column("Day", 10))

    def __init__(self, n: int, title: str = "Numbers") -> None:
        self.n = n
        self.sheet_title = title

    def rows(self):
        for i in range(1, self.n + 1):
            yield (i, dt.date(2026, 1, i))


def _write(*exports_) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    xlsx.write_xlsx(buffer, *exports_)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


@pytest.mark.parametrize(
    ("rows", "sheets"),
    [
        (0, ["Numbers"]),
        (3, ["Numbers"]),  # header and three rows: exactly full
        (4, ["Numbers", "Numbers (2)"]),
        (7, ["Numbers", "Numbers (2)", "Numbers (3)"]),
    ],
)
def test_rows_past_the_sheet_limit_go_on_in_a_new_sheet(monkeypatch, rows, sheets):
    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 4)  # header included
    workbook = _write(_Numbers(rows))

    assert workbook.sheetnames == sheets
    written = []
    for sheet in workbook.worksheets:
        assert sheet.max_row <= 4
        assert next(sheet.iter_rows(max_row=1, values_only=True)) == ("N", "Day")
        assert sheet.freeze_panes == "A2" and sheet.page_setup.orientation == "landscape"
        assert sheet.auto_filter.ref == f"A1:B{sheet.max_row}"
        written += [row[0] for row in _rows(sheet)]
    assert written == list(range(1, rows + 1))  # nothing lost, nothing twice, in order
    if rows:
        assert workbook.worksheets[-1]["B2"].is_date


def test_a_long_sheet_title_keeps_its_part_number_within_31_characters(monkeypatch):
    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 2)
    title = "Activities counted for the bureau"  # 33 characters
    workbook = _write(_Numbers(3, title))

    assert workbook.sheetnames == [
        "Activities counted for the bure",
        "Activities counted for the  (2)",
        "Activities counted for the  (3)",
    ]
    assert all(len(name) <= 31 for name in workbook.sheetnames)


def test_the_next_sheet_after_a_split_is_not_mixed_up(monkeypatch):
    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 3)
    workbook = _write(_Numbers(3, "First"), _Numbers(1, "Second"))

    assert workbook.sheetnames == ["First", "First (2)", "Second"]
    assert [row[0] for row in _rows(workbook["First (2)"])] == [3]
    assert [row[0] for row in _rows(workbook["Second"])] == [1]


def test_a_reports_activities_go_on_over_several_sheets(report_rows, monkeypatch):
    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 5)  # four activities a sheet
    data = _annual()
    workbook = _xlsx(data)

    parts = [name for name in workbook.sheetnames if name.startswith("Activities counted")]
    assert parts == ["Activities counted", "Activities counted (2)", "Activities counted (3)"]
    ids = [row[ID] for name in parts for row in _rows(workbook[name])]
    assert ids == counted_ids(report_rows["counted"])
    assert [workbook[name].max_row - 1 for name in parts] == [4, 4, 2]


def test_each_offices_progress_is_the_dashboards(report_rows, office_a):
    """The report's office lines judge each share by the dashboards' rule, to the unit."""
    from reports.dashboard import dashboard

    data = _annual()
    shown = dashboard(year=2026, as_of=AS_OF)
    [row] = [row for row in shown.rows if row.office == office_a]
    [line] = [line for line in data.offices if line.office == office_a]
    assert [(f.achieved, f.target, f.percent, f.status) for f in row.figures] == [
        (p.achieved, p.target, p.percent, p.status) for p in line.progress
    ]
    assert [p.status for p in line.progress] == ["behind", None]
