"""How the API lets people in and keeps them within bounds: personal tokens (Bearer or
Token), the pages' session with CSRF, request rates per user, per token and per address,
body size and type, and the schema and documentation pages (signed in, no CDN).

Today is Monday 8 June 2026, 10:00 in Hong Kong.
"""

import datetime as dt
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from accounts.models import ApiToken
from accounts.tokens import token_create, token_revoke
from activities.models import Activity
from api.tests.clients import bearer
from reports.models import PublishedReport

HK = ZoneInfo("Asia/Hong_Kong")
NOW = dt.datetime(2026, 6, 8, 10, tzinfo=HK)
TODAY = NOW.date()
CHALLENGE = 'Bearer realm="api"'
LOW_RATES = {"user": "5/min", "token": "3/min", "anon": "2/min"}
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def token_a(staff_a):
    """staff_a's token and its raw value."""
    return token_create(user=staff_a, name="Monthly import script")


def regions(client=None, **headers):
    return (client or Client()).get(reverse("api:region-list"), **headers)


def auth(keyword: str, raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"{keyword} {raw}"}


# --- tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer", "TOKEN"])
def test_a_token_signs_in_with_either_keyword(token_a, staff_a, office_a, keyword):
    _token, raw = token_a
    response = Client().get(reverse("api:office-list"), **auth(keyword, raw))
    assert response.status_code == 200
    assert [o["code"] for o in response.json()] == ["OFFA"]  # as staff_a, no one else


