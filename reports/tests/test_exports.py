"""The activity list downloads (CSV and XLSX) and the shared writer behind them."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.exports import ActivityExport
from activities.models import Status
from activities.tests.factories import ActivityFactory
from common import exports, xlsx
from common.exports import Column, Export, neutralise
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory, RegionFactory

HK = ZoneInfo("Asia/Hong_Kong")
ID = -1  # the id is the last column
TITLE = 2


def _url(fmt: str, query: str = "") -> str:
    return reverse("activities:export", args=[fmt]) + (f"?{query}" if query else "")


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _list_page_ids(client, query: str) -> list[int]:
    response = client.get(reverse("activities:list") + f"?{query}")
    assert response.status_code == 200
    return [a.pk for a in response.context["page"].object_list]


@pytest.fixture
def activities_a(office_a, unit_a, office_b, indicator, staff_a, staff_b):
    """Office A's list in March 2026 and what surrounds it."""
    make = ActivityFactory
    march_5 = make(
        lead_office=office_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 3, 5),
        status=Status.DRAFT,
        created_by=staff_a,
        title="粵港合作交流會",
    )
    march_1 = make(
        lead_office=office_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 3, 1),
        created_by=staff_a,
    )
    unit_march_3 = make(
        lead_office=unit_a,
        indicator=indicator,
        occurred_on=dt.date(2026, 3, 3),
        status=Status.VERIFIED,
        created_by=staff_a,
    )
    joint_led_by_b = make(
        lead_office=office_b,
        indicator=indicator,
        occurred_on=dt.date(2026, 3, 4),
        created_by=staff_b,
    )
    joint_led_by_b.participating_offices.add(office_a)
    return {
        "march_5": march_5,
        "march_1": march_1,
        "unit_march_3": unit_march_3,
        "joint_led_by_b": joint_led_by_b,
        # Not in office A's March list:
        "april": make(
            lead_office=office_a,
            indicator=indicator,
            occurred_on=dt.date(2026, 4, 2),
            created_by=staff_a,
        ),
        "removed": make(
            lead_office=office_a,
            indicator=indicator,
            occurred_on=dt.date(2026, 3, 2),
            status=Status.DRAFT,
            created_by=staff_a,
            removed_at=timezone.now(),
            removed_by=staff_a,
            removal_reason="Logged twice",
        ),
        "b_only": make(
            lead_office=office_b,
            indicator=indicator,
            occurred_on=dt.date(2026, 3, 2),
            created_by=staff_b,
        ),
    }


MARCH = "date_from=2026-03-01&date_to=2026-03-31"


# --- the download equals the filtered list --------------------------------------------------


def test_csv_is_exactly_the_filtered_list_in_its_order(client_staff_a, activities_a):
    a = activities_a
    rows = _csv_rows(client_staff_a.get(_url("csv", MARCH)))

    ids = [int(row[ID]) for row in rows[1:]]
    expected = [a["march_5"].pk, a["joint_led_by_b"].pk, a["unit_march_3"].pk, a["march_1"].pk]
    assert ids == expected
    assert ids == _list_page_ids(client_staff_a, MARCH)


def test_csv_follows_the_lists_sort_and_filters(client_staff_a, activities_a):
    a = activities_a
    query = f"{MARCH}&sort=date&status=submitted"
    rows = _csv_rows(client_staff_a.get(_url("csv", query)))

    ids = [int(row[ID]) for row in rows[1:]]
    assert ids == [a["march_1"].pk, a["joint_led_by_b"].pk]
    assert ids == _list_page_ids(client_staff_a, query)


def test_xlsx_is_exactly_the_filtered_list_with_real_dates_and_a_frozen_header(
    client_staff_a, activities_a
):
    a = activities_a
    response = client_staff_a.get(_url("xlsx", MARCH))
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE

    sheet = _workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[ID] for row in rows[1:]] == _list_page_ids(client_staff_a, MARCH)
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold

    first = rows[1]
    assert first[ID] == a["march_5"].pk  # a number, not text
    assert first[0] == dt.datetime(2026, 3, 5)  # a date cell (openpyxl reads it as datetime)
    assert sheet["A2"].is_date and sheet["A2"].number_format == "yyyy-mm-dd"
    created_at = first[rows[0].index("Created at")]
    expected = timezone.make_naive(a["march_5"].created_at)  # Hong Kong wall time
    assert abs(created_at - expected) < dt.timedelta(seconds=1)
    assert sheet.column_dimensions["C"].width >= 40  # the title column fits a title


