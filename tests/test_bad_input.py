"""Every form and endpoint refuses malformed and oversized input with a 4xx and writes
nothing (docs/security.md, "Bad input").

The routes come from the URL configuration through the access table (tests/access_table.py):
each one that someone may POST, PUT or PATCH to has an entry in `INPUTS` below, or
`test_every_route_that_takes_input_has_an_entry` fails. An entry gives the persona who may
use the route, a valid body (which must be accepted: otherwise the refusals below would
prove nothing), malformed bodies and the fields that have a maximum length. Each refused
request must answer 4xx and leave every table as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from .access_table import (
    PERSONAS,
    REFUSED,
    TABLE,
    Route,
    admin_routes,
    admin_url,
    app_routes,
    changed_tables,
    matches,
    png,
    send,
    snapshot,
    url_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("access_media_root")]

LONG = "x" * 100_000  # far beyond any field's maximum length
# A body just beyond what Django reads into memory (RequestDataTooBig, answered 400).
TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


# --- what each route takes ---------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """How one route is used: by whom, with which body; `malformed` gives bodies with a
    wrong value in every field (none for a route that reads no input but the CSRF token);
    `long` the fields with a maximum length, each sent 100 000 characters long in an
    otherwise valid body. `prepare` puts the data in the state the route acts on."""

    persona: str
    valid: Callable[[Any], dict]
    malformed: Callable[[Any], list[dict]] | None = None
    long: tuple[str, ...] = ()
    prepare: Callable[[Any], None] | None = None


def _seen(d) -> str:
    """The role form's copy of what it was opened with (accounts.views.people)."""
    from django.core import signing

    from accounts.services import role_and_office
    from accounts.views.people import SEEN_SALT

    return signing.dumps(role_and_office(d.a.invitee), salt=SEEN_SALT)


def _submitted(d) -> None:
    """Office A's draft, submitted by its author: ready to be verified or returned."""
    from activities import services

    services.activities_submit(user=d.users["staff_a"], activity_ids=[d.a.activity.pk])


def _version(d) -> int:
    """Office A's activity's version as stored now (the access_dataset's object is shared by the
    module's tests, whose changes are rolled back)."""
    from activities.models import Activity

    return Activity.objects.get(pk=d.a.activity.pk).version


def _note_version(d) -> int:
    """Office A's May note's version as stored now."""
    from planning.models import ProgressNote

    return ProgressNote.objects.get(pk=d.a.note.pk).version


def _activity_form(d, **extra) -> dict:
    return {
        "indicator": d.indicator.pk,
        "lead_office": d.a.office.pk,
        "occurred_on": "2026-06-10",
        "title": "Call on the Department of Commerce of Guangdong",
        "region": d.region.pk,
        "city": "Guangzhou",
        "hk_participants": "Director",
        "notes": "Trade fair follow-up.",
        "confirm_duplicate": "on",
        **extra,
    }


GARBAGE_ACTIVITY = {
    "indicator": "visits'; --",
    "lead_office": "OFFA",
    "occurred_on": "2026-13-45",
    "title": "",
    "authority_level": "emperor",
    "counterparts": "all",
    "region": "Guangdong",
    "participating_offices": "everyone",
    "partners": "-1",
    "version": "latest",
}


def _api_activity(d, **extra) -> dict:
    return {
        "lead_office": d.a.office.code,
        "indicator": d.indicator.code,
        "occurred_on": "2026-06-10",
        "title": "Call on the Department of Commerce of Guangdong",
        "region": d.region.code,
        "city": "Guangzhou",
        **extra,
    }


GARBAGE_API_ACTIVITY = {
    "lead_office": 12,
    "indicator": ["visits"],
    "occurred_on": "2026-13-45",
    "title": "",
    "region": {"code": "440000"},
    "authority_level": "emperor",
    "counterparts": "all",
    "participating_offices": 5,
    "partners": [None],
    "version": "latest",
}


