"""Published reports through the API: the bureau lists, reads and downloads them (byte for
byte, with their SHA-256 in Repr-Digest); bureau admins request new ones, under the rules
of the Reports page. Office users and the anonymous get nothing.

Today is Tuesday 30 June 2026, 18:00 in Hong Kong.
"""

import base64
import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Status
from activities.tests.factories import ActivityFactory
from api.tests.clients import TokenClient
from offices.tests.factories import AnnualTargetFactory, IndicatorFactory
from reports import services
from reports.models import PublishedReport
from reports.report import ReportScope

HK = ZoneInfo("Asia/Hong_Kong")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 18, 0, tzinfo=HK)),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def data(office_a, unit_a, office_b):
    visits = IndicatorFactory(code="visits", name_en="Visits", display_order=1)
    media = IndicatorFactory(code="media", name_en="Media", display_order=2)
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    AnnualTargetFactory(year=2026, indicator=media, target=20)
    ActivityFactory(lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 1, 20))
    ActivityFactory(
        lead_office=unit_a,
        indicator=visits,
        occurred_on=dt.date(2026, 4, 2),
        status=Status.VERIFIED,
    )
    ActivityFactory(lead_office=office_b, indicator=media, occurred_on=dt.date(2026, 5, 5))
    ActivityFactory(
        lead_office=office_a,
        indicator=visits,
        occurred_on=dt.date(2026, 2, 2),
        status=Status.DRAFT,
    )
    ActivityFactory(lead_office=office_b, indicator=visits, occurred_on=dt.date(2025, 6, 1))
    return {"visits": visits, "media": media}


def published(user, *, year=2026, fmt="xlsx", office=None, scope=None, generate=True):
    """A report published through the services, as the Reports page and its task would."""
    if scope is None:
        as_of = min(dt.date(2026, 6, 30), dt.date(year, 12, 31))
        scope = ReportScope.annual(year, as_of=as_of, office=office)
    report = services.report_publish(user=user, scope=scope, fmt=fmt, language="en")
    return services.report_generate(report_id=report.pk) if generate else report


@pytest.fixture
def reports(data, bureau_admin, office_a, monkeypatch):
    """Five reports: done ones of two years, kinds, formats and offices; one still queued;
    one that failed."""
    done = {
        "annual_xlsx": published(bureau_admin),
        "annual_csv_2025": published(bureau_admin, year=2025, fmt="csv"),
        "q1_pdf_office_a": published(
            bureau_admin,
            fmt="pdf",
            scope=ReportScope(
                dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 6, 30), office_a
            ),
        ),
    }
    queued = published(bureau_admin, fmt="csv", generate=False)
    with monkeypatch.context() as patch:
        patch.setattr(services, "write_report", _broken)
        failed = published(bureau_admin, fmt="csv")
    assert failed.state == PublishedReport.State.FAILED
    return {**done, "queued": queued, "failed": failed}


def _broken(*args, **kwargs):
    raise OSError("disk full")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def post(user, payload, **extra):
    return TokenClient(user).post(reverse("api:report-list"), json.dumps(payload), **extra)


# --- who ---------------------------------------------------------------------------------


def _urls(reports):
    pk = reports["annual_xlsx"].pk
    return [
        reverse("api:report-list"),
        reverse("api:report-detail", args=[pk]),
        reverse("api:report-download", args=[pk]),
    ]


def test_anonymous_is_refused(reports):
    client = Client()
    for url in _urls(reports):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert post(None, {"year": 2026, "format": "csv"}).status_code == 401
    assert PublishedReport.objects.count() == 5


@pytest.mark.parametrize("who", ["staff_a", "supervisor_a", "staff_b"])
def test_office_users_get_no_published_report(api, reports, who):
    reader = api(who)
    for url in _urls(reports):
        response = reader.get(url)
        assert response.status_code == 403
        assert set(response.json()) == {"detail"}
    # not even one of their own office
    own = reverse("api:report-download", args=[reports["q1_pdf_office_a"].pk])
    assert reader.get(own).status_code == 403


