"""Two-step sign-in (docs/security.md, "Two-step sign-in"): enrolling with a QR code,
the code after the password, recovery codes, the lock-out counting wrong codes, turning it
off, and bureau admins required to use it where KPI_REQUIRE_2FA_FOR_ADMINS is on."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.tests.factories import UserFactory
from accounts.twofactor import ENROL_KEY
from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db

HK = ZoneInfo("Asia/Hong_Kong")
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=HK)
PASSWORD = "a-long-passphrase-2026"
LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
PAGE = reverse("activities:list")
ENROL = reverse("accounts:two_factor_enrol")
RECOVERY = ["abcd2345", "efgh6723"]


def code_of(device: TOTPDevice) -> str:
    """What the person's app shows now (time_machine moves the clock)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def person(office_a):
    user = UserFactory(username="ho.kin", role=Role.OFFICE_STAFF, office=office_a)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def authenticator(person):
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    for token in RECOVERY:
        StaticToken.objects.create(device=recovery, token=token)
    return device


def _password(client, username="ho.kin", password=PASSWORD, address="10.0.0.7", **query):
    url = LOGIN + (f"?next={query['next']}" if query else "")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _code(client, code, address="10.0.0.7"):
    return client.post(CODE, {"code": code}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return client.get(PAGE).status_code == 200


# --- turning it on --------------------------------------------------------------------------


def test_enrolling_shows_a_qr_code_and_the_key_and_confirms_with_a_code(client, person):
    client.force_login(person)
    with time_machine.travel(START, tick=False):
        page = client.get(ENROL)
        assert page.status_code == 200
        assert "<svg" in page.text and 'class="segno"' in page.text  # drawn in the page
        key = client.session[ENROL_KEY]
        secret = page.context["enrolment"].secret
        assert secret.replace(" ", "") in page.context["enrolment"].url
        assert secret in page.text
        assert not TOTPDevice.objects.exists()  # nothing saved before it is confirmed
        assert client.get(ENROL).context["enrolment"].key == key  # the same key on reload

        wrong = client.post(ENROL, {"code": "123456"})
        assert wrong.status_code == 400
        assert "This code does not match" in wrong.text
        assert not TOTPDevice.objects.exists()

        device = TOTPDevice(key=key)
        done = client.post(ENROL, {"code": code_of(device)})
        assert DEVICE_ID_SESSION_KEY in client.session  # this session counts as verified
        assert ENROL_KEY not in client.session
        # Once on, the enrolment page sends to the security page.
        assert client.get(ENROL)["Location"] == reverse("accounts:security")

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4} [a-z2-7]{4}", c) for c in codes)
    assert all(code in done.text for code in codes)
    assert TOTPDevice.objects.get(user=person).confirmed
    assert StaticToken.objects.filter(device__user=person).count() == 10
    event = AuditEvent.objects.get(kind=Kind.TWO_FACTOR_ENABLED)
    assert (event.actor_username, event.subject_username) == ("ho.kin", "ho.kin")


# --- signing in -----------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, person, authenticator):
    with time_machine.travel(START, tick=False):
        response = _password(client, next="/counterparts/")
        assert response.status_code == 302 and response["Location"] == CODE
        assert not _signed_in(client)  # not yet
        page = client.get(CODE)
        assert page.status_code == 200
        assert "Signing in as ho.kin" in page.text
        assert not AuditEvent.objects.filter(kind=Kind.LOGIN).exists()

        response = _code(client, code_of(authenticator))

        assert response.status_code == 302 and response["Location"] == "/counterparts/"
        assert _signed_in(client)
        assert client.session[DEVICE_ID_SESSION_KEY] == authenticator.persistent_id
    assert AuditEvent.objects.filter(kind=Kind.LOGIN, actor_username="ho.kin").count() == 1


def test_a_code_is_accepted_once(client, person, authenticator):
    with time_machine.travel(START, tick=False):
        _password(client)
        code = code_of(authenticator)
        assert _code(client, code).status_code == 302
        client.post(reverse("accounts:logout"))
    with time_machine.travel(START + dt.timedelta(seconds=5), tick=False):
        _password(client)
        replay = _code(client, code)
    assert replay.status_code == 400
    assert "This code is not right" in replay.text


