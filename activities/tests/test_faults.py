"""Bad input and faults (docs/security.md, "Uploads" and "Failures"): uploads that are too
big, corrupt or hostile are refused with a clear message before anything is kept, and a
database connection lost during an import or a download leaves nothing half-written and
tells the person so.

How the faults are made:
- `database_lost(...)`: an `execute_wrapper` on the connection makes the first matching
  statement, and every statement after it, raise the OperationalError a dropped
  connection gives. Transaction control (SAVEPOINT, ROLLBACK, RELEASE) still goes through,
  standing in for the server, which rolls back the transaction of a dropped connection.
- `fetches_fail_after(n)`: a streamed query's n + 1st fetch fails, as when the server goes
  away after the download has started (fetches are not statements, so no wrapper sees them).
  `rows_fail_after(n)`: the same, or on PostgreSQL, where a download's rows are one COPY,
  the COPY stops after n fetches' worth of rows.
- On PostgreSQL, `test_a_real_dropped_connection_...` kills the request's own backend with
  pg_terminate_backend from a second connection, mid-import: the real thing.

The bad files the import already refuses are in test_import.py; these are the others.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import struct
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, close_old_connections, connection
from django.db.models.sql import compiler
from django.test import Client
from django.urls import reverse

from activities.exports import ActivityExport
from activities.imports import services as import_services
from activities.imports import tables as import_tables
from activities.imports import upload as import_upload
from activities.imports.upload import MAX_FILE_BYTES, MAX_ZIP_ENTRIES, OLE_SIGNATURE, check_upload
from activities.models import Activity, ActivityMonthCount, ImportBatch
from activities.tests.factories import ActivityFactory
from activities.tests.test_import import confirm, make_csv, make_xlsx, preview_of, upload, visit
from offices.models import Indicator
from offices.services import reference_data_load
from tests.faults import backend_terminated_before

HK = ZoneInfo("Asia/Hong_Kong")
DROPPED = "server closed the connection unexpectedly"
HistoricalActivity = Activity.history.model
HistoricalActivityCounterparts = apps.get_model("activities", "HistoricalActivity_counterparts")

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=HK))]


@pytest.fixture(autouse=True)
def reference(db):
    reference_data_load()


def _refused(response, text: str) -> None:
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert text in errors, errors
    assert ImportBatch.objects.count() == 0
    assert Activity.objects.count() == 0


def _never_called(*args, **kwargs):
    raise AssertionError("the file was opened")


# --- size limits, before a byte is parsed ----------------------------------------------------


def test_an_oversized_upload_is_refused_by_its_size_without_being_parsed_or_kept(
    client_staff_a, monkeypatch
):
    """A 6 MB file: refused by its size, never opened as a workbook, and no more than the
    limit (plus one byte) of it was ever kept, in memory or on disk."""
    monkeypatch.setattr(import_tables.openpyxl, "load_workbook", _never_called)
    monkeypatch.setattr(import_upload.zipfile, "ZipFile", _never_called)
    kept = []

    def spy(upload):
        kept.append(upload.file.seek(0, io.SEEK_END))
        return check_upload(upload)

    monkeypatch.setattr(import_services, "check_upload", spy)
    content = make_xlsx([visit()])
    content += b"\0" * (6 * 1024 * 1024 - len(content))

    response = upload(client_staff_a, content, name="huge.xlsx")

    _refused(response, "“huge.xlsx” is 6.0\xa0MB; a file to import can be at most 5.0\xa0MB.")
    assert kept == [MAX_FILE_BYTES + 1]


def test_a_file_at_the_limit_is_kept_whole(client_staff_a, monkeypatch):
    kept = []

    def spy(upload):
        kept.append((upload.size, len(upload.read())))
        upload.seek(0)
        return check_upload(upload)

    monkeypatch.setattr(import_services, "check_upload", spy)
    rows = make_csv([visit()])
    blank = b"," * 98 + b"\r\n"  # a blank row of 100 cells
    lines, rest = divmod(MAX_FILE_BYTES - len(rows), len(blank))
    content = rows + blank * lines + b"\n" * rest
    preview_of(upload(client_staff_a, content, name="full.csv"))
    assert kept == [(MAX_FILE_BYTES, MAX_FILE_BYTES)]


def test_django_keeps_large_request_bodies_out_of_memory():
    """Form fields are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE (larger: 400);
    uploaded files past FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file. Both must stay
    set: None would mean no limit."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= MAX_FILE_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is not None


