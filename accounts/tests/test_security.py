"""Sign-in lock-out, session expiry, password rules and signing out everywhere on
deactivation (docs/security.md, "Sign-in" and "Sessions and deactivation")."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ApiToken, Role, User
from accounts.tests.factories import UserFactory
from accounts.tokens import token_create
from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db

HK = ZoneInfo("Asia/Hong_Kong")
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=HK)  # a Tuesday morning
PASSWORD = "a-long-passphrase-2026"
LOGIN = reverse("accounts:login")


@pytest.fixture
def person(office_a):
    user = UserFactory(username="ho.kin", role=Role.OFFICE_STAFF, office=office_a)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, username, password, address="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# --- lock-out ---------------------------------------------------------------------------


def test_five_failures_lock_the_username_from_that_address_even_with_the_right_password(
    client, person, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "ho.kin", "wrong").status_code == 400
    locked = _sign_in(client, "ho.kin", "wrong")
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.text
    assert "30 minutes" in locked.text

    refused = _sign_in(client, "ho.kin", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked: guessing from one place cannot lock a colleague out.
    assert _sign_in(client, "ho.kin", PASSWORD, address="10.0.0.8").status_code == 302

    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(Kind.LOGIN_FAILED) >= settings.AXES_FAILURE_LIMIT
    # Recorded when the limit is reached, and again for each attempt refused after it.
    locked_out = AuditEvent.objects.filter(kind=Kind.LOCKED_OUT).earliest("pk")
    assert (locked_out.subject_username, locked_out.ip_address) == ("ho.kin", "10.0.0.7")


@pytest.mark.frozen_at(START)
def test_a_lock_out_ends_by_itself_after_the_cool_off(client, person, settings, frozen):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ho.kin", "wrong")
    assert _sign_in(client, "ho.kin", PASSWORD).status_code == 429
    frozen.move_to(START + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
    assert _sign_in(client, "ho.kin", PASSWORD).status_code == 302


def test_an_admin_sees_the_lock_out_and_lifts_it(client, person, bureau_admin, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ho.kin", "wrong")
    attempt = AccessAttempt.objects.get(username="ho.kin")

    admin = client.__class__()
    admin.force_login(bureau_admin)
    page = admin.get(reverse("audit:lockouts"))
    assert page.status_code == 200
    assert "ho.kin" in page.text and "10.0.0.7" in page.text
    lift_url = reverse("audit:lockout_lift", args=[attempt.pk])
    confirm = admin.get(lift_url)
    assert "Let ho.kin sign in again?" in confirm.text
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()  # a GET changes nothing

    response = admin.post(lift_url)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="ho.kin").exists()
    assert "Nobody is locked out." in admin.get(reverse("audit:lockouts")).text
    lifted = AuditEvent.objects.get(kind=Kind.LOCKOUT_LIFTED)
    assert (lifted.actor_username, lifted.subject_username) == ("admin", "ho.kin")

    assert _sign_in(client, "ho.kin", PASSWORD).status_code == 302


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "bureau_viewer"])
def test_only_bureau_admins_see_and_lift_lock_outs(client, person, persona, request, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ho.kin", "wrong")
    attempt = AccessAttempt.objects.get()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("audit:lockouts")).status_code == 403
    assert client.post(reverse("audit:lockout_lift", args=[attempt.pk])).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_successful_sign_in_clears_earlier_failures(client, person, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "ho.kin", "wrong")
    assert _sign_in(client, "ho.kin", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert _sign_in(client, "ho.kin", "wrong").status_code == 400  # counting starts again
    assert _sign_in(client, "ho.kin", PASSWORD).status_code == 302


# --- passwords --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "1234567890123", "ho.kin.2026"],
    ids=["too short", "common", "all digits", "like the username"],
)
def test_weak_passwords_are_refused(person, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=person)


def test_the_admin_refuses_a_weak_password_for_a_new_user(client_admin):
    response = client_admin.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.person",
            "password1": "12345678",
            "password2": "12345678",
            "usable_password": "true",
            "email": "new.person@example.gov.hk",
            "role": Role.BUREAU_VIEWER,
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "This password is too short" in response.text
    assert not User.objects.filter(username="new.person").exists()


# --- sessions ---------------------------------------------------------------------------


@pytest.mark.frozen_at(START)
def test_a_session_ends_after_an_hour_without_a_request(client, person, frozen):
    home = reverse("activities:list")
    assert _sign_in(client, "ho.kin", PASSWORD).status_code == 302
    frozen.move_to(START + dt.timedelta(minutes=50))
    assert client.get(home).status_code == 200  # each request starts the hour again
    frozen.move_to(START + dt.timedelta(minutes=100))
    assert client.get(home).status_code == 200
    frozen.move_to(START + dt.timedelta(minutes=161))
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_deactivating_a_user_signs_them_out_everywhere_and_revokes_their_tokens(
    client, person, bureau_admin
):
    browser = client.__class__()
    assert _sign_in(browser, "ho.kin", PASSWORD).status_code == 302
    other_browser = client.__class__()
    other_browser.force_login(person)
    _token, raw = token_create(user=person, name="script")
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/activities/").status_code == 200

    admin = client.__class__()
    admin.force_login(bureau_admin)
    change = admin.get(reverse("admin:accounts_user_change", args=[person.pk]))
    # The change form as the admin sees it, with "Active" unticked.
    skipped = {"password", "groups", "user_permissions", "is_active", "last_login", "date_joined"}
    data = {
        key: value
        for key, value in change.context["adminform"].form.initial.items()
        if value is not None and key not in skipped
    }
    data.update(office=person.office_id, date_joined_0="2026-01-01", date_joined_1="09:00:00")
    response = admin.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert not person.is_active

    home = reverse("activities:list")
    assert browser.get(home).status_code == 302
    assert other_browser.get(home).status_code == 302
    assert api.get("/api/v1/activities/").status_code == 401
    assert not ApiToken.objects.usable().filter(user=person).exists()

    # Reactivated, the old sessions and tokens stay ended: the person signs in afresh.
    person.is_active = True
    person.save()
    assert browser.get(home).status_code == 302
    assert api.get("/api/v1/activities/").status_code == 401
    assert _sign_in(browser, "ho.kin", PASSWORD).status_code == 302
    assert browser.get(home).status_code == 200

    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {Kind.USER_DEACTIVATED, Kind.USER_REACTIVATED, Kind.TOKEN_CREATED} <= kinds
    deactivated = AuditEvent.objects.get(kind=Kind.USER_DEACTIVATED)
    assert (deactivated.actor_username, deactivated.subject_username) == ("admin", "ho.kin")
    assert deactivated.details["tokens_revoked"] == 1


def test_saving_a_user_for_other_reasons_keeps_them_signed_in(client, person):
    client.force_login(person)
    person.language = "zh-hant"
    person.save(update_fields=["language"])
    person.first_name = "Kin"
    person.save()
    assert client.get(reverse("activities:list")).status_code == 200


def test_the_lock_outs_page_query_count_does_not_grow(
    client, person, bureau_admin, settings, django_assert_num_queries
):
    admin = client.__class__()
    admin.force_login(bureau_admin)
    url = reverse("audit:lockouts")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ho.kin", "wrong")
    # session, user, the lock-outs in force, session save (savepoint, update, release)
    with django_assert_num_queries(6):
        assert admin.get(url).status_code == 200
    for address in ("10.0.0.8", "10.0.0.9"):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, "ho.kin", "wrong", address=address)
    with django_assert_num_queries(6):
        assert admin.get(url).text.count("Lift the lock-out of ho.kin") == 3
