"""Bulk import (docs/guide-office-staff.md, "Importing a spreadsheet"): the template, good
and bad files, the preview, the all-or-nothing confirmation, and who may do it.

The clock is frozen at 30 June 2026, 10:00 in Hong Kong: June is open for entry (until 10
July), May closed at the end of 10 June.
"""

import csv
import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth import get_user
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.imports.cells import CellError, parse_date
from activities.imports.columns import COLUMNS, EXAMPLE_TITLE
from activities.imports.lookups import Lookups
from activities.imports.rows import read_rows
from activities.imports.tables import MAX_ROWS, read_table
from activities.imports.upload import MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES
from activities.models import Activity, ImportBatch, PeriodReopening, Status
from activities.tests.factories import ActivityFactory
from offices.models import Counterpart, Indicator, Region
from offices.services import reference_data_load
from offices.tests.factories import UnitFactory

HK = ZoneInfo("Asia/Hong_Kong")
HEADERS = [column.header for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


@pytest.fixture(autouse=True)
def reference(db):
    """The indicators, regions and counterparts the project ships (load_reference_data)."""
    reference_data_load()


# --- building files ------------------------------------------------------------------------


def _cells(row: dict) -> list:
    return [row.get(key, "") for key in KEYS]


def make_xlsx(rows: list[dict], *, headers=HEADERS, blank_rows_after: int = 0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(_cells(row))
    for offset in range(blank_rows_after):
        # Formatted but empty cells, as Excel leaves them below a deleted block.
        sheet.cell(row=len(rows) + 2 + offset, column=1).number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(rows: list[dict], *, headers=HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode()


def visit(day="2026-06-02", title="Call on the Department of Commerce", **extra) -> dict:
    row = {
        "date": day,
        "indicator": "visits",
        "title": title,
        "region": "廣東省",
        "counterparts": "廣東省商務廳",
        "authority_level": "provincial",
    }
    row.update(extra)
    return row


def upload(client, content: bytes, name: str = "activities.xlsx", office=None):
    """As the page posts it: the office chosen, by default the person's own."""
    data = {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}
    office_id = office.pk if office is not None else get_user(client).office_id
    if office_id is not None:
        data["office"] = office_id
    return client.post(reverse("activities:import"), data)


def preview_of(response) -> ImportBatch:
    assert response.status_code == 302, _form_errors(response)
    batch = ImportBatch.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    assert response.url == reverse("activities:import-preview", args=[batch.pk])
    return batch


def confirm(client, batch: ImportBatch):
    return client.post(
        reverse("activities:import-confirm", args=[batch.pk]),
        {"expected": batch.report["counts"]["new"]},
    )


def rows_by_number(batch: ImportBatch) -> dict[int, dict]:
    return {row["number"]: row for row in batch.report["rows"]}


def issues(row: dict) -> list[tuple[str, str]]:
    return [(issue["letter"], issue["message"]) for issue in row["issues"]]


def _form_errors(response):
    context = getattr(response, "context", None)
    return context["form"].errors if context and "form" in context else response


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the template ----------------------------------------------------------------------------


def test_csv_template_has_bilingual_headers_and_an_example_row(client_staff_a):
    response = client_staff_a.get(reverse("activities:import-template", args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens Chinese intact
    header, example = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:3] == ["Date 日期", "Indicator 指標", "Title 標題"]
    assert "Counterparts 聯繫對象" in header
    assert example[0] == "2026-03-02"
    assert example[2] == EXAMPLE_TITLE


def test_xlsx_template_has_bilingual_headers_an_example_row_and_the_lists(client_staff_a):
    response = client_staff_a.get(reverse("activities:import-template", args=["xlsx"]))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][0] == dt.datetime(2026, 3, 2)  # a real Excel date cell
    assert rows[1][2] == EXAMPLE_TITLE
    lists = [row[1] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert {"visits", "OFFA", "440000", "provincial"} <= set(lists)
    assert "OFFB" not in lists  # only the offices staff may import for


def test_the_template_as_downloaded_imports_nothing(client_staff_a):
    """The example row is skipped, so uploading the untouched template adds nothing."""
    content = b"".join(
        client_staff_a.get(reverse("activities:import-template", args=["xlsx"])).streaming_content
    )
    batch = preview_of(upload(client_staff_a, content))

    assert batch.report["example_skipped"] is True
    assert batch.report["rows"] == []


def _template_workbook(client) -> openpyxl.Workbook:
    response = client.get(reverse("activities:import-template", args=["xlsx"]))
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _listed(workbook, reference: str) -> list:
    """The values of a validation's range such as 'Choices'!$B$2:$B$3."""
    sheet_name, cells = reference.rsplit("!", 1)
    sheet = workbook[sheet_name.strip("'")]
    return [cell.value for row in sheet[cells.replace("$", "")] for cell in row]


def test_xlsx_template_offers_drop_down_lists_of_codes(client_staff_a, unit_a):
    workbook = _template_workbook(client_staff_a)
    sheet = workbook.worksheets[0]
    choices = workbook["Choices"]
    assert choices.sheet_state == "hidden"
    assert workbook.active.title == sheet.title  # opens on the sheet to fill in

    validations = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        assert validation.errorStyle == "warning"  # a name typed instead is still allowed
        (cells,) = [str(r) for r in validation.sqref.ranges]
        validations[cells] = _listed(workbook, validation.formula1)
    column = {key: openpyxl.utils.get_column_letter(KEYS.index(key) + 1) for key in KEYS}
    assert set(validations) == {
        f"{column[key]}2:{column[key]}{MAX_ROWS + 1}"
        for key in ("indicator", "lead_office", "region", "authority_level")
    }
    indicators = validations[f"{column['indicator']}2:{column['indicator']}{MAX_ROWS + 1}"]
    assert set(indicators) == set(
        Indicator.objects.filter(is_active=True).values_list("code", flat=True)
    )
    assert "visits" in indicators
    offices = validations[f"{column['lead_office']}2:{column['lead_office']}{MAX_ROWS + 1}"]
    assert sorted(offices) == ["OFFA", "UNITA"]  # only the offices staff may import for
    regions = validations[f"{column['region']}2:{column['region']}{MAX_ROWS + 1}"]
    assert len(regions) == Region.objects.count() and "440000" in regions
    levels = validations[f"{column['authority_level']}2:{column['authority_level']}{MAX_ROWS + 1}"]
    assert levels == ["central", "provincial", "municipal", "district"]


def test_a_bureau_admins_template_lists_every_active_office(client_admin, office_a, office_b):
    workbook = _template_workbook(client_admin)
    (offices,) = [
        _listed(workbook, v.formula1)
        for v in workbook.worksheets[0].data_validations.dataValidation
        if "Choices'!$B$" in v.formula1
    ]
    assert {"OFFA", "OFFB"} <= set(offices)


def test_the_template_filled_in_from_its_lists_imports(client_staff_a, staff_a):
    """Codes chosen from the drop-down lists are read as before; the hidden sheet is not."""
    workbook = _template_workbook(client_staff_a)
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2)
    row = visit(
        indicator="visits", lead_office="OFFA", region="440000", authority_level="provincial"
    )
    sheet.append(_cells(row))
    content = io.BytesIO()
    workbook.save(content)

    batch = preview_of(upload(client_staff_a, content.getvalue()))
    assert batch.report["counts"] == {"new": 1, "duplicate": 0, "invalid": 0}
    confirm(client_staff_a, batch)
    activity = Activity.objects.get()
    assert (activity.lead_office.code, activity.region.code, activity.authority_level) == (
        "OFFA",
        "440000",
        "provincial",
    )


# --- good files ------------------------------------------------------------------------------


def test_good_xlsx_is_previewed_then_imported_as_drafts(client_staff_a, staff_a, office_a):
    rows = [
        # an Excel date cell; the indicator and region in Traditional Chinese
        visit(
            day=dt.datetime(2026, 6, 2),
            indicator="拜訪內地部門或機構",
            authority_level="省級",
            hk_participants="Director; Deputy Director",
        ),
        # full-width digits and spaces; Simplified Chinese indicator; English region
        {
            "date": "２０２６－０６－０３",
            "indicator": "演讲场合",
            "title": "Speech　at the ＧＢＡ forum",
            "event": "Greater Bay Area Forum",
            "region": "Guangdong",
        },
        # day/month/year; indicator and region by code; counterparts in both languages
        {
            "date": "4/6/2026",
            "indicator": "media",
            "title": "Interview with Nanfang Daily",
            "region": "440000",
            "counterparts": "南方日報; Xinhua News Agency",
        },
        {},  # a blank row in the middle
        # a Chinese date; the region without its suffix
        visit(
            day="2026年6月5日",
            title="拜訪深圳市人民政府",
            region="廣東",
            counterparts="深圳市人民政府",
            authority_level="municipal",
        ),
        {"title": "  ", "notes": "\u3000"},  # only spaces: blank too
        {},
    ]
    response = upload(client_staff_a, make_xlsx(rows, blank_rows_after=30))
    batch = preview_of(response)

    assert batch.report["counts"] == {"new": 4, "duplicate": 0, "invalid": 0}
    # Blank rows are ignored; the others keep the numbers Excel shows.
    assert [row["number"] for row in batch.report["rows"]] == [2, 3, 4, 6]
    assert Activity.objects.count() == 0  # nothing yet: only a preview

    page = client_staff_a.get(response.url)
    assert "Import 4 activities as drafts" in page.content.decode()

    response = confirm(client_staff_a, batch)

    assert response.url == reverse("activities:list") + "?status=draft"
    assert "Imported 4 activities as drafts" in _messages(response)[0]
    created = {a.title: a for a in Activity.objects.all()}
    assert set(created) == {
        "Call on the Department of Commerce",
        "Speech at the GBA forum",
        "Interview with Nanfang Daily",
        "拜訪深圳市人民政府",
    }
    visit_ = created["Call on the Department of Commerce"]
    assert visit_.occurred_on == dt.date(2026, 6, 2)
    assert visit_.status == Status.DRAFT
    assert (visit_.lead_office, visit_.created_by) == (office_a, staff_a)
    assert visit_.region.code == "440000"
    assert visit_.authority_level == "provincial"
    assert visit_.hk_participants == "Director\nDeputy Director"
    assert [c.name_en for c in visit_.counterparts.all()] == [
        "Department of Commerce of Guangdong Province"
    ]
    speech = created["Speech at the GBA forum"]
    assert speech.occurred_on == dt.date(2026, 6, 3)
    assert (speech.indicator.code, speech.event_name) == ("speaking", "Greater Bay Area Forum")
    media = created["Interview with Nanfang Daily"]
    assert media.occurred_on == dt.date(2026, 6, 4)  # 4/6 is 4 June, not 6 April
    assert {c.name_en for c in media.counterparts.all()} == {"Nanfang Daily", "Xinhua News Agency"}
    assert created["拜訪深圳市人民政府"].occurred_on == dt.date(2026, 6, 5)
    batch.refresh_from_db()
    assert (batch.imported_count, batch.imported_at is not None) == (4, True)
    page = client_staff_a.get(reverse("activities:import-preview", args=[batch.pk]))
    assert "4 activities from this file were imported" in page.content.decode()
    assert "Import 4 activities" not in page.content.decode()


def test_good_csv_is_imported(client_staff_a, office_a):
    rows = [
        visit(day="2026-06-08"),
        visit(
            day="9/6/2026",
            title="Second call",
            counterparts="Department of Commerce of Guangdong Province",
        ),
    ]
    batch = preview_of(upload(client_staff_a, make_csv(rows), name="june.csv"))

    assert batch.file_format == "csv"
    assert batch.report["counts"]["new"] == 2
    confirm(client_staff_a, batch)
    assert sorted(Activity.objects.values_list("occurred_on", flat=True)) == [
        dt.date(2026, 6, 8),
        dt.date(2026, 6, 9),
    ]


def test_a_csv_from_a_locale_that_separates_with_semicolons(client_staff_a):
    content = make_csv([visit(), visit(title="Zweite")]).replace(b",", b";").replace(b"\n", b"\r\n")
    batch = preview_of(upload(client_staff_a, content, name="semicolons.csv"))
    assert batch.report["counts"]["new"] == 2


def test_a_row_may_name_a_unit_of_the_office(client_staff_a, unit_a):
    batch = preview_of(upload(client_staff_a, make_xlsx([visit(lead_office="unita")])))
    confirm(client_staff_a, batch)
    assert Activity.objects.get().lead_office == unit_a


def test_headers_are_found_in_either_language_below_a_title_row(client_staff_a):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Activities of June 六月份活動"])
    sheet.append(["指標", "日期", "標題", "地區", "對口單位", "部門級別"])
    sheet.append(["visits", "2026-06-02", "A visit", "廣東省", "廣東省商務廳", "省級"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch = preview_of(upload(client_staff_a, buffer.getvalue()))

    assert batch.report["counts"]["new"] == 1
    assert batch.report["rows"][0]["number"] == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 3, 2, 0, 0), dt.date(2026, 3, 2)),
        (46083, dt.date(2026, 3, 2)),  # a date cell formatted as a number
        ("2026-03-02", dt.date(2026, 3, 2)),
        ("2026/3/2", dt.date(2026, 3, 2)),
        ("2/3/2026", dt.date(2026, 3, 2)),  # day/month: Hong Kong
        ("02.03.2026", dt.date(2026, 3, 2)),
        ("2026年3月2日", dt.date(2026, 3, 2)),
        ("２０２６年３月２日", dt.date(2026, 3, 2)),
        ("２/３/２０２６", dt.date(2026, 3, 2)),
        ("2 March 2026", dt.date(2026, 3, 2)),
        ("Mar 2, 2026", dt.date(2026, 3, 2)),
        ("2026-03-02 00:00:00", dt.date(2026, 3, 2)),
    ],
)
def test_dates_are_read_the_way_people_write_them(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/2/2026", "2/3/26", "next Monday", "2026-13-01", 12.5])
def test_unreadable_dates_say_how_to_write_them(value):
    with pytest.raises(CellError):
        parse_date(value)


# --- invalid rows ------------------------------------------------------------------------------


def test_invalid_rows_are_reported_with_row_column_and_reason(client_staff_a, office_b):
    rows = [
        visit(),  # row 2: fine
        visit(day="2026-05-20", title="In a closed month"),  # 3
        visit(day="2026-07-02", title="In the future"),  # 4
        visit(indicator="Lunches", title="Unknown indicator"),  # 5
        visit(day="32/6/2026", title="Not a date"),  # 6
        visit(counterparts="Ministry of Magic", title="Unknown counterpart"),  # 7
        visit(lead_office="OFFB", title="For another office"),  # 8
        visit(region="Atlantis", title="Unknown region"),  # 9
        {"date": "2026-06-10", "indicator": "speaking", "title": "Speech without event"},  # 10
        visit(authority_level="", title="Visit without a level"),  # 11
        visit(title=""),  # 12
    ]
    batch = preview_of(upload(client_staff_a, make_xlsx(rows)))
    by_number = rows_by_number(batch)

    assert batch.report["counts"] == {"new": 1, "duplicate": 0, "invalid": 10}
    assert by_number[2]["status"] == "new"
    [(letter, message)] = issues(by_number[3])
    assert letter == "A" and "closed for entry" in message
    assert issues(by_number[4]) == [("A", "The date cannot be in the future.")]
    assert (
        issues(by_number[5])[0][0] == "B"
        and "“Lunches” is not an indicator" in issues(by_number[5])[0][1]
    )
    assert issues(by_number[6])[0][0] == "A" and "not a real date" in issues(by_number[6])[0][1]
    assert issues(by_number[7]) == [
        (
            "G",
            "“Ministry of Magic” is not in the counterpart directory. Check the spelling, or "
            "add it on the Counterparts page first.",
        )
    ]
    [(letter, message)] = issues(by_number[8])
    assert letter == "D"
    assert "Office B (OFFB) is not an office you can import for here: use OFFA" in message
    assert issues(by_number[9])[0][0] == "E"
    assert issues(by_number[10]) == [("I", "Give the name of the event.")]
    assert issues(by_number[11]) == [("H", "Choose the level of the authority visited.")]
    assert issues(by_number[12])[0][0] == "C"

    page = client_staff_a.get(
        reverse("activities:import-preview", args=[batch.pk])
    ).content.decode()
    assert 'role="alert"' in page
    assert "Row 8, column D (Lead office or unit code 主責辦事處或單位代碼)" in page
    assert 'class="stack-on-phone import-preview"' in page
    assert 'data-label="Reason"' in page
    assert "Import 1 activity as a draft" in page

    confirm(client_staff_a, batch)
    assert list(Activity.objects.values_list("title", flat=True)) == [
        "Call on the Department of Commerce"
    ]


def test_nothing_is_imported_if_a_row_fails_at_confirm(
    client_staff_a, staff_a, office_a, bureau_admin, frozen
):
    """May is reopened until 5 July when the file is checked; the import is confirmed on 6
    July, when May is closed again: not even the June rows are imported."""
    PeriodReopening.objects.create(
        office=office_a,
        year=2026,
        month=5,
        reason="Late reports",
        requested_by=staff_a,
        state=PeriodReopening.State.GRANTED,
        open_until=dt.date(2026, 7, 5),
        decided_by=bureau_admin,
    )
    rows = [
        visit(),
        visit(day="2026-05-20", title="May visit"),
        visit(day="2026-06-20", title="Later"),
    ]
    batch = preview_of(upload(client_staff_a, make_xlsx(rows)))
    assert batch.report["counts"]["new"] == 3

    frozen.move_to(dt.datetime(2026, 7, 6, 9, tzinfo=HK))
    client_staff_a.force_login(staff_a)  # the session of 30 June has expired
    response = confirm(client_staff_a, batch)

    assert Activity.objects.count() == 0
    assert response.url == reverse("activities:import-preview", args=[batch.pk])
    assert "Nothing was imported: 1 row can no longer be imported" in _messages(response)[0]
    batch.refresh_from_db()
    assert batch.imported_at is None
    assert batch.report["counts"] == {"new": 2, "duplicate": 0, "invalid": 1}
    assert "closed for entry" in issues(rows_by_number(batch)[3])[0][1]

    confirm(client_staff_a, batch)  # the person has seen it: now the two June rows go in
    assert Activity.objects.count() == 2


def test_importing_the_same_file_twice_adds_nothing(client_staff_a, office_a):
    content = make_xlsx([visit(), visit(title="Second"), visit(title="second ")])  # in-file repeat
    batch = preview_of(upload(client_staff_a, content))
    assert batch.report["counts"] == {"new": 2, "duplicate": 1, "invalid": 0}
    assert rows_by_number(batch)[4]["duplicate_of_row"] == 3
    confirm(client_staff_a, batch)
    assert Activity.objects.count() == 2

    again = preview_of(upload(client_staff_a, content))

    assert again.report["counts"] == {"new": 0, "duplicate": 3, "invalid": 0}
    page = client_staff_a.get(
        reverse("activities:import-preview", args=[again.pk])
    ).content.decode()
    assert "There is nothing new to import" in page
    assert 'action="' + reverse("activities:import-confirm", args=[again.pk]) not in page
    response = client_staff_a.post(
        reverse("activities:import-confirm", args=[again.pk]), {"expected": 0}
    )
    assert Activity.objects.count() == 2
    assert "nothing to import" in _messages(response)[0]


def test_a_removed_activity_is_not_a_duplicate(client_staff_a, office_a, staff_a):
    existing = ActivityFactory(
        lead_office=office_a,
        indicator=Indicator.objects.get(code="visits"),
        occurred_on=dt.date(2026, 6, 2),
        title="CALL ON the  Department of Commerce",
        status=Status.DRAFT,
    )
    batch = preview_of(upload(client_staff_a, make_xlsx([visit()])))
    assert rows_by_number(batch)[2]["duplicate_of_activity"] == existing.pk

    Activity.objects.filter(pk=existing.pk).update(
        removed_at=dt.datetime(2026, 6, 29, tzinfo=HK), removed_by=staff_a, removal_reason="Wrong"
    )
    batch = preview_of(upload(client_staff_a, make_xlsx([visit()])))
    assert batch.report["counts"]["new"] == 1


def test_confirming_twice_imports_once(client_staff_a):
    batch = preview_of(upload(client_staff_a, make_xlsx([visit()])))
    confirm(client_staff_a, batch)
    response = confirm(client_staff_a, batch)

    assert Activity.objects.count() == 1
    assert "already imported" in _messages(response)[-1]


def test_a_file_a_colleague_imported_since_the_preview_is_not_imported_again(
    client, staff_a, supervisor_a
):
    content = make_xlsx([visit(), visit(title="Second")])
    client.force_login(staff_a)
    first = preview_of(upload(client, content))
    client.force_login(supervisor_a)
    second = preview_of(upload(client, content))
    client.force_login(staff_a)
    confirm(client, first)

    client.force_login(supervisor_a)
    response = confirm(client, second)

    assert Activity.objects.count() == 2
    assert _messages(response)[-1] == (
        "Nothing was imported: the 2 rows were recorded since the preview, by you or by "
        "someone else, and are duplicates now. The preview below shows the activities they "
        "repeat."
    )
    second.refresh_from_db()
    assert second.report["counts"] == {"new": 0, "duplicate": 2, "invalid": 0}
    page = client.get(response.url).content.decode()
    assert "There is nothing new to import" in page
    assert page.count("Already recorded:") == 2


# --- bad files ---------------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def _refused(response, text: str) -> None:
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert text in errors, errors
    assert 'role="alert"' in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert Activity.objects.count() == 0


def test_a_png_named_xlsx_is_refused(client_staff_a):
    _refused(upload(client_staff_a, PNG, name="photo.xlsx"), "it is a PNG file")


def test_a_png_named_csv_is_refused(client_staff_a):
    _refused(upload(client_staff_a, PNG, name="photo.csv"), "it is a PNG file")


def test_other_extensions_are_refused(client_staff_a):
    _refused(
        upload(client_staff_a, b"a,b\n", name="rows.txt"),
        "is not an Excel workbook (.xlsx) or a CSV file",
    )
    _refused(
        upload(client_staff_a, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, name="old.xls"),
        "old Excel 97–2003 format",
    )


def test_an_oversized_file_is_refused(client_staff_a):
    content = make_csv([visit()]) + b"," * (MAX_FILE_BYTES)
    _refused(upload(client_staff_a, content, name="big.csv"), "can be at most 5.0\xa0MB")


def test_a_corrupt_workbook_is_refused(client_staff_a):
    good = make_xlsx([visit()])
    _refused(upload(client_staff_a, good[: len(good) // 2], name="cut.xlsx"), "could not be read")

    # A real zip with the workbook's parts, holding nonsense.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types")
        package.writestr("xl/workbook.xml", "not xml at all")
    _refused(upload(client_staff_a, buffer.getvalue(), name="broken.xlsx"), "could not be read")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client_staff_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNCOMPRESSED_BYTES + 1))
    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    _refused(
        upload(client_staff_a, buffer.getvalue(), name="bomb.xlsx"),
        "would unpack to more than 50.0",
    )


def test_more_than_5000_rows_are_refused(client_staff_a):
    rows = [visit(title=f"Visit {n}") for n in range(MAX_ROWS + 1)]
    _refused(upload(client_staff_a, make_csv(rows), name="many.csv"), "more than 5,000 rows")


def test_a_file_without_the_header_is_refused(client_staff_a):
    content = make_csv([visit()], headers=["When", "What", "Who"] + HEADERS[3:])
    _refused(upload(client_staff_a, content, name="rows.csv"), "no header row")


def test_a_csv_not_in_utf8_is_refused(client_staff_a):
    content = make_csv([visit()]).decode("utf-8-sig").encode("big5")
    _refused(upload(client_staff_a, content, name="big5.csv"), "not saved as UTF-8")


def test_no_file_chosen(client_staff_a, office_a):
    response = client_staff_a.post(reverse("activities:import"), {"office": office_a.pk})
    assert response.context["form"].errors["file"] == ["Choose the file to upload."]


# --- who may import ------------------------------------------------------------------------------


def test_anonymous_are_sent_to_login(client):
    for url in (
        reverse("activities:import"),
        reverse("activities:import-template", args=["xlsx"]),
        reverse("activities:import-preview", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_bureau_viewers_cannot_import(client_bureau):
    assert client_bureau.get(reverse("activities:import")).status_code == 403
    assert client_bureau.get(reverse("activities:import-template", args=["csv"])).status_code == 403
    response = upload(client_bureau, make_xlsx([visit()]))
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0


def test_staff_of_another_office_cannot_import_for_office_a(client, staff_a, staff_b, office_a):
    client.force_login(staff_b)
    response = upload(client, make_xlsx([visit()]), office=office_a)
    assert "office" in response.context["form"].errors  # not one of their offices
    assert ImportBatch.objects.count() == 0

    # A row naming office A's code in their own upload is invalid, with the reason.
    batch = preview_of(upload(client, make_xlsx([visit(lead_office="OFFA")])))
    [(letter, message)] = issues(batch.report["rows"][0])
    assert letter == "D" and "Office A (OFFA) is not an office you can import for" in message


def test_a_preview_belongs_to_its_uploader(client, staff_a, staff_b, supervisor_a):
    client.force_login(staff_a)
    batch = preview_of(upload(client, make_xlsx([visit()])))

    for other in (staff_b, supervisor_a):
        client.force_login(other)
        assert client.get(reverse("activities:import-preview", args=[batch.pk])).status_code == 404
        assert confirm(client, batch).status_code == 404
    assert Activity.objects.count() == 0


def test_supervisors_import_too(client_supervisor_a, office_a):
    batch = preview_of(upload(client_supervisor_a, make_xlsx([visit()])))
    confirm(client_supervisor_a, batch)
    assert Activity.objects.get().lead_office == office_a


def test_bureau_admins_choose_the_office(client_admin, office_b):
    page = client_admin.get(reverse("activities:import")).content.decode()
    assert 'name="office"' in page and "Choose an office" in page

    response = upload(client_admin, make_xlsx([visit()]))
    assert "office" in response.context["form"].errors

    batch = preview_of(
        upload(
            client_admin,
            make_xlsx([visit(), visit(title="x", lead_office="OFFA")]),
            office=office_b,
        )
    )
    assert [row["status"] for row in batch.report["rows"]] == ["new", "invalid"]
    confirm(client_admin, batch)
    assert Activity.objects.get().lead_office == office_b


def test_unit_staff_import_for_their_unit_only(client, unit_a):
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.OFFICE_STAFF, office=unit_a))
    page = client.get(reverse("activities:import")).content.decode()
    assert f'type="hidden" name="office" value="{unit_a.pk}"' in page

    batch = preview_of(
        upload(client, make_xlsx([visit(), visit(title="x", lead_office="OFFA")]), office=unit_a)
    )
    assert [row["status"] for row in batch.report["rows"]] == ["new", "invalid"]


# --- queries -----------------------------------------------------------------------------------


def _many(n: int) -> bytes:
    return make_xlsx([visit(title=f"Visit {i}", day=f"2026-06-{1 + i % 29:02d}") for i in range(n)])


@pytest.mark.parametrize("n", [10, 50])
def test_preview_page_query_count_does_not_grow_with_rows(
    client_staff_a, django_assert_num_queries, n
):
    batch = preview_of(upload(client_staff_a, _many(n)))
    assert batch.report["counts"]["new"] == n
    # session, user, the batch (with its office, without the file), session save x3
    with django_assert_num_queries(6):
        response = client_staff_a.get(reverse("activities:import-preview", args=[batch.pk]))
    assert response.content.decode().count('class="import-row ') == n


@pytest.mark.parametrize("n", [10, 50])
def test_reading_and_matching_rows_takes_the_same_queries_for_10_or_50_rows(
    staff_a, office_a, django_assert_num_queries, n
):
    """Step 1-3 of the import: everything but the service's own checks (which run per row
    in `check_rows`, inside `activity_create`)."""
    table = read_table(name="a.xlsx", file_format="xlsx", content=_many(n))
    ActivityFactory(
        lead_office=office_a,
        indicator=Indicator.objects.get(code="visits"),
        occurred_on=dt.date(2026, 6, 1),
        title="Visit 0",
    )
    # indicators, regions, counterparts, offices, the user's scope, recorded activities
    with django_assert_num_queries(6):
        rows, _example = read_rows(lookups=Lookups(user=staff_a, office=office_a), table=table)
    assert len(rows) == n
    assert rows[0].duplicate_of_activity is not None


def test_reference_data_is_what_the_rows_match(db):
    """A guard on the fixture: the names the tests use exist in the shipped data."""
    assert Region.objects.filter(code="440000", name_zh_hant="廣東省").exists()
    assert Counterpart.objects.filter(name_zh_hant="廣東省商務廳").exists()
    assert Indicator.objects.get(code="visits").counterpart_required


def test_a_unit_of_another_office_is_refused(client_staff_a, office_b):
    UnitFactory(code="UNITB", parent=office_b)
    batch = preview_of(upload(client_staff_a, make_xlsx([visit(lead_office="UNITB")])))
    assert "is not an office you can import for" in issues(batch.report["rows"][0])[0][1]
