"""Office staff log an activity and submit it; their supervisor verifies it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from activities.models import Activity
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_log_submit_and_verify(live_server, page: Page, console_errors, screenshot_dir):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    base = live_server.url

    # Staff log a speaking occasion: the form asks for the event once the indicator says so.
    sign_in(page, base, "bjo.staff")
    page.locator(".site-nav").get_by_role("link", name="Log an activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an activity")
    event = page.get_by_label("Event")
    page.get_by_label("Indicator").select_option(label="Visits to Mainland authorities or bodies")
    expect(event).to_be_hidden()
    page.get_by_label("Indicator").select_option(label="Speaking occasions")
    expect(event).to_be_visible()
    page.get_by_label("Title").fill("Keynote at the Beijing Hong Kong business forum")
    event.fill("Beijing Hong Kong business forum")
    page.get_by_label("City").fill("Beijing")
    page.screenshot(path=str(screenshot_dir / "activity-form.png"), full_page=True)
    page.get_by_role("button", name="Save and submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Keynote at the Beijing Hong Kong business forum"
    )
    expect(page.locator(".status").first).to_have_text("Submitted")
    page.get_by_role("button", name="Sign out").click()

    # The supervisor finds it in the queue and verifies it.
    sign_in(page, base, "bjo.supervisor")
    page.locator(".site-nav").get_by_role("link", name=re.compile(r"^Verify")).click()
    page.get_by_label("Select all on this page").check()
    expect(
        page.get_by_label("Select “Keynote at the Beijing Hong Kong business forum”")
    ).to_be_checked()
    page.get_by_role("button", name="Verify selected").click()
    expect(page.locator(".messages")).to_contain_text("1 verified")

    activity = Activity.objects.get()
    assert activity.status == "verified"
    assert activity.reviewed_by.username == "bjo.supervisor"
    assert activity.counts
    assert console_errors == []
