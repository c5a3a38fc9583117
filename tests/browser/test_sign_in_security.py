"""In the browser: a forgotten password set anew through the e-mailed link (read from
Django's outbox), and two-step sign-in turned on from the user menu and used to sign in,
with a code from the app and with a recovery code (docs/security.md)."""

import base64
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from accounts.models import User
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-new-passphrase-for-2026"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _only_refusals(console_errors: list[str], base_url: str) -> list[str]:
    """The console errors but the browser's notes of pages answered 4xx on purpose."""
    return [
        error
        for error in console_errors
        if not (error.startswith(f"console error at {base_url}") and "status of 4" in error)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_is_set_anew_through_the_e_mailed_link(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    email = User.objects.get(username="gdeto.staff").email

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    assert "/set-password/" in page.url  # the token is out of the address
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.screenshot(path=str(screenshot_dir / "password-reset.png"), full_page=True)
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password set")

    page.get_by_role("link", name="Sign in").last.click()
    sign_in(page, live_server.url, "gdeto.staff", DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_be_visible()  # the old password no longer works
    sign_in(page, live_server.url, "gdeto.staff", NEW_PASSWORD)
    expect(page.get_by_role("link", name="My office")).to_be_visible()
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert _only_refusals(console_errors, live_server.url) == []


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    """What the app shows for this key now (or that many 30-second steps later)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


@pytest.mark.django_db(transaction=True)
def test_two_step_sign_in_is_turned_on_and_used_with_a_code_and_a_recovery_code(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    sign_in(page, live_server.url, "gdeto.staff", DEMO_PASSWORD)

    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in and security")
    page.get_by_role("link", name="Turn two-step sign-in on").click()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    secret = page.locator("#two-step-key").inner_text()
    page.screenshot(path=str(screenshot_dir / "two-step-enrol.png"), full_page=True)
    page.get_by_label("Code from the app").fill(_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    recovery = page.locator(".recovery-codes code").all_inner_texts()
    assert len(recovery) == 10
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The password, then the code: a wrong one first, then the app's next one.
    sign_in(page, live_server.url, "gdeto.staff", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    page.get_by_label("Code", exact=True).fill("12345")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".field__error")).to_contain_text("This code is not right")
    page.wait_for_timeout(1500)  # django-otp's wait after a wrong code: one second
    page.screenshot(path=str(screenshot_dir / "two-step-sign-in.png"), full_page=True)
    page.get_by_label("Code", exact=True).fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="My office")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Without the phone: a recovery code, once.
    sign_in(page, live_server.url, "gdeto.staff", DEMO_PASSWORD)
    page.get_by_label("Code", exact=True).fill(recovery[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("You signed in with a recovery code")
    expect(page.get_by_role("link", name="My office")).to_be_visible()
    assert _only_refusals(console_errors, live_server.url) == []
