"""Bulk import at any length (docs/performance.md): each step (upload, preview page,
confirmation) makes the same number of queries for 10 rows or 200, the preview's table is
read a page at a time, and the confirmation checks the rows kept with the batch, not the
file read again.

The clock is frozen at 30 June 2026, 10:00 in Hong Kong: June is open for entry (until 10
July), May closed at the end of 10 June.
"""

import datetime as dt
import io
import re
from collections import Counter
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.imports.tables import read_table, table_from_json, table_to_json
from activities.models import Activity, ImportBatch, Status
from activities.tests.factories import ActivityFactory
from activities.tests.test_import import confirm, make_xlsx, preview_of, upload, visit
from offices.models import Counterpart, Indicator
from offices.services import reference_data_load

HK = ZoneInfo("Asia/Hong_Kong")

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


@pytest.fixture(autouse=True)
def reference(db):
    reference_data_load()


def _rows(n: int, *, months=(6,)) -> list[dict]:
    return [
        visit(title=f"Visit {i}", day=f"2026-{months[i % len(months)]:02d}-{1 + i % 28:02d}")
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [10, 200])
def test_upload_takes_the_same_queries_for_10_or_200_rows(
    client_staff_a, office_a, django_assert_num_queries, n
):
    """Rows over two months (May closed, June open), one of them already recorded."""
    ActivityFactory(
        lead_office=office_a,
        indicator=Indicator.objects.get(code="visits"),
        occurred_on=dt.date(2026, 6, 1),
        title="Visit 0",
    )
    content = make_xlsx(_rows(n, months=(6, 5)))
    # session x2, user, session x2, user (signing the test client in); the uploader's
    # offices (rights), the form's offices (choices, then the one chosen); savepoint,
    # indicators, regions, counterparts, offices, recorded activities (duplicates), the
    # months' states (one query per lead office, whatever the months), the uploader's
    # earlier previews deleted, the batch saved, released; session saved (savepoint,
    # update, released)
    with django_assert_num_queries(22):
        response = upload(client_staff_a, content)
    batch = preview_of(response)
    counts = batch.report["counts"]
    assert counts["duplicate"] == 1
    assert counts["new"] + counts["invalid"] == n - 1
    assert counts["invalid"] == n // 2  # May's rows: the month is closed


# Django writes at most 999 parameters a statement to SQLite: 41 activities an INSERT.
MANY = 200 if connection.vendor == "postgresql" else 40