def _api_plan(d, **extra) -> dict:
    """A plan of office A in its own region, with nothing to warn about."""
    return {
        "lead_office": d.a.office.code,
        "indicator": d.indicator.code,
        "title": "Call on the Department of Commerce of Guangdong",
        "starts_on": "2026-06-29",
        "region": d.region.code,
        "city": "Guangzhou",
        **extra,
    }


GARBAGE_API_PLAN = {
    "lead_office": 12,
    "indicator": ["visits"],
    "title": "",
    "starts_on": "2026-13-45",
    "ends_on": "soon",
    "starts_at": "25:61",
    "region": {"code": "440000"},
    "confidentiality": "secret",
    "counterparts": "all",
    "participating_offices": 5,
    "attendees": [None],
    "warning_reason": ["why"],
    "version": "latest",
}
PLAN_TEXTS = ("title", "city", "attendee_names", "purpose", "warning_reason")


def _plan_version(d) -> int:
    from planning.models import Plan

    return Plan.objects.get(pk=d.a.restricted_plan.pk).version


def _note_version(d) -> int:
    from planning.models import ProgressNote

    return ProgressNote.objects.get(pk=d.a.note.pk).version


def _target_grid(d) -> dict:
    """The grid as the page shows it: every cell and the value it shows."""
    form = d.client("admin").get(f"/targets/{d.year}/").context["form"]
    return {bf.html_name: "" if bf.value() is None else str(bf.value()) for bf in form}


def _csv(d) -> SimpleUploadedFile:
    from activities.imports.columns import COLUMNS

    header = ",".join(column.header for column in COLUMNS)
    content = f"\ufeff{header}\n2026-06-09,visits,Meeting at the Department of Commerce\n"
    return SimpleUploadedFile("activities.csv", content.encode(), content_type="text/csv")


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _session_of(d, persona: str):
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=d.sessions[persona])


def _enrol_code(d) -> dict:
    """The code of staff A's app for the key the page that turns two-step sign-in on
    keeps in the session (opened first if need be)."""
    from django_otp.oath import totp

    from accounts.twofactor import ENROL_KEY

    if ENROL_KEY not in _session_of(d, "staff_a"):
        assert d.client("staff_a").get("/accounts/two-step/on/").status_code == 200
    key = bytes.fromhex(_session_of(d, "staff_a")[ENROL_KEY])
    return {"code": f"{totp(key):06d}"}


def _with_authenticator(d) -> None:
    """Supervisor A uses two-step sign-in, with recovery codes."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = d.users["supervisor_a"]
    TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    StaticDevice.objects.get_or_create(user=user, defaults={"confirmed": True})


def _reset_link_opened(d) -> None:
    """Staff A has followed the link of a password reset e-mail: its token is in the
    session, and the page at the link sets the password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN

    session = _session_of(d, "staff_a")
    session[INTERNAL_RESET_SESSION_TOKEN] = default_token_generator.make_token(d.users["staff_a"])
    session.save()


def _plan_form(d, **extra) -> dict:
    """Office A's plan a week on, in the region it covers (no warning; a reason anyway)."""
    return {
        "lead_office": d.a.office.pk,
        "indicator": d.indicator.pk,
        "title": "Call on the Department of Commerce",
        "starts_on": "2026-06-29",
        "region": d.region.pk,
        "city": "Guangzhou",
        "confidentiality": "summary",
        "warning_reason": "Agreed with office B.",
        **extra,
    }


GARBAGE_PLAN = {
    "lead_office": "OFFA",
    "indicator": "visits",
    "title": "",
    "starts_on": "22/06/2026",
    "ends_on": "yesterday",
    "starts_at": "noon",
    "ends_at": "25:61",
    "region": "Guangdong",
    "counterparts": "all",
    "attendees": "everyone",
    "participating_offices": "1 OR 1=1",
    "confidentiality": "top secret",
}

NEW_PASSWORD = "a-new-passphrase-for-2026"

