"""Production settings: `check --deploy` finds nothing, startup fails clearly without the
environment, and every response carries the security headers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kpi_tracker.settings.production",
    "DJANGO_SECRET_KEY": "t8Jw1rX5q0ZkP3vN7mL2cY9hG4dF6sA1eR8uI0oP5lK3jH7gB2nM6vC4xZ9qW",
    "DJANGO_ALLOWED_HOSTS": "kpi.example.gov.hk",
    "DATABASE_URL": "postgres://kpi:secret@db:5432/kpi_tracker",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_check_with_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_refuses_to_start_without_its_environment(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set in production" in result.stderr


def test_production_settings_are_the_secure_ones():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)",
        env=PRODUCTION_ENV,
    )
    assert result.stdout.splitlines()[-1].split() == [
        "False", "True", "True", "True", "True", "True", "True"
    ], result.stderr  # fmt: skip


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client_staff_a):
    response = client_staff_a.get(reverse("activities:list"))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content


@pytest.mark.django_db
def test_only_the_chart_pages_allow_inline_styles_and_never_inline_scripts(client_bureau):
    response = client_bureau.get(reverse("reports:bureau"))
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"
