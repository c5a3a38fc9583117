"""The activity form respects the person's time (docs/guide-office-staff.md, "Logging an
activity" and "Closed months, and asking to reopen one"): every error at once with the
focus on their summary; a closed month's activity kept as a draft while the month is asked
for."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from activities.models import Activity, PeriodReopening
from activities.services import activity_create
from offices.models import Indicator
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


@pytest.mark.django_db(transaction=True)
def test_a_closed_months_activity_is_kept_as_a_draft_and_the_month_asked_for(
    demo, page: Page, console_errors
):
    sign_in(page, demo, "bjo.staff")
    page.goto(demo + "/activities/new/")
    page.get_by_label("Indicator").select_option(label="Speaking occasions")
    page.get_by_label("Date").fill("2025-01-15")  # long closed
    page.get_by_label("Title").fill("Keynote at the Beijing forum")
    page.get_by_label("Event").fill("Beijing forum")
    page.get_by_role("button", name="Save as draft", exact=True).click()

    expect(page.locator("#error-summary")).to_contain_text("January 2025 closed for entry")
    expect(page.get_by_label("Title")).to_have_value("Keynote at the Beijing forum")
    page.get_by_role("button", name="Save as draft and ask to reopen").click()
    # Without a reason: asked for, with the focus on the summary again.
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Give the reason for reopening")
    page.get_by_label("Reason for reopening the month").fill("The minutes arrived late")
    page.get_by_role("button", name="Save as draft and ask to reopen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Keynote at the Beijing forum")
    message = page.locator(".messages")
    expect(message).to_contain_text("Saved “Keynote at the Beijing forum” as a draft.")
    expect(message).to_contain_text("request to reopen January 2025")
    activity = Activity.objects.get()
    assert activity.status == "draft"
    reopening = PeriodReopening.objects.get()
    assert (reopening.year, reopening.month, reopening.reason) == (
        2025,
        1,
        "The minutes arrived late",
    )
    assert [error for error in console_errors if "status of 400" not in error] == []


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_confirmed_once_is_not_asked_about_again(demo, page: Page, console_errors):
    sign_in(page, demo, "bjo.staff")
    staff = User.objects.get(username="bjo.staff")
    first = activity_create(
        user=staff,
        lead_office=staff.office,
        indicator=Indicator.objects.get(code="speaking"),
        occurred_on=timezone.localdate(),
        title="Keynote at the Beijing forum",
        event_name="Beijing forum",
    )

    page.goto(demo + "/activities/new/")
    page.get_by_label("Indicator").select_option(label="Speaking occasions")
    page.get_by_label("Title").fill("Closing remarks at the Beijing forum")
    page.get_by_label("Event").fill("Beijing forum")
    page.get_by_role("button", name="Save as draft", exact=True).click()
    warning = page.get_by_role("alert").filter(has_text="Possible duplicate")
    expect(warning).to_contain_text("Keynote at the Beijing forum")
    page.get_by_label("Yes, this is a different activity: save it").check()
    page.get_by_role("button", name="Save as draft", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Closing remarks at the Beijing forum"
    )

    # A later edit is saved at once: the same likely duplicate is not asked about again.
    page.get_by_role("link", name="Edit").first.click()
    page.get_by_label("Title").fill("Closing remarks at the Beijing business forum")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Closing remarks at the Beijing business forum"
    )
    second = Activity.objects.exclude(pk=first.pk).get()
    assert second.confirmed_different_from == [first.pk]
    assert [error for error in console_errors if "status of 400" not in error] == []


@pytest.mark.django_db(transaction=True)
def test_the_counterpart_picker_offers_the_offices_own_regions_first(
    demo, page: Page, console_errors
):
    # The Beijing office covers Beijing, where the Ministry of Commerce is; the Guangdong
    # office covers Guangdong. The same search, each office's own first.
    expected = {
        "bjo.staff": "Ministry of Commerce",
        "gdeto.staff": "Department of Commerce of Guangdong Province",
    }
    for username, first in expected.items():
        sign_in(page, demo, username)
        page.goto(demo + "/activities/new/")
        page.get_by_label("Indicator").select_option(
            label="Visits to Mainland authorities or bodies"
        )
        page.get_by_role("combobox", name="Counterparts").fill("commerce")
        options = page.get_by_role("listbox", name="Counterparts").get_by_role("option")
        expect(options.first).to_contain_text(first)
        page.get_by_role("button", name="Sign out").click()
        # Signed out before the next person signs in, or before the test's data goes.
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
    assert console_errors == []
