"""A person creates an API token on the page, a script uses it, the person sees when it
was last used and revokes it, and the script is refused from then on. The API's docs
(Swagger UI) load from our own static files and list the endpoints."""

import re
from urllib.parse import urlparse

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
def test_create_use_and_revoke_a_token(live_server, page: Page, context, console_errors):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server.url, "gdeto.staff")

    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()
    page.get_by_label("Name").fill("Monthly import script")
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_text("Copy this token now. It will not be shown again.")).to_be_visible()
    raw = page.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"kpi_[A-Za-z0-9_-]{43}", raw)

    # A script with the token, without the browser's session cookie.
    script = context.browser.new_context()
    progress = live_server.url + reverse("api:progress")
    answer = script.request.get(progress, headers={"Authorization": f"Bearer {raw}"})
    assert answer.status == 200
    assert answer.json()["office"] == "GDETO"

    page.goto(live_server.url + reverse("accounts:tokens"))
    row = page.get_by_role("row", name=re.compile("Monthly import script"))
    expect(row).not_to_contain_text("Never used")
    expect(row).to_contain_text("Active")
    assert raw not in page.content()

    row.get_by_role("link", name=re.compile("Revoke")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke")
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    expect(page.get_by_role("row", name=re.compile("Monthly import script"))).to_contain_text(
        "Revoked"
    )

    answer = script.request.get(progress, headers={"Authorization": f"Bearer {raw}"})
    assert answer.status == 401
    script.close()
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_api_docs_load_from_our_own_files(live_server, page: Page, console_errors):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, live_server.url, "viewer")
    page.goto(live_server.url + reverse("api:docs"))
    expect(page.get_by_role("heading", name=re.compile("KPI Tracker API"))).to_be_visible()
    expect(page.get_by_text("/api/v1/activities/", exact=True).first).to_be_visible()
    expect(page.get_by_text("/api/v1/progress/", exact=True).first).to_be_visible()
    ours = urlparse(live_server.url).netloc
    assert {urlparse(url).netloc for url in requested if url.startswith("http")} == {ours}
    assert console_errors == []