def test_a_recovery_code_works_once(client, person, authenticator):
    with time_machine.travel(START, tick=False):
        _password(client)
        response = _code(client, "ABCD-2345")  # as typed from paper
        assert response.status_code == 302
        assert _signed_in(client)
        client.post(reverse("accounts:logout"))
    event = AuditEvent.objects.get(kind=Kind.RECOVERY_CODE_USED)
    assert event.details == {"left": 1}
    assert event.summary == "ho.kin: 1 recovery code(s) left"
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        _password(client)
        again = _code(client, "abcd2345")
    assert again.status_code == 400
    assert not _signed_in(client)


def test_wrong_codes_count_towards_the_lock_out(client, person, authenticator, settings):
    """Five wrong codes in a row lock the username out from that address, as five wrong
    passwords do; the device's own wait (1, 2, 4, 8 seconds) is let pass between them."""
    at = START
    with time_machine.travel(at, tick=False):
        assert _password(client).status_code == 302
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        at += dt.timedelta(seconds=20)
        with time_machine.travel(at, tick=False):
            response = _code(client, "000000" if code_of(authenticator) != "000000" else "111111")
        if attempt < settings.AXES_FAILURE_LIMIT - 1:
            assert response.status_code == 400, attempt
    assert response.status_code == 429
    assert "Sign-in locked" in response.text
    assert AccessAttempt.objects.get(username="ho.kin").failures_since_start == 5
    failed = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED)
    assert failed.count() == 5
    assert failed.first().details == {"step": "code"}
    assert AuditEvent.objects.filter(kind=Kind.LOCKED_OUT, subject_username="ho.kin").exists()

    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        assert client.get(CODE)["Location"].startswith(LOGIN)  # the sign-in under way is gone
        assert _password(client).status_code == 429  # the right password is refused too
    assert not _signed_in(client)


def test_the_device_makes_a_quick_retry_wait_without_counting_it(client, person, authenticator):
    with time_machine.travel(START, tick=False):
        _password(client)
        assert (
            _code(client, "000000" if code_of(authenticator) != "000000" else "111111").status_code
            == 400
        )
        hurried = _code(client, code_of(authenticator))
    assert hurried.status_code == 429
    assert "Too many wrong codes: wait 1 second" in hurried.text
    assert AccessAttempt.objects.get(username="ho.kin").failures_since_start == 1
    with time_machine.travel(START + dt.timedelta(seconds=2), tick=False):
        assert _code(client, code_of(authenticator)).status_code == 302
    assert not AccessAttempt.objects.filter(username="ho.kin").exists()  # reset on success


def test_the_code_must_follow_the_password_within_five_minutes(client, person, authenticator):
    with time_machine.travel(START, tick=False):
        _password(client)
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        response = _code(client, code_of(authenticator))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert not _signed_in(client)


def test_the_code_page_without_a_password_first_is_the_sign_in_page(client, person, authenticator):
    assert client.get(CODE)["Location"].startswith(LOGIN)
    assert client.post(CODE, {"code": "123456"})["Location"].startswith(LOGIN)
    assert not AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).exists()


def test_a_malformed_code_is_refused_without_counting(client, person, authenticator):
    with time_machine.travel(START, tick=False):
        _password(client)
        for body in ({"code": ""}, {"code": "x" * 1000}, {}):
            assert client.post(CODE, body).status_code == 400
    assert not AccessAttempt.objects.exists()


def test_the_admins_own_sign_in_page_refuses_an_account_with_two_step_sign_in(client, bureau_admin):
    bureau_admin.set_password(PASSWORD)
    bureau_admin.save()
    TOTPDevice.objects.create(user=bureau_admin, confirmed=True)
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "This account uses two-step sign-in" in response.text
    assert "_auth_user_id" not in client.session


