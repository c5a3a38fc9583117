"""Each role lands on what needs doing: office staff see "your work" on their office's page
(what was returned to them, with the comment, and their drafts); a supervisor lands on the
queue, sees how many wait in the menu, filters it, and verifies or returns one row on its
own, on a laptop and on a phone."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import User
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.models import Indicator, Office
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def office_day(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    bjo = Office.objects.get(code="BJO")
    staff = User.objects.get(username="bjo.staff")
    supervisor = User.objects.get(username="bjo.supervisor")
    speaking = Indicator.objects.get(code="speaking")
    visits = Indicator.objects.get(code="visits")
    today = dt.date.today()
    returned = ActivityFactory(
        lead_office=bjo,
        indicator=speaking,
        title="Remarks at the youth forum",
        occurred_on=today,
        created_by=staff,
        status=Status.RETURNED,
        reviewed_by=supervisor,
        review_comment="Name the forum in full, please.",
    )
    draft = ActivityFactory(
        lead_office=bjo,
        indicator=visits,
        title="Call on the municipal commerce bureau",
        occurred_on=today,
        created_by=staff,
        status=Status.DRAFT,
    )
    waiting = [
        ActivityFactory(
            lead_office=bjo,
            indicator=indicator,
            title=title,
            occurred_on=today,
            created_by=staff,
            status=Status.SUBMITTED,
        )
        for indicator, title in [
            (speaking, "Keynote at the business summit"),
            (visits, "Visit to the provincial department of commerce"),
            (visits, "Visit to the port authority"),
        ]
    ]
    return {"returned": returned, "draft": draft, "waiting": waiting}


@pytest.mark.django_db(transaction=True)
def test_office_staff_land_on_their_work(live_server, page: Page, console_errors, office_day):
    sign_in(page, live_server.url, "bjo.staff")
    work = page.get_by_role("region", name="Your work")
    expect(work).to_be_visible()
    expect(work).to_contain_text("Name the forum in full, please.")
    work.get_by_role("link", name="Remarks at the youth forum").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
    page.go_back()
    expect(work.get_by_role("link", name="Call on the municipal commerce bureau")).to_be_visible()
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_a_supervisor_lands_on_the_queue_and_works_it(
    live_server, browser, console_errors, office_day, width
):
    context = browser.new_context(
        locale="en-GB", timezone_id="Asia/Hong_Kong", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    try:
        sign_in(page, live_server.url, "bjo.supervisor")
        expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for verification")
        if width > 600:
            nav_link = page.locator(".site-nav").get_by_role("link", name=re.compile(r"^Verify"))
            expect(nav_link).to_contain_text("3")

        # Filter: only visits.
        page.get_by_label("Indicator").select_option(
            label="Visits to Mainland authorities or bodies"
        )
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("main p[role=status]")).to_contain_text("2 of 3 waiting")
        expect(page.get_by_role("link", name="Keynote at the business summit")).to_have_count(0)

        # One row verified on its own; the filter stays.
        page.get_by_role("button", name="Verify “Visit to the port authority”").click()
        expect(page.locator(".messages")).to_contain_text("1 verified")
        expect(page.locator("main p[role=status]")).to_contain_text("1 of 2 waiting")

        # One row returned on its own, with the comment typed above the rows.
        page.get_by_label("Comment for the author").fill("Which division did you meet?")
        page.get_by_role(
            "button",
            name="Return “Visit to the provincial department of commerce” with the comment",
        ).click()
        expect(page.locator(".messages")).to_contain_text("1 returned")
    finally:
        context.close()

    port, department, _keynote = office_day["waiting"][2], office_day["waiting"][1], None
    assert Activity.objects.get(pk=port.pk).status == Status.VERIFIED
    returned = Activity.objects.get(pk=department.pk)
    assert (returned.status, returned.review_comment) == (
        Status.RETURNED,
        "Which division did you meet?",
    )
    assert Activity.objects.get(pk=office_day["waiting"][0].pk).status == Status.SUBMITTED
    assert console_errors == []
