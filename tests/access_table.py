"""Who may open what: every route of the URL configuration, as each persona, against an
explicit table (docs/security.md, "Who may open what").

The routes are discovered from `get_resolver()`, the API's router included, so a new URL
has no row until someone writes one, and tests/test_access.py fails until then. The same
discovery drives tests/test_bad_input.py.

`TABLE` has one row per URL name; a row has one column per persona, in the order of
`PERSONAS`, for each method tried. A cell is what that persona gets: a status code, `L`
(sent to the sign-in page), `A` (sent to the admin's sign-in page) or `R` (sent anywhere
else). Every POST, PUT and PATCH is sent with a valid CSRF token and an empty body (`{}`
for the API), and a persona refused must find nothing written.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

# --- personas and outcomes ----------------------------------------------------------------

PERSONAS = ("anonymous", "staff_a", "supervisor_a", "staff_b", "supervisor_b", "viewer", "admin")

L = "sign-in page"
A = "admin sign-in page"
R = "redirect"
REFUSED = frozenset({401, 403, 404, 405, L, A})


def outcome(response: HttpResponse) -> int | str:
    """What the person gets: a status code, or where a redirect sends them."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"].split("?")[0]
        if location == resolve_url(settings.LOGIN_URL):
            return L
        if location == reverse("admin:login"):
            return A
        return R
    return response.status_code


# --- routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One pattern of the URL configuration, with its full name and route."""

    key: str  # its row in the table (see discover_routes)
    name: str | None  # "namespace:name"
    route: str  # the patterns joined as written: "activities/<int:pk>/"
    kwargs: tuple[str, ...]
    namespace: str

    @property
    def format_suffix(self) -> bool:
        """DRF's router repeats each of its routes with a `.json`-style suffix."""
        return "format" in self.kwargs

    @property
    def is_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"

    @property
    def is_api(self) -> bool:
        return self.namespace == "api"


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs: tuple = ()):
    for entry in patterns:
        names = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, kwargs + names)
        elif isinstance(entry, URLPattern):
            name = None
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern), kwargs + names, namespace


def discover_routes() -> list[Route]:
    """Every pattern of the URL configuration. A route's key is its full name; a name that
    several routes share (`targets:year`, with and without a year) gets their keyword
    arguments in brackets: `targets:year()`, `targets:year(year)`. An unnamed route is
    keyed by its route. DRF's format-suffix variants keep the key of the route they
    repeat: they answer as it does (checked in tests/test_access.py)."""
    found = list(_walk(get_resolver().url_patterns))
    shared = Counter(name for name, _route, kwargs, _ns in found if "format" not in kwargs)
    routes = []
    for name, route, kwargs, namespace in found:
        if name is None:
            key = f"<unnamed> {route}"
        elif shared[name] > 1:
            key = f"{name}({', '.join(k for k in kwargs if k != 'format')})"
        else:
            key = name
        routes.append(Route(key, name, route, kwargs, namespace))
    return routes


def app_routes() -> list[Route]:
    """The project's routes and the API's, without the Django admin's."""
    return [r for r in discover_routes() if not r.is_admin]


def admin_routes() -> list[Route]:
    return [r for r in discover_routes() if r.is_admin]


# --- the table ------------------------------------------------------------------------------

Cell = int | str | frozenset
Columns = tuple[Cell, Cell, Cell, Cell, Cell, Cell, Cell]


def _same(cell: Cell) -> Columns:
    return (cell,) * len(PERSONAS)


def _signed_in(cell: Cell) -> Columns:
    """Anonymous to the sign-in page, everyone else `cell`."""
    return (L,) + (cell,) * (len(PERSONAS) - 1)


def _no_kwargs(d) -> dict:
    return {}


@dataclass(frozen=True)
class Row:
    """What each persona gets from one URL, by method (a method without columns is not
    tried). `kwargs` and `query` take one office's side of the dataset (`Side`), so that
    the row can be replayed on the other office's objects."""

    get: Columns
    post: Columns | None = None
    put: Columns | None = None
    patch: Columns | None = None
    kwargs: Callable[[Any], dict] = _no_kwargs
    query: Callable[[Any], dict] = _no_kwargs

    def methods(self) -> dict[str, Columns]:
        methods = {"get": self.get, "post": self.post, "put": self.put, "patch": self.patch}
        return {method: columns for method, columns in methods.items() if columns is not None}


def matches(cell: Cell, got: int | str) -> bool:
    return got in cell if isinstance(cell, frozenset) else got == cell


