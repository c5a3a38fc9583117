"""Planning in the browser: GDETO's staff plan a visit (the counterpart chosen in the
picker), are warned that BJO plans the same department, save with a reason; their
supervisor confirms; the calendar's month, week and list views at a desktop's and a
phone's width; what happened is logged from the plan in one step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from activities.models import Activity
from offices.models import Counterpart, Indicator, Office, Region
from ops.demo import DEMO_PASSWORD
from planning import services
from planning.models import Plan, PlanConflict, PlanStatus

pytestmark = pytest.mark.browser

DEPARTMENT = "Department of Commerce of Guangdong Province"
TITLE = "Call on the provincial Department of Commerce"
BJO_TITLE = "BJO's confidential talking points"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


@pytest.fixture
def planning_demo(db, live_server):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    today = timezone.localdate()
    # BJO already plans the same department three days on: GDETO will be warned.
    services.plan_create(
        user=User.objects.get(username="bjo.staff"),
        lead_office=Office.objects.get(code="BJO"),
        indicator=Indicator.objects.get(code="visits"),
        title=BJO_TITLE,
        starts_on=today + dt.timedelta(days=3),
        region=Region.objects.get(code="440000"),
        city="Guangzhou",
        counterparts=[Counterpart.objects.get(name_en=DEPARTMENT)],
        warning_reason="Agreed with GDETO by phone",
    )
    return live_server.url


@pytest.mark.django_db(transaction=True)
def test_plan_warned_confirm_calendar_and_log(
    planning_demo, page: Page, console_errors, screenshot_dir
):
    base = planning_demo
    today = timezone.localdate()

    # GDETO's staff plan a visit today, the counterpart chosen in the picker.
    sign_in(page, base, "gdeto.staff")
    page.locator(".site-nav").get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning calendar")
    page.get_by_role("link", name="Plan an engagement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan an engagement")
    page.get_by_label("Indicator").select_option(label="Visits to Mainland authorities or bodies")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Purpose").fill("Introduce the new Commissioner")
    page.get_by_label("Date", exact=True).fill(today.isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("Until").fill("11:30")
    page.get_by_label("Region").select_option(label="Guangdong")
    page.get_by_label("City").fill("Guangzhou")
    page.get_by_role("combobox", name="Counterparts").fill("commerce of guangdong")
    page.get_by_role("listbox", name="Counterparts").get_by_role("option").filter(
        has_text=DEPARTMENT
    ).first.click()
    expect(page.get_by_role("list", name="Chosen counterparts")).to_contain_text(DEPARTMENT)
    page.get_by_role("button", name="Save the plan").click()

    # The warning names BJO's plan by its summary (BJO's title stays with BJO); nothing typed
    # is lost; saving again with a reason saves.
    warnings = page.locator("[data-plan-warnings]")
    expect(warnings).to_contain_text("Office of the Government of the HKSAR in Beijing")
    expect(warnings).to_contain_text("the same counterpart or authority")
    expect(warnings).not_to_contain_text(BJO_TITLE)
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_role("list", name="Chosen counterparts")).to_contain_text(DEPARTMENT)
    page.screenshot(path=str(screenshot_dir / "plan-warning.png"), full_page=True)
    page.get_by_label("Reason for going ahead").fill("The Commissioner's first call")
    page.get_by_role("button", name="Save with this reason").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".messages")).to_contain_text("A warning applies to this plan")
    expect(page.get_by_text("The Commissioner's first call")).to_be_visible()
    plan = Plan.objects.get(title=TITLE)
    assert PlanConflict.objects.get(plan=plan).reason == "The Commissioner's first call"
    sign_out(page)

    # Their supervisor confirms it.
    sign_in(page, base, "gdeto.supervisor")
    page.goto(f"{base}/planning/plans/{plan.pk}/")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text("The plan is confirmed.")
    expect(page.get_by_text("Confirmed by Gordon Tse")).to_be_visible()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED

    # The calendar: month, week and list, on a desktop and on a phone.
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/planning/")
        month = page.locator(".month__days")
        expect(month.get_by_role("link", name=TITLE)).to_be_visible()
        expect(month).to_contain_text("BJO")  # BJO's plan, as a summary
        expect(month).not_to_contain_text(BJO_TITLE)
        if width == 360:
            # Day by day: the weekdays' header row and the empty days are gone.
            expect(page.locator(".month__weekdays")).to_be_hidden()
            expect(page.locator(".day--empty").first).to_be_hidden()
        else:
            expect(page.locator(".month__weekdays")).to_be_visible()
        page.screenshot(path=str(screenshot_dir / f"planning-month-{width}.png"), full_page=True)
        page.get_by_role("navigation", name="Calendar views").get_by_role(
            "link", name="Week"
        ).click()
        expect(page.locator(".week").get_by_role("link", name=TITLE)).to_be_visible()
        page.get_by_role("navigation", name="Calendar views").get_by_role(
            "link", name="List"
        ).click()
        table = page.locator(".plan-table")
        expect(table.get_by_role("link", name=TITLE)).to_be_visible()
        expect(table).to_contain_text("Another office's plan (summary)")
        expect(table).not_to_contain_text(BJO_TITLE)
        # Filtered by office: BJO's plan leaves the list, the filter shows, and clears.
        page.get_by_label("Office", exact=True).select_option(
            label="Hong Kong Economic and Trade Office in Guangdong"
        )
        page.get_by_role("button", name="Filter").click()
        expect(page.locator(".filter-chip")).to_contain_text("Office")
        expect(table).not_to_contain_text("Another office's plan (summary)")
        page.get_by_role("link", name="Clear filters").click()
        expect(table).to_contain_text("Another office's plan (summary)")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Log what happened: a draft activity, prefilled, to check and submit.
    page.goto(f"{base}/planning/plans/{plan.pk}/")
    page.get_by_role("button", name="Log what happened").click()
    expect(page.locator(".messages")).to_contain_text(
        "Draft activity created from the plan: check it and submit"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit activity")
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    activity = Activity.objects.get(title=TITLE)
    page.goto(f"{base}/activities/{activity.pk}/")
    page.get_by_role("link", name=TITLE).filter(has_not_text="Planned").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".status").first).to_have_text("Done")
    # The form shown again with the warnings answers 400 (nothing was saved), as any refusal.
    assert [error for error in console_errors if "status of 400" not in error] == []
