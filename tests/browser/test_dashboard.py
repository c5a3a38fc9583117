"""A bureau official opens the dashboard: every chart is drawn, nothing fails in the
console, and a figure drills down to the activities it counted."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Activity
from offices.models import Office
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_bureau_dashboard_draws_its_charts_and_drills_down(
    live_server, page: Page, console_errors, screenshot_dir
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--scale", "0.05", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill("viewer")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bureau dashboard")
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(5)  # four indicators and the regions
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".main-svg").first).to_be_visible()
    # The partial plotly.js bundle draws both trace types we use: an indicator's monthly
    # bars and cumulative lines, the regions' horizontal bars (docs/performance.md).
    indicator = page.locator('[data-chart="indicator"]').first
    expect(indicator.locator(".barlayer .point").first).to_be_attached()
    expect(indicator.locator(".scatterlayer .js-line").first).to_be_attached()
    expect(page.locator('[data-chart="regions"] .barlayer .point').first).to_be_attached()
    # the data table behind a chart is there for those who cannot see it
    page.get_by_text("Show the data as a table").first.click()
    expect(page.locator("tbody[data-table-for] tr").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "bureau-dashboard.png"), full_page=True)

    # Units are folded under their office and open with the keyboard.
    toggle = page.locator("[data-units-toggle]").first
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")

    # The first office's visits drill down to exactly what was counted.
    cell = page.locator(".office-row").first.locator("td").first
    link = cell.locator("a").first  # the figure; a progress note's link may follow it
    figure = int(link.inner_text().replace(",", ""))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activities")
    expect(
        page.get_by_text("Showing exactly the activities a dashboard figure counted")
    ).to_be_visible()
    expect(page.locator(".totals strong").first).to_contain_text(f"{figure} activit")
    beijing = Office.objects.get(code="BJO")
    this_year = timezone.localdate().year
    assert figure == (
        Activity.objects.counted()
        .for_office(beijing)
        .in_year(this_year)
        .filter(indicator__code="visits")
        .count()
    )
    assert console_errors == []
