"""An office writes its monthly note from its dashboard (on a phone), the bureau replies, and
both show on the dashboards: the office's beside the status, the bureau's as a link."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from ops.demo import DEMO_PASSWORD
from planning.models import ProgressNote

pytestmark = pytest.mark.browser

NOTE = "Two visits moved to next month at the ministry's request."
REPLY = "Please confirm the new dates with the ministry this week."


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("form[action='/accounts/logout/']")).to_be_attached()


@pytest.mark.django_db(transaction=True)
def test_the_office_writes_a_note_the_bureau_replies_it_shows_on_the_dashboards(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    base = live_server.url

    # The office, on a phone: from its dashboard, beside the first indicator's status.
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, base, "bjo.staff")
    page.goto(base + "/offices/BJO/")
    page.get_by_role("link", name="Write this month's note").first.click()
    page.get_by_role("button", name="Save the note").click()  # empty: refused, nothing lost
    expect(page.locator(".error-summary")).to_be_visible()
    # the browser logs the refusal's 400 as a failed resource: that one is expected
    assert all("400 (Bad Request)" in error for error in console_errors)
    console_errors.clear()
    page.get_by_label("Note", exact=True).fill(NOTE)
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("The note is saved.")).to_be_visible()
    expect(page.locator(".kpi-card__note").first).to_contain_text(NOTE)
    expect(page.get_by_role("link", name="Edit this month's note").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "office-note-written.png"), full_page=True)
    note = ProgressNote.objects.get()
    today = timezone.localdate()
    assert (note.office.code, note.year, note.month) == ("BJO", today.year, today.month)

    # The bureau admin replies from the office's dashboard.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "admin")
    page.goto(base + "/offices/BJO/")
    page.get_by_role("link", name="Reply").first.click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    page.get_by_label("The bureau's reply", exact=True).fill(REPLY)
    page.get_by_role("button", name="Save the reply").click()
    expect(page.get_by_text("The reply is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress notes")
    expect(page.get_by_text(REPLY)).to_be_visible()

    # The bureau's dashboard links the office's note beside its figure.
    page.goto(base + "/dashboard/")
    note_link = page.locator(".office-table a[href*='/planning/offices/BJO/notes/']").first
    expect(note_link).to_be_visible()
    note_link.click()
    expect(page.get_by_text(NOTE)).to_be_visible()

    # The office reads the reply under its note, beside the status.
    sign_in(page, base, "bjo.staff")
    page.goto(base + "/offices/BJO/")
    expect(page.locator(".kpi-card__note").first).to_contain_text(REPLY)
    assert console_errors == []