def test_no_credentials_is_a_challenge(db):
    response = regions()
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_a_revoked_token_is_refused(token_a, staff_a):
    token, raw = token_a
    assert regions(**auth("Bearer", raw)).status_code == 200
    token_revoke(user=staff_a, token_id=token.pk)
    response = regions(**auth("Bearer", raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_a_token_works_to_the_end_of_its_last_day(staff_a, frozen):
    _token, raw = token_create(user=staff_a, name="Until today", expires_on=TODAY)
    frozen.move_to(dt.datetime(2026, 6, 8, 23, 59, 59, tzinfo=HK))
    assert regions(**auth("Bearer", raw)).status_code == 200
    frozen.move_to(dt.datetime(2026, 6, 9, 0, 0, 1, tzinfo=HK))
    response = regions(**auth("Bearer", raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_an_expired_token_is_refused(token_a):
    token, raw = token_a
    ApiToken.objects.filter(pk=token.pk).update(expires_on=TODAY - dt.timedelta(days=1))
    response = regions(**auth("Bearer", raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_the_token_of_an_inactive_user_is_refused(token_a, staff_a):
    _token, raw = token_a
    staff_a.is_active = False
    staff_a.save()
    response = regions(**auth("Bearer", raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer kpi_" + "x" * 43,
        "Bearer not-a-token",
        "Bearer kpi_abc def",
        "Token " + "kpi_" + "y" * 300,
        "Bearer kpi_é",
    ],
)
def test_garbage_is_refused(token_a, header):
    response = regions(HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert set(response.json()) == {"detail"}


def test_a_token_with_a_bit_changed_is_refused(token_a):
    _token, raw = token_a
    changed = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert regions(**auth("Bearer", changed)).status_code == 401


def test_a_bad_token_is_not_rescued_by_a_session(client_staff_a, token_a):
    """A script sending a wrong token learns so, even from a browser with a session."""
    response = regions(client_staff_a, **auth("Bearer", "kpi_wrong"))
    assert response.status_code == 401


def test_last_used_is_recorded(token_a, frozen):
    token, raw = token_a
    assert token.last_used_at is None
    regions(**auth("Bearer", raw))
    token.refresh_from_db()
    assert token.last_used_at == NOW

    frozen.shift(dt.timedelta(seconds=30))
    regions(**auth("Bearer", raw))
    token.refresh_from_db()
    assert token.last_used_at == NOW  # at most once a minute

    frozen.shift(dt.timedelta(minutes=2))
    regions(**auth("Bearer", raw))
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(minutes=2, seconds=30)


def test_a_refused_token_is_not_marked_used(token_a, staff_a):
    token, raw = token_a
    token_revoke(user=staff_a, token_id=token.pk)
    regions(**auth("Bearer", raw))
    token.refresh_from_db()
    assert token.last_used_at is None


# --- the session ---------------------------------------------------------------------------


def publish_payload() -> str:
    return json.dumps({"year": 2026, "period": "q1", "format": "csv"})


def test_the_session_reads(client_staff_a, office_a, unit_a):
    response = client_staff_a.get(reverse("api:office-list"))
    assert response.status_code == 200
    assert {o["code"] for o in response.json()} == {"OFFA", "UNITA"}


def test_an_unsafe_request_by_session_needs_the_csrf_token(
    bureau_admin, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau_admin)
    url = reverse("api:report-list")

    response = client.post(url, publish_payload(), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not PublishedReport.objects.exists()

    page = client.get(reverse("reporting:index"))  # any page with a form sets the cookie
    assert page.status_code == 200
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, publish_payload(), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
        )
    assert response.status_code == 202
    assert PublishedReport.objects.get().state == PublishedReport.State.DONE


def test_a_wrong_csrf_token_is_refused(bureau_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau_admin)
    client.get(reverse("reporting:index"))
    response = client.post(
        reverse("api:report-list"),
        publish_payload(),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="a" * 32,
    )
    assert response.status_code == 403
    assert not PublishedReport.objects.exists()


def test_a_token_needs_no_csrf_token(bureau_admin, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:report-list"),
            publish_payload(),
            content_type="application/json",
            **bearer(bureau_admin),
        )
    assert response.status_code == 202


# --- request rates -------------------------------------------------------------------------


@pytest.fixture
def low_rates():
    cache.clear()
    with override_settings(KPI_API_THROTTLE_RATES=LOW_RATES):
        yield
    cache.clear()


def statuses(n, client=None, **headers) -> list[int]:
    client = client or Client()
    return [regions(client, **headers).status_code for _ in range(n)]


def test_a_token_is_held_to_its_own_rate_and_the_users_other_token_still_works(low_rates, staff_a):
    busy, other = bearer(staff_a), bearer(staff_a)
    assert statuses(3, **busy) == [200, 200, 200]
    refused = regions(**busy)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert regions(**other).status_code == 200  # the user has had 4 of 5 at most


def test_a_user_is_held_to_their_rate_whatever_the_token_or_session(
    low_rates, staff_a, client_staff_a
):
    first, second = bearer(staff_a), bearer(staff_a)
    assert statuses(2, **second) == [200, 200]
    assert statuses(3, **first) == [200, 200, 200]  # five for the user: the limit
    assert regions(**second).status_code == 429  # its own third: the user's sixth
    assert regions(**bearer(staff_a)).status_code == 429  # a new token does not help
    assert regions(client_staff_a).status_code == 429  # nor the session


def test_one_users_rate_leaves_others_alone(low_rates, staff_a, staff_b):
    mine = bearer(staff_a)
    assert statuses(4, **mine)[-1] == 429
    assert statuses(3, **bearer(staff_b)) == [200, 200, 200]


def test_the_rate_starts_again_after_a_minute(low_rates, staff_a, frozen):
    mine = bearer(staff_a)
    assert statuses(4, **mine)[-1] == 429
    frozen.shift(dt.timedelta(seconds=61))
    assert regions(**mine).status_code == 200


def test_anonymous_requests_are_limited_by_address(low_rates, db):
    here, there = {"REMOTE_ADDR": "10.0.0.1"}, {"REMOTE_ADDR": "10.0.0.2"}
    assert statuses(2, **here) == [401, 401]
    refused = regions(**here)
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert regions(**there).status_code == 401  # another address has its own


def test_wrong_tokens_are_limited_by_address(low_rates, db):
    """Guessing tokens is as limited as any request without valid credentials."""
    here = {"REMOTE_ADDR": "10.0.0.3"}
    codes = [regions(**here, **auth("Bearer", f"kpi_guess{n}")).status_code for n in range(3)]
    assert codes == [401, 401, 429]


def test_a_made_up_forwarded_for_header_does_not_escape_the_limit(low_rates, db):
    """Whatever a client writes in X-Forwarded-For before the address our own proxy adds
    (or REMOTE_ADDR, without a proxy), it is held to one address's rate."""
    codes = [
        regions(
            REMOTE_ADDR="10.0.0.4", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7"
        ).status_code
        for n in range(3)
    ]
    assert codes == [401, 401, 429]


# --- bodies --------------------------------------------------------------------------------


def big_json(limit: int, key: str, base: dict) -> str:
    body = json.dumps({**base, key: ""})
    return json.dumps({**base, key: "x" * (limit + 1 - len(body))})


def test_a_body_over_the_limit_is_refused_and_nothing_written(
    bureau_admin, staff_a, office_a, indicator, django_capture_on_commit_callbacks
):
    limit = settings.KPI_API_MAX_BODY_BYTES
    report = big_json(limit, "purpose", {"year": 2026, "period": "q1", "format": "csv"})
    assert len(report.encode()) == limit + 1
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("api:report-list"),
            report,
            content_type="application/json",
            **bearer(bureau_admin),
        )
    assert response.status_code == 413
    assert not PublishedReport.objects.exists()

    activity = big_json(
        limit,
        "notes",
        {
            "lead_office": "OFFA",
            "indicator": indicator.code,
            "occurred_on": "2026-06-01",
            "title": "Visit",
        },
    )
    response = Client().post(
        reverse("api:activity-list"), activity, content_type="application/json", **bearer(staff_a)
    )
    assert response.status_code == 413
    assert not Activity.objects.exists()


def test_a_body_at_the_limit_is_read(bureau_admin):
    limit = settings.KPI_API_MAX_BODY_BYTES
    body = big_json(limit - 1, "purpose", {"year": 2026, "period": "q1", "format": "csv"})
    assert len(body.encode()) == limit
    response = Client().post(
        reverse("api:report-list"), body, content_type="application/json", **bearer(bureau_admin)
    )
    assert response.status_code == 400  # read and judged: the purpose is too long
    assert "purpose" in response.json()


@override_settings(KPI_API_MAX_BODY_BYTES=1000)
def test_the_limit_is_a_setting(bureau_admin):
    body = big_json(1000, "purpose", {"year": 2026})
    response = Client().post(
        reverse("api:report-list"), body, content_type="application/json", **bearer(bureau_admin)
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "year=2026&period=q1&format=csv"),
        ("multipart/form-data; boundary=BoUnDaRy", "--BoUnDaRy--\r\n"),
        ("text/plain", '{"year": 2026, "period": "q1", "format": "csv"}'),
    ],
)
def test_only_json_bodies_are_read(bureau_admin, content_type, body):
    response = Client().post(
        reverse("api:report-list"), body, content_type=content_type, **bearer(bureau_admin)
    )
    assert response.status_code == 415
    assert not PublishedReport.objects.exists()


def test_malformed_json_is_a_bad_request(bureau_admin):
    response = Client().post(
        reverse("api:report-list"),
        '{"year": 2026,',
        content_type="application/json",
        **bearer(bureau_admin),
    )
    assert response.status_code == 400
    assert not PublishedReport.objects.exists()


# --- the schema ----------------------------------------------------------------------------

ENDPOINTS = {
    "/api/v1/regions/": {"get"},
    "/api/v1/regions/{code}/": {"get"},
    "/api/v1/offices/": {"get"},
    "/api/v1/offices/{code}/": {"get"},
    "/api/v1/indicators/": {"get"},
    "/api/v1/indicators/{code}/": {"get"},
    "/api/v1/counterparts/": {"get"},
    "/api/v1/activities/": {"get", "post"},
    "/api/v1/activities/{id}/": {"get", "put", "patch"},
    "/api/v1/activities/{id}/submit/": {"post"},
    "/api/v1/activities/{id}/verify/": {"post"},
    "/api/v1/activities/{id}/return/": {"post"},
    "/api/v1/activities/{id}/remove/": {"post"},
    "/api/v1/reports/": {"get", "post"},
    "/api/v1/reports/{id}/": {"get"},
    "/api/v1/reports/{id}/download/": {"get"},
    "/api/v1/targets/": {"get"},
    "/api/v1/progress/": {"get"},
}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("signed_in", ["token", "session"])
def test_the_schema_is_valid_openapi_3_with_every_endpoint(client, staff_a, signed_in):
    if signed_in == "session":
        client.force_login(staff_a)
        response = client.get(reverse("api:schema"))
    else:
        response = client.get(reverse("api:schema"), **bearer(staff_a))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert re.fullmatch(r"3\.\d+\.\d+", schema["openapi"])
    validate_schema(schema)  # against the OpenAPI 3 JSON schema
    assert schema["info"]["title"] == "KPI Tracker API"
    for path, methods in ENDPOINTS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    assert not [p for p in schema["paths"] if not p.startswith("/api/v1/")]
    for ref in _refs(schema):  # every reference resolves
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schema["components"]["schemas"], ref
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_the_schema_as_json(client, staff_a):
    response = client.get(
        reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json", **bearer(staff_a)
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert set(ENDPOINTS) <= set(response.json()["paths"])


def test_anonymous_gets_no_schema(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code in (401, 403)
    assert b"/api/v1/" not in response.content


# --- the documentation ---------------------------------------------------------------------


class Resources(HTMLParser):
    """The scripts, stylesheets and other linked resources a page loads."""

    def __init__(self):
        super().__init__()
        self.scripts, self.links, self.inline_scripts = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            else:
                self.inline_scripts += 1
        elif tag == "link" and attrs.get("href"):
            self.links.append((attrs.get("rel", ""), attrs["href"]))


def test_anonymous_is_sent_to_sign_in_for_the_docs(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_docs_load_only_our_own_files(client, staff_a):
    client.force_login(staff_a)
    url = reverse("api:docs")
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    found = Resources()
    found.feed(page)
    assert found.scripts, "the page loads Swagger UI"
    assert any("stylesheet" in rel for rel, _href in found.links)
    for src in found.scripts + [href for _rel, href in found.links]:
        parts = urlsplit(urljoin("http://testserver" + url, src))
        assert parts.netloc == "testserver", src  # no CDN, no other host
        assert parts.path.startswith(settings.STATIC_URL) or parts.path == url, src
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)

    for src in found.scripts + [href for _rel, href in found.links]:
        path = urlsplit(urljoin(url, src)).path
        if path == url:  # the page's own script: it reads our schema, from nowhere else
            script = client.get(urljoin(url, src))
            assert script.status_code == 200
            assert script["Content-Type"].startswith("application/javascript")
            text = script.content.decode()
            assert not re.search(r"https?://", text)
            assert reverse("api:schema") in text
        else:  # shipped with the application, as a static file
            assert finders.find(path.removeprefix(settings.STATIC_URL)), path
