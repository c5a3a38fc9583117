"""Every URL of the project, as every persona, against the access table kept in
tests/access_table.py (docs/security.md, "Who may open what"). A URL without a row fails
here, and so does a row whose URL is gone: who may open a new page is decided in the table,
not by default.

Each persona gets what its column says, for GET and for a POST, PUT or PATCH with an empty
body and a valid CSRF token; a persona refused finds nothing written. The objects in the
URLs are office A's; the same rows are replayed with office B's objects for office A's
staff and supervisor, who must get what office B's got: other offices' objects answer 404.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from .access_table import (
    ADMIN_RULE,
    PERSONAS,
    REFUSED,
    TABLE,
    A,
    admin_routes,
    admin_url,
    app_routes,
    changed_tables,
    discover_routes,
    expected_row,
    matches,
    outcome,
    send,
    snapshot,
    url_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("access_media_root")]

MIRROR = {"staff_a": "staff_b", "supervisor_a": "supervisor_b"}


def test_every_url_has_a_row_and_every_row_a_url():
    routes = discover_routes()
    keys = {r.key for r in routes}
    without_row = sorted(r.key for r in routes if expected_row(r) is None)
    assert not without_row, (
        f"URLs without a row in tests/access_table.py TABLE (say who may open them): {without_row}"
    )
    gone = sorted(set(TABLE) - keys)
    assert not gone, f"Rows of tests/access_table.py TABLE without a URL: {gone}"
    unnamed = sorted(r.key for r in routes if r.name is None and not r.is_admin)
    assert not unnamed, f"Name these URLs, so that the table can say who opens them: {unnamed}"
    suffixed = {r.key for r in routes if r.format_suffix}
    assert suffixed <= {r.key for r in routes if not r.format_suffix}, (
        "Every format-suffix route repeats a route of the table"
    )


def _check(access_dataset, persona, method, url, cell, *, api, query=None) -> str | None:
    """One request. A change is rolled back once answered (the next persona finds the data
    as it was), and one refused must have written nothing; a GET must write nothing at all
    (see the end of test_access). Returns what went wrong, or None."""
    client = access_dataset.client(persona)
    if method == "get":
        got, written = outcome(send(client, method, url, query, api=api)), []
    else:
        watch = not isinstance(cell, frozenset) and cell in REFUSED
        with transaction.atomic():
            before = snapshot() if watch else None
            got = outcome(send(client, method, url, query, api=api))
            written = changed_tables(before, snapshot()) if watch else []
            transaction.set_rollback(True)
    problems = []
    if not matches(cell, got):
        problems.append(f"expected {cell}, got {got}")
    if written:
        problems.append(f"refused, yet wrote to {written}")
    if problems:
        return f"{method.upper()} {url} as {persona}: {'; '.join(problems)}"
    return None


APP_ROUTES = [r for r in app_routes() if not r.format_suffix]


def _format_suffix_variants(route) -> list:
    """DRF's `.json` twins of a route, if its router makes them."""
    return [
        r for r in app_routes() if r.format_suffix and (r.key, r.name) == (route.key, route.name)
    ]


@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.key)
def test_access(route, access_dataset):
    row = TABLE.get(route.key)
    if row is None:
        pytest.fail(f"{route.key} ({route.route}) has no row in tests/access_table.py TABLE")
    suffixed = _format_suffix_variants(route)
    failures = []
    before = snapshot()

    # As the table says, on office A's objects (and through DRF's `.json` routes alike).
    for method, columns in row.methods().items():
        for persona, cell in zip(PERSONAS, columns, strict=True):
            for variant in [route, *suffixed] if method == "get" else [route]:
                url = url_for(variant, row, access_dataset.a)
                failures.append(
                    _check(
                        access_dataset,
                        persona,
                        method,
                        url,
                        cell,
                        api=route.is_api,
                        query=row.query(access_dataset.a) if method == "get" else None,
                    )
                )

    # Office B's objects, for office A's people: what office B's people got on office A's.
    url_a, url_b = url_for(route, row, access_dataset.a), url_for(route, row, access_dataset.b)
    if (url_a, row.query(access_dataset.a)) != (url_b, row.query(access_dataset.b)):
        for method, columns in row.methods().items():
            expected = dict(zip(PERSONAS, columns, strict=True))
            for persona, mirror in MIRROR.items():
                cell = expected[mirror]
                assert matches(REFUSED | {400}, cell), f"{route.key}: {mirror} is let in"
                failures.append(
                    _check(
                        access_dataset,
                        persona,
                        method,
                        url_b,
                        cell,
                        api=route.is_api,
                        query=row.query(access_dataset.b) if method == "get" else None,
                    )
                )

    failures = list(filter(None, failures))
    written = changed_tables(before, snapshot())
    if written:
        failures.append(f"a GET of {route.route} wrote to {written}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin(persona, access_dataset):
    """The Django admin: every URL of its namespace, by ADMIN_RULE or the admin rows of
    the table. Those who are not let in are also refused a POST, and nothing is written."""
    column = PERSONAS.index(persona)
    failures = []
    before = snapshot()
    for route in admin_routes():
        row = expected_row(route)
        url = admin_url(route, access_dataset)
        got = outcome(access_dataset.client(persona).get(url))
        if not matches(row.get[column], got):
            failures.append(f"GET {url} ({route.key}): expected {row.get[column]}, got {got}")
        if row is ADMIN_RULE and row.get[column] == A:
            got = outcome(send(access_dataset.client(persona), "post", url))
            if got != A:
                failures.append(f"POST {url} ({route.key}): expected {A}, got {got}")
    written = changed_tables(before, snapshot())
    if written:
        failures.append(f"the admin's URLs wrote to {written}")
    assert not failures, f"as {persona}:\n" + "\n".join(failures)
