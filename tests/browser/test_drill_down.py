"""A bureau official follows a dashboard figure to its activities: the filter panel shows
every filter in force (what counts, the lead office, as of), and another office chosen there
lists that office's figure."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Activity
from offices.models import Indicator, Office
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def counted_visits(office: Office) -> int:
    today = timezone.localdate()
    return (
        Activity.objects.counted()
        .for_office(office)
        .in_year(today.year)
        .as_of(today)
        .filter(indicator__code="visits")
        .count()
    )


@pytest.mark.django_db(transaction=True)
def test_a_drill_down_shows_its_filters_and_another_office_can_be_chosen(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--scale", "0.05", verbosity=0)
    beijing, shanghai = Office.objects.get(code="BJO"), Office.objects.get(code="SHETO")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill("viewer")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bureau dashboard")

    # Beijing's visits, followed from the dashboard
    cell = page.locator(".office-row").first.locator("td").first
    figure = int(cell.locator("a").inner_text().replace(",", ""))
    assert figure == counted_visits(beijing) > 0
    cell.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activities")

    panel = page.get_by_role("search", name="Filter activities")
    expect(panel.get_by_label("Status")).to_have_value("counted")
    expect(panel.get_by_label("Status").locator("option:checked")).to_have_text(
        "Submitted or verified (what counts)"
    )
    expect(panel.get_by_label("Office or unit")).to_have_value(str(beijing.pk))
    expect(panel.get_by_label("The office’s part")).to_have_value("lead")
    expect(panel.get_by_label("Counted as of")).to_have_value(timezone.localdate().isoformat())
    expect(panel.locator("input[type=hidden]")).to_have_count(0)
    expect(page.locator(".totals strong").first).to_contain_text(f"{figure:,} activit")
    page.screenshot(path=str(screenshot_dir / "drill-down-panel.png"), full_page=True)

    # another office chosen in the panel: its own figure, not none
    panel.get_by_label("Office or unit").select_option(str(shanghai.pk))
    panel.get_by_role("button", name="Filter").click()
    expect(panel.get_by_label("Office or unit")).to_have_value(str(shanghai.pk))
    expected = counted_visits(shanghai)
    assert expected > 0
    expect(page.locator(".totals strong").first).to_contain_text(f"{expected:,} activit")
    expect(page.locator("table.stack-on-phone tbody tr")).to_have_count(min(expected, 25))

    # what counts and "as of" removed: every visit Shanghai led, whatever its status
    panel.get_by_label("Status").select_option("")
    panel.get_by_label("Counted as of").fill("")
    panel.get_by_role("button", name="Filter").click()
    led = (
        Activity.objects.not_removed()
        .for_office(shanghai)
        .filter(
            indicator__code="visits",
            occurred_on__year=timezone.localdate().year,
            occurred_on__lte=timezone.localdate(),
        )
    )
    expect(page.locator(".totals strong").first).to_contain_text(f"{led.count():,} activit")
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_an_activitys_history_does_not_scroll_sideways_on_a_phone(
    live_server, browser, console_errors, screenshot_dir, language
):
    from accounts.models import User
    from activities.tests.factories import ActivityFactory

    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    staff, supervisor = (
        User.objects.get(username="bjo.staff"),
        User.objects.get(username="bjo.supervisor"),
    )
    activity = ActivityFactory(
        lead_office=staff.office,
        indicator=Indicator.objects.get(code="visits"),
        occurred_on=timezone.localdate(),
        status="draft",
        created_by=staff,
    )
    activity.notes = "Met the Department of Commerce; " * 12 + "https://" + "x" * 120
    activity.hk_participants = "\n".join(f"Officer number {n}" for n in range(8))
    activity.status, activity.counted_since = "submitted", timezone.now()
    activity._history_user = staff
    activity.save()
    activity.status, activity.reviewed_by, activity.reviewed_at = (
        "verified",
        supervisor,
        timezone.now(),
    )
    activity._history_user = supervisor
    activity.save()

    context = browser.new_context(
        locale="en-GB", timezone_id="Asia/Hong_Kong", viewport={"width": 360, "height": 740}
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.on("pageerror", lambda error: console_errors.append(f"uncaught exception: {error}"))
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.locator("#id_username").fill("bjo.supervisor")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.goto(f"{live_server.url}/activities/{activity.pk}/")
        history = page.locator("#history-heading + ol")
        expect(history.locator("table.changes")).to_have_count(2)
        history.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"history-phone-{language}.png"), full_page=True)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        status = "已核實" if language == "zh-hant" else "Verified"
        expect(history.locator("td", has_text=status).first).to_be_visible()
    finally:
        context.close()
    assert console_errors == []
