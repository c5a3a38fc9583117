"""The activity export as PostgreSQL computes it (COPY) is what the Python writer makes of the
same queryset read as plain values (`ActivityExport.values_rows`): the CSV byte for byte, the
XLSX cell for cell, in every language, with text that a spreadsheet would read as a formula,
that the CSV must quote, or that is missing."""

import csv
import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from activities.exports import ActivityExport
from activities.models import Activity, AuthorityLevel, Status
from activities.selectors import activity_list
from activities.tests.factories import ActivityFactory
from common.exports import iter_csv
from common.xlsx import write_xlsx
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory, IndicatorFactory, RegionFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere only rows()"
)

HK = ZoneInfo("Asia/Hong_Kong")
LANGUAGES = ["en", "zh-hant", "zh-hans"]
TRICKY_TEXT = [
    "=1+1",
    "+",
    "-5",
    "@x",
    "\tleading tab",
    "\rleading carriage return",
    'He said "yes"',
    "Guangzhou, Shenzhen",
    "first line\nsecond line",
    "as a textarea sends it\r\nsecond line",
    "粵港合作交流會",
    " leading space",
    "'already quoted",
]


def _values_export(queryset, **kwargs) -> ActivityExport:
    """The export as on other databases: its rows read as plain values, written by Python."""
    export = ActivityExport(queryset, **kwargs)
    export.copy_query = lambda: None
    export.rows = export.values_rows
    return export


def _python_csv(queryset, language: str) -> bytes:
    return b"".join(iter_csv(_values_export(queryset), language=language))


def _copy_csv(queryset, language: str) -> bytes:
    return b"".join(iter_csv(ActivityExport(queryset), language=language))


def _xlsx(export: ActivityExport, language: str) -> bytes:
    buffer = io.BytesIO()
    with translation.override(language):
        write_xlsx(buffer, export)
    return buffer.getvalue()


