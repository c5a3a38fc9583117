"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

Where Chromium is missing the browser tests are skipped, unless KPI_REQUIRE_BROWSER is set
(CI sets it), in which case they fail. KPI_CHROMIUM overrides the path of the browser.
Playwright's own browser downloads (`playwright install`) are never used.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an asyncio event loop in the main thread, which makes Django
# refuse database access from the test itself (SynchronousOnlyOperation). The live server
# runs in its own thread and is unaffected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = Path(os.environ.get("KPI_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000


def _browser_required() -> bool:
    return os.environ.get("KPI_REQUIRE_BROWSER", "").strip().lower() not in {"", "0", "false", "no"}


def _unavailable(reason: str, hint: str) -> None:
    """Skip, or fail where the browser tests must run (CI sets KPI_REQUIRE_BROWSER)."""
    if _browser_required():
        pytest.fail(
            f"{reason}: KPI_REQUIRE_BROWSER is set, so the browser tests must run ({hint})",
            pytrace=False,
        )
    pytest.skip(f"{reason}: browser tests skipped ({hint})")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not (CHROMIUM_PATH.is_file() and os.access(CHROMIUM_PATH, os.X_OK)):
        _unavailable(
            f"Chromium not found at {CHROMIUM_PATH}",
            "apt-get install chromium fonts-noto-cjk, or run .ci/run",
        )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements/dev.txt
        _unavailable("Playwright for Python is not installed", "make install")

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser) -> Iterator:
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Asia/Hong_Kong",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def console_errors() -> list[str]:
    """The console errors and uncaught exceptions of `page`; tests assert it stays empty."""
    return []


@pytest.fixture
def page(context, console_errors) -> Iterator:
    page = context.new_page()

    def on_console(message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "?")
        if url.split("?")[0].endswith("/favicon.ico"):
            return  # the browser's own request, not the page's
        console_errors.append(f"console error at {url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught exception: {error}"))
    yield page
    page.close()


@pytest.fixture
def screenshot_dir() -> Path:
    """var/screenshots/ (ignored by git): look at these to check what a person sees."""
    path = Path(settings.BASE_DIR) / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
