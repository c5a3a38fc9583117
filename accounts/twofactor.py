"""Two-step sign-in: a code from an authenticator app (TOTP, django-otp) after the
password, and one-time recovery codes for the day the phone is lost (docs/security.md,
"Two-step sign-in").

A person's authenticator is a confirmed `TOTPDevice`; their recovery codes are the tokens
of their `StaticDevice`, each deleted when used. A key being enrolled stays in the session
until a code from it is confirmed, so no half-enrolled device is ever saved.

Wrong codes count towards the sign-in lock-out (django-axes, the same limit as wrong
passwords: accounts/views/signin.py) and, per device, towards django-otp's own growing
wait (1, 2, 4... seconds) whatever the address.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from audit.models import Kind
from audit.services import record

from .models import User

# The sender of the `user_login_failed` signal for a wrong code at sign-in.
CODE_STEP = "accounts.two_factor"
DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# In the session: the key being enrolled (hex), until a code from it is confirmed.
ENROL_KEY = "kpi_2fa_enrol_key"
_NOT_CODE = re.compile(r"[\s-]+")


def normalise_code(code: str) -> str:
    """A code as typed: spaces and hyphens out (apps show "123 456", the page shows
    recovery codes in two halves), lower case."""
    return _NOT_CODE.sub("", code or "").lower()


def authenticator_of(user: User) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_verified(request: HttpRequest) -> bool:
    """Whether this session was signed in, or stepped up, with a second factor."""
    return DEVICE_ID_SESSION_KEY in request.session


# --- enrolling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """A key being enrolled, as the page shows it: a QR code of the otpauth:// URL, and
    the same key as text for an app that cannot scan."""

    key: str  # hex, as django-otp stores it
    url: str

    @property
    def secret(self) -> str:
        """The key in base32, as apps ask for it when typed, in groups of four."""
        raw = base64.b32encode(binascii.unhexlify(self.key)).decode()
        return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))

    def qr_svg(self) -> SafeString:
        """The QR code as an inline SVG element: drawn by us, no image request, no script
        (the Content Security Policy allows neither from elsewhere)."""
        svg = segno.make(self.url, error="m").svg_inline(
            scale=5, dark="#000", light="#fff", omitsize=False
        )
        return mark_safe(svg)  # noqa: S308 (segno's own SVG of a URL we built)


def enrolment_for(request: HttpRequest) -> Enrolment:
    """The key to enrol, made once per session until confirmed or cancelled."""
    key = request.session.get(ENROL_KEY)
    if not key:
        key = random_hex(20)
        request.session[ENROL_KEY] = key
    device = TOTPDevice(user=request.user, key=key, name=DEVICE_NAME)
    return Enrolment(key=key, url=device.config_url)


def _totp_matches(key: str, code: str) -> int | None:
    """The time step a code from this key matches (one step of clock drift either way),
    or None."""
    if not code.isdigit():
        return None
    device = TOTPDevice(key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.verify(int(code), tolerance=device.tolerance):
        return totp.t()
    return None


@transaction.atomic
def enrolment_confirm(*, request: HttpRequest, code: str) -> list[str] | None:
    """Turn two-step sign-in on with the session's key, if `code` comes from it: the
    device is saved confirmed, the session counts as verified, and the first recovery
    codes are returned (to be shown once). None if the code does not match."""
    user = request.user
    key = request.session.get(ENROL_KEY)
    step = _totp_matches(key, normalise_code(code)) if key else None
    if step is None:
        return None
    devices_delete(user)
    device = TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=step
    )
    del request.session[ENROL_KEY]
    otp_login(request, device)
    record(
        Kind.TWO_FACTOR_ENABLED,
        user.get_username(),
        request=request,
        actor=user,
        subject=user,
        office=user.office,
    )
    return _recovery_codes_new(user)


# --- recovery codes -------------------------------------------------------------------------


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, request: HttpRequest) -> list[str]:
    """New recovery codes; the old ones stop working. Only with two-step sign-in on."""
    user = request.user
    if not has_two_factor(user):
        raise ValueError("Two-step sign-in is off: there are no recovery codes to replace.")
    codes = _recovery_codes_new(user)
    record(
        Kind.RECOVERY_CODES_REPLACED,
        user.get_username(),
        request=request,
        actor=user,
        subject=user,
        office=user.office,
    )
    return codes


def show_code(code: str) -> str:
    """A recovery code in two halves, easier to copy by hand: "abcd efgh"."""
    return f"{code[:4]} {code[4:]}"


# --- turning it off -------------------------------------------------------------------------


def password_matches(user: User, password: str) -> bool:
    return bool(password) and check_password(password, user.password)


@transaction.atomic
def two_factor_disable(*, request: HttpRequest) -> None:
    """Turn two-step sign-in off: the authenticator and the recovery codes are deleted
    (on the audit trail by accounts/signals.py, as when a bureau admin deletes a lost
    phone's device in the admin); the session no longer counts as verified."""
    user = request.user
    devices_delete(user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(ENROL_KEY, None)


def devices_delete(user: User) -> None:
    for device in TOTPDevice.objects.filter(user=user):
        device.delete()  # one by one: the signal records each
    StaticDevice.objects.filter(user=user).delete()


# --- signing in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """What a code typed at sign-in did: the device that accepted it (None if refused),
    whether it was a recovery code, and, when django-otp makes the person wait after
    wrong codes, how many seconds."""

    device: TOTPDevice | StaticDevice | None
    recovery: bool = False
    wait_seconds: int = 0


@transaction.atomic
def code_check(*, user: User, code: str) -> CodeCheck:
    """A code from the authenticator (digits) or a recovery code (letters and digits),
    each accepted once. A wrong one counts towards the device's growing wait."""
    code = normalise_code(code)
    recovery = not code.isdigit()
    model = StaticDevice if recovery else TOTPDevice
    device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        # A recovery code typed by someone who has none left (or digits by someone with
        # recovery codes only): the authenticator's throttle counts it.
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return CodeCheck(device=None)
        recovery = False
    allowed, why = device.verify_is_allowed()
    if not allowed:
        until = (why or {}).get("locked_until")
        wait = math.ceil((until - timezone.now()).total_seconds()) if until else 1
        return CodeCheck(device=None, wait_seconds=max(wait, 1))
    if device.verify_token(code):
        return CodeCheck(device=device, recovery=recovery)
    return CodeCheck(device=None)


def signed_in_with(request: HttpRequest, check: CodeCheck) -> None:
    """After `login()`: the session is verified; a recovery code used is on the audit
    trail, with how many are left."""
    otp_login(request, check.device)
    if check.recovery:
        user = request.user
        left = recovery_codes_left(user)
        record(
            Kind.RECOVERY_CODE_USED,
            f"{user.get_username()}: {left} recovery code(s) left",
            request=request,
            actor=user,
            subject=user,
            office=user.office,
            details={"left": left},
        )


def required_for(user: User) -> bool:
    """Whether the person must use two-step sign-in before anything else: bureau admins,
    where KPI_REQUIRE_2FA_FOR_ADMINS is on (production)."""
    return settings.KPI_REQUIRE_2FA_FOR_ADMINS and user.is_bureau_admin
