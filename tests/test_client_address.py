"""The client's address cannot be forged by a client that reaches the application directly.

X-Forwarded-For is believed only from KPI_TRUSTED_PROXIES (the compose stack's nginx), and
then read from the right, past the trusted proxies of a chain. The same reading serves the
sign-in lock-out (django-axes), the audit trail and the API's per-address limit.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from common.http import client_address

PROXY = "172.30.0.10"  # the compose stack's nginx (docker-compose.yml)
CLIENT = "203.0.113.9"
FORGED = "198.51.100.66"
BEHIND = "203.0.113.20"  # a client behind the proxy


@pytest.fixture
def behind_the_proxy(settings):
    settings.KPI_TRUSTED_PROXIES = [PROXY]


def _address(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # A client that reaches the application directly is its own address, whatever it
        # writes in the header.
        (CLIENT, FORGED, CLIENT),
        (CLIENT, f"{FORGED}, {PROXY}", CLIENT),
        (CLIENT, None, CLIENT),
        # Through the proxy: the address the proxy was reached from, which it appends.
        (PROXY, CLIENT, CLIENT),
        (PROXY, f"{FORGED}, {CLIENT}", CLIENT),
        (PROXY, f"{FORGED},{CLIENT}", CLIENT),
        (PROXY, "2001:db8::7", "2001:db8::7"),
        # The proxy with nothing to say, or something that is no address: the proxy.
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        (PROXY, "unknown", PROXY),
        (PROXY, f"{CLIENT}, not-an-address", PROXY),
        # Over IPv6, the proxy's IPv4 address as the socket reports it.
        (f"::ffff:{PROXY}", CLIENT, CLIENT),
    ],
)
def test_one_proxy(behind_the_proxy, remote, forwarded, expected):
    assert _address(remote, forwarded) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # client -> load balancer (10.0.0.5) -> nginx -> application
        (f"{CLIENT}, 10.0.0.5", CLIENT),
        (f"{FORGED}, {CLIENT}, 10.0.0.5", CLIENT),
        # a second proxy of the trusted network
        (f"{FORGED}, {CLIENT}, 10.0.0.5, 172.30.0.11", CLIENT),
        # every hop trusted: the first of them is as far as anyone can tell
        ("10.0.0.5", "10.0.0.5"),
    ],
)
def test_a_chain_of_trusted_proxies(settings, forwarded, expected):
    settings.KPI_TRUSTED_PROXIES = ["172.30.0.0/24", "10.0.0.5"]
    assert _address(PROXY, forwarded) == expected


def test_a_proxy_that_is_not_trusted_is_the_client(behind_the_proxy):
    """A load balancer in front of nginx that nobody listed: its address is the client's."""
    assert _address(PROXY, f"{CLIENT}, 10.0.0.5") == "10.0.0.5"


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KPI_TRUSTED_PROXIES = []
    assert _address(PROXY, CLIENT) == PROXY


# --- what a forged address would have escaped ---------------------------------------------


@pytest.mark.django_db
def test_a_direct_client_cannot_escape_the_sign_in_lock_out_by_forging_its_address(
    behind_the_proxy,
):
    UserFactory(username="someone")
    codes = []
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        client = Client(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
        response = client.post(
            reverse("accounts:login"), {"username": "someone", "password": "wrong guess"}
        )
        codes.append(response.status_code)
    assert codes[-1] == 429, codes  # locked out: the forged addresses counted as one


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_lock_out(behind_the_proxy):
    UserFactory(username="someone")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT).post(
            reverse("accounts:login"), {"username": "someone", "password": "wrong guess"}
        )
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.10").post(
        reverse("accounts:login"), {"username": "someone", "password": "wrong guess"}
    )
    assert other.status_code == 400  # refused for the password, not locked out


@pytest.fixture
def one_request_a_minute(settings):
    settings.KPI_API_THROTTLE_RATES = {"user": "100/min", "token": "100/min", "anon": "1/min"}
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_direct_client_cannot_escape_the_apis_limit_by_forging_its_address(
    behind_the_proxy, one_request_a_minute
):
    codes = [
        Client(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .get(reverse("api:region-list"))
        .status_code
        for n in range(2)
    ]
    assert codes == [401, 429]


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_api_limit(behind_the_proxy, one_request_a_minute):
    codes = [
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{FORGED}, 203.0.113.{n}")
        .get(reverse("api:region-list"))
        .status_code
        for n in range(2)
    ]
    assert codes == [401, 401]


# --- production settings ---------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kpi_tracker.settings.production",
    "DJANGO_SECRET_KEY": "t8Jw1rX5q0ZkP3vN7mL2cY9hG4dF6sA1eR8uI0oP5lK3jH7gB2nM6vC4xZ9qW",
    "DJANGO_ALLOWED_HOSTS": "kpi.example.gov.hk",
    "DATABASE_URL": "postgres://kpi:secret@db:5432/kpi_tracker",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "KPI_TRUSTED_PROXIES": PROXY,
}

READ_ADDRESSES = f"""
import django; django.setup()
from django.conf import settings
from django.test import RequestFactory
from django.utils.module_loading import import_string
from api.throttling import AnonThrottle
for remote, forwarded in (("{CLIENT}", "{FORGED}"), ("{PROXY}", "{FORGED}, {BEHIND}")):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    print(import_string(settings.AXES_CLIENT_IP_CALLABLE)(request), AnonThrottle().get_ident(request))
"""


def test_production_settings_believe_the_header_from_the_proxy_alone():
    """As the web service of docker-compose.yml starts: a direct client's forged header is
    ignored by the lock-out and the API's limit alike; the proxy's is believed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603 (our own settings)
        [sys.executable, "-c", READ_ADDRESSES],
        cwd=settings.BASE_DIR,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [CLIENT, CLIENT, BEHIND, BEHIND]


def test_a_trusted_proxy_that_is_no_address_stops_startup():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**clean, **PRODUCTION_ENV, "KPI_TRUSTED_PROXIES": "nginx"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "KPI_TRUSTED_PROXIES must list IP addresses or networks" in result.stderr
