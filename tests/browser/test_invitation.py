"""A bureau admin adds a person on the People page; the person reads the invitation (from
Django's outbox), sets a password through its link and signs in for the first time, in
the language the admin chose for them (docs/guide-bureau-admin.md, "People")."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "Quiet-harbour-lantern-42"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_invite_a_person_through_to_their_first_sign_in(
    live_server, page: Page, browser, console_errors
):
    call_command("load_reference_data", verbosity=0)
    UserFactory(username="ada", role=Role.BUREAU_ADMIN, first_name="Ada", last_name="Chan")
    sign_in(page, live_server.url, "ada", ADMIN_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_role("link", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")

    # A bureau role with an office is refused, with the reason beside the field.
    page.get_by_label("Given name").fill("Tai Man")
    page.get_by_label("Family name").fill("Wong")
    page.get_by_label("E-mail").fill("wong.taiman@example.gov.hk")
    page.get_by_label("Role").select_option(label="Bureau viewer")
    page.get_by_label("Office or unit").select_option(
        label="Hong Kong Economic and Trade Office in Guangdong"
    )
    page.locator("#id_language").select_option(label="繁體中文")
    page.get_by_role("button", name="Add and send the invitation").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Bureau viewers and admins have no office"
    )
    assert not mail.outbox

    page.get_by_label("Role").select_option(label="Office staff")
    page.get_by_role("button", name="Add and send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("is added as wong.taiman")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tai Man Wong")
    expect(page.get_by_text("Invited, no password yet").first).to_be_visible()

    (message,) = mail.outbox
    assert message.to == ["wong.taiman@example.gov.hk"]
    assert "您的用戶名稱：wong.taiman" in message.body
    link = re.search(r"http://\S+/accounts/invitation/\S+/", message.body)[0]
    assert link.startswith(live_server.url)

    # The newcomer, in a browser of their own that asks for Chinese.
    newcomer = browser.new_context(locale="zh-HK", timezone_id="Asia/Hong_Kong")
    theirs = newcomer.new_page()
    theirs.goto(link)
    assert "set-password" in theirs.url  # the token is out of the address bar
    expect(theirs.get_by_text("wong.taiman", exact=True)).to_be_visible()
    theirs.locator("#id_new_password1").fill(NEW_PASSWORD)
    theirs.locator("#id_new_password2").fill("something else entirely")
    theirs.get_by_role("button", name="設定密碼").click()
    expect(theirs.locator("#error-summary")).to_be_visible()
    theirs.locator("#id_new_password1").fill(NEW_PASSWORD)
    theirs.locator("#id_new_password2").fill(NEW_PASSWORD)
    theirs.get_by_role("button", name="設定密碼").click()
    expect(theirs.get_by_role("status")).to_contain_text("wong.taiman")
    assert theirs.url.endswith(reverse("accounts:login"))

    theirs.locator("#id_username").fill("wong.taiman")
    theirs.locator("#id_password").fill(NEW_PASSWORD)
    theirs.get_by_role("button", name="登入", exact=True).click()
    # Their first page, in the language chosen for them.
    expect(theirs.locator("html")).to_have_attribute("lang", "zh-Hant-HK")
    expect(theirs.get_by_role("navigation")).to_contain_text("辦事處職員")
    # The link has done its work.
    theirs.goto(link)
    expect(theirs.get_by_role("heading", level=1)).to_have_text("此連結已失效")
    newcomer.close()

    # The admin's roster shows them active, and on a phone without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("accounts:people") + "?q=wong")
    row = page.get_by_role("row", name=re.compile("Tai Man Wong"))
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("繁體中文")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The refused forms answer 400 on purpose, which the browser logs as an error; nothing
    # else may be logged.
    assert [error for error in console_errors if "status of 400" not in error] == []
