"""Reports from the web and the command line: downloads, published snapshots (kept byte for
byte, never changed), "figures changed since", who may have which report, query counts."""

import datetime as dt
import hashlib
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, PeriodReopening, Status
from activities.tests.factories import ActivityFactory
from audit.models import AuditEvent, Kind
from offices.tests.factories import AnnualTargetFactory, IndicatorFactory
from reports import services
from reports.models import ImmutableReportError, PublishedReport
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
    visits = IndicatorFactory(code="visits", name_en="Visits", name_zh_hant="拜訪", display_order=1)
    media = IndicatorFactory(code="media", name_en="Media", name_zh_hant="傳媒", display_order=2)
    AnnualTargetFactory(year=2026, indicator=visits, target=100)
    AnnualTargetFactory(year=2026, indicator=media, target=20)
    rows = [
        ActivityFactory(lead_office=office_a, indicator=visits, occurred_on=dt.date(2026, 1, 20)),
        ActivityFactory(
            lead_office=unit_a,
            indicator=visits,
            occurred_on=dt.date(2026, 4, 2),
            status=Status.VERIFIED,
        ),
        ActivityFactory(lead_office=office_b, indicator=media, occurred_on=dt.date(2026, 5, 5)),
        ActivityFactory(lead_office=office_b, indicator=visits, occurred_on=dt.date(2026, 6, 1)),
        # do not count: a draft, a removed one, last year's
        ActivityFactory(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 2, 2),
            status=Status.DRAFT,
        ),
        ActivityFactory(
            lead_office=office_a,
            indicator=visits,
            occurred_on=dt.date(2026, 2, 3),
            removed_at=timezone.now(),
            removed_by=office_a_user(office_a),
            removal_reason="Logged twice",
        ),
        ActivityFactory(lead_office=office_a, indicator=visits, occurred_on=dt.date(2025, 12, 3)),
    ]
    return {"visits": visits, "media": media, "rows": rows}


def office_a_user(office):
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    return UserFactory(office=office, role=Role.OFFICE_STAFF)


def remove(queryset, by) -> None:
    queryset.update(removed_at=timezone.now(), removed_by=by, removal_reason="Wrong indicator")


def counted_ids(rows, *, offices=None, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)):
    """Counted by hand from the rows (docs/domain.md, "What counts"), not with ActivityQuerySet."""
    return sorted(
        a.pk
        for a in rows
        if a.status in (Status.SUBMITTED, Status.VERIFIED)
        and a.removed_at is None
        and start <= a.occurred_on <= end
        and (offices is None or a.lead_office_id in offices)
    )


def download(client, **params):
    query = {"year": 2026, "period": "year", "format": "xlsx", **params}
    return client.get(reverse("reporting:download"), query)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def publish(client, django_capture_on_commit_callbacks, **params):
    query = {"year": 2026, "period": "year", "format": "xlsx", "purpose": "LegCo Q12", **params}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reporting:publish"), query)