NOT_POST = _same(405)  # refused before the sign-in check (require_GET/require_POST outside)
API_NOT_POST = (401,) + (405,) * 6
ADMIN_ONLY = (L, 403, 403, 403, 403, 403, 200)
BUREAU_ONLY = (L, 403, 403, 403, 403, 200, 200)
API_BUREAU_ONLY = (401, 403, 403, 403, 403, 200, 200)
OWN_OFFICE = (L, 200, 200, 404, 404, 200, 200)  # the object is office A's
API_OWN_OFFICE = (401, 200, 200, 404, 404, 200, 200)
LOGS_ACTIVITIES = (L, 200, 200, 200, 200, 403, 200)  # office roles and bureau admins
API_ALL = (401,) + (200,) * 6


def _activity(d) -> dict:
    return {"pk": d.activity.pk}


def _restricted_plan(d) -> dict:
    return {"pk": d.restricted_plan.pk}


def _report(d) -> dict:
    return {"pk": d.report.pk}


def _year(d) -> dict:
    return {"year": d.year}


def _reset_link(d) -> dict:
    """Staff A's password reset link, as the page the e-mail's link redirects to (the
    token itself is kept in the session that opened the link)."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {
        "uidb64": urlsafe_base64_encode(force_bytes(d.users["staff_a"].pk)),
        "token": "set-password",
    }


def _invitee(d) -> dict:
    return {"pk": d.invitee.pk}


def _invitation(d) -> dict:
    """Office A's invitee's link, made at the time of the request (it expires): the same
    URL for both offices' rows, as the link is nobody's office's."""
    from accounts.invitations import invitation_path

    return resolve(invitation_path(d.data.a.invitee)).kwargs