def test_rows_carry_every_column(client_staff_a, office_a, office_b, indicator, staff_a):
    region = RegionFactory(code="440000", name_en="Guangdong", name_zh_hant="廣東省")
    counterpart = CounterpartFactory(name_en="Department of Commerce of Guangdong")
    partner = CounterpartFactory(type=Counterpart.Type.PARTNER, name_en="HKTDC")
    supervisor = UserFactory(
        first_name="Mei", last_name="Chan", role=Role.OFFICE_SUPERVISOR, office=office_a
    )
    activity = ActivityFactory(
        lead_office=office_a,
        indicator=indicator,
        created_by=staff_a,
        region=region,
        city="Shenzhen",
        authority_level="provincial",
        event_name="Expo",
        hk_participants="Director",
        status=Status.RETURNED,
        reviewed_by=supervisor,
        reviewed_at=dt.datetime(2026, 3, 3, 9, 30, tzinfo=HK),
        review_comment="Add the counterpart",
    )
    activity.participating_offices.add(office_b)
    activity.counterparts.add(counterpart)
    activity.partners.add(partner)

    header, row = _csv_rows(client_staff_a.get(_url("csv")))
    values = dict(zip(header, row, strict=True))
    assert values["Date"] == "2026-03-02"
    assert values["Indicator"] == "Visits"
    assert values["Lead office code"] == "OFFA"
    assert values["Lead office or unit"] == "Office A"
    assert values["Other participating offices"] == "Office B"
    assert values["Region"] == "Guangdong"
    assert values["City"] == "Shenzhen"
    assert values["Counterparts"] == "Department of Commerce of Guangdong"
    assert values["Partner organisations"] == "HKTDC"
    assert values["Level of the authority"] == "Provincial"
    assert values["Event"] == "Expo"
    assert values["Status"] == "Returned"
    assert values["Counts"] == "No"
    assert values["Submitted (counted since)"] == ""
    assert values["Verified or returned by"] == "Mei Chan"
    assert values["Verified or returned at"] == "2026-03-03 09:30"
    assert values["Review comment"] == "Add the counterpart"
    assert values["ID"] == str(activity.pk)


# --- safe to open in a spreadsheet -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 20 1234", "'+86 20 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Visit = success", "Visit = success"),
        ("", ""),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        (None, None),
    ],
)
def test_neutralise_only_touches_formula_looking_text(value, expected):
    assert neutralise(value) == expected


def test_formula_looking_cells_are_neutralised_in_both_formats(
    client_staff_a, office_a, indicator, staff_a
):
    ActivityFactory(
        lead_office=office_a,
        indicator=indicator,
        created_by=staff_a,
        title="=1+1",
        city="@SUM(A1)",
        hk_participants="-2+3",
    )

    header, row = _csv_rows(client_staff_a.get(_url("csv")))
    values = dict(zip(header, row, strict=True))
    assert (values["Title"], values["City"], values["Hong Kong participants"]) == (
        "'=1+1",
        "'@SUM(A1)",
        "'-2+3",
    )

    sheet = _workbook(client_staff_a.get(_url("xlsx"))).active
    assert sheet.cell(row=2, column=TITLE + 1).value == "'=1+1"
    assert sheet.cell(row=2, column=TITLE + 1).data_type == "s"  # text, not a formula
    assert isinstance(sheet.cell(row=2, column=len(header)).value, int)


def test_chinese_header_and_names_in_the_requests_language(client_staff_a, activities_a, office_a):
    response = client_staff_a.get(_url("csv", MARCH), headers={"accept-language": "zh-hant"})
    rows = _csv_rows(response)

    assert rows[0][0] == "日期"
    by_id = {int(row[ID]): row for row in rows[1:]}
    march_5 = by_id[activities_a["march_5"].pk]
    assert march_5[TITLE] == "粵港合作交流會"
    assert march_5[1] == "拜訪"
    assert march_5[4] == "甲辦事處"


@pytest.mark.frozen_at(dt.datetime(2026, 11, 25, 10, tzinfo=HK))
def test_download_is_an_attachment_named_by_date(client_staff_a, activities_a):
    csv_response = client_staff_a.get(_url("csv"))
    xlsx_response = client_staff_a.get(_url("xlsx"))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="activities-2026-11-25.csv"'
    assert (
        xlsx_response["Content-Disposition"] == 'attachment; filename="activities-2026-11-25.xlsx"'
    )
    assert "no-store" in csv_response["Cache-Control"]


# --- who gets what ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_staff_of_another_office_get_none_of_office_as_rows(
    client_staff_b, activities_a, office_a, fmt
):
    a = activities_a
    # Asking for office A by its filter, not a choice they have: refused, nothing downloaded
    # (the list page says why).
    refused = client_staff_b.get(_url(fmt, f"office={office_a.pk}"))
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert "Select a valid choice" in refused.content.decode()
    assert a["march_5"].title not in refused.content.decode()
    response = client_staff_b.get(_url(fmt, ""))
    if fmt == "csv":
        ids = {int(row[ID]) for row in _csv_rows(response)[1:]}
    else:
        ids = {row[ID] for row in _workbook(response).active.iter_rows(min_row=2, values_only=True)}
    assert ids == {a["joint_led_by_b"].pk, a["b_only"].pk}


def test_bureau_viewer_gets_every_offices_rows(client_bureau, activities_a):
    ids = {int(row[ID]) for row in _csv_rows(client_bureau.get(_url("csv", MARCH)))[1:]}
    a = activities_a
    assert ids == {
        a[key].pk for key in ("march_5", "march_1", "unit_march_3", "joint_led_by_b", "b_only")
    }


