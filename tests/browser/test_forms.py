"""The activity form respects the person's time (docs/guide-office-staff.md, "Logging an
activity" and "Closed months, and asking to reopen one"): every error at once with the
focus on their summary; a closed month's activity kept as a draft while the month is asked
for."""

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


@pytest.fixture
def demo(live_server):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    return live_server.url


@pytest.mark.django_db(transaction=True)
def test_a_refused_form_lists_every_error_and_takes_the_focus(demo, page: Page, console_errors):
    sign_in(page, demo, "bjo.staff")
    page.goto(demo + "/activities/new/")
    page.get_by_label("Indicator").select_option(label="Visits to Mainland authorities or bodies")
    page.get_by_role("button", name="Save as draft").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # The title, the counterpart and the authority's level, all in the one answer.
    expect(summary.get_by_role("link")).to_have_count(3)
    expect(summary).to_contain_text("Title")
    expect(summary).to_contain_text("Counterparts")
    expect(summary).to_contain_text("Level of the authority")
    # Its links lead to the fields.
    summary.get_by_role("link", name="Title: This field is required.").click()
    expect(page.get_by_label("Title")).to_be_focused()
    assert Activity.objects.count() == 0
    # The refused form answers 400 on purpose, which the browser logs; nothing else.
    assert [error for error in console_errors if "status of 400" not in error] == []
