"""Bulk import: a date that reads two ways (12/05/2026 is 12 May day/month/year, 5 December
month/day/year) is read day/month/year, and a row refused for any reason says so beside
the refusal, so that whoever wrote it the American way sees why. Unambiguous dates need no
such note.

The clock is frozen at 30 June 2026, 10:00 in Hong Kong: June is open for entry, May
closed, July in the future.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from activities.tests.test_import import (
    confirm,
    issues,
    make_csv,
    make_xlsx,
    preview_of,
    rows_by_number,
    upload,
    visit,
)
from offices.services import reference_data_load

HK = ZoneInfo("Asia/Hong_Kong")

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


@pytest.fixture(autouse=True)
def reference(db):
    reference_data_load()


def _note(row: dict) -> str:
    return row.get("date_note") or ""


def test_a_refused_date_that_reads_two_ways_says_how_it_was_read(client_staff_a):
    rows = [
        visit(day="12/05/2026", title="In a closed month"),  # 2: 5 December the other way
        visit(day="01/07/2026", title="In the future"),  # 3: 7 January the other way
        visit(day="02/06/2026", title="Unknown", counterparts="Ministry of Magic"),  # 4
        visit(day="3.6.2026", title="Unknown region", region="Atlantis"),  # 5
        # dates that read one way only: no note
        visit(day="13/05/2026", title="Day 13: no month 13"),  # 6
        visit(day="2026-05-12", title="Year first"),  # 7
        visit(day="2026年5月12日", title="In Chinese"),  # 8
        visit(day=dt.datetime(2026, 5, 12), title="An Excel date"),  # 9
        visit(day="12 May 2026", title="In words"),  # 10
        visit(day="05/05/2026", title="The same both ways"),  # 11
    ]
    response = upload(client_staff_a, make_xlsx(rows))
    batch = preview_of(response)
    by_number = rows_by_number(batch)

    assert [by_number[n]["status"] for n in (2, 3, 4, 5)] == ["invalid"] * 4
    assert "closed for entry" in issues(by_number[2])[0][1]
    assert _note(by_number[2]) == (
        "12/05/2026 was read as 12 May 2026 (day/month/year). If you meant 5 December 2026, "
        "write 2026-12-05."
    )
    assert issues(by_number[3]) == [("A", "The date cannot be in the future.")]
    assert _note(by_number[3]).startswith("01/07/2026 was read as 1 July 2026 (day/month/year).")
    assert _note(by_number[4]).startswith("02/06/2026 was read as 2 June 2026 (day/month/year).")
    assert _note(by_number[5]).startswith("3.6.2026 was read as 3 June 2026 (day/month/year).")
    assert [by_number[n]["status"] for n in range(6, 12)] == ["invalid"] * 6  # May is closed
    assert [_note(by_number[n]) for n in range(6, 12)] == [""] * 6

    page = client_staff_a.get(response.url).content.decode()
    # beside the refusal, in the table and in the summary at the top
    assert page.count("12/05/2026 was read as 12 May 2026 (day/month/year)") == 2
    assert page.count("01/07/2026 was read as 1 July 2026 (day/month/year)") == 2


def test_a_duplicate_whose_date_reads_two_ways_says_how_it_was_read(client_staff_a):
    batch = preview_of(upload(client_staff_a, make_xlsx([visit(day="2026-06-05")])))
    confirm(client_staff_a, batch)

    again = preview_of(upload(client_staff_a, make_xlsx([visit(day="05/06/2026")])))

    [row] = again.report["rows"]
    assert row["status"] == "duplicate"
    assert _note(row).startswith("05/06/2026 was read as 5 June 2026 (day/month/year).")
    page = client_staff_a.get(reverse("activities:import-preview", args=[again.pk]))
    assert "05/06/2026 was read as 5 June 2026 (day/month/year)" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "12/05/2026 was read as 12 May 2026 (day/month/year)"),
        ("zh-hant", "12/05/2026 按日/月/年讀作 2026年5月12日"),
        ("zh-hans", "12/05/2026 按日/月/年读作 2026年5月12日"),
    ],
)
def test_the_note_is_in_the_persons_language(client_staff_a, language, note):
    client_staff_a.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = upload(client_staff_a, make_csv([visit(day="12/05/2026")]), name="may.csv")
    batch = preview_of(response)

    assert _note(batch.report["rows"][0]).startswith(note)
    assert note in client_staff_a.get(response.url).content.decode()