def test_anonymous_is_sent_to_sign_in(client, activities_a):
    response = client.get(_url("csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_format_is_not_found(client_staff_a):
    assert client_staff_a.get(_url("pdf")).status_code == 404


# --- constant memory, bounded queries ----------------------------------------------------------


def _make_joint_activities(n, office_a, office_b, indicator, staff_a):
    counterpart = CounterpartFactory()
    partner = CounterpartFactory(type=Counterpart.Type.PARTNER)
    for activity in ActivityFactory.create_batch(
        n, lead_office=office_a, indicator=indicator, created_by=staff_a
    ):
        activity.participating_offices.add(office_b)
        activity.counterparts.add(counterpart)
        activity.partners.add(partner)


# session, user, the user's office scope, saving the session (savepoint, update, release:
# SESSION_SAVE_EVERY_REQUEST), the offices, indicators, regions, counterparts and people
# (for their names), the activities with their related lists joined in: one stream, and
# the audit trail's event
EXPORT_QUERIES = 13
# On PostgreSQL the rows are one COPY of the activities with every name in it (the CSV's
# lines, the XLSX's values), in place of the five reads for names and the stream, with
# PostgreSQL's JIT off around it (SET, RESET)
COPY_EXPORT_QUERIES = 10


def _export_queries() -> int:
    return COPY_EXPORT_QUERIES if connection.vendor == "postgresql" else EXPORT_QUERIES


@pytest.mark.parametrize("n", [10, 40])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_rows(
    client_staff_a, django_assert_num_queries, office_a, office_b, indicator, staff_a, n, fmt
):
    _make_joint_activities(n, office_a, office_b, indicator, staff_a)
    with django_assert_num_queries(_export_queries()):
        response = client_staff_a.get(_url(fmt))
        body = b"".join(response.streaming_content)  # CSV queries run while streaming
    assert len(body) > n * 50


def test_export_queries_do_not_depend_on_the_chunks(
    client_staff_a, django_assert_num_queries, office_a, office_b, indicator, staff_a, monkeypatch
):
    """The rows read chunk by chunk (on other databases than PostgreSQL)."""
    monkeypatch.setattr(ActivityExport, "chunk_size", 16)
    _make_joint_activities(40, office_a, office_b, indicator, staff_a)
    with django_assert_num_queries(_export_queries()):
        sheet = _workbook(client_staff_a.get(_url("xlsx"))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == 41
    assert all(row[5] == "Office B" for row in rows[1:])


def test_an_activity_with_several_of_each_list_is_one_row(
    client_staff_a, office_a, office_b, unit_a, indicator, staff_a
):
    """The related lists are joined into the activities' query: each activity stays one
    row, with each list's names once, in their own order."""
    first, second = CounterpartFactory(name_en="Alpha"), CounterpartFactory(name_en="Beta")
    activity = ActivityFactory(lead_office=office_a, indicator=indicator, created_by=staff_a)
    activity.counterparts.add(second, first)
    activity.participating_offices.add(office_b, unit_a)
    activity.partners.add(CounterpartFactory(type=Counterpart.Type.PARTNER, name_en="HKTDC"))
    rows = _csv_rows(client_staff_a.get(_url("csv")))
    assert len(rows) == 2
    names = [
        office.name for office in sorted([office_b, unit_a], key=lambda o: (o.sort_order, o.code))
    ]
    assert rows[1][5] == "; ".join(names)
    assert rows[1][8] == "Alpha; Beta"
    assert rows[1][9] == "HKTDC"


# --- the writer, for any export ----------------------------------------------------------------


class _Sample(Export):
    filename = "sample"
    sheet_title = "Sample: [1/2]"
    columns = (Column("Office", 8), Column("Achieved", 6), Column("Per cent"), Column("As of"))

    def rows(self):
        yield ("甲辦事處", 12, Decimal("40.5"), dt.date(2026, 6, 30))
        yield ('=HYPERLINK("x")', -3, None, None)


def test_writer_keeps_numbers_as_numbers_and_cleans_the_sheet_title():
    buffer = io.BytesIO()
    xlsx.write_xlsx(buffer, _Sample(), _Sample())
    workbook = openpyxl.load_workbook(buffer)
    assert len(workbook.sheetnames) == 2
    sheet = workbook.worksheets[0]
    assert sheet.title == "Sample   1 2"
    assert [c.value for c in sheet[2]] == ["甲辦事處", 12, 40.5, dt.datetime(2026, 6, 30)]
    assert [c.value for c in sheet[3]] == ['\'=HYPERLINK("x")', -3, None, None]
    # Chinese takes two columns per character: the width fits it
    assert sheet.column_dimensions["A"].width >= xlsx.display_width("甲辦事處")


def test_write_csv_to_a_file():
    buffer = io.BytesIO()
    exports.write_csv(_Sample(), buffer)
    text = buffer.getvalue().decode("utf-8-sig")
    assert text.splitlines() == [
        "Office,Achieved,Per cent,As of",
        "甲辦事處,12,40.5,2026-06-30",
        '"\'=HYPERLINK(""x"")",-3,,',
    ]