# --- who may have which report ---------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, data):
    for name in ("reporting:index", "reporting:download"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_office_staff_download_their_own_office_report(client_staff_a, data, office_a, unit_a):
    response = download(client_staff_a, office=office_a.pk, format="csv")
    assert response.status_code == 200
    text = body(response).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + len(
        counted_ids(data["rows"], offices={office_a.pk, unit_a.pk})
    )


@pytest.mark.parametrize("office", ["", "other"])
def test_office_staff_cannot_have_all_offices_or_another_office(
    client_staff_a, data, office_b, office
):
    response = download(client_staff_a, office=office_b.pk if office else "")
    assert response.status_code == 400
    assert "Content-Disposition" not in response


def test_office_staff_see_no_published_reports_and_cannot_publish(client_staff_a, data, staff_a):
    report = _published(staff_a, data)
    page = client_staff_a.get(reverse("reporting:index"))
    assert page.status_code == 200
    assert "Published reports" not in page.content.decode()
    assert "Publish a report" not in page.content.decode()
    assert client_staff_a.post(reverse("reporting:publish"), {}).status_code == 403
    for name in ("reporting:published", "reporting:published_download"):
        assert client_staff_a.get(reverse(name, args=[report.pk])).status_code == 403


def test_bureau_viewer_downloads_but_does_not_publish(client_bureau, data, bureau_admin):
    report = _published(bureau_admin, data)
    assert download(client_bureau).status_code == 200
    assert (
        client_bureau.get(reverse("reporting:published_download", args=[report.pk])).status_code
        == 200
    )
    page = client_bureau.get(reverse("reporting:index")).content.decode()
    assert "Publish a report" not in page
    response = client_bureau.post(
        reverse("reporting:publish"), {"year": 2026, "period": "year", "format": "xlsx"}
    )
    assert response.status_code == 403
    assert PublishedReport.objects.count() == 1


def _published(user, data, **kwargs) -> PublishedReport:
    """A published report made through the service, as the task would."""
    report = services.report_publish(
        user=user if user.is_bureau_admin else _admin(),
        scope=ReportScope.annual(2026, **kwargs),
        fmt="xlsx",
        language="en",
    )
    return services.report_generate(report_id=report.pk)


def _admin():
    from accounts.models import Role, User

    return User.objects.create(username="admin2", role=Role.BUREAU_ADMIN)


# --- downloads ---------------------------------------------------------------------------------


def test_xlsx_download_reads_back_to_the_counts(client_bureau, data):
    response = download(client_bureau, period="q2")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="kpi-progress-report-2026-04-01-to-2026-06-30'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    summary = {row[0]: row[2] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    q2 = counted_ids(data["rows"], start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30))
    by_indicator = {"Visits": 0, "Media": 0}
    for activity in Activity.objects.filter(pk__in=q2).select_related("indicator"):
        by_indicator[activity.indicator.name_en] += 1
    assert summary == by_indicator
    ids = [row[-1] for row in workbook["Activities counted"].iter_rows(min_row=2, values_only=True)]
    assert sorted(ids) == q2


def test_pdf_download(client_bureau, data):
    response = download(client_bureau, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body(response).startswith(b"%PDF")


def test_custom_dates_must_be_in_the_year_and_in_order(client_bureau, data):
    response = download(
        client_bureau, period="custom", date_from="2026-05-01", date_to="2026-04-01"
    )
    assert response.status_code == 400
    assert "The last day must not be before the first." in response.content.decode()
    response = download(
        client_bureau, period="custom", date_from="2026-05-01", date_to="2027-01-01"
    )
    assert "Both dates must be in 2026" in response.content.decode()
    response = download(client_bureau, period="custom", date_from="2026-05-01")
    assert "Enter the last day of the period." in response.content.decode()


def test_a_period_still_to_come_is_refused(client_bureau, data):
    response = download(client_bureau, period="q4")
    assert response.status_code == 400
    assert "This period has not started yet." in response.content.decode()
    response = download(client_bureau, as_of="2026-07-01")
    assert response.status_code == 400
    assert "Figures cannot be taken as of a day still to come (2026-07-01)" in (
        response.content.decode()
    )


def test_as_of_leaves_out_what_was_submitted_later(client_bureau, data, office_a):
    late = ActivityFactory(
        lead_office=office_a,
        indicator=data["visits"],
        occurred_on=dt.date(2026, 3, 1),
        counted_since=timezone.make_aware(dt.datetime(2026, 4, 9, 9)),
    )
    response = download(client_bureau, format="csv", as_of="2026-03-31")
    ids = [line.rsplit(",", 1)[1] for line in body(response).decode("utf-8-sig").splitlines()[1:]]
    assert str(late.pk) not in ids
    response = download(client_bureau, format="csv")
    ids = [line.rsplit(",", 1)[1] for line in body(response).decode("utf-8-sig").splitlines()[1:]]
    assert str(late.pk) in ids


# --- publishing --------------------------------------------------------------------------------


def test_admin_publishes_a_report_kept_byte_for_byte(
    client_admin, data, bureau_admin, django_capture_on_commit_callbacks
):
    response = publish(client_admin, django_capture_on_commit_callbacks)
    report = PublishedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:published", args=[report.pk])
    assert report.state == PublishedReport.State.DONE
    assert report.requested_by == bureau_admin
    assert report.purpose == "LegCo Q12"
    assert (report.date_from, report.date_to, report.as_of) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        dt.date(2026, 6, 30),
    )
    assert report.activity_count == len(counted_ids(data["rows"]))

    downloaded = body(client_admin.get(reverse("reporting:published_download", args=[report.pk])))
    assert hashlib.sha256(downloaded).hexdigest() == report.sha256
    assert len(downloaded) == report.size
    again = body(client_admin.get(reverse("reporting:published_download", args=[report.pk])))
    assert again == downloaded

    page = client_admin.get(response["Location"]).content.decode()
    assert report.sha256 in page
    assert "Unchanged" in page


def test_a_published_report_cannot_be_changed_or_deleted(data, bureau_admin):
    report = _published(bureau_admin, data)
    report.purpose = "Something else"
    with pytest.raises(ImmutableReportError):
        report.save()
    with pytest.raises(ImmutableReportError):
        report.delete()
    model_admin = admin_site._registry[PublishedReport]
    assert not model_admin.has_change_permission(None, report)
    assert not model_admin.has_delete_permission(None, report)
    assert not model_admin.has_add_permission(None)
    assert PublishedReport.objects.get().purpose == ""


def test_figures_changed_since_shows_the_difference(client_admin, data, bureau_admin, office_a):
    report = _published(bureau_admin, data)
    assert "Unchanged" in client_admin.get(reverse("reporting:index")).content.decode()

    # later: one more activity for office A, and office B's media activity removed
    ActivityFactory(lead_office=office_a, indicator=data["visits"], occurred_on=dt.date(2026, 6, 3))
    remove(Activity.objects.filter(indicator=data["media"]), bureau_admin)

    page = client_admin.get(reverse("reporting:index")).content.decode()
    assert "Changed since it was made" in page
    assert "Summary · All offices · Visits: 3 → 4 (+1)" in page
    assert "Summary · All offices · Media: 1 → 0 (-1)" in page
    assert "By office · Office A, with its units · Visits: 2 → 3 (+1)" in page
    assert "By office · Office B, with its units · Media: 1 → 0 (-1)" in page
    # and in its quarter, month and region each: Q2, June and May, no region recorded
    assert "and 6 more figures" in page
    detail = client_admin.get(reverse("reporting:published", args=[report.pk])).content.decode()
    assert "Figures the file states and a fresh count" in detail
    assert "Office B, with its units" in detail


def test_an_activity_moved_to_another_month_and_region_is_a_change_in_the_files_terms(
    client_admin, data, bureau_admin, office_b
):
    from offices.tests.factories import RegionFactory
    from reports.selectors import report_changes

    report = _published(bureau_admin, data)
    hubei = RegionFactory(code="420000", name_en="Hubei")
    # office B's June visit was in fact in May, in Hubei: same office, same indicator
    Activity.objects.filter(lead_office=office_b, indicator=data["visits"]).update(
        occurred_on=dt.date(2026, 5, 20), region=hubei
    )
    changes = report_changes([report])[report.pk]
    assert changes.changed and not changes.swapped
    seen = {
        (f.table_label, f.row_label, f.indicator_label): (f.was, f.now) for f in changes.figures
    }
    assert seen == {
        ("By month", "May 2026", "Visits"): (0, 1),
        ("By month", "June 2026", "Visits"): (1, 0),
        ("By region", "Hubei", "Visits"): (0, 1),
        ("By region", "No region recorded", "Visits"): (3, 2),
    }  # the totals, the offices and the quarter (Q2 either way) are unchanged
    detail = client_admin.get(reverse("reporting:published", args=[report.pk])).content.decode()
    assert "Changed since it was made" in detail
    assert "June 2026" in detail and "Hubei" in detail


def test_a_unit_moved_between_offices_changes_the_offices_as_printed(
    data, bureau_admin, unit_a, office_b
):
    from reports.selectors import report_changes

    report = _published(bureau_admin, data)
    # office A's unit's visit is now led by office B itself
    Activity.objects.filter(lead_office=unit_a).update(lead_office=office_b)
    figures = report_changes([report])[report.pk].figures
    assert {(f.row_label, f.was, f.now) for f in figures} == {
        ("Office A, with its units", 2, 1),
        ("Unit A1", 1, 0),
        ("Office B, with its units", 1, 2),
    }


def test_a_report_published_before_the_layout_was_kept_compares_its_offices(
    data, bureau_admin, office_a
):
    """A report whose snapshot kept only counts per lead office and indicator."""
    from reports.selectors import report_changes

    report = _published(bureau_admin, data)
    cells = {}
    for office, indicator, _month, _region, n, s in report.figures["groups"]:
        was = cells.get((office, indicator), (0, 0))
        cells[office, indicator] = (was[0] + n, was[1] + s)
    PublishedReport.objects.filter(pk=report.pk).update(
        figures={"cells": [[o, i, n, s] for (o, i), (n, s) in sorted(cells.items())]}
    )
    report.refresh_from_db()
    assert not report_changes([report])[report.pk].changed

    ActivityFactory(lead_office=office_a, indicator=data["visits"], occurred_on=dt.date(2026, 6, 3))
    changes = report_changes([report])[report.pk]
    assert changes.partial
    assert {(f.table, f.row_label, f.was, f.now) for f in changes.figures} == {
        ("totals", "All offices", 3, 4),
        ("offices", "Office A, with its units", 2, 3),
    }


def test_an_edit_that_swaps_the_activities_counted_is_noticed(data, bureau_admin, office_b):
    from reports.selectors import report_changes

    report = _published(bureau_admin, data)
    remove(Activity.objects.filter(lead_office=office_b, indicator=data["visits"]), bureau_admin)
    ActivityFactory(lead_office=office_b, indicator=data["visits"], occurred_on=dt.date(2026, 6, 2))
    changes = report_changes([report])[report.pk]
    assert changes.figures == []
    assert changes.swapped
    assert changes.changed


def test_a_month_reopened_since_is_listed(client_admin, data, bureau_admin, office_a):
    report = _published(bureau_admin, data)
    PeriodReopening.objects.create(
        office=office_a,
        year=2026,
        month=3,
        reason="Late evidence",
        requested_by=bureau_admin,
        state=PeriodReopening.State.GRANTED,
        open_until=dt.date(2026, 7, 15),
        decided_by=bureau_admin,
        decided_at=report.completed_at + dt.timedelta(minutes=5),
    )
    page = client_admin.get(reverse("reporting:published", args=[report.pk])).content.decode()
    assert "Months of its period reopened since:" in page
    assert "OFFA 2026-03" in page


def test_a_failed_generation_keeps_nothing(
    client_admin, data, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "write_report", broken)
    response = publish(client_admin, django_capture_on_commit_callbacks)
    report = PublishedReport.objects.get()
    assert report.state == PublishedReport.State.FAILED
    assert not report.file
    assert report.sha256 == ""
    page = client_admin.get(response["Location"]).content.decode()
    assert "The report could not be generated" in page
    assert (
        client_admin.get(reverse("reporting:published_download", args=[report.pk])).status_code
        == 404
    )


def test_a_queued_report_shows_its_progress(
    client_admin, data, bureau_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_admin.post(
            reverse("reporting:publish"), {"year": 2026, "period": "year", "format": "csv"}
        )
    assert len(callbacks) == 1  # the task is queued once the request's data is committed
    report = PublishedReport.objects.get()
    assert report.state == PublishedReport.State.QUEUED
    page = client_admin.get(reverse("reporting:published", args=[report.pk])).content.decode()
    assert "Being generated" in page
    assert "js/report-progress.js" in page
    status = client_admin.get(reverse("reporting:published_status", args=[report.pk])).json()
    assert status["state"] == "queued"
    assert status["percent"] is None

    callbacks[0]()
    status = client_admin.get(reverse("reporting:published_status", args=[report.pk])).json()
    assert status["state"] == "done"
    # running twice (a redelivered task) changes nothing
    before = PublishedReport.objects.get().sha256
    services.report_generate(report_id=report.pk)
    assert PublishedReport.objects.get().sha256 == before


def test_publish_form_errors_keep_the_entries(client_admin, data):
    response = client_admin.post(
        reverse("reporting:publish"),
        {
            "year": 2026,
            "period": "custom",
            "date_from": "2026-03-01",
            "format": "pdf",
            "purpose": "Budget",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the last day of the period." in page
    assert 'value="Budget"' in page
    assert PublishedReport.objects.count() == 0


# --- query counts ------------------------------------------------------------------------------


def test_index_query_count_does_not_grow_with_reports(
    client_admin, data, bureau_admin, django_assert_num_queries
):
    for _ in range(3):
        _published(bureau_admin, data)
    ActivityFactory(lead_office=data["rows"][0].lead_office, indicator=data["visits"])
    # session, user, and the session's save (savepoint, update, release): 5; the offices of
    # both forms (2), count and page of reports (2), their figures now (1), reopenings since
    # (1), names of the changed offices and indicators (2)
    with django_assert_num_queries(13):
        response = client_admin.get(reverse("reporting:index"))
    assert response.status_code == 200
    for _ in range(3):
        _published(bureau_admin, data)
    with django_assert_num_queries(13):
        client_admin.get(reverse("reporting:index"))


def test_xlsx_download_query_count(client_bureau, data, django_assert_num_queries):
    # session, user, session save (3): 5; the consistent read's savepoint and release (2),
    # the report's figures (6) with its notes and plans ahead (2), the offices, indicators,
    # regions, counterparts and people for their names (5), the activities with their
    # related lists joined in (1), the audit trail's event (1). On PostgreSQL the names and
    # the activities are one COPY, with the JIT off around it (SET, RESET): 3 for 6.
    with django_assert_num_queries(19 if connection.vendor == "postgresql" else 22):
        body(download(client_bureau))


def test_published_download_query_count(
    client_bureau, data, bureau_admin, django_assert_num_queries
):
    report = _published(bureau_admin, data)
    # session, user, session save (3): 5; the report (1); the audit trail's event (1); the
    # file's SHA-256 is checked on disk, without a query
    with django_assert_num_queries(7):
        body(client_bureau.get(reverse("reporting:published_download", args=[report.pk])))


# --- a stored file is checked whenever it is served ------------------------------------------


def _alter(report: PublishedReport, how: str) -> None:
    path = report.file.path
    if how == "appended":
        with open(path, "ab") as stored:
            stored.write(b" ")
    elif how == "rewritten":  # the same size, one byte different
        with open(path, "rb") as stored:
            content = bytearray(stored.read())
        content[len(content) // 2] ^= 0x01
        with open(path, "wb") as stored:
            stored.write(content)
    else:
        import os

        os.remove(path)


@pytest.mark.parametrize("how", ["appended", "rewritten", "removed"])
def test_an_altered_file_is_never_served_as_the_published_one(
    client_bureau, data, bureau_admin, bureau_viewer, how
):
    report = _published(bureau_admin, data)
    url = reverse("reporting:published_download", args=[report.pk])
    assert client_bureau.get(url).status_code == 200
    _alter(report, how)

    response = client_bureau.get(url)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "does not match the SHA-256 recorded when it was published" in (
        response.content.decode()
    )
    assert report.sha256 in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(kind=Kind.REPORT_FILE_ALTERED)
    assert event.actor_username == bureau_viewer.username
    assert event.details["report"] == report.pk
    assert event.details["recorded_sha256"] == report.sha256
    assert event.details["found_sha256"] != report.sha256
    # the refused download is not an export: only the first, genuine one is
    assert AuditEvent.objects.filter(kind=Kind.EXPORT, details__report=report.pk).count() == 1


# --- the command line --------------------------------------------------------------------------


def test_export_report_command_writes_the_annual_report(data, tmp_path):
    output = tmp_path / "kpi-2026.xlsx"
    out = io.StringIO()
    call_command(
        "export_report", "--year", "2026", "--format", "xlsx", "--output", str(output), stdout=out
    )
    workbook = openpyxl.load_workbook(output)
    summary = {row[0]: row[2] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary == {"Visits": 3, "Media": 1}
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    assert digest in out.getvalue()
    assert "4 activities counted" in out.getvalue()
    export = AuditEvent.objects.get(kind=Kind.EXPORT)
    assert export.summary == "report kpi-2026.xlsx (command line)"
    assert export.details["sha256"] == digest


def test_export_report_command_date_range_and_office(data, tmp_path, office_a, unit_a):
    output = tmp_path / "q2.csv"
    call_command(
        "export_report",
        "--from",
        "2026-04-01",
        "--to",
        "2026-06-30",
        "--office",
        "OFFA",
        "--format",
        "csv",
        "--output",
        str(output),
        "--language",
        "zh-hant",
        stdout=io.StringIO(),
    )
    lines = output.read_text(encoding="utf-8-sig").splitlines()
    expected = counted_ids(
        data["rows"],
        offices={office_a.pk, unit_a.pk},
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 6, 30),
    )
    assert [int(line.rsplit(",", 1)[1]) for line in lines[1:]] == expected
    assert "拜訪" in lines[1]


def test_export_report_command_publishes(
    data, bureau_admin, staff_a, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "export_report",
            "--year",
            "2026",
            "--format",
            "csv",
            "--publish",
            "--user",
            "admin",
            stdout=out,
        )
    report = PublishedReport.objects.get()
    assert report.state == PublishedReport.State.DONE
    assert report.requested_by == bureau_admin
    # In a test the task runs when the test's transaction would commit, after the output.
    assert f"Published report {report.pk} is queued" in out.getvalue()
    with pytest.raises(CommandError, match="not a bureau admin"):
        call_command("export_report", "--year", "2026", "--publish", "--user", "staff_a")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-04-01", "--format", "csv", "--output", "x"], "--from needs --to"),
        (["--from", "2026-04-01", "--to", "2027-01-01", "--output", "x"], "within one year"),
        (["--year", "2026", "--office", "NOPE", "--output", "x"], "No office with the code NOPE"),
        (["--year", "2026"], "Give --output"),
        (["--year", "2026", "--as-of", "2026-07-01", "--output", "x"], "still to come"),
        (["--from", "2026-13-01", "--to", "2026-12-01", "--output", "x"], "Not a date"),
    ],
)
def test_export_report_command_errors(data, args, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        call_command("export_report", *args)
    assert not any(tmp_path.iterdir())


def test_a_download_with_errors_keeps_the_published_list_whole(client_admin, data, bureau_admin):
    report = _published(bureau_admin, data)  # an XLSX
    response = download(client_admin, period="custom", format="pdf")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the first day of the period." in page
    # the form's year and format are not the list's filters
    assert reverse("reporting:published_download", args=[report.pk]) in page
