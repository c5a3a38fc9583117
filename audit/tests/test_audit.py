"""The audit trail: what is recorded, the admins' page, and that nothing on it changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from accounts.tokens import token_create, token_revoke
from activities import services as activity_services
from audit.models import AuditEvent, Kind
from audit.services import record
from offices.targets import services as target_services
from offices.tests.factories import IndicatorFactory
from reports import services as report_services
from reports.report import ReportScope

HK = ZoneInfo("Asia/Hong_Kong")
EVENTS = reverse("audit:events")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 18, 0, tzinfo=HK)),
]


@pytest.fixture
def visits(db):
    return IndicatorFactory(code="visits", name_en="Visits", display_order=1)


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


# --- what is recorded --------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_recorded_with_address_and_browser(staff_a):
    staff_a.set_password("a-long-passphrase-2026")
    staff_a.save()
    client = Client(HTTP_USER_AGENT="Test browser/1.0", REMOTE_ADDR="10.1.2.3")
    login = reverse("accounts:login")
    client.post(login, {"username": "staff_a", "password": "nope"})
    client.post(login, {"username": "staff_a", "password": "a-long-passphrase-2026"})
    client.post(reverse("accounts:logout"))

    failed, signed_in, signed_out = (
        events(Kind.LOGIN_FAILED)[0],
        events(Kind.LOGIN)[0],
        events(Kind.LOGOUT)[0],
    )
    assert (failed.actor_id, failed.subject_username) == (None, "staff_a")
    assert (signed_in.actor_id, signed_in.ip_address, signed_in.user_agent) == (
        staff_a.pk,
        "10.1.2.3",
        "Test browser/1.0",
    )
    assert signed_out.actor_username == "staff_a"
    assert "nope" not in str(list(AuditEvent.objects.values()))  # never a password


def test_the_address_behind_the_proxy_is_recorded_and_a_forged_one_is_not(staff_a, settings):
    settings.KPI_TRUSTED_PROXIES = ["10.9.9.9"]  # the reverse proxy
    client = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    client.post(reverse("accounts:login"), {"username": "staff_a", "password": "nope"})
    assert events(Kind.LOGIN_FAILED)[0].ip_address == "203.0.113.5"


def test_target_changes_are_recorded_from_the_grid_and_from_the_admin(
    bureau_admin, office_a, visits, client_admin
):
    target_services.targets_save(
        user=bureau_admin,
        year=2027,
        bureau={visits.pk: 3400},
        shares={(office_a.pk, visits.pk): 500},
    )
    target_services.targets_save(
        user=bureau_admin, year=2027, bureau={visits.pk: 3500}, shares={}, reason="Budget"
    )
    changes = events(Kind.TARGET_CHANGED)
    assert [(e.details["office"], e.details["from"], e.details["to"]) for e in changes] == [
        (None, None, 3400),
        ("OFFA", None, 500),
        (None, 3400, 3500),
    ]
    assert changes[2].details["reason"] == "Budget"
    assert changes[2].actor_username == "admin"
    assert changes[1].office == office_a

    share = office_a.targets.get()
    response = client_admin.post(
        reverse("admin:offices_officetarget_delete", args=[share.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = events(Kind.TARGET_CHANGED)[-1]
    assert (deleted.details["from"], deleted.details["to"], deleted.actor_username) == (
        500,
        None,
        "admin",
    )


def test_period_reopenings_are_recorded(staff_a, bureau_admin, office_a):
    reopening = activity_services.reopening_request(
        user=staff_a, office=office_a, year=2026, month=4, reason="Late report"
    )
    activity_services.reopening_decide(
        user=bureau_admin,
        reopening_id=reopening.pk,
        grant=True,
        open_until=dt.date(2026, 7, 10),
        note="Once",
    )
    requested, reopened = events(Kind.REOPENING_REQUESTED)[0], events(Kind.PERIOD_REOPENED)[0]
    assert (requested.actor_username, requested.office) == ("staff_a", office_a)
    assert reopened.actor_username == "admin"
    assert reopened.details == {
        "office": "OFFA",
        "period": "2026-04",
        "reopening": reopening.pk,
        "open_until": "2026-07-10",
        "note": "Once",
    }


def test_role_and_office_changes_are_recorded(staff_a, office_b):
    staff_a.role = Role.OFFICE_SUPERVISOR
    staff_a.office = office_b
    staff_a.save()
    change = events(Kind.ROLE_CHANGED)[0]
    assert change.subject_username == "staff_a"
    assert change.details == {
        "role": ["office_staff", "office_supervisor"],
        "office": ["OFFA", "OFFB"],
    }


def test_a_new_user_is_recorded(office_a):
    UserFactory(username="new.staff", role=Role.OFFICE_STAFF, office=office_a)
    created = events(Kind.USER_CREATED)[-1]
    assert (created.subject_username, created.details["office"]) == ("new.staff", "OFFA")


def test_token_creation_and_revocation_are_recorded(staff_a, bureau_admin):
    token, _raw = token_create(user=staff_a, name="nightly sync")
    token_revoke(user=bureau_admin, token_id=token.pk)
    created, revoked = events(Kind.TOKEN_CREATED)[0], events(Kind.TOKEN_REVOKED)[0]
    assert (created.subject_username, created.details["name"]) == ("staff_a", "nightly sync")
    assert (revoked.actor_username, revoked.subject_username) == ("admin", "staff_a")
    assert token.prefix in revoked.summary


def test_report_downloads_are_recorded(client_bureau, bureau_admin, visits, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = client_bureau.get(
        reverse("reporting:download"), {"year": 2026, "period": "year", "format": "csv"}
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    report = report_services.report_publish(
        user=bureau_admin, scope=ReportScope.annual(2026), fmt="xlsx", language="en"
    )
    report_services.report_generate(report_id=report.pk)
    assert (
        client_bureau.get(reverse("reporting:published_download", args=[report.pk])).status_code
        == 200
    )
    exports = events(Kind.EXPORT)
    assert [e.actor_username for e in exports] == ["viewer", "viewer"]
    assert exports[0].summary.endswith(".csv")
    assert exports[1].details == {"report": report.pk}


def test_an_action_that_rolls_back_leaves_no_event(staff_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        token_create(user=staff_a, name="nightly sync")
        raise RuntimeError("the request failed after the token was made")
    assert not events(Kind.TOKEN_CREATED)
    assert not staff_a.api_tokens.exists()


# --- the page ----------------------------------------------------------------------------


@pytest.fixture
def trail(staff_a, staff_b, office_a, office_b):
    AuditEvent.objects.all().delete()  # the fixtures' own events (users created)
    record(Kind.LOGIN, "staff_a", actor=staff_a, office=office_a)
    record(Kind.LOGIN_FAILED, "mallory", subject_username="mallory")
    record(Kind.EXPORT, "activities-2026.csv", actor=staff_b, office=office_b)
    with time_machine.travel(dt.datetime(2026, 5, 2, 9, 0, tzinfo=HK), tick=False):
        record(Kind.EXPORT, "activities-2025.csv", actor=staff_a, office=office_a)


def _listed(response) -> list[str]:
    return [event.summary for event in response.context["page"].object_list]


def test_admins_see_the_trail_newest_first(client_admin, trail):
    response = client_admin.get(EVENTS)
    assert response.status_code == 200
    assert _listed(response) == [
        "activities-2026.csv",
        "mallory",
        "staff_a",
        "activities-2025.csv",
    ]
    assert "Audit trail" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": Kind.EXPORT}, ["activities-2026.csv", "activities-2025.csv"]),
        ({"who": "STAFF_A"}, ["staff_a", "activities-2025.csv"]),
        ({"who": "mallory"}, ["mallory"]),
        ({"office": "office_b"}, ["activities-2026.csv"]),
        ({"date_to": "2026-05-31"}, ["activities-2025.csv"]),
        ({"date_from": "2026-06-01", "kind": Kind.EXPORT}, ["activities-2026.csv"]),
        ({"q": "2025"}, ["activities-2025.csv"]),
        ({"ip_address": "127.0.0.1"}, []),
        ({"ip_address": "not an address"}, []),
    ],
)
def test_admins_filter_the_trail(client_admin, trail, query, expected, request):
    if query.get("office") == "office_b":
        query = {"office": request.getfixturevalue("office_b").pk}
    assert _listed(client_admin.get(EVENTS, query)) == expected


def test_a_bad_filter_is_refused_with_400(client_admin, trail):
    response = client_admin.get(EVENTS, {"date_from": "2026-13-45", "kind": "nonsense"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.text


@pytest.mark.parametrize("persona", ["client_staff_a", "client_supervisor_a", "client_bureau"])
def test_only_bureau_admins_see_the_trail(persona, request, trail):
    assert request.getfixturevalue(persona).get(EVENTS).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(EVENTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_trail_query_count_does_not_grow(client_admin, trail, django_assert_num_queries):
    # session, user, count, page of events with their offices, offices for the filter,
    # session save (savepoint, update, release)
    with django_assert_num_queries(8):
        client_admin.get(EVENTS)
    for _ in range(30):
        record(Kind.LOGIN, "more")
    with django_assert_num_queries(8):
        client_admin.get(EVENTS)


def test_nobody_can_change_or_delete_an_event_in_the_admin(client_admin, trail):
    event = AuditEvent.objects.first()
    assert client_admin.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    view = client_admin.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert view.status_code == 200
    assert b'name="summary"' not in view.content  # shown, not editable
    assert (
        client_admin.post(
            reverse("admin:audit_auditevent_change", args=[event.pk]), {"summary": "x"}
        ).status_code
        == 403
    )
    assert (
        client_admin.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client_admin.get(reverse("admin:audit_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.summary != "x"


def test_an_event_is_never_changed_or_deleted_in_code(trail):
    event = AuditEvent.objects.first()
    event.summary = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()