# fmt: off
# One row per URL name. Columns:
#   anonymous,  staff_a, supervisor_a, staff_b, supervisor_b, viewer, admin
# The objects in the URLs are office A's (kwargs=...): staff and supervisor of office B
# must get 404, as if the object did not exist.
TABLE: dict[str, Row] = {
    "home": Row(
        get=(L, R, R, R, R, R, R),
        post=_signed_in(405)),
    "healthz": Row(
        get=_same(200),
        post=NOT_POST),

    # accounts
    "accounts:login": Row(
        get=(200, R, R, R, R, R, R),
        post=(400, R, R, R, R, R, R)),  # empty: refused; signed in: sent on
    "accounts:logout": Row(
        get=NOT_POST,
        post=_same(L)),
    "accounts:set_language": Row(
        get=NOT_POST,
        post=_same(400)),  # no language chosen
    "accounts:reminders": Row(
        get=_signed_in(200),
        post=(L, R, R, R, R, 403, 403)),  # the bureau gets no reminders
    "accounts:tokens": Row(
        get=_signed_in(200),
        post=_signed_in(400)),  # a token needs a name
    "accounts:token_revoke": Row(  # staff A's token: only its owner
        get=(L, 200, 404, 404, 404, 404, 404),
        post=(L, R, 404, 404, 404, 404, 404),
        kwargs=lambda d: {"pk": d.token.pk}),

    # sign-in and security: each person's own password, sessions and two-step sign-in
    "accounts:login_code": Row(  # no sign-in under way: back to the sign-in page
        get=_same(L),
        post=_same(L)),
    "accounts:security": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "accounts:password_change": Row(
        get=_signed_in(200),
        post=_signed_in(400)),  # the current password is needed
    "accounts:password_change_done": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "accounts:password_reset": Row(  # anyone, signed in or not
        get=_same(200),
        post=_same(400)),  # an address is needed
    "accounts:password_reset_done": Row(
        get=_same(200),
        post=_same(405)),
    "accounts:password_reset_confirm": Row(  # without the e-mail's token: the link does not work
        get=_same(200),
        post=_same(400),
        kwargs=_reset_link),
    "accounts:password_reset_complete": Row(
        get=_same(200),
        post=_same(405)),
    "accounts:sessions": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "accounts:sessions_end": Row(  # the person's own other sessions (none here)
        get=_signed_in(200),
        post=_signed_in(R)),
    "accounts:two_factor_enrol": Row(  # nobody has it on here
        get=_signed_in(200),
        post=_signed_in(400)),  # a code is needed
    "accounts:two_factor_disable": Row(  # already off: sent back to the security page
        get=_signed_in(200),
        post=_signed_in(R)),
    "accounts:recovery_codes": Row(  # none without two-step sign-in: sent back likewise
        get=_signed_in(200),
        post=_signed_in(R)),
    # people: bureau admins manage; supervisors read their office's roster
    "accounts:people": Row(
        get=(L, 403, 200, 403, 200, 403, 200),
        post=_signed_in(405)),
    "accounts:person_add": Row(
        get=ADMIN_ONLY,
        post=(L, 403, 403, 403, 403, 403, 400)),
    "accounts:person": Row(  # office A's invitee: supervisors of B do not see them
        get=(L, 403, 403, 403, 404, 403, 200),
        post=(L, 403, 403, 403, 404, 403, 400),
        kwargs=_invitee),
    "accounts:person_invite": Row(
        get=(L, 403, 403, 403, 404, 403, 200),
        post=(L, 403, 403, 403, 404, 403, R),
        kwargs=_invitee),
    "accounts:person_deactivate": Row(
        get=(L, 403, 403, 403, 404, 403, 200),
        post=(L, 403, 403, 403, 404, 403, R),
        kwargs=_invitee),
    "accounts:person_reactivate": Row(  # already active: sent back to the person's page
        get=(L, 403, 403, 403, 404, 403, 200),
        post=(L, 403, 403, 403, 404, 403, R),
        kwargs=_invitee),
    "accounts:invitation": Row(  # the link works for whoever holds it; the form needs a password
        get=_same(R),
        post=_same(400),
        kwargs=_invitation),

    # offices and dashboards
    "offices:list": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "offices:detail": Row(
        get=OWN_OFFICE,
        post=_signed_in(405),
        kwargs=lambda d: {"code": d.office.code}),
    "reports:bureau": Row(
        get=BUREAU_ONLY,
        post=_signed_in(405)),

    # activities
    "activities:list": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "activities:create": Row(
        get=LOGS_ACTIVITIES,
        post=(L, 400, 400, 400, 400, 403, 400)),
    "activities:detail": Row(
        get=OWN_OFFICE,
        post=_signed_in(405),
        kwargs=_activity),
    "activities:edit": Row(  # a draft of office A; the bureau viewer reads, never writes (403, as the API)
        get=(L, 200, 200, 404, 404, 403, 200),
        post=(L, 400, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "activities:remove": Row(
        get=(L, 200, 200, 404, 404, 403, 200),
        post=(L, 400, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "activities:review-one": Row(  # supervisors of the lead office and bureau admins
        get=_signed_in(405),
        post=(L, 403, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "activities:submit": Row(  # nothing ticked: sent back with a message
        get=_signed_in(405),
        post=(L, R, R, R, R, 403, R)),
    "activities:review": Row(
        get=(L, 403, 200, 403, 200, 403, 200),
        post=(L, 403, 400, 403, 400, 403, 400)),
    "activities:periods": Row(  # offices ask to reopen a month
        get=_signed_in(200),
        post=(L, 400, 400, 400, 400, 403, 403)),
    "activities:reopening-decide": Row(  # bureau admins decide
        get=_signed_in(405),
        post=(L, 403, 403, 403, 403, 403, 400),
        kwargs=lambda d: {"pk": d.reopening.pk}),
    "activities:export": Row(  # everyone signed in, what they may see
        get=_signed_in(200),
        post=NOT_POST,
        kwargs=lambda d: {"fmt": "csv"}),
    "activities:evidence-upload": Row(
        get=NOT_POST,
        post=(L, 400, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "activities:evidence-download": Row(
        get=OWN_OFFICE,
        post=NOT_POST,
        kwargs=lambda d: {"pk": d.activity.pk, "evidence_pk": d.evidence.pk}),
    "activities:import": Row(
        get=LOGS_ACTIVITIES,
        post=(L, 400, 400, 400, 400, 403, 400)),
    "activities:import-template": Row(
        get=LOGS_ACTIVITIES,
        post=NOT_POST,
        kwargs=lambda d: {"fmt": "csv"}),
    "activities:import-preview": Row(  # staff A's upload: only its uploader
        get=(L, 200, 404, 404, 404, 403, 404),
        post=NOT_POST,
        kwargs=lambda d: {"pk": d.batch.pk}),
    "activities:import-confirm": Row(
        get=NOT_POST,
        post=(L, 400, 404, 404, 404, 403, 404),
        kwargs=lambda d: {"pk": d.batch.pk}),

    # counterparts: a directory shared by everyone signed in
    "counterparts:list": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "counterparts:create": Row(
        get=LOGS_ACTIVITIES,
        post=(L, 400, 400, 400, 400, 403, 400)),
    "counterparts:search": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "counterparts:detail": Row(
        get=_signed_in(200),
        post=_signed_in(405),
        kwargs=lambda d: {"pk": d.counterpart.pk}),

    # planning: the calendar and the plans (pages)
    "planning:calendar": Row(  # everyone signed in, each seeing what they may
        get=_signed_in(200),
        post=_signed_in(405)),
    "planning:week": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "planning:list": Row(
        get=_signed_in(200),
        post=_signed_in(405)),
    "planning:create": Row(  # those who log activities plan; the bureau viewer reads
        get=LOGS_ACTIVITIES,
        post=(L, 400, 400, 400, 400, 403, 400)),
    "planning:detail": Row(  # office A's plan: office B sees its summary on the calendar only
        get=OWN_OFFICE,
        post=_signed_in(405),
        kwargs=lambda d: {"pk": d.plan.pk}),
    "planning:edit": Row(  # office A's restricted plan: as if it did not exist for office B
        get=(L, 200, 200, 404, 404, 403, 200),
        post=(L, 400, 400, 404, 404, 403, 400),
        kwargs=lambda d: {"pk": d.restricted_plan.pk}),
    "planning:confirm": Row(  # a supervisor of the lead office, or a bureau admin
        get=_signed_in(405),
        post=(L, 403, R, 404, 404, 403, R),
        kwargs=lambda d: {"pk": d.plan.pk}),
    "planning:cancel": Row(  # a reason is needed
        get=(L, 200, 200, 404, 404, 403, 200),
        post=(L, 400, 400, 404, 404, 403, 400),
        kwargs=lambda d: {"pk": d.plan.pk}),
    "planning:log": Row(  # the plan is on 22 June, a week ahead: not yet (tested in planning)
        get=_signed_in(405),
        post=(L, 403, 403, 404, 404, 403, 403),
        kwargs=lambda d: {"pk": d.plan.pk}),

    # planning: the bureau's direction (progress notes, conflicts, gaps)
    "planning:notes": Row(  # office A's notes: whoever sees its figures
        get=OWN_OFFICE,
        post=_signed_in(405),
        kwargs=lambda d: {"code": d.office.code}),
    "planning:note_write": Row(  # office A's note on May (last month): its own people write it
        get=(L, 200, 200, 404, 404, 403, 403),
        post=(L, 400, 400, 404, 404, 403, 403),
        kwargs=lambda d: {
            "code": d.office.code, "indicator": d.note.indicator_id, "year": 2026, "month": 5}),
    "planning:note_reply": Row(  # bureau admins reply
        get=(L, 403, 403, 404, 404, 403, 200),
        post=(L, 403, 403, 404, 404, 403, 400),
        kwargs=lambda d: {"pk": d.note.pk}),
    "planning:conflicts": Row(  # the bureau's board; each office, those concerning it
        get=_signed_in(200),
        post=_signed_in(405)),
    "planning:conflict_close": Row(  # office A's plan, office B warned: both see it
        get=(L, 403, 403, 403, 403, 403, 200),
        post=(L, 403, 403, 403, 403, 403, 400),
        kwargs=lambda d: {"pk": d.conflict.pk}),
    "planning:gaps": Row(
        get=BUREAU_ONLY,
        post=_signed_in(405)),

    # planning: each person's calendar feed
    "planning:subscription": Row(  # a POST makes the person's address (none yet)
        get=_signed_in(200),
        post=_signed_in(200)),
    "planning:feed_new": Row(  # nothing to replace yet: back to the page; a POST makes one
        get=_signed_in(R),
        post=_signed_in(200)),
    "planning:feed_off": Row(  # nothing to turn off: back to the page
        get=_signed_in(R),
        post=_signed_in(R)),
    "planning:feed": Row(  # the token is the only credential: no one without it
        get=_same(404),
        post=_same(405),
        kwargs=lambda d: {"token": "not-a-feed-token"}),

    # targets: the bureau reads, bureau admins edit
    "targets:year()": Row(
        get=(L, 403, 403, 403, 403, R, R),
        post=_signed_in(405)),
    "targets:year(year)": Row(
        get=BUREAU_ONLY,
        post=(L, 403, 403, 403, 403, 403, 409),  # empty cells "seen": the targets changed since
        kwargs=_year),
    "targets:copy": Row(
        get=ADMIN_ONLY,
        post=(L, 403, 403, 403, 403, 403, R),  # nothing to copy: every cell is set
        kwargs=_year),
    "targets:history": Row(
        get=BUREAU_ONLY,
        post=_signed_in(405),
        kwargs=_year),

    # reports: an office's staff have their own office's; published ones are the bureau's
    "reporting:index": Row(
        get=_signed_in(200),
        post=NOT_POST),
    "reporting:download": Row(  # office A's annual report
        get=(L, 200, 200, 400, 400, 200, 200),
        post=NOT_POST,
        query=lambda d: {"year": d.year, "period": "year", "format": "csv", "office": d.office.pk}),
    "reporting:publish": Row(
        get=NOT_POST,
        post=(L, 403, 403, 403, 403, 403, 400)),
    "reporting:published": Row(
        get=BUREAU_ONLY,
        post=NOT_POST,
        kwargs=_report),
    "reporting:published_status": Row(
        get=BUREAU_ONLY,
        post=NOT_POST,
        kwargs=_report),
    "reporting:published_download": Row(
        get=BUREAU_ONLY,
        post=NOT_POST,
        kwargs=_report),

    # audit trail and sign-in lock-outs: bureau admins
    "audit:events": Row(
        get=ADMIN_ONLY,
        post=_signed_in(405)),
    "audit:lockouts": Row(
        get=ADMIN_ONLY,
        post=_signed_in(405)),
    "audit:lockout_lift": Row(
        get=ADMIN_ONLY,
        post=(L, 403, 403, 403, 403, 403, R),
        kwargs=lambda d: {"pk": d.lockout.pk}),

    # the API: 401 without credentials; the same scoping as the pages
    "api:region-list": Row(get=API_ALL, post=API_NOT_POST),
    "api:region-detail": Row(
        get=API_ALL, post=API_NOT_POST, kwargs=lambda d: {"code": d.region.code}),
    "api:office-list": Row(get=API_ALL, post=API_NOT_POST),
    "api:office-detail": Row(
        get=API_OWN_OFFICE, post=API_NOT_POST, kwargs=lambda d: {"code": d.office.code}),
    "api:indicator-list": Row(get=API_ALL, post=API_NOT_POST),
    "api:indicator-detail": Row(
        get=API_ALL, post=API_NOT_POST, kwargs=lambda d: {"code": d.indicator.code}),
    "api:counterpart-list": Row(get=API_ALL, post=API_NOT_POST),
    "api:counterpart-detail": Row(
        get=API_ALL, post=API_NOT_POST, kwargs=lambda d: {"pk": d.counterpart.pk}),
    "api:activity-list": Row(
        get=API_ALL,
        post=(401, 400, 400, 400, 400, 403, 400)),
    "api:activity-detail": Row(
        get=API_OWN_OFFICE,
        post=API_NOT_POST,
        put=(401, 400, 400, 404, 404, 403, 400),
        patch=(401, 428, 428, 404, 404, 403, 428),  # which version is changed?
        kwargs=_activity),
    "api:activity-submit": Row(
        get=API_NOT_POST,
        post=(401, 200, 200, 404, 404, 403, 200),
        kwargs=_activity),
    "api:activity-verify": Row(  # a draft: not yet to verify
        get=API_NOT_POST,
        post=(401, 403, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "api:activity-return": Row(
        get=API_NOT_POST,
        post=(401, 403, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "api:activity-remove": Row(  # a reason is needed
        get=API_NOT_POST,
        post=(401, 400, 400, 404, 404, 403, 400),
        kwargs=_activity),
    "api:report-list": Row(
        get=API_BUREAU_ONLY,
        post=(401, 403, 403, 403, 403, 403, 400)),
    "api:report-detail": Row(
        get=API_BUREAU_ONLY,
        post=(401, 403, 403, 403, 403, 405, 405),
        kwargs=_report),
    "api:report-download": Row(
        get=API_BUREAU_ONLY,
        post=(401, 403, 403, 403, 403, 405, 405),
        kwargs=_report),
    # planning in the API: plans, warnings, conflicts, notes
    "api:plan-list": Row(
        get=API_ALL,
        post=(401, 400, 400, 400, 400, 403, 400)),
    "api:plan-check": Row(
        get=API_NOT_POST,
        post=(401, 400, 400, 400, 400, 403, 400)),
    "api:plan-detail": Row(  # restricted: office B's people know nothing of it
        get=API_OWN_OFFICE,
        post=API_NOT_POST,
        put=(401, 400, 400, 404, 404, 403, 400),
        patch=(401, 428, 428, 404, 404, 403, 428),  # which version is changed?
        kwargs=_restricted_plan),
    "api:plan-confirm": Row(
        get=API_NOT_POST,
        post=(401, 403, 200, 404, 404, 403, 200),
        kwargs=_restricted_plan),
    "api:plan-cancel": Row(  # a reason is needed
        get=API_NOT_POST,
        post=(401, 400, 400, 404, 404, 403, 400),
        kwargs=_restricted_plan),
    "api:plan-log": Row(  # not before the plan's date
        get=API_NOT_POST,
        post=(401, 403, 403, 404, 404, 403, 403),
        kwargs=_restricted_plan),
    "api:plan-warnings": Row(
        get=API_OWN_OFFICE,
        post=API_NOT_POST,
        kwargs=_restricted_plan),
    "api:plan-conflict-list": Row(get=API_ALL, post=API_NOT_POST),
    "api:plan-conflict-detail": Row(
        get=API_OWN_OFFICE, post=API_NOT_POST, kwargs=lambda d: {"pk": d.restricted_conflict.pk}),
    "api:plan-conflict-close": Row(  # a note is needed
        get=API_NOT_POST,
        post=(401, 403, 403, 404, 404, 403, 400),
        kwargs=lambda d: {"pk": d.restricted_conflict.pk}),
    "api:progress-note-list": Row(
        get=API_ALL,
        post=(401, 400, 400, 400, 400, 403, 403)),  # the bureau writes no notes
    "api:progress-note-detail": Row(
        get=API_OWN_OFFICE,
        post=API_NOT_POST,
        put=(401, 400, 400, 404, 404, 403, 403),
        patch=(401, 428, 428, 404, 404, 403, 403),
        kwargs=lambda d: {"pk": d.note.pk}),
    "api:progress-note-reply": Row(
        get=API_NOT_POST,
        post=(401, 403, 403, 404, 404, 403, 400),
        kwargs=lambda d: {"pk": d.note.pk}),

    "api:targets": Row(get=API_BUREAU_ONLY, post=API_NOT_POST),
    "api:progress": Row(get=API_ALL, post=API_NOT_POST),
    "api:schema": Row(get=API_ALL, post=API_NOT_POST),
    "api:docs": Row(get=_signed_in(200), post=_signed_in(405)),

    # the Django admin: staff only (ADMIN_RULE below for the rest of the namespace)
    "admin:login": Row(
        get=(200, 200, 200, 200, 200, 200, R)),
    "admin:logout": Row(
        get=(R, R, R, R, R, R, 405)),
    "admin:autocomplete": Row(  # without a field to complete
        get=(A, A, A, A, A, A, 403)),
    "admin:view_on_site": Row(  # an activity has no page of the admin's to go to
        get=(A, A, A, A, A, A, 404)),
    "<unnamed> admin/(?P<url>.*)$": Row(  # the admin's catch-all: no such page
        get=(A, A, A, A, A, A, 404)),
}

# Every other URL of the admin's namespace: the admin's sign-in page for all but bureau
# admins (the only staff), for a POST too, and nothing written; for bureau admins the
# page, or a redirect (to the list, for an object that does not exist), or 403 where the
# admin switches adding or deleting off (the audit trail, published reports, activities,
# which are removed with a reason and never deleted...). See test_admin.
ADMIN_RULE = Row(get=(A, A, A, A, A, A, frozenset({200, R, 403})))
# fmt: on


def expected_row(route: Route) -> Row | None:
    if route.key in TABLE:
        return TABLE[route.key]
    if route.is_admin:
        return ADMIN_RULE
    return None


def url_for(route: Route, row: Row, side) -> str:
    kwargs = row.kwargs(side)
    if route.format_suffix:
        kwargs = {**kwargs, "format": "json"}
    return reverse(route.name, kwargs=kwargs)


def admin_url(route: Route, data) -> str:
    """A URL of the admin's, on the first object of the route's model (or a missing one)."""
    from django.contrib.contenttypes.models import ContentType

    parts = route.route.split("/")
    obj = None
    if len(parts) > 3:
        try:
            model = apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            model = None
        if model is not None:
            obj = model._base_manager.order_by("pk").first()
    pk = str(obj.pk) if obj is not None else "0"
    history = getattr(obj, "history", None)
    history_pk = str(history.order_by("pk").first().pk) if history is not None else "0"
    activity = data.a.activity
    values = {
        "object_id": str(activity.pk) if route.name == "admin:view_on_site" else pk,
        "id": pk,
        "pk": pk,  # django-otp's own pages of a device (refused: OTP_ADMIN_HIDE_SENSITIVE_DATA)
        "content_type_id": str(ContentType.objects.get_for_model(activity).pk),
        "app_label": "activities",
        "url": "no-such-page/",
    }
    positional = iter([pk, history_pk])
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
    path = re.sub(r"\([^)]*\)", lambda m: next(positional), path)
    return "/" + path.replace("^", "").replace("$", "")


# --- the data behind the URLs ---------------------------------------------------------------

HK = ZoneInfo("Asia/Hong_Kong")
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=HK)  # June open for entry, May closed


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass
class Side:
    """One office's objects, as the URLs' keyword arguments read them, with the shared
    ones (counterpart, region, report...) read through the dataset."""

    office: Any
    activity: Any
    evidence: Any
    batch: Any
    token: Any
    reopening: Any
    invitee: Any  # someone invited to the office, without a password yet
    plan: Any  # planned, shown to other offices as a summary
    restricted_plan: Any  # planned, seen by its own office and the bureau only
    note: Any  # the office's progress note on the indicator for May
    restricted_conflict: Any  # the restricted plan's conflict with a third office (neither A nor B)
    data: Any
    conflict: Any = None  # open, on the office's summary plan, warning the other office

    def __getattr__(self, name: str):
        return getattr(self.data, name)


@dataclass
class Dataset:
    users: dict[str, Any]
    region: Any
    indicator: Any
    counterpart: Any
    report: Any
    lockout: Any
    third_office: Any = None  # the office the plans' conflicts are about
    year: int = NOW.year
    a: Side | None = None  # office A's objects
    b: Side | None = None  # office B's
    sessions: dict[str, str] = field(default_factory=dict)  # persona: session key
    media_root: str = ""

    def client(self, persona: str) -> Client:
        """A new test client for each request (a sign-in or sign-out does not carry over),
        signed in as the persona, that checks CSRF as the site does, with a valid token."""
        client = Client(enforce_csrf_checks=True)
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
        if persona != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _import_preview(user, office):
    from activities.imports.columns import COLUMNS
    from activities.imports.services import import_preview

    header = ",".join(column.header for column in COLUMNS)
    content = f"\ufeff{header}\n2026-06-02,visits,Call on the Department of Commerce\n"
    upload = SimpleUploadedFile("activities.csv", content.encode(), content_type="text/csv")
    return import_preview(user=user, office=office, upload=upload)


def _office_side(data: Dataset, office, staff) -> Side:
    from accounts.models import Role
    from accounts.tests.factories import UserFactory
    from accounts.tokens import token_create
    from activities import services
    from activities.evidence import evidence_add
    from activities.models import Status
    from activities.tests.factories import ActivityFactory
    from planning.models import Confidentiality, PlanConflict
    from planning.tests.factories import PlanFactory, ProgressNoteFactory

    plans = [
        PlanFactory(
            lead_office=office,
            indicator=data.indicator,
            region=data.region,
            starts_on=dt.date(2026, 6, 22),
            confidentiality=confidentiality,
            created_by=staff,
            counterparts=[data.counterpart],
        )
        for confidentiality in (Confidentiality.SUMMARY, Confidentiality.RESTRICTED)
    ]
    activity = ActivityFactory(
        lead_office=office,
        indicator=data.indicator,
        occurred_on=dt.date(2026, 6, 2),
        status=Status.DRAFT,
        created_by=staff,
    )
    activity.counterparts.add(data.counterpart)
    upload = SimpleUploadedFile("photo.png", png(), content_type="image/png")
    token, _raw = token_create(user=staff, name=f"Import script of {office.code}")
    invitee = UserFactory(
        username=f"new_{office.code.lower()}", role=Role.OFFICE_STAFF, office=office, password=None
    )
    return Side(
        office=office,
        activity=activity,
        evidence=evidence_add(user=staff, activity=activity, upload=upload),
        batch=_import_preview(staff, office),
        token=token,
        reopening=services.reopening_request(
            user=staff, office=office, year=2026, month=4, reason="Late returns from a visit."
        ),
        invitee=invitee,
        plan=plans[0],
        restricted_plan=plans[1],
        note=ProgressNoteFactory(
            office=office, indicator=data.indicator, year=2026, month=5, written_by=staff
        ),
        restricted_conflict=PlanConflict.objects.create(
            plan=plans[1],
            office=data.third_office,
            kinds=["region"],
            message="Another office's region",
            reason="Invited by the department.",
            created_by=staff,
        ),
        data=data,
    )


@contextmanager
def dataset(media_root: str) -> Iterator[Dataset]:
    """The data behind the URLs, for a test module (see `dataset` in tests/test_access.py):
    built once in a transaction that is rolled back after the module's last test, each
    test running in a savepoint of its own. Today is 15 June 2026 in Hong Kong.

    The personas of conftest.py and office B's supervisor, each signed in once; offices A
    (with unit A) and B; for each office a draft activity with an evidence file, an import
    preview, its staff's API token, a request to reopen April, a plan shown to other offices
    as a summary (with an open conflict warning the other office), a restricted plan (with a
    conflict about office C) and a progress note on May; shared, a region, a counterpart,
    targets for this year and last, a published report, a sign-in lock-out, office C."""
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        # Files go to the module's folder; each test points MEDIA_ROOT there too (the
        # `settings` fixture), as a setting overridden for the whole module can crash
        # CPython 3.11 when a test fails.
        with override_settings(MEDIA_ROOT=media_root):
            data = _build()
        data.media_root = media_root
        yield data
        transaction.set_rollback(True)


def _build() -> Dataset:
    from axes.models import AccessAttempt

    from accounts.models import Role
    from accounts.tests.factories import UserFactory
    from offices.tests.factories import (
        AnnualTargetFactory,
        CounterpartFactory,
        IndicatorFactory,
        OfficeFactory,
        OfficeTargetFactory,
        RegionFactory,
        UnitFactory,
    )
    from planning.models import PlanConflict
    from reports import services as report_services
    from reports.report import ReportScope

    office_a = OfficeFactory(code="OFFA", name_en="Office A", name_zh_hant="甲辦事處")
    UnitFactory(code="UNITA", parent=office_a, name_en="Unit A1")
    office_b = OfficeFactory(code="OFFB", name_en="Office B", name_zh_hant="乙辦事處")
    users = {
        "staff_a": UserFactory(username="staff_a", role=Role.OFFICE_STAFF, office=office_a),
        "supervisor_a": UserFactory(
            username="supervisor_a", role=Role.OFFICE_SUPERVISOR, office=office_a
        ),
        "staff_b": UserFactory(username="staff_b", role=Role.OFFICE_STAFF, office=office_b),
        "supervisor_b": UserFactory(
            username="supervisor_b", role=Role.OFFICE_SUPERVISOR, office=office_b
        ),
        "viewer": UserFactory(username="viewer", role=Role.BUREAU_VIEWER),
        "admin": UserFactory(
            username="admin", role=Role.BUREAU_ADMIN, is_staff=True, is_superuser=True
        ),
    }
    indicator = IndicatorFactory(code="visits", name_en="Visits", name_zh_hant="拜訪")
    region = RegionFactory(code="440000", name_en="Guangdong")
    office_a.regions.add(region)
    for year in (NOW.year - 1, NOW.year):
        AnnualTargetFactory(year=year, indicator=indicator, target=100)
        OfficeTargetFactory(year=year, indicator=indicator, office=office_a, target=40)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = report_services.report_publish(
            user=users["admin"],
            scope=ReportScope.annual(NOW.year),
            fmt="csv",
            language="en",
            purpose="Access table",
        )
    report.refresh_from_db()
    assert report.is_done, report.error
    lockout = AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.7",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )
    data = Dataset(
        users=users,
        region=region,
        indicator=indicator,
        counterpart=CounterpartFactory(region=region),
        report=report,
        lockout=lockout,
        third_office=OfficeFactory(code="OFFC", name_en="Office C"),
    )
    data.a = _office_side(data, office_a, users["staff_a"])
    data.b = _office_side(data, office_b, users["staff_b"])
    for side, other in ((data.a, office_b), (data.b, office_a)):
        side.conflict = PlanConflict.objects.create(
            plan=side.plan,
            office=other,
            kinds=["counterpart"],
            message=f"{other.name} visits the same counterpart that week.",
            reason="The counterpart chose the date.",
            created_by=side.plan.created_by,
        )
    for persona, user in users.items():
        client = Client()
        client.force_login(user)
        data.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return data


# --- requests -------------------------------------------------------------------------------

CSRF_TOKEN = "accesstable0123456789abcdefghijk"  # 32 characters: an unmasked secret


def send(client: Client, method: str, url: str, data=None, *, api: bool = False, **extra):
    """GET with a query string; a change with the CSRF token, as a form (pages) or JSON
    (the API, which reads nothing else)."""
    if method == "get":
        return client.get(url, data or {}, **extra)
    extra.setdefault("HTTP_X_CSRFTOKEN", CSRF_TOKEN)
    if api:
        extra.setdefault("content_type", "application/json")
        return getattr(client, method)(url, data if data is not None else {}, **extra)
    if method == "post":
        return client.post(url, data or {}, **extra)
    extra.setdefault("content_type", "application/x-www-form-urlencoded")
    return getattr(client, method)(url, data or "", **extra)


# --- "nothing written" ------------------------------------------------------------------------

# The session changes with every request (its expiry), and so does its row on the person's
# Sessions page (a sign-out, which answers with the sign-in page, deletes it); the logs of
# who did what (the audit trail, django-axes' sign-in records) record refused requests too,
# by design.
UNWATCHED = {
    "sessions.Session",
    "accounts.UserSession",
    "audit.AuditEvent",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every other table, history and many-to-many tables included: a count
    would miss an update, this does not. Plain SQL, as it runs around many requests."""
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.label in UNWATCHED:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 (our tables)
            state[model._meta.label] = cursor.fetchall()
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
