"""Changing one's own password and setting a new one by e-mail (docs/security.md,
"Passwords"): the other sessions end, the e-mail is in the person's language, and both are
on the audit trail."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, UserSession
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db

HK = ZoneInfo("Asia/Hong_Kong")
PASSWORD = "a-long-passphrase-2026"
NEW_PASSWORD = "another-passphrase-2027"
LOGIN = reverse("accounts:login")
PAGE = reverse("activities:list")


@pytest.fixture
def person(office_a):
    user = UserFactory(
        username="ho.kin", role=Role.OFFICE_STAFF, office=office_a, email="ho.kin@example.gov.hk"
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def _signed_in(client_class, username="ho.kin", password=PASSWORD, address="10.0.0.7"):
    browser = client_class()
    response = browser.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )
    assert response.status_code == 302, response.status_code
    return browser


def _signed_out(browser) -> bool:
    response = browser.get(PAGE)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- changing one's own password ------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_signs_out_the_others(client, person):
    here = _signed_in(client.__class__)
    elsewhere = _signed_in(client.__class__, address="10.0.0.8")
    assert UserSession.objects.filter(user=person).count() == 2

    page = here.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert "Current password" in page.text
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:password_change_done")
    assert "1 other session was signed out." in response.text
    assert here.get(PAGE).status_code == 200
    assert _signed_out(elsewhere)
    # The Sessions page lists this session only, under the key Django gave it.
    assert list(UserSession.objects.filter(user=person).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert person.session_epoch == 0  # the password alone changed the session hash
    event = AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGED).latest("pk")
    assert (event.actor_username, event.subject_username) == ("ho.kin", "ho.kin")
    assert event.details == {"how": "changed"}


def test_a_wrong_current_password_changes_nothing(client, person):
    here = _signed_in(client.__class__)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(
        kind=Kind.PASSWORD_CHANGED, actor_username="ho.kin"
    ).exists()


def test_a_weak_new_password_is_refused(client, person):
    here = _signed_in(client.__class__)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "1234567890", "new_password2": "1234567890"},
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_user_menu_leads_to_the_password_and_the_sessions(client_staff_a):
    menu = client_staff_a.get(PAGE).text
    assert reverse("accounts:security") in menu
    page = client_staff_a.get(reverse("accounts:security")).text
    assert reverse("accounts:password_change") in page
    assert reverse("accounts:sessions") in page
    assert reverse("accounts:two_factor_enrol") in page


# --- a new password by e-mail ---------------------------------------------------------------


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(client, person):
    signed_in_elsewhere = _signed_in(client.__class__, address="10.0.0.8")
    sign_in_page = client.get(LOGIN).text
    assert reverse("accounts:password_reset") in sign_in_page
    assert "Forgot your password?" in sign_in_page

    response = client.post(reverse("accounts:password_reset"), {"email": "HO.KIN@example.gov.hk"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ho.kin@example.gov.hk"]
    assert message.subject == "KPI Tracker: set a new password"
    assert "ho.kin" in message.body

    link = _link(message)
    opened = client.get(link)
    assert opened.status_code == 302  # the token moves to the session, out of the address
    form = client.get(opened["Location"])
    assert form.status_code == 200
    assert "Set a new password" in form.text
    done = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")

    assert _signed_out(signed_in_elsewhere)
    assert not UserSession.objects.filter(user=person).exists()
    event = AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGED).latest("pk")
    assert event.summary == "ho.kin (reset by e-mail)"
    assert event.details == {"how": "reset by e-mail"}
    _signed_in(client.__class__, password=NEW_PASSWORD)
    # The link works once.
    again = client.__class__().get(link)
    assert again.status_code == 200
    assert "This link does not work" in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client, person):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.gov.hk"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_e_mail_is_in_the_persons_language_and_links_to_the_site(client, person, settings):
    settings.KPI_SITE_URL = "https://kpi.cmab.gov.hk"
    person.language = "zh-hant"
    person.save(update_fields=["language"])

    client.post(reverse("accounts:password_reset"), {"email": "ho.kin@example.gov.hk"})

    message = mail.outbox[0]
    with translation.override("zh-hant"):
        subject = translation.gettext("KPI Tracker: set a new password")
    assert subject != "KPI Tracker: set a new password"
    assert message.subject == subject
    assert "https://kpi.cmab.gov.hk/accounts/password/reset/" in message.body


def test_a_mismatched_new_password_is_refused_and_the_link_still_works(client, person):
    client.post(reverse("accounts:password_reset"), {"email": "ho.kin@example.gov.hk"})
    form_url = client.get(_link(mail.outbox[0]))["Location"]
    refused = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert refused.status_code == 400
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert client.get(form_url).status_code == 200


def test_a_password_sent_to_a_broken_link_is_refused(client, person):
    response = client.post(
        reverse("accounts:password_reset_confirm", args=["Mg", "not-a-token"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "This link does not work" in response.text
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_at_most_three_reset_e_mails_an_hour_go_to_an_account(client, person):
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=HK)
    for minutes in range(4):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            response = client.post(
                reverse("accounts:password_reset"), {"email": "ho.kin@example.gov.hk"}
            )
        assert response["Location"] == reverse("accounts:password_reset_done")  # the same answer
    assert len(mail.outbox) == 3
    asked = AuditEvent.objects.filter(kind=Kind.PASSWORD_RESET_REQUESTED).order_by("pk")
    assert [event.details["sent"] for event in asked] == [True, True, True, False]
    assert asked.last().summary == "ho.kin: not e-mailed, 3 this hour"
    assert asked.first().subject_username == "ho.kin"
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        client.post(reverse("accounts:password_reset"), {"email": "ho.kin@example.gov.hk"})
    assert len(mail.outbox) == 4
