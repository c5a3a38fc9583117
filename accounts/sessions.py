"""A person's signed-in sessions: recorded at sign-in, their last activity kept to the
minute, listed on the person's Sessions page, and ended (docs/security.md, "Sessions and
deactivation").

The session itself lives in Django's session store; `UserSession` says whose it is, from
which browser and address. Its last activity is written at most once a minute, and the
time of that write is kept in the session itself, so a request costs no query of its own:
the session is read and saved on every request anyway (SESSION_SAVE_EVERY_REQUEST).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Kind
from audit.services import record
from common.http import client_address

from .models import User, UserSession

# In the session: when its row's last activity was last written (seconds since the epoch).
LAST_SEEN_KEY = "kpi_last_seen"
TOUCH_EVERY_SECONDS = 60
USER_AGENT_MAX = UserSession._meta.get_field("user_agent").max_length


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


def session_started(request: HttpRequest, user: User) -> None:
    """A sign-in: the session's row (called by the `user_logged_in` receiver)."""
    session = request.session
    if session.session_key is None:  # a session flushed by the sign-in of another person
        session.save()
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": _user_agent(request),
            "ip_address": client_address(request),
            "signed_in_at": now,
            "last_seen_at": now,
        },
    )
    session[LAST_SEEN_KEY] = int(time.time())


def session_touch(request: HttpRequest) -> None:
    """A request of a signed-in session: its last activity, written when a minute has
    passed since the last write (read from the session, so the other requests cost no
    query). A session signed in before rows were kept gets its row here."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None or SESSION_KEY not in session:
        return
    now = int(time.time())
    if now - session.get(LAST_SEEN_KEY, 0) < TOUCH_EVERY_SECONDS:
        return
    user = request.user
    if not user.is_authenticated:  # a session ended by a password change or deactivation
        return
    seen = timezone.now()
    touched = UserSession.objects.filter(session_key=session.session_key, user=user).update(
        last_seen_at=seen, ip_address=client_address(request)
    )
    if not touched:
        UserSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={
                "user": user,
                "user_agent": _user_agent(request),
                "ip_address": client_address(request),
                "signed_in_at": seen,
                "last_seen_at": seen,
            },
        )
    session[LAST_SEEN_KEY] = now


def session_renamed(old_key: str | None, new_key: str | None) -> None:
    """The same session under a new key (Django gives one after a password change)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_forget(session_key: str | None) -> None:
    """A sign-out: the session is gone from the store, and so is its row."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


@dataclass(frozen=True)
class SessionRow:
    pk: int
    device: str
    user_agent: str
    ip_address: str | None
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool


def sessions_of(user: User, *, current_key: str | None) -> list[SessionRow]:
    """The person's sessions not yet expired, the current one first, then the most
    recently used."""
    rows = UserSession.objects.of(user).active().order_by("-last_seen_at", "-pk")
    found = [
        SessionRow(
            pk=row.pk,
            device=describe_user_agent(row.user_agent),
            user_agent=row.user_agent,
            ip_address=row.ip_address,
            signed_in_at=row.signed_in_at,
            last_seen_at=row.last_seen_at,
            current=row.session_key == current_key,
        )
        for row in rows
    ]
    return sorted(found, key=lambda row: not row.current)


def _end(rows) -> int:
    keys = list(rows.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)


@transaction.atomic
def sessions_end_others(*, user: User, request: HttpRequest) -> int:
    """End every other session of the person, wherever it is: each is deleted from the
    session store, so its next request finds itself signed out. On the audit trail with
    the number ended."""
    rows = UserSession.objects.of(user).exclude(session_key=request.session.session_key or "")
    ended = _end(rows)
    record(
        Kind.SESSIONS_ENDED,
        f"{user.get_username()}: {ended} other session(s) ended",
        request=request,
        actor=user,
        details={"ended": ended},
    )
    return ended


def sessions_end_all(*, user: User, keep_key: str | None = None) -> int:
    """End the person's sessions but `keep_key` (after their password changed, the one
    that changed it; after a reset by e-mail, none). The session hash already refuses them
    (their password is in it, docs/security.md); deleting them makes the Sessions page say
    so at once."""
    rows = UserSession.objects.of(user)
    if keep_key:
        rows = rows.exclude(session_key=keep_key)
    return _end(rows)


# --- what a person recognises a session by ----------------------------------------------

# The first that matches names the browser: Edge and Opera say "Chrome" too, and Chrome
# says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def describe_user_agent(user_agent: str) -> str:
    """ "Chrome on Windows": what the browser says it is, in a person's words."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")
