"""A person signs in, lands on their office's page and reads it in the three languages."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

OFFICE_NAMES = {
    "en": "Office of the Government of the HKSAR in Beijing",
    "zh-hant": "香港特別行政區政府駐北京辦事處",
    "zh-hans": "香港特别行政区政府驻北京办事处",
}


def switch_language(page: Page, option: str) -> None:
    """Use the header's language form. Located by its select rather than by the label,
    whose text is itself translated once the page is in Chinese."""
    form = page.locator("form", has=page.locator("select[name='language']"))
    form.get_by_role("combobox").select_option(label=option)
    form.get_by_role("button").click()


def screenshot(page: Page, path) -> None:
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_staff_signs_in_and_switches_language(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    office_url = live_server.url + reverse("offices:detail", kwargs={"code": "BJO"})
    heading = page.get_by_role("heading", level=1)
    html = page.locator("html")

    # Not signed in: the home page sends the person to the sign-in page.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(re.escape(live_server.url + reverse("accounts:login"))))
    expect(heading).to_have_text("Sign in")
    page.get_by_label("Username", exact=True).fill("bjo.staff")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    # Office staff land on their own office's page, in English.
    expect(page).to_have_url(office_url)
    expect(heading).to_have_text(OFFICE_NAMES["en"])
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My office")).to_be_visible()
    expect(page.get_by_label("Language", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Change", exact=True)).to_be_visible()
    screenshot(page, screenshot_dir / "office-en.png")

    # Traditional Chinese, then Simplified Chinese, with the header's language form.
    for code, option in (("zh-hant", "繁體中文"), ("zh-hans", "简体中文")):
        switch_language(page, option)
        expect(page).to_have_url(office_url)
        expect(heading).to_have_text(OFFICE_NAMES[code])
        expect(html).to_have_attribute("lang", re.compile(r"^zh"))
        expect(page.locator("select[name='language']")).to_have_value(code)
        screenshot(page, screenshot_dir / f"office-{code}.png")

    # The choice is remembered on the user, for e-mails and the next sign-in.
    assert User.objects.get(username="bjo.staff").language == "zh-hans"
    assert console_errors == []
