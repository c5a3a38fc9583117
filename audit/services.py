"""Writing the audit trail.

`record()` is called where an event happens (a service, a signal receiver, an export view).
The request, when there is one, gives who, from where and with which browser; the
middleware keeps it at hand for code that has no request of its own (model signals fired
from a service or from the admin)."""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils import translation

from common.http import client_address

from .models import AuditEvent, Kind

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)

SUMMARY_MAX = AuditEvent._meta.get_field("summary").max_length
USER_AGENT_MAX = AuditEvent._meta.get_field("user_agent").max_length


class RequestMiddleware:
    """Keeps the request in a context variable for `record()` calls that have none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def current_user():
    """The signed-in user of the request being served, if any."""
    request = current_request()
    user = getattr(request, "user", None)
    return user if _signed_in(user) else None


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def record(
    kind: Kind,
    summary: str,
    *,
    request: HttpRequest | None = None,
    actor=None,
    subject=None,
    subject_username: str = "",
    office=None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one event. The actor defaults to the request's user; the summary is plain data
    (names, numbers, file names) in the words of the records, so it reads the same in every
    language; the kind says what happened and is translated on the page.

    Written in the caller's transaction: an action that rolls back leaves no event. Events
    of things that are not writes (a sign-in failure, an export) are written at once."""
    request = request or current_request()
    if actor is None and request is not None and _signed_in(getattr(request, "user", None)):
        actor = request.user
    if not _signed_in(actor):
        actor = None
    if subject is not None:
        subject_username = subject.get_username()
    with translation.override("en"):
        summary = str(summary)
    event = AuditEvent(
        kind=kind,
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        subject_username=subject_username[:150],
        office=office,
        summary=summary[:SUMMARY_MAX],
        details=dict(details or {}),
    )
    if request is not None:
        event.ip_address = _valid_ip(client_address(request))
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
    event.save(force_insert=True)
    return event


def _valid_ip(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
