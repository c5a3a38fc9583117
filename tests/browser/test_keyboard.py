"""The daily path with the keyboard alone: office staff log an activity (choosing a
counterpart in the picker) and submit it, their supervisor verifies it in the queue.

Only page.keyboard moves and acts (Tab, Shift+Tab, Enter, Space, the arrow keys, typing);
nothing is clicked or filled. Each stop of the Tab key must show where the focus is
(docs/accessibility.md).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from activities.models import Activity, Status
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Call on the Ministry of Commerce on services trade"

# What has the focus, whether it matches `selector`, and whether the focus can be seen: an
# outline or a box shadow drawn while it has the focus.
FOCUSED = """selector => {
  const el = document.activeElement;
  if (!el || el === document.body) return {matches: false, visible: true, what: "body"};
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " "
    + (el.getAttribute("aria-label") || el.textContent || el.name || "").trim().slice(0, 60);
  return {matches: el.matches(selector), visible: outline || shadow, what: what};
}"""


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector`; every element passed on
    the way must show its focus."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED, selector)
        passed.append(focused["what"])
        assert focused["visible"], f"the focus cannot be seen on {focused['what']}"
        if focused["matches"]:
            return
    raise AssertionError(f"Tab never reached {selector}; it passed: {passed}")


def choose_option(page: Page, label: str, *, limit: int = 40) -> None:
    """In the focused <select>, press ArrowDown until the option `label` is chosen."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.selectedOptions[0]?.label") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r}")


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("accounts:login"))
    tab_to(page, "input[name='username']")
    page.keyboard.type(username)
    tab_to(page, "input[name='password']")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("form[action='/accounts/logout/']")).to_be_attached()


def sign_out(page: Page) -> None:
    tab_to(page, "form[action='/accounts/logout/'] button")
    page.keyboard.press("Enter")
    expect(page.locator("input[name='username']")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_log_submit_and_verify_with_the_keyboard(live_server, page: Page, console_errors):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    base = live_server.url

    # The skip link comes first and takes the focus to the page's content.
    sign_in(page, base, "bjo.staff")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The menu's "Log an activity", reached backwards from the content.
    tab_to(page, "nav a[href='/activities/new/']", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an activity")

    tab_to(page, "select[name='indicator']")
    choose_option(page, "Visits to Mainland authorities or bodies")
    tab_to(page, "input[name='title']")
    page.keyboard.type(TITLE)
    tab_to(page, "select[name='authority_level']")
    choose_option(page, "Provincial")
    tab_to(page, "select[name='region']")
    choose_option(page, "Beijing")
    tab_to(page, "input[name='city']")
    page.keyboard.type("Beijing")

    # The counterpart picker: type, move down the results, Enter chooses.
    tab_to(page, "input[role='combobox']")
    page.keyboard.type("Ministry of Comm")
    expect(page.locator(".cp-option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chosen = page.locator(".cp-chip__label")
    expect(chosen).to_have_count(1)
    expect(chosen.first).to_contain_text("Ministry of Commerce")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an activity")

    tab_to(page, "button[name='submit']")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".status").first).to_have_text("Submitted")
    sign_out(page)

    # The supervisor lands on the queue and verifies the row with its own button.
    sign_in(page, base, "bjo.supervisor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for verification")
    tab_to(page, "button[name='row'][value^='verify:']")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("1 verified")

    activity = Activity.objects.get(title=TITLE)
    assert activity.status == Status.VERIFIED
    assert activity.reviewed_by.username == "bjo.supervisor"
    assert [c.name_en for c in activity.counterparts.all()] == ["Ministry of Commerce"]
    assert console_errors == []
