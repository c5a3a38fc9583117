"""A bureau admin publishes the annual report from the Reports page and downloads the kept
file; its bytes match the SHA-256 the page shows. Then an office's staff download their own
office's PDF."""

import hashlib
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_admin_publishes_and_downloads_the_annual_report(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server.url, "admin")

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_text("No report has been published yet.")).to_be_visible()

    publish = page.locator("#publish")
    publish.get_by_label("Format").select_option(label="Excel workbook (XLSX)")
    publish.get_by_label("Purpose").fill("Policy Address figures")
    publish.get_by_role("button", name="Publish and keep").click()

    expect(page).to_have_url(re.compile(r"/reports/published/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("The report is published and kept.")
    sha256 = page.locator("code.hash").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)
    expect(page.get_by_text("Unchanged")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "published-report.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the published file").click()
    path = download_info.value.path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256

    page.get_by_role("link", name="All reports").click()
    row = page.get_by_role("row", name=re.compile("Annual report"))
    expect(row).to_contain_text("Policy Address figures")
    expect(row).to_contain_text("XLSX")
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_office_staff_download_their_office_pdf(live_server, page: Page, console_errors):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server.url, "gdeto.staff")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Published reports")).to_have_count(0)
    form = page.locator("form", has=page.get_by_role("button", name="Download"))
    expect(form.get_by_label("Offices")).to_contain_text("Guangdong")
    form.get_by_label("Format").select_option(label="Printable document (PDF)")
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("kpi-annual-report-")
    assert "-gdeto-as-of-" in download.suggested_filename
    assert download.suggested_filename.endswith(".pdf")
    assert download.path().read_bytes().startswith(b"%PDF")
    assert console_errors == []