# fmt: off
INPUTS: dict[tuple[str, str], Input] = {
    ("accounts:login", "post"): Input(
        "anonymous",
        valid=lambda d: {"username": "staff_a", "password": "correct-horse-battery"},
        malformed=lambda d: [{"username": "\x00", "password": ""}, {}],
        long=("username", "password")),
    ("accounts:logout", "post"): Input("staff_a", valid=lambda d: {}),
    ("accounts:set_language", "post"): Input(
        "staff_a",
        valid=lambda d: {"language": "zh-hant", "next": "/"},
        malformed=lambda d: [{"language": "klingon", "next": "javascript:alert(1)"}],
        long=("language",)),
    # Checkboxes: any value ticks one, so nothing can be malformed.
    ("accounts:reminders", "post"): Input("staff_a", valid=lambda d: {"drafts": "on"}),
    ("accounts:tokens", "post"): Input(
        "staff_a",
        valid=lambda d: {"name": "Monthly import script", "expires_in": "30"},
        malformed=lambda d: [{"name": "", "expires_in": "forever"}],
        long=("name",)),
    ("accounts:token_revoke", "post"): Input("staff_a", valid=lambda d: {}),
    ("accounts:password_change", "post"): Input(
        "staff_a",
        valid=lambda d: {
            "old_password": "correct-horse-battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        malformed=lambda d: [
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            {"old_password": "correct-horse-battery", "new_password1": "12345", "new_password2": "12345"},
            {},
        ],
        long=("old_password", "new_password1", "new_password2")),
    ("accounts:password_reset", "post"): Input(
        "anonymous",
        valid=lambda d: {"email": "staff_a@example.gov.hk"},
        malformed=lambda d: [{"email": "staff_a at example"}, {}],
        long=("email",)),
    ("accounts:password_reset_confirm", "post"): Input(
        "staff_a",
        prepare=_reset_link_opened,
        valid=lambda d: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        malformed=lambda d: [
            {"new_password1": NEW_PASSWORD, "new_password2": "something else"},
            {"new_password1": "staff_a", "new_password2": "staff_a"},
            {},
        ],
        long=("new_password1", "new_password2")),
    ("accounts:sessions_end", "post"): Input("staff_a", valid=lambda d: {}),
    ("accounts:two_factor_enrol", "post"): Input(
        "staff_a",
        valid=_enrol_code,
        malformed=lambda d: [{"code": "one two three"}, {}],
        long=("code",)),
    ("accounts:two_factor_disable", "post"): Input(
        "supervisor_a",
        prepare=_with_authenticator,
        valid=lambda d: {"password": "correct-horse-battery"},
        malformed=lambda d: [{"password": "wrong"}, {}],
        long=("password",)),
    ("accounts:recovery_codes", "post"): Input(
        "supervisor_a", prepare=_with_authenticator, valid=lambda d: {}),
    ("accounts:person_add", "post"): Input(
        "admin",
        valid=lambda d: {
            "first_name": "Tai Man", "last_name": "Chan", "email": "chan.taiman@example.gov.hk",
            "role": "office_staff", "office": d.a.office.pk, "language": "zh-hant",
        },
        malformed=lambda d: [
            {"first_name": "", "last_name": "", "email": "not an address", "username": "a b/c",
             "role": "emperor", "office": "OFFA", "language": "tlh"},
            {"first_name": "Tai Man", "last_name": "Chan", "email": "chan.taiman@example.gov.hk",
             "role": "bureau_viewer", "office": d.a.office.pk, "language": "en"},
            {},
        ],
        long=("first_name", "last_name", "email", "username")),
    ("accounts:person", "post"): Input(
        "admin",
        valid=lambda d: {"role": "office_supervisor", "office": d.a.office.pk, "seen": _seen(d)},
        malformed=lambda d: [
            {"role": "emperor", "office": "OFFA", "seen": _seen(d)},
            {"role": "office_staff", "office": "", "seen": _seen(d)},
            {"role": "office_supervisor", "office": d.a.office.pk, "seen": "forged"},
        ]),
    ("accounts:person_invite", "post"): Input("admin", valid=lambda d: {}),
    ("accounts:person_deactivate", "post"): Input("admin", valid=lambda d: {}),
    ("accounts:person_reactivate", "post"): Input("admin", valid=lambda d: {}),
    ("accounts:invitation", "post"): Input(
        "anonymous",
        valid=lambda d: {"new_password1": "Quiet-harbour-42", "new_password2": "Quiet-harbour-42"},
        malformed=lambda d: [{"new_password1": "short", "new_password2": "other"}, {}],
        long=("new_password1", "new_password2")),
    ("activities:create", "post"): Input(
        "staff_a",
        valid=_activity_form,
        malformed=lambda d: [GARBAGE_ACTIVITY, {}],
        long=("title", "event_name", "city", "hk_participants", "notes")),
    ("activities:edit", "post"): Input(
        "staff_a",
        valid=lambda d: _activity_form(d, version=_version(d)),
        malformed=lambda d: [GARBAGE_ACTIVITY],
        long=("title", "event_name", "city", "hk_participants", "notes")),
    ("activities:remove", "post"): Input(
        "staff_a",
        valid=lambda d: {"reason": "Logged twice.", "version": _version(d)},
        malformed=lambda d: [{"reason": "", "version": "latest"}],
        long=("reason",)),
    ("activities:review-one", "post"): Input(
        "supervisor_a",
        prepare=_submitted,
        valid=lambda d: {"action": "return", "comment": "Add the agenda."},
        malformed=lambda d: [{"action": "approve", "comment": ""}, {}],
        long=("comment",)),
    ("activities:submit", "post"): Input(
        "staff_a",
        valid=lambda d: {"ids": d.a.activity.pk},
        malformed=lambda d: [{"ids": "1 OR 1=1", "next": "//evil.example/"}]),
    ("activities:review", "post"): Input(
        "supervisor_a",
        prepare=_submitted,
        valid=lambda d: {"ids": d.a.activity.pk, "action": "return", "comment": "Add the agenda."},
        malformed=lambda d: [{"ids": "all", "action": "approve"}, {}],
        long=("comment",)),
    ("activities:periods", "post"): Input(
        "staff_a",
        valid=lambda d: {"month": "2026-03", "office": d.a.office.pk, "reason": "Late returns."},
        malformed=lambda d: [{"month": "2026-13", "office": "OFFA", "reason": ""}],
        long=("reason",)),
    ("activities:reopening-decide", "post"): Input(
        "admin",
        valid=lambda d: {"decision": "grant", "open_until": "2026-06-30", "note": "Agreed."},
        malformed=lambda d: [{"decision": "maybe", "open_until": "2026-13-45", "note": ""}],
        long=("note",)),
    ("activities:evidence-upload", "post"): Input(
        "staff_a",
        valid=lambda d: {"file": _upload("photo.png", png())},
        malformed=lambda d: [
            {"file": "not a file"},
            {"file": _upload("photo.png", b"MZ\x90\x00 a program, not a photo")},
            {"file": _upload("scan.png", png() + b"\x00" * (10 * 1024 * 1024))},  # > 10 MB
        ]),
    ("activities:import", "post"): Input(
        "staff_a",
        valid=lambda d: {"office": d.a.office.pk, "file": _csv(d)},
        malformed=lambda d: [
            {"office": "OFFA", "file": "not a file"},
            {"office": d.a.office.pk, "file": _upload("activities.xlsx", b"not a workbook")},
        ]),
    ("activities:import-confirm", "post"): Input(
        "staff_a",
        valid=lambda d: {"expected": d.a.batch.report["counts"]["new"]},
        malformed=lambda d: [{"expected": "all of them"}, {}]),
    ("counterparts:create", "post"): Input(
        "staff_a",
        valid=lambda d: {"type": "media", "name_en": "Southern Daily"},
        malformed=lambda d: [{"type": "alien", "name_en": "", "region": "Guangdong"}],
        long=("name_en", "name_zh_hant", "name_zh_hans")),
    ("planning:create", "post"): Input(
        "staff_a",
        valid=_plan_form,
        malformed=lambda d: [GARBAGE_PLAN, {}],
        long=("title", "city", "attendee_names", "purpose", "warning_reason")),
    ("planning:edit", "post"): Input(
        "staff_a",
        valid=lambda d: _plan_form(d, version=d.a.restricted_plan.version),
        malformed=lambda d: [{**GARBAGE_PLAN, "version": "latest"}],
        long=("title", "city", "attendee_names", "purpose", "warning_reason")),
    ("planning:confirm", "post"): Input("supervisor_a", valid=lambda d: {}),
    ("planning:cancel", "post"): Input(
        "staff_a",
        valid=lambda d: {"reason": "travel"},
        malformed=lambda d: [{"reason": "bored"}, {"reason": "other", "note": "  "}, {}],
        long=("note",)),
    ("targets:year(year)", "post"): Input(
        "admin",
        valid=lambda d: {**_target_grid(d), "reason": "Checked."},
        malformed=lambda d: [
            dict.fromkeys(_target_grid(d), "a lot"),
            {**_target_grid(d), **{k: "2.5" for k in _target_grid(d) if k != "reason"}},
        ],
        long=("reason",)),
    # A reason is free text: only its length can be wrong.
    ("targets:copy", "post"): Input(
        "admin", valid=lambda d: {"reason": "Carried forward."}, long=("reason",)),
    ("reporting:publish", "post"): Input(
        "admin",
        valid=lambda d: {"year": 2026, "period": "q1", "format": "csv", "purpose": "LegCo"},
        malformed=lambda d: [{
            "year": "MMXXVI", "period": "q9", "date_from": "2026-13-45",
            "date_to": "yesterday", "office": "OFFA", "format": "exe",
        }],
        long=("purpose",)),
    ("audit:lockout_lift", "post"): Input("admin", valid=lambda d: {}),
    ("planning:note_write", "post"): Input(
        "staff_a",
        valid=lambda d: {"text": "Two visits moved to July.", "version": _note_version(d)},
        malformed=lambda d: [{"text": "", "version": "latest"}, {"text": "Fine.", "version": -1}],
        long=("text",)),
    ("planning:note_reply", "post"): Input(
        "admin",
        valid=lambda d: {"reply": "Noted, thank you.", "version": _note_version(d)},
        malformed=lambda d: [{"reply": "", "version": "latest"}, {"reply": "Fine."}],
        long=("reply",)),
    ("planning:conflict_close", "post"): Input(
        "admin",
        valid=lambda d: {"note": "Office A goes first."},
        malformed=lambda d: [{"note": ""}],
        long=("note",)),

    # Each person's calendar feed: nothing to read but the CSRF token
    ("planning:subscription", "post"): Input("staff_a", valid=lambda d: {}),
    ("planning:feed_new", "post"): Input("staff_a", valid=lambda d: {}),
    ("planning:feed_off", "post"): Input("staff_a", valid=lambda d: {}),

    # The API: JSON bodies
    ("api:activity-list", "post"): Input(
        "staff_a",
        valid=_api_activity,
        malformed=lambda d: [GARBAGE_API_ACTIVITY, {"title": "No date", "unknown": 1}],
        long=("title", "city", "event_name", "hk_participants", "notes")),
    ("api:activity-detail", "put"): Input(
        "staff_a",
        valid=lambda d: _api_activity(d, version=_version(d)),
        malformed=lambda d: [GARBAGE_API_ACTIVITY],
        long=("title", "city", "event_name", "hk_participants", "notes")),
    ("api:activity-detail", "patch"): Input(
        "staff_a",
        valid=lambda d: {"title": "A better title", "version": _version(d)},
        malformed=lambda d: [{"occurred_on": "2026-13-45", "version": "latest"}],
        long=("title", "city", "event_name", "hk_participants", "notes")),
    ("api:activity-submit", "post"): Input("staff_a", valid=lambda d: {}),
    ("api:activity-verify", "post"): Input("supervisor_a", prepare=_submitted, valid=lambda d: {}),
    ("api:activity-return", "post"): Input(
        "supervisor_a",
        prepare=_submitted,
        valid=lambda d: {"comment": "Add the agenda."},
        malformed=lambda d: [{"comment": ["Add", "the agenda"]}, {}],
        long=("comment",)),
    ("api:activity-remove", "post"): Input(
        "staff_a",
        valid=lambda d: {"reason": "Logged twice.", "version": _version(d)},
        malformed=lambda d: [{"reason": "", "version": "latest"}],
        long=("reason",)),
    ("api:plan-list", "post"): Input(
        "staff_a",
        valid=_api_plan,
        malformed=lambda d: [GARBAGE_API_PLAN, {"title": "No date", "unknown": 1}],
        long=PLAN_TEXTS),
    ("api:plan-check", "post"): Input(
        "staff_a",
        valid=_api_plan,
        malformed=lambda d: [GARBAGE_API_PLAN, {**_api_plan(d), "plan": "mine"}],
        long=PLAN_TEXTS),
    ("api:plan-detail", "put"): Input(
        "staff_a",
        valid=lambda d: _api_plan(d, version=_plan_version(d)),
        malformed=lambda d: [GARBAGE_API_PLAN],
        long=PLAN_TEXTS),
    ("api:plan-detail", "patch"): Input(
        "staff_a",
        # Its counterpart is office B's plan's too: going ahead needs a reason.
        valid=lambda d: {
            "title": "A better title", "version": _plan_version(d), "warning_reason": "Agreed.",
        },
        malformed=lambda d: [{"starts_on": "2026-13-45", "version": "latest"}],
        long=PLAN_TEXTS),
    ("api:plan-confirm", "post"): Input("supervisor_a", valid=lambda d: {}),
    ("api:plan-cancel", "post"): Input(
        "staff_a",
        valid=lambda d: {"reason": "travel"},
        malformed=lambda d: [{"reason": "bored"}, {"reason": "other"}, {"reason": ["travel"]}],
        long=("note",)),
    ("api:plan-conflict-close", "post"): Input(
        "admin",
        valid=lambda d: {"note": "Agreed with both offices."},
        malformed=lambda d: [{"note": ""}, {"note": ["Agreed"]}],
        long=("note",)),
    ("api:progress-note-list", "post"): Input(
        "staff_a",
        valid=lambda d: {
            "office": "OFFA", "indicator": "visits", "year": 2026, "month": 6, "text": "On track",
        },
        malformed=lambda d: [
            {"office": 5, "indicator": "", "year": "MMXXVI", "month": 13, "text": ""},
        ],
        long=("text",)),
    ("api:progress-note-detail", "put"): Input(
        "staff_a",
        valid=lambda d: {"text": "Two visits moved to July.", "version": _note_version(d)},
        malformed=lambda d: [{"text": ["x"], "version": "latest"}],
        long=("text",)),
    ("api:progress-note-detail", "patch"): Input(
        "staff_a",
        valid=lambda d: {"text": "Two visits moved to July.", "version": _note_version(d)},
        malformed=lambda d: [{"text": "", "version": 0}],
        long=("text",)),
    ("api:progress-note-reply", "post"): Input(
        "admin",
        valid=lambda d: {"reply": "Thank you.", "version": _note_version(d)},
        malformed=lambda d: [{"reply": "", "version": -1}],
        long=("reply",)),
    ("api:report-list", "post"): Input(
        "admin",
        valid=lambda d: {"year": 2026, "period": "q1", "format": "csv"},
        malformed=lambda d: [{
            "year": "MMXXVI", "period": "q9", "format": "exe", "office": 5, "language": "tlh",
        }],
        long=("purpose",)),
}
# fmt: on


