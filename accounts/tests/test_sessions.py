"""A person's sessions: listed with browser, address and times, kept to the minute without
a query per request, and the others ended on request (docs/security.md, "Sessions and
deactivation")."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, UserSession
from accounts.sessions import describe_user_agent
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db

HK = ZoneInfo("Asia/Hong_Kong")
PASSWORD = "a-long-passphrase-2026"
LOGIN = reverse("accounts:login")
PAGE = reverse("activities:list")
SESSIONS = reverse("accounts:sessions")
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def person(office_a):
    user = UserFactory(username="ho.kin", role=Role.OFFICE_STAFF, office=office_a)
    user.set_password(PASSWORD)
    user.save()
    return user


def _browser(client_class, *, agent=CHROME_WINDOWS, address="10.0.0.7"):
    browser = client_class(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = browser.post(LOGIN, {"username": "ho.kin", "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _signed_out(browser) -> bool:
    response = browser.get(PAGE)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_sessions_page_lists_each_session_the_current_one_marked(client, person):
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=HK)
    with time_machine.travel(start, tick=False):
        phone = _browser(client.__class__, agent=SAFARI_IPHONE, address="10.0.0.8")
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        desk = _browser(client.__class__)
        page = desk.get(SESSIONS)
        assert phone.get(PAGE).status_code == 200  # both signed in at once

    assert page.status_code == 200
    rows = page.context["sessions"]
    assert [(row.device, row.ip_address, row.current) for row in rows] == [
        ("Chrome on Windows", "10.0.0.7", True),
        ("Safari on iPhone", "10.0.0.8", False),
    ]
    assert "This session" in page.text
    assert "2026-11-24 09:00" in page.text  # the phone's sign-in and last activity
    assert reverse("accounts:sessions_end") in page.text


def test_last_activity_is_written_at_most_once_a_minute(client, person):
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=HK)
    with time_machine.travel(start, tick=False):
        browser = _browser(client.__class__)
    row = UserSession.objects.get(user=person)
    assert row.last_seen_at == start

    def touches(at) -> list[str]:
        with (
            time_machine.travel(at, tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert browser.get(PAGE).status_code == 200
        return [q["sql"] for q in queries.captured_queries if "accounts_usersession" in q["sql"]]

    assert touches(start + dt.timedelta(seconds=59)) == []
    assert len(touches(start + dt.timedelta(seconds=61))) == 1
    row.refresh_from_db()
    assert row.last_seen_at == start + dt.timedelta(seconds=61)
    assert touches(start + dt.timedelta(seconds=90)) == []


def test_a_session_from_before_the_rows_were_kept_gets_one(client, person):
    browser = _browser(client.__class__)
    UserSession.objects.all().delete()
    session = browser.session
    del session["kpi_last_seen"]
    session.save()
    assert browser.get(PAGE).status_code == 200
    assert UserSession.objects.get(user=person).session_key == browser.session.session_key


def test_expired_and_other_peoples_sessions_are_not_listed(client, person, staff_b):
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=HK)
    with time_machine.travel(start, tick=False):
        _browser(client.__class__, address="10.0.0.9")  # left alone: expires after an hour
    other = client.__class__()
    other.force_login(staff_b)
    with time_machine.travel(start + dt.timedelta(minutes=70), tick=False):
        here = _browser(client.__class__)
        rows = here.get(SESSIONS).context["sessions"]
    assert [row.ip_address for row in rows] == ["10.0.0.7"]


def test_signing_out_removes_the_session_from_the_list(client, person):
    browser = _browser(client.__class__)
    assert UserSession.objects.filter(user=person).count() == 1
    browser.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=person).exists()


def test_ending_the_other_sessions_signs_them_out_and_keeps_this_one(client, person, staff_b):
    here = _browser(client.__class__)
    phone = _browser(client.__class__, agent=SAFARI_IPHONE, address="10.0.0.8")
    laptop = _browser(client.__class__, address="10.0.0.9")
    colleague = client.__class__()
    colleague.force_login(staff_b)

    confirm = here.get(reverse("accounts:sessions_end"))
    assert confirm.status_code == 200
    assert "Safari on iPhone" in confirm.text and "10.0.0.9" in confirm.text
    assert UserSession.objects.filter(user=person).count() == 3  # asking ends nothing

    response = here.post(reverse("accounts:sessions_end"), follow=True)

    assert response.redirect_chain[-1][0] == SESSIONS
    assert "2 other sessions were signed out." in response.text
    assert _signed_out(phone) and _signed_out(laptop)
    assert here.get(PAGE).status_code == 200
    assert colleague.get(PAGE).status_code == 200
    assert [row.current for row in response.context["sessions"]] == [True]
    event = AuditEvent.objects.get(kind=Kind.SESSIONS_ENDED)
    assert (event.actor_username, event.details) == ("ho.kin", {"ended": 2})
    assert event.ip_address == "10.0.0.7"


def test_the_address_is_the_clients_behind_a_trusted_proxy(client, person, settings):
    settings.KPI_TRUSTED_PROXIES = ["10.0.0.1"]
    browser = client.__class__(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7")
    browser.post(LOGIN, {"username": "ho.kin", "password": PASSWORD})
    assert UserSession.objects.get(user=person).ip_address == "192.0.2.7"


def test_the_sessions_pages_need_a_sign_in(client):
    for url in (SESSIONS, reverse("accounts:sessions_end")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.post(reverse("accounts:sessions_end")).status_code == 302
    assert not AuditEvent.objects.filter(kind=Kind.SESSIONS_ENDED).exists()


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_a_browser_is_described_in_a_persons_words(agent, described):
    assert describe_user_agent(agent) == described


def test_deactivating_the_person_ends_and_unlists_every_session(client, person, bureau_admin):
    browser = _browser(client.__class__)
    person.is_active = False
    person.save()
    assert not UserSession.objects.filter(user=person).exists()
    assert _signed_out(browser)


def test_the_sessions_page_query_count_does_not_grow_with_sessions(client, person):
    """However many sessions the person has, the page reads them in the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    desk = _browser(client.__class__)
    desk.get(SESSIONS)  # the first request after signing in writes the last activity
    with CaptureQueriesContext(connection) as one:
        assert desk.get(SESSIONS).status_code == 200
    for number in range(4):
        _browser(client.__class__, address=f"10.0.1.{number}")
    with CaptureQueriesContext(connection) as five:
        assert len(desk.get(SESSIONS).context["sessions"]) == 5
    assert len(five) == len(one)