@pytest.mark.parametrize("n", [10, MANY])
def test_confirmation_takes_the_same_queries_for_10_or_many_rows(
    client_staff_a, django_assert_num_queries, n
):
    batch = preview_of(upload(client_staff_a, make_xlsx(_rows(n))))
    assert batch.report["counts"]["new"] == n
    # session, user; savepoint, the batch (locked), the uploader's offices (rights),
    # indicators, regions, counterparts, offices, the lead offices locked, recorded
    # activities (duplicates), the months' states; savepoint, [PostgreSQL: the roll-up's
    # rows locked, made, locked], the activities, their history, the counterparts and
    # their history (the other two lists are empty), released; the batch marked imported,
    # released; session saved (savepoint, update, released). On PostgreSQL each INSERT
    # writes all its rows, whatever their number (SQLite: 1 000 a query at most).
    expected = 23 + (3 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(expected):
        response = confirm(client_staff_a, batch)
    assert response.status_code == 302
    assert Activity.objects.filter(status=Status.DRAFT).count() == n
    record = Activity.history.get(title="Visit 1")
    assert (record.history_type, record.history_user, record.version) == ("+", batch.created_by, 1)
    assert [c.counterpart.name_zh_hant for c in record.counterparts.all()] == ["廣東省商務廳"]


def test_the_preview_table_is_read_a_page_at_a_time(client_staff_a):
    rows = _rows(150)
    rows[120] = visit(title="Visit 120", day="2026-07-01")  # in the future: row 122
    batch = preview_of(upload(client_staff_a, make_xlsx(rows)))
    url = reverse("activities:import-preview", args=[batch.pk])

    first = client_staff_a.get(url).content.decode()
    assert first.count('class="import-row ') == 100
    assert "Page 1 of 2" in first
    assert "Import 149 activities as drafts" in first
    # The summary leads to the row where the table shows it: among the invalid rows.
    assert 'href="?show=invalid#row-122"' in first
    second = client_staff_a.get(url, {"page": 2}).content.decode()
    assert second.count('class="import-row ') == 50
    assert 'id="row-122"' in second
    invalid = client_staff_a.get(url, {"show": "invalid"}).content.decode()
    assert invalid.count('class="import-row ') == 1
    assert 'href="#row-122"' in invalid


def test_the_confirmation_checks_the_rows_kept_not_the_file_again(client_staff_a):
    batch = preview_of(upload(client_staff_a, make_xlsx(_rows(3))))
    ImportBatch.objects.filter(pk=batch.pk).update(content=b"not read again")
    confirm(client_staff_a, batch)
    assert Activity.objects.count() == 3


def test_the_rows_kept_read_as_the_file_does():
    """Dates, times, numbers and formulas: the kept table gives every row what the workbook
    gave it, so the confirmation reaches the same verdicts."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Indicator", "Title", "Notes", "Unread column"])
    sheet.append([dt.datetime(2026, 6, 2), "visits", "A", 3.0, "x"])
    sheet.append([dt.date(2026, 6, 3), 46178, "B", 2.5, "=1+1"])
    sheet.append([dt.time(9, 30), "visits", "=A1", True, None])
    sheet.append(["2/6/2026", "visits", "D", float("inf"), 1])
    sheet["A3"].number_format = "yyyy-mm-dd"
    sheet["A4"].number_format = "hh:mm"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(name="a.xlsx", file_format="xlsx", content=buffer.getvalue())
    kept = table_from_json(table_to_json(table))

    assert (kept.positions, kept.labels, kept.ignored) == (
        table.positions,
        table.labels,
        table.ignored,
    )
    assert kept.formulas == table.formulas == {4: ("title",)}
    read = sorted(table.positions.values())
    for (number, cells), (kept_number, kept_cells) in zip(table.rows, kept.rows, strict=True):
        assert number == kept_number
        for index in read:
            assert type(kept_cells[index]) is type(cells[index])
            assert kept_cells[index] == cells[index]


def test_the_rows_kept_leave_out_control_characters_as_a_row_does():
    """A NUL past the bytes that are sniffed: PostgreSQL keeps none in JSON, and no row reads
    one (`rows._parse_row` drops control characters)."""
    table = read_table(
        name="a.csv", file_format="csv", content=b"Date,Indicator,Title\n2026-06-02,visits,A\x00B\n"
    )
    assert table_to_json(table)["rows"] == [[2, ["2026-06-02", "visits", "AB"]]]


def test_many_activities_are_written_in_one_insert_on_postgresql(staff_a, office_a):
    """More than a batch of 1 000: on PostgreSQL one INSERT of the activities, one of their
    history, one of their counterparts and one of those links' history; each row written as
    the form would write it, with its first version."""
    indicator = Indicator.objects.get(code="visits")
    commerce = Counterpart.objects.get(name_zh_hant="廣東省商務廳")
    items = [
        {
            "lead_office": office_a,
            "indicator": indicator,
            "occurred_on": dt.date(2026, 6, 1 + i % 28),
            "title": f"Meeting {i}",
            "city": "廣州" if i % 2 else "",
            "notes": "Line one\nline two",
            "authority_level": "provincial",
            "counterparts": [commerce],
        }
        for i in range(1_001)
    ]
    with CaptureQueriesContext(connection) as captured:
        created = services.activities_create_bulk(user=staff_a, items=items)
    inserts = Counter(
        re.match(r'INSERT INTO "?(\w+)', query["sql"])[1]
        for query in captured.captured_queries
        if query["sql"].startswith("INSERT INTO")
    )
    if connection.vendor == "postgresql":
        assert inserts == {
            "activities_activitymonthcount": 1,  # lock_counts: the group's row made
            "activities_activity": 1,
            "activities_historicalactivity": 1,
            "activities_activity_counterparts": 1,
            "activities_historicalactivity_counterparts": 1,
        }
    assert [a.pk for a in created] == list(
        Activity.objects.filter(title__startswith="Meeting ")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    last = Activity.objects.get(pk=created[-1].pk)
    assert (last.title, last.city, last.notes, last.occurred_on, last.status) == (
        "Meeting 1000",
        "",
        "Line one\nline two",
        dt.date(2026, 6, 1 + 1000 % 28),
        Status.DRAFT,
    )
    assert (last.created_by, last.updated_by, last.version, last.confirmed_different_from) == (
        staff_a,
        staff_a,
        1,
        [],
    )
    assert last.created_at == last.updated_at == timezone.now()
    first = last.history.get()
    assert (first.history_type, first.history_user, first.title) == ("+", staff_a, last.title)
    assert list(last.counterparts.all()) == [commerce]
    assert [link.counterpart for link in first.counterparts.all()] == [commerce]
    assert Activity.history.filter(history_type="+").count() == 1_001