@pytest.mark.parametrize("who", ["bureau_viewer", "bureau_admin"])
def test_the_bureau_lists_every_report_newest_first(api, reports, who):
    reader = api(who)
    response = reader.get(reverse("api:report-list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    ids = [r["id"] for r in body["results"]]
    assert ids == sorted(ids, reverse=True)  # all requested at the same frozen moment


# --- list: filters and pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": 2026}, {"annual_xlsx", "q1_pdf_office_a", "queued", "failed"}),
        ({"year": 2025}, {"annual_csv_2025"}),
        ({"year": 2024}, set()),
        ({"kind": "annual"}, {"annual_xlsx", "annual_csv_2025", "queued", "failed"}),
        ({"kind": "progress"}, {"q1_pdf_office_a"}),
        ({"format": "csv"}, {"annual_csv_2025", "queued", "failed"}),
        ({"format": "pdf"}, {"q1_pdf_office_a"}),
        ({"state": "done"}, {"annual_xlsx", "annual_csv_2025", "q1_pdf_office_a"}),
        ({"state": "queued"}, {"queued"}),
        ({"state": "failed"}, {"failed"}),
        ({"year": 2026, "format": "csv", "state": "done"}, set()),
    ],
)
def test_list_filters(bureau_viewer, reports, params, expected):
    reader = TokenClient(bureau_viewer)
    response = reader.get(reverse("api:report-list"), params)
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {reports[k].pk for k in expected}


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"year": 1999}, {"kind": "weekly"}, {"format": "doc"}, {"state": "lost"}],
)
def test_list_filters_refuse_nonsense(bureau_viewer, reports, params):
    reader = TokenClient(bureau_viewer)
    response = reader.get(reverse("api:report-list"), params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_list_is_paginated(bureau_viewer, reports):
    reader = TokenClient(bureau_viewer)
    first = reader.get(reverse("api:report-list"), {"page_size": 2}).json()
    assert (first["count"], len(first["results"])) == (5, 2)
    third = reader.get(reverse("api:report-list"), {"page_size": 2, "page": 3}).json()
    assert len(third["results"]) == 1 and third["next"] is None
    assert reader.get(reverse("api:report-list"), {"page": 2}).status_code == 404


# --- detail and download -------------------------------------------------------------------


def test_detail(bureau_viewer, bureau_admin, reports, office_a):
    report = reports["q1_pdf_office_a"]
    reader = TokenClient(bureau_viewer)
    body = reader.get(reverse("api:report-detail", args=[report.pk])).json()
    assert body == {
        **body,
        "id": report.pk,
        "kind": "progress",
        "date_from": "2026-01-01",
        "date_to": "2026-03-31",
        "as_of": "2026-06-30",
        "office": "OFFA",
        "format": "pdf",
        "language": "en",
        "state": "done",
        "requested_by": "admin",
        "filename": report.filename,
        "size": report.size,
        "sha256": report.sha256,
        "activity_count": 1,  # office A's visit of 20 January (unit A's is in April)
        "download": "http://testserver" + reverse("api:report-download", args=[report.pk]),
    }
    assert len(body["sha256"]) == 64
    queued = reader.get(reverse("api:report-detail", args=[reports["queued"].pk]))
    assert (queued.json()["state"], queued.json()["download"]) == ("queued", None)
    failed = reader.get(reverse("api:report-detail", args=[reports["failed"].pk]))
    assert failed.json()["state"] == "failed"
    assert "disk full" in failed.json()["error"]
    assert failed.json()["download"] is None


def test_detail_of_a_report_that_does_not_exist(bureau_viewer, reports):
    reader = TokenClient(bureau_viewer)
    assert reader.get(reverse("api:report-detail", args=[999999])).status_code == 404
    assert reader.get("/api/v1/reports/abc/").status_code == 404


@pytest.mark.parametrize("key", ["annual_xlsx", "annual_csv_2025", "q1_pdf_office_a"])
def test_download_is_the_stored_file_byte_for_byte(bureau_viewer, reports, key):
    report = PublishedReport.objects.get(pk=reports[key].pk)
    reader = TokenClient(bureau_viewer)
    response = reader.get(reverse("api:report-download", args=[report.pk]))
    assert response.status_code == 200
    downloaded = body_of(response)
    with report.file.open("rb") as stored:
        assert downloaded == stored.read()
    digest = hashlib.sha256(downloaded).digest()
    assert digest.hex() == report.sha256
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    assert len(downloaded) == report.size
    assert report.filename in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")


def test_an_altered_file_is_refused_with_409(bureau_viewer, reports):
    from audit.models import AuditEvent, Kind

    report = PublishedReport.objects.get(pk=reports["annual_xlsx"].pk)
    with open(report.file.path, "ab") as stored:
        stored.write(b"\0")
    reader = TokenClient(bureau_viewer)
    response = reader.get(reverse("api:report-download", args=[report.pk]))
    assert response.status_code == 409
    assert response.json()["code"] == "file_altered"
    assert response.json()["sha256"] == report.sha256
    assert "not served as the genuine report" in response.json()["detail"]
    assert "Repr-Digest" not in response
    assert AuditEvent.objects.filter(kind=Kind.REPORT_FILE_ALTERED).count() == 1


@pytest.mark.parametrize("key", ["queued", "failed"])
def test_no_download_unless_done(bureau_viewer, reports, key):
    reader = TokenClient(bureau_viewer)
    response = reader.get(reverse("api:report-download", args=[reports[key].pk]))
    assert response.status_code == 404
    assert "Repr-Digest" not in response


# --- publishing ----------------------------------------------------------------------------


def test_an_admin_requests_a_report_and_it_is_made(
    bureau_admin, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(
            bureau_admin,
            {"year": 2026, "period": "h1", "format": "csv", "purpose": "LegCo Q12"},
        )
    assert response.status_code == 202
    assert len(callbacks) == 1
    report = PublishedReport.objects.get()
    assert response["Location"] == "http://testserver" + reverse(
        "api:report-detail", args=[report.pk]
    )
    assert response.json()["id"] == report.pk
    assert response.json()["state"] == "queued"  # answered before the task ran
    assert report.state == PublishedReport.State.DONE
    assert (report.date_from, report.date_to, report.as_of) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 6, 30),
    )
    assert (report.kind, report.format, report.purpose) == ("progress", "csv", "LegCo Q12")
    assert report.requested_by == bureau_admin
    assert report.activity_count == 3

    reader = TokenClient(bureau_admin)
    detail = reader.get(response["Location"]).json()
    assert detail["state"] == "done"
    download = reader.get(detail["download"])
    assert download.status_code == 200
    assert hashlib.sha256(body_of(download)).hexdigest() == report.sha256


