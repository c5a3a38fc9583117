"""In the browser: a locked-out sign-in, an admin lifting it from the Lock-outs page and
finding it on the audit trail, and the Content Security Policy refusing nothing that our
own pages need (a refused script or style shows as a console error)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Pages that are not already visited by the other browser tests, as a bureau admin.
ADMIN_PAGES = [
    ("activities:list", "Activities"),
    ("activities:create", "Log an activity"),
    ("activities:review", "Verify"),
    ("activities:periods", "Periods"),
    ("activities:import", "Import activities"),
    ("counterparts:list", "Counterparts"),
    ("counterparts:create", "Add a counterpart"),
    ("targets:year", "Targets"),
    ("offices:list", "All offices"),
    ("reporting:index", "Reports"),
    ("accounts:reminders", "Reminders"),
    ("audit:events", "Audit trail"),
    ("audit:lockouts", "Sign-in lock-outs"),
    ("admin:index", "Mainland Offices KPI Tracker"),
    ("admin:accounts_user_changelist", "Select user to change"),
    ("admin:audit_auditevent_changelist", "Select audit event to view"),
]


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_a_lock_out_is_lifted_by_an_admin_and_is_on_the_audit_trail(
    live_server, browser, page: Page, console_errors, screenshot_dir, settings
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, live_server.url, "gdeto.staff", "not-the-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    sign_in(page, live_server.url, "gdeto.staff", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    page.screenshot(path=str(screenshot_dir / "sign-in-locked.png"), full_page=True)

    admin_context = browser.new_context(locale="en-GB", timezone_id="Asia/Hong_Kong")
    admin = admin_context.new_page()
    sign_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.get_by_role("link", name="Audit trail").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Audit trail")
    admin.get_by_label("Event").select_option(label="Locked out after failed sign-ins")
    admin.get_by_role("button", name="Filter").click()
    expect(admin.locator("tbody tr").first).to_contain_text("gdeto.staff")
    admin.screenshot(path=str(screenshot_dir / "audit-trail.png"), full_page=True)
    admin.get_by_role("link", name="Sign-in lock-outs").click()
    admin.get_by_role("link", name="Lift the lock-out of gdeto.staff").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Let gdeto.staff sign in again?")
    admin.get_by_role("button", name="Lift the lock-out").click()
    expect(admin.get_by_role("status")).to_contain_text("gdeto.staff can sign in again")
    expect(admin.get_by_text("Nobody is locked out.")).to_be_visible()
    admin_context.close()

    sign_in(page, live_server.url, "gdeto.staff", DEMO_PASSWORD)
    expect(page.get_by_role("link", name="My office")).to_be_visible()
    # The refused sign-ins answer 400 and 429, which the browser logs; nothing else.
    login = live_server.url + reverse("accounts:login")
    assert [
        error
        for error in console_errors
        if not (error.startswith(f"console error at {login}:") and "status of 4" in error)
    ] == []


@pytest.mark.django_db(transaction=True)
def test_the_content_security_policy_refuses_nothing_our_pages_need(
    live_server, page: Page, console_errors
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    sign_in(page, live_server.url, "admin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bureau dashboard")
    for name, heading in ADMIN_PAGES:
        page.goto(live_server.url + reverse(name))
        page.wait_for_load_state("load")
        expect(page.get_by_text(heading).first).to_be_visible()
        assert console_errors == [], name
