"""NUL bytes and deeply nested JSON, wherever a client can put them, answer 400 (JSON under
/api/), never 500, and write nothing.

PostgreSQL refuses a NUL in any text it is sent, and Python's JSON decoder gives up on
deep nesting with a RecursionError: left alone, both end as a 500 wherever a value reaches
a query or a body is parsed. The routes come from the URL configuration (tests/access_table.py),
so a new page is tried without anyone remembering to: every route gets a NUL in each
segment of its path, in its query string, in the headers the application reads and in a
form's fields; every API write endpoint a body of 100 000 nested arrays and one with NULs
in its strings and keys.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import transaction

from .access_table import (
    PERSONAS,
    TABLE,
    Route,
    admin_routes,
    admin_url,
    app_routes,
    changed_tables,
    send,
    snapshot,
    url_for,
)
from .test_bad_input import INPUTS, _usable_by

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("access_media_root")]

NUL = "\x00"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
DEEP = b"[" * 100_000 + b"]" * 100_000

# Every name a page or endpoint reads from the query string, so that a NUL reaches each.
QUERY_NAMES = (
    "q", "year", "as_of", "office", "unit", "lead", "indicator", "status", "date_from",
    "date_to", "region", "sort", "page", "page_size", "show", "next", "format", "period",
    "event", "username", "address", "changed_since", "counted", "type", "language", "fmt",
)  # fmt: skip
# Headers the application reads: the audit trail (User-Agent), the address (X-Forwarded-For),
# the language (Accept-Language), the API (Authorization, If-Match, Accept), CSRF.
NUL_HEADERS = {
    "HTTP_USER_AGENT": f"Mozilla/5.0{NUL}",
    "HTTP_X_FORWARDED_FOR": f"10.0.0.1{NUL}",
    "HTTP_ACCEPT_LANGUAGE": f"zh-hant{NUL}",
    "HTTP_AUTHORIZATION": f"Bearer kpi_{NUL}",
    "HTTP_IF_MATCH": f'"1{NUL}"',
    "HTTP_ACCEPT": f"application/json{NUL}",
}


def _routes(data) -> list[tuple[Route, str, str]]:
    """(route, url, persona) for every route, the admin's included: on office A's objects,
    as the first persona who may use the route (a bureau admin where nobody may)."""
    found = []
    for route in [*app_routes(), *admin_routes()]:
        if route.format_suffix:
            continue
        if route.is_admin:
            found.append((route, admin_url(route, data), "admin"))
            continue
        row = TABLE[route.key]
        cells = row.post or row.get
        persona = next(
            (p for p, cell in zip(PERSONAS, cells, strict=True) if _usable_by(cell)), "admin"
        )
        found.append((route, url_for(route, row, data.a), persona))
    return found


def _with_nul_in_each_segment(url: str) -> list[str]:
    segments = url.split("/")
    return [
        "/".join([*segments[:i], f"{segment}%00", *segments[i + 1 :]])
        for i, segment in enumerate(segments)
        if segment
    ]


def _problem(response, url: str) -> str | None:
    """None for a 400 (JSON under /api/); otherwise what was wrong."""
    if response.status_code != 400:
        return f"answered {response.status_code}"
    if url.startswith("/api/"):
        if not response["Content-Type"].startswith(JSON):
            return f"answered 400 as {response['Content-Type']}, not JSON"
        if "detail" not in response.json():
            return "answered 400 without a detail"
    return None


def _check_all(access_dataset, requests) -> list[str]:
    """Send (description, persona, method, url, body, extra) requests; each must answer 400,
    and together they must write nothing."""
    failures = []
    before = snapshot()
    for what, persona, method, url, body, extra in requests:
        client = access_dataset.client(persona)
        client.raise_request_exception = False  # a 500 is listed with the other failures
        with transaction.atomic():
            response = send(client, method, url, body, **extra)
            transaction.set_rollback(True)
        problem = _problem(response, url)
        if problem:
            failures.append(f"{method.upper()} {url} as {persona} ({what}): {problem}")
    written = changed_tables(before, snapshot())
    if written:
        failures.append(f"wrote to {written}")
    return failures


def test_nul_in_the_path_is_refused(access_dataset):
    requests = []
    # (and a static file's: looked up on disk in development and tests)
    static = (None, "/static/css/app.css", "anonymous")
    for _route, url_a, persona in [*_routes(access_dataset), static]:
        for url in _with_nul_in_each_segment(url_a):
            requests.append(("NUL in the path", persona, "get", url, None, {}))
    failures = _check_all(access_dataset, requests)
    assert not failures, "\n".join(failures)


def test_nul_in_the_query_string_is_refused(access_dataset):
    query = dict.fromkeys(QUERY_NAMES, f"2026{NUL}") | {f"x{NUL}": "1"}
    requests = []
    for route, url, persona in _routes(access_dataset):
        own = {} if route.is_admin else TABLE[route.key].query(access_dataset.a)
        with_own = query | {name: f"{value}{NUL}" for name, value in own.items()}
        requests.append(("NUL in the query string", persona, "get", url, with_own, {}))
    failures = _check_all(access_dataset, requests)
    assert not failures, "\n".join(failures)


def test_nul_in_a_header_is_refused(access_dataset, settings):
    """Every route with a NUL in each header the application reads, all at once; then each
    header, and a session cookie, on its own at the sign-in page (which records the
    browser's name and the address of every attempt) and at the API."""
    requests = [
        ("NUL in the headers", persona, "get", url, None, NUL_HEADERS)
        for _route, url, persona in _routes(access_dataset)
    ]
    sign_in = {"username": "staff_a", "password": "wrong password"}
    cookie = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=abcdefgh{NUL}ijklmnop"}
    for header, value in {**NUL_HEADERS, **cookie}.items():
        requests += [
            (f"NUL in {header}", "anonymous", "post", "/accounts/login/", sign_in, {header: value}),
            (f"NUL in {header}", "staff_a", "get", "/api/v1/activities/", None, {header: value}),
        ]
    failures = _check_all(access_dataset, requests)
    assert not failures, "\n".join(failures)


def _nul_form(entry, data) -> dict:
    """The route's valid body with a NUL in every value, and a field whose name has one."""
    body = entry.valid(data) if entry else {}
    nul = {k: v if hasattr(v, "read") else f"{v}{NUL}" for k, v in body.items()}
    return {**nul, f"field{NUL}": f"value{NUL}"}


def test_nul_in_a_form_field_is_refused(access_dataset):
    """Every page's route and the admin's POSTed a form with a NUL in each field; the
    pages' also as a multipart form (the uploads' encoding)."""
    requests = []
    for route, url, persona in _routes(access_dataset):
        if route.is_api:
            continue
        entry = None if route.is_admin else INPUTS.get((route.key, "post"))
        body = _nul_form(entry, access_dataset)
        plain = urlencode({k: v for k, v in body.items() if not hasattr(v, "read")})
        requests.append(("a form with NULs", persona, "post", url, plain, {"content_type": FORM}))
        if not route.is_admin:
            requests.append(("a multipart form with NULs", persona, "post", url, body, {}))
    failures = _check_all(access_dataset, requests)
    assert not failures, "\n".join(failures)


API_WRITES = sorted(key for key in INPUTS if key[0].startswith("api:"))


def _strings_with_nul(value):
    if isinstance(value, str):
        return f"{value}{NUL}"
    if isinstance(value, dict):
        return {f"{k}": _strings_with_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings_with_nul(v) for v in value]
    return value


@pytest.mark.parametrize("key", API_WRITES, ids=lambda k: f"{k[0]} {k[1].upper()}")
def test_api_refuses_nul_and_deep_nesting(key, access_dataset):
    from .test_bad_input import _routes as routes_by_key

    (name, method), entry = key, INPUTS[key]
    if entry.prepare:
        entry.prepare(access_dataset)
    url = url_for(routes_by_key()[name], TABLE[name], access_dataset.a)
    valid = entry.valid(access_dataset)
    bodies = [
        ("100 000 nested arrays", DEEP),
        # (as many as fit in the API's 256 KiB)
        ("40 000 nested objects", b'{"a":' * 40_000 + b"1" + b"}" * 40_000),
        ("33 nested arrays", b"[" * 33 + b"]" * 33),
        ("NUL in every string", json.dumps(_strings_with_nul(valid) | {"note": "x\u0000"})),
        ("NUL in a key", json.dumps({**valid, "title\u0000": "x"})),
        ("a lone NUL", json.dumps("\u0000")),
    ]
    requests = [
        (what, entry.persona, method, url, body, {"content_type": JSON}) for what, body in bodies
    ]
    failures = _check_all(access_dataset, requests)
    assert not failures, "\n".join(failures)