def _routes() -> dict[str, Route]:
    return {r.key: r for r in app_routes() if not r.format_suffix}


def _usable_by(cell) -> bool:
    return not matches(REFUSED, cell) if not isinstance(cell, frozenset) else True


def test_every_route_that_takes_input_has_an_entry():
    """A route that someone may POST, PUT or PATCH to (a cell of the access table that is
    not a refusal) has its entry here; an entry without such a route is stale."""
    takes_input = {
        (key, method)
        for key, row in TABLE.items()
        for method, columns in row.methods().items()
        if method != "get" and key in _routes() and any(_usable_by(c) for c in columns)
    }
    assert sorted(takes_input - set(INPUTS)) == [], "routes without an entry in INPUTS"
    for (key, method), entry in INPUTS.items():
        assert key in TABLE and method in TABLE[key].methods(), f"{key}: no such route"
        cell = TABLE[key].methods()[method][PERSONAS.index(entry.persona)]
        # (Signing out sends to the sign-in page: a success there.)
        assert cell not in {401, 403, 404, 405}, f"{key}: {entry.persona} may not use it"


def _refused(access_dataset, persona, method, url, body, *, api: bool, **extra) -> str | None:
    """Send a body that must be refused: a 4xx, and nothing written. Returns what went
    wrong, or None."""
    client = access_dataset.client(persona)
    with transaction.atomic():
        before = snapshot()
        response = send(client, method, url, body, api=api, **extra)
        written = changed_tables(before, snapshot())
        transaction.set_rollback(True)
    problems = []
    if not 400 <= response.status_code < 500:
        problems.append(f"answered {response.status_code}")
    if written:
        problems.append(f"wrote to {written}")
    return "; ".join(problems) or None


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _too_big_form() -> bytes:
    return b"notes=" + b"x" * TOO_BIG