def _sheet_xml(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.fixture
def tricky(office_a, unit_a, office_b, indicator, staff_a, staff_b):
    """Activities with every kind of cell the CSV has to get right."""
    reviewer = UserFactory(username="reviewer", first_name="Mei\u3000", last_name="")
    nameless = UserFactory(username="=nameless", first_name="", last_name="")
    bare_indicator = IndicatorFactory(name_en="=Indicator", name_zh_hant="", name_zh_hans="")
    chinese_only = IndicatorFactory(name_en="", name_zh_hant="只有繁體", name_zh_hans="")
    region = RegionFactory(code="440000", name_en="Guangdong", name_zh_hans="")
    # Names that sort differently by code point and by a language's collation.
    counterparts = [
        CounterpartFactory(name_en="alpha", name_zh_hant="甲", name_zh_hans="甲"),
        CounterpartFactory(name_en="Beta", name_zh_hant="乙", name_zh_hans=""),
        CounterpartFactory(name_en="+Gamma", name_zh_hant="", name_zh_hans=""),
        CounterpartFactory(name_en="", name_zh_hant="丁", name_zh_hans="丁"),
        CounterpartFactory(name_en='Ärzte, "Ltd"', name_zh_hant="", name_zh_hans=""),
    ]
    partners = [
        CounterpartFactory(
            type=Counterpart.Type.PARTNER, name_en="HKTDC", name_zh_hant="貿發局", name_zh_hans=""
        ),
        CounterpartFactory(
            type=Counterpart.Type.PARTNER, name_en="-InvestHK", name_zh_hant="", name_zh_hans=""
        ),
    ]
    unit_a.name_zh_hans = ""
    unit_a.save()
    made = []
    for n, text in enumerate(TRICKY_TEXT):
        moment = dt.datetime(2026, 3, 1 + n, 23, 30, tzinfo=dt.UTC)  # the next day in HK
        activity = ActivityFactory(
            lead_office=[office_a, unit_a, office_b][n % 3],
            indicator=[indicator, bare_indicator, chinese_only][n % 3],
            occurred_on=dt.date(2026, 3, 1 + n),
            title=text,
            city=text if n % 2 else "",
            event_name=TRICKY_TEXT[-1 - n],
            hk_participants="" if n % 3 else text,
            region=region if n % 2 else None,
            authority_level=["", *AuthorityLevel.values][n % 5],
            status=list(Status)[n % 4],
            counted_since=moment if list(Status)[n % 4] in ("submitted", "verified") else None,
            created_by=[staff_a, staff_b, nameless][n % 3],
            created_at=moment,
            updated_at=moment + dt.timedelta(seconds=59),
        )
        if n % 4 in (2, 3):  # verified or returned
            activity.reviewed_by = [reviewer, nameless][n % 2]
            activity.reviewed_at = moment + dt.timedelta(hours=1)
            activity.review_comment = text
        if n % 5 == 4:
            activity.removed_at, activity.removed_by = moment, staff_a
            activity.removal_reason = "Entered twice"
        activity.save()
        activity.counterparts.add(*counterparts[: n % 6])
        activity.partners.add(*partners[: n % 3])
        activity.participating_offices.add(*[office_b, unit_a, office_a][: n % 4])
        made.append(activity)
    return made


@pytest.mark.parametrize("language", LANGUAGES)
def test_copy_writes_what_python_writes(tricky, language):
    queryset = Activity.objects.all().order_by("-occurred_on", "-pk")  # removed ones too
    copied = _copy_csv(queryset, language)
    assert copied.decode().split("\n") == _python_csv(queryset, language).decode().split("\n")
    assert b",'=1+1," in copied and b",'\tleading tab," in copied and b"'-InvestHK" in copied
    assert len(copied.decode("utf-8-sig").split("\n")) > len(TRICKY_TEXT)


@pytest.mark.parametrize("language", LANGUAGES)
def test_copy_writes_what_python_writes_for_each_users_list(
    tricky, staff_a, staff_b, bureau_viewer, language
):
    """The list's own queryset: its scope, what it leaves out (removed rows), its order."""
    for user in (staff_a, staff_b, bureau_viewer):
        for query in (
            {},
            {"sort": "title"},
            {"sort": "-office"},
            {"status": "counted"},
            {"q": "50% 'quoted' %s"},  # a search's text is a parameter like any other
        ):
            queryset = activity_list(user=user, data=query).qs
            assert _copy_csv(queryset, language) == _python_csv(queryset, language), (user, query)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_xlsx_of_the_copied_rows_is_the_xlsx_of_the_values(tricky, language):
    queryset = Activity.objects.all().order_by("-occurred_on", "-pk")
    copied = _xlsx(ActivityExport(queryset), language)
    values = _xlsx(_values_export(queryset), language)
    assert _sheet_xml(copied) == _sheet_xml(values)  # every cell, its type and its style
    sheet = openpyxl.load_workbook(io.BytesIO(copied)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(TRICKY_TEXT)
    assert {type(row[0]) for row in rows} == {dt.datetime}  # dates, not text
    first = rows[-1]  # the earliest: created 1 March 23:30 UTC, 07:30 the next day in HK
    assert first[20] == dt.datetime(2026, 3, 2, 7, 30)
    assert first[2] == "'=1+1"


def test_the_xlsx_rows_are_one_copy(tricky, django_assert_num_queries):
    # JIT off, the COPY (binary), JIT back to the server's setting
    with django_assert_num_queries(3) as captured:
        _xlsx(ActivityExport(Activity.objects.all()), "en")
    sql = [query["sql"] for query in captured.captured_queries]
    assert sql[1].startswith("COPY (SELECT") and sql[1].endswith("(FORMAT binary)")


def test_a_background_jobs_xlsx_counts_the_copied_rows(tricky, monkeypatch):
    monkeypatch.setattr(ActivityExport, "chunk_size", 5)
    written = []
    queryset = Activity.objects.all()
    counted = _xlsx(ActivityExport(queryset, progress=written.append), "en")
    assert _sheet_xml(counted) == _sheet_xml(_xlsx(_values_export(queryset), "en"))
    assert written == [0, 5, 10]


def test_the_rows_are_one_copy(tricky, django_assert_num_queries):
    export = ActivityExport(Activity.objects.all())
    # JIT off, the COPY, JIT back to the server's setting
    with django_assert_num_queries(3) as captured:
        body = b"".join(iter_csv(export, language="zh-hant"))
    sql = [query["sql"] for query in captured.captured_queries]
    assert sql[0] == "SET jit = off" and sql[2] == "RESET jit"
    assert sql[1].startswith("COPY (SELECT")
    assert body.count(b"\n") > len(TRICKY_TEXT)


def test_a_background_job_that_counts_its_rows_writes_the_rows_itself(tricky):
    written = []
    export = ActivityExport(Activity.objects.all(), progress=written.append)
    assert export.copy_query() is None
    plain = ActivityExport(Activity.objects.all())
    assert b"".join(iter_csv(export)) == b"".join(iter_csv(plain))
    assert written == [0]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "date_from=2026-03-03&date_to=2026-03-09",
        "q=line",
        "q=%2B",
        "sort=title",
        "sort=-date",
        "status=counted",
        "status=draft",
        "as_of=2026-03-06&status=counted",
    ],
)
def test_the_download_has_the_list_pages_rows(client, tricky, staff_a, query):
    """The same filters, scope and order as the list page, read once."""
    client.force_login(staff_a)
    response = client.get(reverse("activities:export", args=["csv"]) + f"?{query}")
    body = b"".join(response.streaming_content)
    page = client.get(reverse("activities:list") + f"?{query}")
    listed = [a.pk for a in page.context["page"].object_list]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    ids = [int(row[-1]) for row in rows[1:]]
    assert ids == listed
    assert ids, "each filter keeps some rows"
    queryset = activity_list(user=staff_a, data=page.wsgi_request.GET).qs
    assert body == _python_csv(queryset, "en")


@pytest.mark.django_db(transaction=True)
def test_a_download_abandoned_part_way_leaves_the_connection_usable(
    client, office_a, indicator, staff_a, monkeypatch
):
    """The reader goes away after a few rows: the COPY is cancelled, and the next request on
    the same connection works (requests run in autocommit, as here)."""
    monkeypatch.setattr("common.copy_csv.CSV_COPY_CHUNK_BYTES", 1)  # a row per chunk
    ActivityFactory.create_batch(30, lead_office=office_a, indicator=indicator, created_by=staff_a)
    client.force_login(staff_a)
    jit = _setting("jit")
    response = client.get(reverse("activities:export", args=["csv"]))
    chunks = iter(response.streaming_content)
    received = [next(chunks) for _ in range(3)]  # the header, then two rows
    response.close()
    assert received[0].startswith(b"\xef\xbb\xbfDate,")
    assert _setting("jit") == jit  # the server's own again, for the connection's next use
    assert Activity.objects.count() == 30
    again = b"".join(client.get(reverse("activities:export", args=["csv"])).streaming_content)
    assert again.count(b"\n") == 31


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]