def test_a_report_of_one_office_in_custom_dates(
    bureau_admin, data, office_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            bureau_admin,
            {
                "year": 2026,
                "period": "custom",
                "date_from": "2026-01-15",
                "date_to": "2026-04-30",
                "office": "OFFA",
                "format": "xlsx",
                "language": "zh-hant",
            },
        )
    assert response.status_code == 202
    report = PublishedReport.objects.get()
    assert (report.office, report.language, report.state) == (office_a, "zh-hant", "done")
    assert (report.date_from, report.date_to) == (dt.date(2026, 1, 15), dt.date(2026, 4, 30))
    assert report.activity_count == 2


def test_a_request_without_period_or_format_is_the_annual_xlsx(
    bureau_admin, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(bureau_admin, {"year": 2025})
    assert response.status_code == 202
    report = PublishedReport.objects.get()
    assert (report.kind, report.format, report.date_from) == ("annual", "xlsx", dt.date(2025, 1, 1))
    assert report.language == "en"


@pytest.mark.parametrize("who", ["bureau_viewer", "staff_a", "supervisor_a", "staff_b"])
def test_only_bureau_admins_request_reports(request, data, django_capture_on_commit_callbacks, who):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(request.getfixturevalue(who), {"year": 2026, "format": "csv"})
    assert response.status_code == 403
    assert callbacks == []
    assert not PublishedReport.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": 1999}, "year"),
        ({"year": 2019}, "year"),  # before the first year on offer
        ({"year": 2027}, "year"),  # still to come
        ({"period": "q9"}, "period"),
        ({"period": "q4"}, "date_from"),  # has not started yet
        ({"period": "custom"}, "date_from"),
        ({"period": "custom", "date_from": "2026-03-01"}, "date_to"),
        ({"period": "custom", "date_from": "2026-03-01", "date_to": "2027-01-31"}, "date_to"),
        ({"period": "custom", "date_from": "2025-12-01", "date_to": "2026-01-31"}, "date_to"),
        ({"period": "custom", "date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"period": "custom", "date_from": "2026-02-30", "date_to": "2026-04-01"}, "date_from"),
        ({"office": "NOPE"}, "office"),
        ({"format": "doc"}, "format"),
        ({"language": "fr"}, "language"),
        ({"purpose": "x" * 201}, "purpose"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(
    bureau_admin, data, django_capture_on_commit_callbacks, payload, field
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(bureau_admin, {"year": 2026, "format": "csv", **payload})
    assert response.status_code == 400
    assert field in response.json()
    assert callbacks == []
    assert not PublishedReport.objects.exists()


def test_a_request_must_be_json(bureau_admin, data):
    admin = TokenClient(bureau_admin)
    response = admin.client.post(reverse("api:report-list"), {"year": 2026}, **admin.headers)
    assert response.status_code == 415
    assert not PublishedReport.objects.exists()


# --- queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"year": 2026, "state": "done"}])
def test_list_query_count_does_not_grow_with_reports(
    bureau_viewer, bureau_admin, reports, office_a, django_assert_num_queries, params
):
    reader = TokenClient(bureau_viewer)
    url = reverse("api:report-list")
    assert reader.get(url, params).status_code == 200  # records last_used_at once
    # the token (with its user and office); the count; the page, with offices and authors
    with django_assert_num_queries(3):
        before = reader.get(url, params).json()
    for fmt in ("xlsx", "csv", "pdf"):
        published(bureau_admin, fmt=fmt, office=office_a)
    with django_assert_num_queries(3):
        after = reader.get(url, params).json()
    assert after["count"] == before["count"] + 3


def test_download_query_count(bureau_viewer, reports, django_assert_num_queries):
    reader = TokenClient(bureau_viewer)
    url = reverse("api:report-download", args=[reports["annual_xlsx"].pk])
    assert reader.get(url).status_code == 200
    # the token; the report; the audit trail's event
    with django_assert_num_queries(3):
        body_of(reader.get(url))
