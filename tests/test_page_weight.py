"""Page weight (docs/performance.md, "Page weight"): the dashboards load at most 1.5 MB of
script, the vendored plotly.js is the file the npm lock records, and production sends pages,
API answers and static files compressed to a browser that accepts it, file downloads as
they are. Sizes, not timings."""

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

from activities.tests.factories import ActivityFactory

ROOT = Path(settings.BASE_DIR)
FRONTEND = ROOT / "frontend"
SCRIPT_BUDGET = 1_500_000  # bytes, uncompressed, every script of a dashboard together
DECOMPRESS = {"gzip": gzip.decompress, "br": brotli.decompress}
SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kpi_tracker.settings.production",
    "DJANGO_SECRET_KEY": "t8Jw1rX5q0ZkP3vN7mL2cY9hG4dF6sA1eR8uI0oP5lK3jH7gB2nM6vC4xZ9qW",
    "DJANGO_ALLOWED_HOSTS": "kpi.example.gov.hk",
    "DATABASE_URL": "postgres://kpi:secret@db:5432/kpi_tracker",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
}


# --- the vendored plotly.js -------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_vendored_files_are_the_ones_the_npm_lock_records():
    """Without npm: each committed file has the hash vendor.json recorded when `make vendor`
    copied it, from the version the lock pins (`make check-vendor` rebuilds and compares)."""
    manifest = json.loads((FRONTEND / "vendor.json").read_text())
    lock = json.loads((FRONTEND / "package-lock.json").read_text())["packages"]
    pinned = json.loads((FRONTEND / "package.json").read_text())["dependencies"]
    assert "static/vendor/plotly/plotly-basic.min.js" in manifest
    assert "static/vendor/plotly/LICENSE" in manifest
    for target, entry in manifest.items():
        locked = lock[f"node_modules/{entry['package']}"]
        assert _sha256(ROOT / target) == entry["sha256"], target
        assert entry["version"] == locked["version"] == pinned[entry["package"]], target
        assert locked["integrity"].startswith("sha512-"), target


def test_the_plotly_bundle_is_the_basic_one_of_the_same_version():
    head = (ROOT / "static/vendor/plotly/plotly-basic.min.js").read_text()[:200]
    manifest = json.loads((FRONTEND / "vendor.json").read_text())
    version = manifest["static/vendor/plotly/plotly-basic.min.js"]["version"]
    assert f"plotly.js (basic - minified) v{version}" in head


def test_the_bundle_is_the_plotly_js_of_the_locked_plotly_package():
    """Upgrading plotly (requirements) without rebuilding the bundle (make vendor), or the
    other way round, fails here: the two say the same plotly.js."""
    import plotly.offline

    manifest = json.loads((FRONTEND / "vendor.json").read_text())
    vendored = manifest["static/vendor/plotly/plotly-basic.min.js"]["version"]
    assert vendored == plotly.offline.get_plotlyjs_version()


# --- the dashboards' scripts ------------------------------------------------------------------


def _script_bytes(page: str) -> dict[str, int]:
    sizes = {}
    for src in SCRIPT_SRC.findall(page):
        assert src.startswith(settings.STATIC_URL), f"{src} is not one of our static files"
        found = finders.find(src.removeprefix(settings.STATIC_URL))
        assert found, src
        sizes[src] = Path(found).stat().st_size
    return sizes


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "office"])
def test_a_dashboard_loads_at_most_1_5_mb_of_script(who, client_bureau, staff_a, office_a):
    if who == "office":
        client_bureau.force_login(staff_a)
        url = reverse("offices:detail", args=[office_a.code])
    else:
        url = reverse("reports:bureau")
    page = client_bureau.get(url).content.decode()
    sizes = _script_bytes(page)
    assert static("vendor/plotly/plotly-basic.min.js") in sizes
    assert static("js/dashboard.js") in sizes
    assert sum(sizes.values()) <= SCRIPT_BUDGET, sizes


# --- compressed in production -----------------------------------------------------------------


@pytest.fixture(scope="module")
def production_middleware() -> list[str]:
    """The MIDDLEWARE of the production settings, read as the web service starts."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603 (our own settings)
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.MIDDLEWARE))",
        ],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture
def production(settings, production_middleware):
    settings.MIDDLEWARE = production_middleware
    return settings


def test_production_compresses_just_inside_whitenoise(production_middleware):
    whitenoise = production_middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    assert production_middleware[whitenoise + 1] == (
        "common.middleware.compression.CompressPagesMiddleware"
    )
    # The rest is the base list, in its order.
    assert [m for m in production_middleware if "compression" not in m] == (settings.MIDDLEWARE)


@pytest.mark.django_db
def test_production_gzips_a_page_for_a_browser_that_accepts_it(production, client_staff_a):
    url = reverse("activities:list")
    response = client_staff_a.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert "</html>" in page
    assert int(response["Content-Length"]) == len(response.content) < len(page.encode())

    plain = client_staff_a.get(url)
    assert not plain.has_header("Content-Encoding")
    assert "</html>" in plain.content.decode()


@pytest.mark.django_db
def test_production_gzips_an_api_answer(production, client_staff_a, office_a):
    ActivityFactory.create_batch(5, lead_office=office_a)
    response = client_staff_a.get(reverse("api:activity-list"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["count"] == 5


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_production_sends_a_download_as_it_is(fmt, production, client_staff_a, office_a):
    """Exports stream uncompressed (docs/performance.md, "Page weight"): XLSX is a zip
    already, and a CSV export must not wait on gzip in the web worker."""
    ActivityFactory.create_batch(3, lead_office=office_a, title="Visit to the port authority")
    response = client_staff_a.get(
        reverse("activities:export", args=[fmt]), HTTP_ACCEPT_ENCODING="gzip, br"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert not response.has_header("Content-Encoding")
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        assert body.decode("utf-8-sig").count("Visit to the port authority") == 3
    else:
        assert body.startswith(b"PK\x03\x04")


def _collected(root: Path) -> dict:
    return {
        "STATIC_ROOT": root,
        "STATICFILES_FINDERS": ["django.contrib.staticfiles.finders.FileSystemFinder"],
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        "WHITENOISE_USE_FINDERS": False,
        "WHITENOISE_AUTOREFRESH": False,
    }


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """Our own static files collected once as the image's build does: hashed names, with a
    .gz and a .br beside each."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(**_collected(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected(production, static_root):
    """Served by WhiteNoise from STATIC_ROOT, as in production."""
    for name, value in _collected(static_root).items():
        setattr(production, name, value)


@pytest.mark.parametrize(
    "path", ["css/app.css", "js/dashboard.js", "vendor/plotly/plotly-basic.min.js"]
)
@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_production_serves_static_files_compressed(path, encoding, collected, client):
    url = static(path)
    assert url != f"{settings.STATIC_URL}{path}"  # the hashed name, cached for ever
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    body = b"".join(response.streaming_content)
    plain = client.get(url)
    assert not plain.has_header("Content-Encoding")
    original = b"".join(plain.streaming_content)
    assert len(body) < len(original) / 2
    assert DECOMPRESS[encoding](body) == original