# --- recovery codes and turning it off ------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client, person, authenticator):
    client.force_login(person)
    page = client.get(reverse("accounts:recovery_codes"))
    assert "You have 2 recovery codes left." in page.text
    response = client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 200
    codes = [code.replace(" ", "") for code in response.context["codes"]]
    assert len(codes) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    assert AuditEvent.objects.filter(kind=Kind.RECOVERY_CODES_REPLACED).count() == 1

    signing_in = client.__class__()
    with time_machine.travel(START, tick=False):
        _password(signing_in)
        assert _code(signing_in, RECOVERY[0]).status_code == 400
    with time_machine.travel(START + dt.timedelta(seconds=5), tick=False):
        assert _code(signing_in, codes[0]).status_code == 302


def test_turning_it_off_needs_the_password(client, person, authenticator):
    client.force_login(person)
    url = reverse("accounts:two_factor_disable")
    assert client.get(url).status_code == 200
    refused = client.post(url, {"password": "wrong"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=person).exists()

    response = client.post(url, {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticToken.objects.filter(device__user=person).exists()
    event = AuditEvent.objects.get(kind=Kind.TWO_FACTOR_DISABLED)
    assert (event.actor_username, event.subject_username) == ("ho.kin", "ho.kin")
    signing_in = client.__class__()
    assert _password(signing_in)["Location"] == "/"  # the password alone again


def test_an_admin_deleting_a_lost_phones_device_is_on_the_audit_trail(
    client_admin, person, authenticator
):
    url = reverse("admin:otp_totp_totpdevice_delete", args=[authenticator.pk])
    response = client_admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    event = AuditEvent.objects.get(kind=Kind.TWO_FACTOR_DISABLED)
    assert (event.actor_username, event.subject_username) == ("admin", "ho.kin")
    # The admin never shows the key or its QR code.
    config = reverse("admin:otp_totp_totpdevice_config", args=[authenticator.pk])
    assert client_admin.get(config).status_code == 403


# --- bureau admins must use it where the setting is on --------------------------------------


@pytest.fixture
def required(settings):
    settings.KPI_REQUIRE_2FA_FOR_ADMINS = True


@pytest.fixture
def admin_person(db):
    user = UserFactory(username="chan.admin", role=Role.BUREAU_ADMIN)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_bureau_admin_without_it_is_sent_to_enrol_before_anything_else(
    client, admin_person, required
):
    with time_machine.travel(START, tick=False):
        assert _password(client, "chan.admin")["Location"] == "/"
        for url in ("/", reverse("reports:bureau"), PAGE, reverse("audit:events")):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == ENROL, url
        api = client.get("/api/v1/activities/")
        assert api.status_code == 403
        assert "two-step sign-in" in api.json()["detail"]
        page = client.get(ENROL)
        assert page.status_code == 200
        assert "Bureau admins must use two-step sign-in" in page.text
        device = TOTPDevice(key=client.session[ENROL_KEY])
        assert client.post(ENROL, {"code": code_of(device)}).status_code == 200
        assert client.get(reverse("reports:bureau")).status_code == 200
        # Signing out stays possible all along.
        assert client.post(reverse("accounts:logout")).status_code == 302


def test_a_bureau_admin_with_it_signs_in_with_the_code(client, admin_person, required):
    device = TOTPDevice.objects.create(user=admin_person, confirmed=True)
    with time_machine.travel(START, tick=False):
        assert _password(client, "chan.admin")["Location"] == CODE
        assert _code(client, code_of(device)).status_code == 302
        assert client.get(reverse("reports:bureau")).status_code == 200


def test_a_session_of_a_bureau_admin_without_the_code_is_signed_out(client, admin_person, required):
    """A session signed in before the setting was on (here: without the sign-in page)."""
    TOTPDevice.objects.create(user=admin_person, confirmed=True)
    client.force_login(admin_person)
    response = client.get(reverse("reports:bureau"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_others_are_not_asked_to_enrol(client_staff_a, client, bureau_viewer, required):
    assert client_staff_a.get(PAGE).status_code == 200
    viewer = client.__class__()
    viewer.force_login(bureau_viewer)
    assert viewer.get(reverse("reports:bureau")).status_code == 200


def test_off_by_default_outside_production(client, admin_person, settings):
    assert settings.KPI_REQUIRE_2FA_FOR_ADMINS is False
    client.force_login(admin_person)
    assert client.get(reverse("reports:bureau")).status_code == 200