def test_an_oversized_form_field_is_refused(client_staff_a, office_a):
    response = client_staff_a.post(
        reverse("activities:import"),
        {
            "office": office_a.pk,
            "note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            "file": SimpleUploadedFile("a.csv", make_csv([visit()])),
        },
    )
    assert response.status_code == 400
    assert ImportBatch.objects.count() == 0


def test_the_upload_still_needs_its_csrf_token(staff_a):
    """The upload view sets its own upload handler, which means checking CSRF itself."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    data = {"office": staff_a.office_id, "file": SimpleUploadedFile("a.csv", make_csv([visit()]))}

    assert client.post(reverse("activities:import"), data).status_code == 403
    assert ImportBatch.objects.count() == 0

    client.get(reverse("activities:import"))
    data["csrfmiddlewaretoken"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    data["file"].seek(0)
    assert client.post(reverse("activities:import"), data).status_code == 302
    assert ImportBatch.objects.count() == 1


# --- zip bombs --------------------------------------------------------------------------------

SHEET = "xl/worksheets/sheet1.xml"


def _with_member(content: bytes, name: str, data: bytes) -> bytes:
    """The workbook with one part replaced."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return buffer.getvalue()


def _bomb(*, inflates_to: int, lie: str = "") -> bytes:
    """A real workbook whose sheet, after its XML, holds `inflates_to` bytes of spaces
    (deflated: a few hundred KB). lie="small": the zip directory says the sheet unpacks to
    20 KB; lie="sheet": it says the sheet is just its XML, with the checksum of that."""
    good = make_xlsx([visit(title="Visit of the bomb")])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info))
        sheet = source.read(SHEET)
        with target.open(SHEET, "w") as stream:
            stream.write(sheet)
            block = b" " * (1024 * 1024)
            for _ in range(inflates_to // len(block)):
                stream.write(block)
    content = bytearray(buffer.getvalue())
    if lie:
        entry = content.index(b"PK\x01\x02")
        while True:  # the sheet's entry in the central directory
            name_length = struct.unpack_from("<H", content, entry + 28)[0]
            if content[entry + 46 : entry + 46 + name_length] == SHEET.encode():
                break
            entry = content.index(b"PK\x01\x02", entry + 4)
        if lie == "small":
            struct.pack_into("<L", content, entry + 24, 20_000)
        else:
            struct.pack_into("<L", content, entry + 24, len(sheet))
            struct.pack_into("<L", content, entry + 16, zlib.crc32(sheet))
    return bytes(content)


@pytest.fixture
def unpacked(monkeypatch):
    """How many bytes are inflated from zip entries, in all."""
    total = [0]
    read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = read(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return total


BOMB_BYTES = 64 * 1024 * 1024  # past MAX_UNCOMPRESSED_BYTES


def test_a_zip_bomb_whose_directory_lies_is_refused_without_unpacking_it(client_staff_a, unpacked):
    """The directory says the sheet is 20 KB; it inflates to 64 MB. zipfile stops at the
    declared size, the checksum of what it read fails, and the file is refused as damaged."""
    content = _bomb(inflates_to=BOMB_BYTES, lie="small")
    assert len(content) < MAX_FILE_BYTES

    response = upload(client_staff_a, content, name="bomb.xlsx")

    _refused(response, "“bomb.xlsx” could not be read: the file is damaged")
    assert 0 < unpacked[0] < 1024 * 1024


def test_only_what_the_directory_declares_is_ever_unpacked(client_staff_a, unpacked):
    """The same bomb, its directory and checksum forged to say the sheet is just its XML:
    only that is inflated, so the file reads as its one row, and the 64 MB never are."""
    content = _bomb(inflates_to=BOMB_BYTES, lie="sheet")

    batch = preview_of(upload(client_staff_a, content, name="forged.xlsx"))

    assert batch.report["counts"] == {"new": 1, "duplicate": 0, "invalid": 0}
    assert 0 < unpacked[0] < 1024 * 1024


def test_a_zip_of_too_many_parts_is_refused(client_staff_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(MAX_ZIP_ENTRIES):
            package.writestr(f"xl/media/{number}.bin", b"")
    _refused(
        upload(client_staff_a, buffer.getvalue(), name="parts.xlsx"), "would unpack to more than"
    )


# --- corrupt, disguised and hostile workbooks ------------------------------------------------------

_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a0 "ha">'
    + b"".join(b'<!ENTITY a%d "%s">' % (n, b"&a%d;" % (n - 1) * 10) for n in range(1, 10))
    + b"]><worksheet "
    + _NS
    + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>'
    + b"</sheetData></worksheet>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet '
    + _NS
    + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
    + b"</sheetData></worksheet>"
)


def _workbook_with_sheet(xml: bytes) -> bytes:
    return _with_member(make_xlsx([visit()]), SHEET, xml)


BAD_WORKBOOKS = {
    "random bytes named .xlsx": (
        lambda: random.Random(8).randbytes(4000),
        "could not be read: the file is damaged",
    ),
    "random bytes after a zip signature": (
        lambda: b"PK\x03\x04" + random.Random(8).randbytes(4000),
        "could not be read: the file is damaged",
    ),
    "a workbook cut short": (
        lambda: make_xlsx([visit()])[:-30],
        "could not be read: the file is damaged",
    ),
    "malformed XML in the sheet": (
        lambda: _workbook_with_sheet(b"<worksheet " + _NS + b"><sheetData><row><c r="),
        "could not be read: the file is damaged",
    ),
    "the sheet is not XML at all": (
        lambda: _workbook_with_sheet(random.Random(8).randbytes(2000)),
        "could not be read: the file is damaged",
    ),
    "a billion laughs in the sheet": (
        lambda: _workbook_with_sheet(LAUGHS),
        "could not be read: the file is damaged",
    ),
    "an external entity in the sheet": (
        lambda: _workbook_with_sheet(EXTERNAL_ENTITY),
        "could not be read: the file is damaged",
    ),
    "a zip that is not a workbook": (
        lambda: _zip({"readme.txt": b"hello"}),
        "is a zip file but not an Excel workbook",
    ),
    "password-protected (an encrypted OLE package)": (
        lambda: OLE_SIGNATURE + random.Random(8).randbytes(4000),
        "is protected with a password or in the old .xls format",
    ),
}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("case", BAD_WORKBOOKS)
def test_a_corrupt_or_hostile_workbook_is_refused_and_nothing_kept(client_staff_a, case):
    make, message = BAD_WORKBOOKS[case]
    _refused(upload(client_staff_a, make(), name="bad.xlsx"), f"“bad.xlsx” {message}")


def _unknown_zip_version(package: bytes) -> bytes:
    """The first entry of the zip directory says it needs zip version 6.4."""
    at = package.index(b"PK\x01\x02") + 6
    return package[:at] + (64).to_bytes(2, "little") + package[at + 2 :]


def _name_not_utf8(package: bytes) -> bytes:
    """The first entry's name is flagged as UTF-8 and is not (its first byte is 0xF3)."""
    at = package.index(b"PK\x01\x02")
    package = package[: at + 8] + (0x0800).to_bytes(2, "little") + package[at + 10 :]
    return package[: at + 46] + b"\xf3" + package[at + 47 :]


def test_an_unknown_zip_version_is_refused_not_a_crash(client_staff_a):
    """Found by test_import_fuzz: zipfile raises NotImplementedError for it (was a 500)."""
    content = _unknown_zip_version(make_xlsx([visit()]))
    _refused(upload(client_staff_a, content, name="bad.xlsx"), "could not be read")


@pytest.mark.parametrize("damage", [_unknown_zip_version, _name_not_utf8])
def test_a_damaged_office_document_as_evidence_is_refused_not_a_crash(damage):
    """The same damage to an evidence file: refused as not being what its name says (was a
    NotImplementedError or a UnicodeDecodeError, a 500)."""
    from activities.evidence import validate_evidence_upload

    document = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    upload = SimpleUploadedFile("note.docx", damage(document))
    with pytest.raises(ValidationError) as refused:
        validate_evidence_upload(upload)
    assert "The content of “note.docx” is not a DOCX file" in refused.value.messages[0]


def test_an_old_excel_file_named_xlsx_or_csv_is_refused(client_staff_a):
    """Excel 97-2003 (OLE) content under the new names: not parsed, a clear message."""
    ole = OLE_SIGNATURE + b"\0" * 600
    _refused(upload(client_staff_a, ole, name="old.xlsx"), "old .xls format")
    _refused(upload(client_staff_a, ole, name="old.csv"), "cannot be a CSV file")


# --- a lost database connection: the import ------------------------------------------------------

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def database_lost(starts_with: str):
    """From the first statement that starts with `starts_with` on, every statement fails
    as on a connection the server has closed. Yields how many failed."""
    failed = [0]

    def wrapper(execute, sql, params, many, context):
        if not sql.startswith(TRANSACTION_CONTROL) and (failed[0] or sql.startswith(starts_with)):
            failed[0] += 1
            raise OperationalError(DROPPED)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failed


def _written() -> dict[str, int]:
    """Every table an import writes to (the roll-up through the database's triggers)."""
    return {
        "activities": Activity.objects.count(),
        "history": HistoricalActivity.objects.count(),
        "counterparts": Activity.counterparts.through.objects.count(),
        "counterparts history": HistoricalActivityCounterparts.objects.count(),
        "roll-up": ActivityMonthCount.objects.count(),
    }


NOTHING = {
    "activities": 0,
    "history": 0,
    "counterparts": 0,
    "counterparts history": 0,
    "roll-up": 0,
}


def _import_rows() -> bytes:
    return make_xlsx(
        [visit(), visit(title="Second call", hk_participants="Director; Deputy Director")]
    )


@pytest.mark.parametrize(
    "statement",
    [
        'SELECT "activities_importbatch"',  # the batch, locked
        'INSERT INTO "activities_activity"',
        'INSERT INTO "activities_historicalactivity"',
        'INSERT INTO "activities_activity_counterparts"',
        'INSERT INTO "activities_historicalactivity_counterparts"',
        'UPDATE "activities_importbatch"',  # the last write: marking the batch imported
    ],
)
def test_a_connection_lost_during_the_import_writes_nothing_and_says_so(client_staff_a, statement):
    batch = preview_of(upload(client_staff_a, _import_rows()))
    report = batch.report

    with database_lost(statement) as failed:
        response = confirm(client_staff_a, batch)

    assert failed[0] >= 1
    assert _written() == NOTHING
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "The database could not be reached" in page
    assert "Nothing was imported: no row of this file was saved." in page
    assert reverse("activities:import-preview", args=[batch.pk]) in page
    assert "Traceback" not in page
    batch.refresh_from_db()
    assert (batch.imported_at, batch.report) == (None, report)

    # Once the database is back, the same preview imports, all of it.
    response = confirm(client_staff_a, batch)
    assert response.status_code == 302
    assert _written()["activities"] == 2
    assert _written()["roll-up"] == 1


def test_a_connection_lost_while_a_file_is_checked_keeps_nothing(client_staff_a):
    with database_lost('INSERT INTO "activities_importbatch"') as failed:
        response = upload(client_staff_a, _import_rows())

    assert failed[0] >= 1
    assert response.status_code == 503
    assert "Nothing was kept: upload the file again" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_the_page_of_a_lost_connection_needs_no_query(rf, django_assert_num_queries):
    from common.middleware.database import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    with django_assert_num_queries(0):
        response = middleware.process_exception(rf.get("/activities/"), OperationalError(DROPPED))
        page = response.content.decode()
    assert response.status_code == 503
    assert "check whether it was saved before you make it again" in page
    assert "/static/css/app.css" in page
    assert middleware.process_exception(rf.get("/"), ValueError("not ours")) is None
    api = middleware.process_exception(rf.get("/api/v1/offices/"), OperationalError(DROPPED))
    assert api.status_code == 503
    assert api["Content-Type"] == "application/json"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
@pytest.mark.django_db(transaction=True)
def test_a_real_dropped_connection_during_the_import_writes_nothing(client, staff_a):
    """The server really goes away: the request's own backend is terminated just before
    the history rows are written, after the activities were."""
    client.force_login(staff_a)
    batch = preview_of(upload(client, _import_rows()))
    with backend_terminated_before('INSERT INTO "activities_historicalactivity"') as killed:
        response = confirm(client, batch)
    close_old_connections()  # what the server does at the end of every request

    assert killed == [True]
    assert response.status_code == 503
    assert "Nothing was imported" in response.content.decode()
    assert _written() == NOTHING
    batch.refresh_from_db()
    assert batch.imported_at is None

    client.force_login(staff_a)
    assert confirm(client, batch).status_code == 302
    assert _written()["activities"] == 2


# --- a lost database connection: the activity list's downloads -------------------------------


@pytest.fixture
def listed(office_a, staff_a):
    visits = Indicator.objects.get(code="visits")
    return ActivityFactory.create_batch(
        40, lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 6, 2)
    )


def _export(client, fmt: str):
    return client.get(reverse("activities:export", args=[fmt]))


# The statement that reads the rows: on PostgreSQL one COPY of them, elsewhere one stream
ROWS_STATEMENT = (
    "COPY (SELECT" if connection.vendor == "postgresql" else 'SELECT "activities_activity"."id"'
)


def test_a_workbook_whose_query_fails_answers_503_before_the_download_starts(
    client_staff_a, listed
):
    with database_lost(ROWS_STATEMENT) as failed:
        response = _export(client_staff_a, "xlsx")

    assert failed[0] >= 1
    assert response.status_code == 503
    assert "Content-Disposition" not in response
    assert "the download could not be made" in response.content.decode()


CHUNK = 7  # rows fetched at a time by the export's query, here


@pytest.fixture
def fetches_fail_after(monkeypatch):
    """fetches_fail_after(n): the export's streamed query fails on its n + 1st fetch."""
    real = compiler.cursor_iter
    monkeypatch.setattr(ActivityExport, "chunk_size", CHUNK)
    monkeypatch.setattr("common.exports.CSV_ROWS_PER_CHUNK", 10)

    def arrange(fetches: int) -> None:
        done = [0]

        def cursor_iter(cursor, sentinel, col_count, itersize):
            if itersize != CHUNK:
                return real(cursor, sentinel, col_count, itersize)

            def fetch():
                if done[0] >= fetches:
                    raise OperationalError(DROPPED)
                done[0] += 1
                return cursor.fetchmany(itersize)

            return real(_Fetching(cursor, fetch), sentinel, col_count, itersize)

        monkeypatch.setattr(compiler, "cursor_iter", cursor_iter)

    return arrange


@pytest.fixture
def rows_fail_after(fetches_fail_after, monkeypatch):
    """rows_fail_after(n): the export's rows stop coming after n fetches of CHUNK rows: the
    Python writer's fetches, or on PostgreSQL the COPY's rows (n * CHUNK of them; the CSV's
    each sent to the client as it comes)."""
    if connection.vendor != "postgresql":
        yield fetches_fail_after
        return
    monkeypatch.setattr("common.copy_csv.CSV_COPY_CHUNK_BYTES", 1)
    rows = [None]

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        return _FailingCopy(result, rows[0]) if sql.startswith("COPY") else result

    def arrange(fetches: int) -> None:
        rows[0] = fetches * CHUNK

    with connection.execute_wrapper(wrapper):
        yield arrange


class _FailingCopy:
    """A COPY whose connection goes after `rows` rows, read as data (CSV) or as rows."""

    def __init__(self, copy, rows: int) -> None:
        self.copy, self.left = copy, rows

    def set_types(self, types) -> None:
        self.copy.set_types(types)

    def _cut(self, items):
        for item in items:
            if self.left <= 0:
                raise psycopg.OperationalError(DROPPED)
            self.left -= 1
            yield item

    def __iter__(self):
        return self._cut(self.copy)

    def rows(self):
        return self._cut(self.copy.rows())


class _Fetching:
    def __init__(self, cursor, fetch):
        self.cursor, self.fetch = cursor, fetch

    def fetchmany(self, size):
        return self.fetch()

    def close(self):
        self.cursor.close()


@pytest.fixture
def temporary_dir(tmp_path, monkeypatch):
    """Python's temporary files go to a folder of their own while the test runs (the
    workbook writer keeps each sheet's rows in one); the names made there are listed."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    made: list[str] = []
    mkstemp = tempfile.mkstemp

    def watched(*args, **kwargs):
        handle, name = mkstemp(*args, **kwargs)
        made.append(name)
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", watched)
    return folder, made


@pytest.mark.parametrize("fetches", [0, 3])
def test_a_workbook_whose_fetch_fails_answers_503_and_leaves_no_temporary_file(
    client_staff_a, listed, rows_fail_after, fetches, temporary_dir
):
    """The whole of a workbook is made before the response starts; one abandoned part-way
    leaves no temporary file behind."""
    folder, made = temporary_dir
    rows_fail_after(fetches)
    response = _export(client_staff_a, "xlsx")
    assert response.status_code == 503
    assert "Content-Disposition" not in response
    assert made, "the sheet's rows were kept in a temporary file"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fetches", [0, 3])
def test_a_csv_cut_short_by_a_lost_connection_does_not_look_complete(
    client_staff_a, listed, rows_fail_after, fetches
):
    """The connection goes at the query's first fetch, or after three (21 of the 40
    activities): the download has started, so the file ends with a line saying it is
    incomplete and the response is aborted (the error reaches the server, which drops the
    connection without ending the chunked body), instead of ending as if it held every
    row. (PostgreSQL's COPY sends the header before the rows: there it comes first.)"""
    rows_fail_after(fetches)
    response = _export(client_staff_a, "csv")
    assert response.status_code == 200
    received = []
    with pytest.raises(OperationalError):
        for chunk in response.streaming_content:
            received.append(chunk)
    response.close()

    lines = list(csv.reader(io.StringIO(b"".join(received).decode("utf-8-sig"))))
    *received_rows, notice = lines
    if fetches or connection.vendor == "postgresql":
        header, *rows = received_rows
        assert len(header) == len(ActivityExport.columns)
    else:
        assert received_rows == []
    if fetches:
        assert 0 < len(rows) < len(listed)
        assert all(len(row) == len(header) for row in rows)  # whole rows, then the notice
    elif connection.vendor == "postgresql":
        assert rows == []
    assert notice == [
        "INCOMPLETE DOWNLOAD: this file stopped part-way because the connection to the "
        "database was lost. Rows are missing. Download it again."
    ]


def test_a_csv_that_completes_has_no_notice(client_staff_a, listed, rows_fail_after):
    rows_fail_after(100)
    body = b"".join(_export(client_staff_a, "csv").streaming_content).decode("utf-8-sig")
    assert len(body.splitlines()) == len(listed) + 1
    assert "INCOMPLETE" not in body
