"""Reports when the database fails (docs/security.md, "Failures"): a download answers 503
with a clear page rather than a traceback or a broken file, and a published report that
fails part-way is marked failed with nothing stored or served.

The statement-level faults come from an `execute_wrapper` that makes one kind of
statement raise the OperationalError of a dropped connection; on PostgreSQL, one test
terminates the worker's own backend mid-report (pg_terminate_backend), the real thing.
See also activities/tests/test_faults.py (imports and the activity list's downloads).
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from offices.tests.factories import AnnualTargetFactory, IndicatorFactory
from reports import services, tasks
from reports.models import PublishedReport
from reports.report import ReportScope
from tests.faults import backend_terminated_before

HK = ZoneInfo("Asia/Hong_Kong")
DROPPED = "server closed the connection unexpectedly"
MIDDLEWARE = "common.middleware.database.DatabaseUnavailableMiddleware"
# The export of the counted rows: on PostgreSQL one COPY of them (the CSV's lines, the
# workbook's values), elsewhere one streamed query
COUNTED_ACTIVITIES = (
    "COPY (SELECT" if connection.vendor == "postgresql" else 'SELECT "activities_activity"."id"'
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 18, 0, tzinfo=HK)),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def site_middleware(settings):
    """The site-wide 503 for a lost database (common.middleware.database), whether or not
    settings list it yet."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


@pytest.fixture
def data(office_a, office_b):
    visits = IndicatorFactory(code="visits", name_en="Visits", name_zh_hant="拜訪")
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    for office in (office_a, office_b):
        ActivityFactory.create_batch(
            3, lead_office=office, indicator=visits, occurred_on=dt.date(2026, 3, 2)
        )


@contextmanager
def statement_fails(starts_with: str):
    """The first statement that starts with `starts_with` raises as on a dropped
    connection; the next ones go through, as on the new connection Django would open."""
    failed = [0]

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(starts_with) and not failed[0]:
            failed[0] += 1
            raise OperationalError(DROPPED)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failed


def _stored_files(media) -> list[str]:
    return [name for _root, _dirs, files in os.walk(media) for name in files]


# --- downloads made now ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_a_report_download_whose_query_fails_answers_503(client_bureau, data, site_middleware, fmt):
    query = {"year": 2026, "period": "year", "format": fmt}
    with statement_fails(COUNTED_ACTIVITIES if fmt != "pdf" else "SELECT") as failed:
        response = client_bureau.get(reverse("reporting:download"), query)

    assert failed[0] == 1
    assert response.status_code == 503
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "The database could not be reached" in page
    assert "Try again in a minute" in page


def test_a_csv_report_whose_query_fails_ends_with_a_notice(client_bureau, data, site_middleware):
    """A CSV is streamed: its query runs once the download has started, so a failure ends
    the file with a line saying it is incomplete, and the response is aborted."""
    query = {"year": 2026, "period": "year", "format": "csv"}
    with statement_fails(COUNTED_ACTIVITIES) as failed:
        response = client_bureau.get(reverse("reporting:download"), query)
        assert response.status_code == 200
        received = []
        with pytest.raises(OperationalError):
            for chunk in response.streaming_content:
                received.append(chunk)
    assert failed[0] == 1
    lines = b"".join(received).decode("utf-8-sig").strip().splitlines()
    if connection.vendor == "postgresql":  # the header goes out before the COPY
        assert lines[0].startswith("Date,Indicator,")
        lines = lines[1:]
    assert lines == [
        "INCOMPLETE DOWNLOAD: this file stopped part-way because the connection to the "
        "database was lost. Rows are missing. Download it again."
    ]


def test_without_the_middleware_it_would_be_a_500(client_bureau, data, settings):
    """What the middleware is for (and a check that the fault above is real)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    client_bureau.raise_request_exception = False
    query = {"year": 2026, "period": "year", "format": "xlsx"}
    with statement_fails(COUNTED_ACTIVITIES):
        response = client_bureau.get(reverse("reporting:download"), query)
    assert response.status_code == 500


# --- published reports ------------------------------------------------------------------------


def _publish(user) -> PublishedReport:
    report = services.report_publish(
        user=user, scope=ReportScope.annual(2026), fmt="xlsx", language="en"
    )
    return services.report_generate(report_id=report.pk)


@pytest.mark.parametrize(
    "statement",
    [
        'SELECT "offices_indicator"',  # the figures
        COUNTED_ACTIVITIES,  # the activity sheet, mid-file
        'UPDATE "reports_publishedreport" SET "kind"',  # the row, once the file is stored
    ],
)
def test_a_published_report_whose_database_fails_is_failed_with_nothing_served(
    data, bureau_admin, client_admin, media, statement
):
    with statement_fails(statement) as failed:
        report = _publish(bureau_admin)

    assert failed[0] == 1
    report.refresh_from_db()
    assert report.state == PublishedReport.State.FAILED
    assert DROPPED in report.error
    assert (report.file.name, report.sha256, report.size) == ("", "", None)
    assert (
        client_admin.get(reverse("reporting:published_download", args=[report.pk])).status_code
        == 404
    )
    page = client_admin.get(reverse("reporting:published", args=[report.pk])).content.decode()
    assert "The report could not be generated" in page


def test_a_failure_before_the_file_is_stored_stores_none(data, bureau_admin, media):
    with statement_fails(COUNTED_ACTIVITIES):
        _publish(bureau_admin)
    assert _stored_files(media) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
@pytest.mark.django_db(transaction=True)
def test_a_real_dropped_connection_fails_the_report_and_stores_nothing(
    data, bureau_admin, media, monkeypatch
):
    """The worker's backend is terminated while it reads the counted activities: the
    snapshot's transaction is lost, Django drops the dead connection, and the report is
    marked failed on a new one."""
    monkeypatch.setattr(tasks.generate_published_report, "delay", lambda report_id: None)
    report = services.report_publish(
        user=bureau_admin, scope=ReportScope.annual(2026), fmt="xlsx", language="en"
    )
    with backend_terminated_before(COUNTED_ACTIVITIES) as killed:
        services.report_generate(report_id=report.pk)

    assert killed == [True]
    report.refresh_from_db()
    assert report.state == PublishedReport.State.FAILED
    assert report.sha256 == ""
    assert _stored_files(media) == []