def _too_big_json() -> bytes:
    return json.dumps({"notes": "x" * TOO_BIG}).encode()


@pytest.mark.parametrize("key", sorted(INPUTS), ids=lambda k: f"{k[0]} {k[1].upper()}")
def test_malformed_and_oversized_input_is_refused(key, access_dataset):
    (name, method), entry = key, INPUTS[key]
    route = _routes()[name]
    if entry.prepare:
        entry.prepare(access_dataset)
    url = url_for(route, TABLE[name], access_dataset.a)
    api = route.is_api

    # The valid body is accepted, so that the refusals below are the bad values' doing.
    client = access_dataset.client(entry.persona)
    with transaction.atomic():
        accepted = send(client, method, url, entry.valid(access_dataset), api=api)
        transaction.set_rollback(True)
    assert accepted.status_code < 400, f"the valid body was refused: {accepted.status_code}"

    bad = [
        (f"malformed body {body!r:.100}", body, {})
        for body in (entry.malformed(access_dataset) if entry.malformed else [])
    ]
    bad += [
        (f"{field} of {len(LONG)} characters", {**entry.valid(access_dataset), field: LONG}, {})
        for field in entry.long
    ]
    if api:
        bad += [
            ("a body that is not JSON", b'{"title": "unfinished', {"content_type": JSON}),
            ("a form instead of JSON", b"title=A+form", {"content_type": FORM}),
            (f"JSON of {TOO_BIG} bytes", _too_big_json(), {"content_type": JSON}),
        ]
    else:
        bad += [(f"a form of {TOO_BIG} bytes", _too_big_form(), {"content_type": FORM})]
    failures = []
    for what, body, extra in bad:
        problem = _refused(
            access_dataset, entry.persona, method, url, body, api=api and not extra, **extra
        )
        if problem:
            failures.append(f"{what}: {problem}")
    assert not failures, f"{method.upper()} {url} as {entry.persona}:\n" + "\n".join(failures)


def test_every_url_refuses_a_body_too_large(access_dataset):
    """Every route of the URL configuration, the admin's included, with a POST body just
    beyond DATA_UPLOAD_MAX_MEMORY_SIZE, as someone who may use it (a bureau admin where
    nobody may): 4xx, and nothing written."""
    failures = []
    for route in [*app_routes(), *admin_routes()]:
        if route.format_suffix:
            continue
        if route.is_admin:
            url, persona = admin_url(route, access_dataset), "admin"
        else:
            row = TABLE[route.key]
            post = row.post or row.get
            persona = next(
                (p for p, cell in zip(PERSONAS, post, strict=True) if _usable_by(cell)), "admin"
            )
            url = url_for(route, row, access_dataset.a)
        body, content_type = (_too_big_json(), JSON) if route.is_api else (_too_big_form(), FORM)
        problem = _refused(
            access_dataset, persona, "post", url, body, api=False, content_type=content_type
        )
        if problem:
            failures.append(f"POST {url} ({route.key}) as {persona}: {problem}")
    assert not failures, "\n".join(failures)
