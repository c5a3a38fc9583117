"""Each role's day on the demo data, as its guide in docs/ tells it: one test per role signs
in, opens the pages the guide describes, does what the guide says (log, submit, import,
verify, return, publish, grant a reopening) and checks that each page shows what the guide
points at.

With KPI_SCREENSHOTS=1 (`make screenshots`) every page is also saved, 1280 × 800, as
docs/images/<name>.png for the guides. Without it nothing is written and the pages are
checked all the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from activities.models import Activity, PeriodReopening, Status
from activities.periods import period_state
from activities.services import activities_submit, reopening_request
from offices.models import Office
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

IMAGES = Path(settings.BASE_DIR) / "docs" / "images"
VIEWPORT = {"width": 1280, "height": 800}


def screenshots_wanted() -> bool:
    return os.environ.get("KPI_SCREENSHOTS", "").strip().lower() not in {"", "0", "false", "no"}


def shoot(page: Page, name: str, *, at: Locator | None = None) -> None:
    """Save what the viewport shows as docs/images/<name>.png, when screenshots are wanted:
    from `at` (scrolled to the top of the viewport) or from the top of the page. The PNG is
    reduced to 256 colours, which a page of flat colours and text does not miss."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    if at is not None:
        at.evaluate("element => element.scrollIntoView({block: 'start'})")
    else:
        page.evaluate("window.scrollTo(0, 0)")
    if not screenshots_wanted():
        return
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def expect_charts_drawn(page: Page) -> None:
    """Four indicators and the regions, each drawn by plotly.js."""
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(5)
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".main-svg").first).to_be_visible()


@pytest.fixture
def demo(db, settings, tmp_path):
    """The reference data and the demo year, as `make run` loads them; uploads and
    published files in a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def screen(page: Page) -> Page:
    page.set_viewport_size(VIEWPORT)
    return page


def a_closed_month(office: Office) -> dt.date:
    """The latest month already closed for entry (two months back is always closed)."""
    day = timezone.localdate().replace(day=1)
    while period_state(office=office, day=day).is_open:
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


def import_file(closed: dt.date) -> bytes:
    """A filled-in import sheet as a person would save it: English headings (the template's
    are bilingual; either is read), two good rows, one for a closed month and one without a
    title."""
    today = timezone.localdate()
    rows = [
        ["Date", "Indicator", "Title", "Region", "City", "Counterparts", "Authority level"],
        [
            today.isoformat(),
            "Visits to Mainland authorities or bodies",
            "Call on the Ministry of Commerce on services trade",
            "Beijing",
            "Beijing",
            "Ministry of Commerce",
            "central",
        ],
        [
            today.isoformat(),
            "Media interviews or briefings",
            "Interview with Xinhua on Hong Kong as a gateway for enterprises going global",
            "Beijing",
            "Beijing",
            "Xinhua News Agency",
            "",
        ],
        [
            closed.isoformat(),
            "Business and trade meetings",
            "Meeting with Beijing enterprises going global",
            "Beijing",
            "Beijing",
            "Hong Kong Chamber of Commerce in Guangdong",
            "",
        ],
        [
            today.isoformat(),
            "Visits to Mainland authorities or bodies",
            "",
            "Beijing",
            "Beijing",
            "Ministry of Education",
            "central",
        ],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (11, 61, 110)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_office_staff_day(live_server, screen: Page, console_errors, demo):
    page, base = screen, live_server.url
    sign_in(page, base, "bjo.staff")

    # Staff land on their office's dashboard.
    expect(heading(page)).to_have_text(Office.objects.get(code="BJO").name)
    expect_charts_drawn(page)
    shoot(page, "staff-office-dashboard")

    # Log an activity: the indicator first, then what it needs.
    page.get_by_role("link", name="Log an activity").first.click()
    expect(heading(page)).to_have_text("Log an activity")
    page.get_by_label("Indicator").select_option(label="Speaking occasions")
    page.get_by_label("Title").fill("Keynote at the Beijing Hong Kong business forum")
    page.get_by_label("Event").fill("Beijing Hong Kong business forum")
    page.get_by_label("Region").select_option(label="Beijing")
    page.get_by_label("City").fill("Beijing")
    shoot(page, "staff-log-activity")
    page.get_by_role("button", name="Save as draft").click()
    expect(heading(page)).to_have_text("Keynote at the Beijing Hong Kong business forum")
    expect(page.locator(".status").first).to_have_text("Draft")

    # Evidence: a photo of the occasion.
    page.get_by_label("Add evidence files").set_input_files(
        {"name": "forum-photo.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="forum-photo.png")).to_be_visible()
    shoot(page, "staff-activity-evidence", at=page.get_by_role("heading", name="Evidence"))

    # The list: drafts of the office, submitted together.
    page.get_by_role("link", name="Activities", exact=True).click()
    page.get_by_label("Status").select_option(label="Draft")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".totals")).to_contain_text("activit")
    expect(page.get_by_role("button", name="Submit selected for verification")).to_be_visible()
    shoot(page, "staff-activity-list")
    page.get_by_label("Select “Keynote at the Beijing Hong Kong business forum”").check()
    page.get_by_role("button", name="Submit selected for verification").click()
    expect(page.locator(".messages")).to_contain_text("1 submitted for verification")

    # A returned activity says why it came back.
    returned = Activity.objects.filter(
        lead_office__code="BJO", status=Status.RETURNED, removed_at__isnull=True
    ).first()
    page.goto(base + reverse("activities:detail", args=[returned.pk]))
    expect(page.get_by_role("heading", name="Returned to you")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    shoot(page, "staff-returned-activity")

    # Import from a spreadsheet: the preview marks each row before anything is saved.
    closed = a_closed_month(returned.lead_office)
    page.get_by_role("link", name="Activities", exact=True).click()
    page.get_by_role("link", name="Import a spreadsheet").click()
    expect(heading(page)).to_have_text("Import activities from a spreadsheet")
    expect(page.get_by_role("link", name="Template for Excel (XLSX)")).to_be_visible()
    shoot(page, "staff-import")
    page.locator("input[type=file]").set_input_files(
        {"name": "beijing-december.csv", "mimeType": "text/csv", "buffer": import_file(closed)}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(heading(page)).to_have_text("Check the import")
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.get_by_role("button", name=re.compile(r"Import 2 "))).to_be_visible()
    shoot(page, "staff-import-preview")
    page.get_by_role("button", name=re.compile(r"Import 2 ")).click()
    expect(page.locator(".messages")).to_contain_text("Imported 2 activities as drafts.")

    # A closed month: ask the bureau to reopen it.
    page.get_by_role("link", name="Periods", exact=True).click()
    expect(heading(page)).to_have_text("Periods and reopening")
    request = page.locator("section", has=page.get_by_role("heading", name="Ask to reopen"))
    request.get_by_label("Month").select_option(f"{closed.year}-{closed.month:02d}")
    request.get_by_label("Reason").fill(
        "The October trade meetings were filed late: the minutes arrived on 5 December."
    )
    shoot(page, "staff-periods", at=page.get_by_role("heading", name="Ask to reopen"))
    request.get_by_role("button", name="Send the request").click()
    expect(page.locator(".messages")).to_contain_text("Your request was sent to the bureau admins.")
    assert PeriodReopening.objects.filter(
        office__code="BJO", year=closed.year, month=closed.month, state="requested"
    ).exists()
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_supervisor_day(live_server, screen: Page, console_errors, demo):
    page, base = screen, live_server.url
    sign_in(page, base, "bjo.supervisor")

    # The queue: oldest first; the page says who may verify what.
    page.locator(".site-nav").get_by_role("link", name=re.compile(r"^Verify")).click()
    expect(heading(page)).to_have_text("Waiting for verification")
    expect(page.get_by_text("Four eyes:")).to_be_visible()
    shoot(page, "supervisor-queue")

    # One activity of a month still open: verify it, or return it with a comment.
    recent = (
        Activity.objects.filter(status=Status.SUBMITTED, lead_office__code="BJO")
        .order_by("-occurred_on")
        .first()
    )
    assert period_state(office=recent.lead_office, day=recent.occurred_on).is_open
    pk = recent.pk
    page.goto(base + reverse("activities:detail", args=[pk]))
    expect(page.get_by_role("heading", name="Verification")).to_be_visible()
    page.get_by_label("Comment for the author").fill(
        "Please name the counterpart in full and add who from the office took part."
    )
    shoot(page, "supervisor-review-one", at=page.get_by_role("heading", name="Verification"))
    page.get_by_role("button", name="Return to the author").click()
    expect(page.locator(".status").first).to_have_text("Returned")
    assert Activity.objects.get(pk=pk).status == Status.RETURNED

    # Bulk: everything on the first page of the queue verified at once.
    page.locator(".site-nav").get_by_role("link", name=re.compile(r"^Verify")).click()
    waiting = Activity.objects.filter(status=Status.SUBMITTED, lead_office__code="BJO").count()
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Verify selected").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"\d+ verified"))
    assert Activity.objects.filter(status=Status.SUBMITTED, lead_office__code="BJO").count() < (
        waiting
    )

    # Four eyes: what the supervisor logged and submitted is verified by someone else.
    page.locator(".site-nav").get_by_role("link", name="Log an activity").click()
    page.get_by_label("Indicator").select_option(label="Speaking occasions")
    page.get_by_label("Title").fill("Remarks at the Hong Kong youth internship reception")
    page.get_by_label("Event").fill("Hong Kong youth internship reception, Beijing")
    page.get_by_label("City").fill("Beijing")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.locator(".status").first).to_have_text("Submitted")
    expect(page.get_by_text("so someone else verifies it")).to_be_visible()
    expect(page.get_by_role("button", name="Verify", exact=True)).to_have_count(0)
    shoot(page, "supervisor-four-eyes")
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_bureau_viewer_day(live_server, screen: Page, console_errors, demo):
    call_command(
        "export_report",
        "--year",
        str(timezone.localdate().year),
        "--format",
        "xlsx",
        "--publish",
        "--user",
        "admin",
        "--purpose",
        "Mid-year figures for the LegCo panel",
        verbosity=0,
    )
    # Since then a draft of this year was submitted: the published figures have changed.
    draft = (
        Activity.objects.filter(
            lead_office__code="BJO", status=Status.DRAFT, removed_at__isnull=True
        )
        .order_by("-occurred_on")
        .first()
    )
    activities_submit(user=draft.created_by, activity_ids=[draft.pk])
    page, base = screen, live_server.url
    sign_in(page, base, "viewer")

    # The bureau dashboard: every office, every indicator, against pace.
    expect(heading(page)).to_have_text("Bureau dashboard")
    expect_charts_drawn(page)
    shoot(page, "viewer-bureau-dashboard")
    shoot(
        page,
        "viewer-bureau-dashboard-charts",
        at=page.get_by_role("heading", name="Through the year"),
    )
    shoot(page, "viewer-by-office", at=page.get_by_role("heading", name="By office"))

    # A figure drills down to exactly the activities it counted.
    cell = page.locator(".office-row").first.locator("td").first
    figure = cell.locator("a").inner_text()
    cell.locator("a").click()
    expect(heading(page)).to_have_text("Activities")
    expect(
        page.get_by_text("Showing exactly the activities a dashboard figure counted")
    ).to_be_visible()
    expect(page.locator(".totals strong").first).to_contain_text(f"{figure} activit")
    shoot(page, "viewer-drill-down")

    # An office's own dashboard, from All offices.
    page.get_by_role("link", name="All offices").click()
    expect(heading(page)).to_have_text("All offices")
    shoot(page, "viewer-all-offices")
    chengdu = Office.objects.get(code="CDETO").name
    page.get_by_role("link", name=chengdu).first.click()
    expect(heading(page)).to_have_text(chengdu)
    expect_charts_drawn(page)
    shoot(page, "viewer-office-dashboard")

    # Reports: made now and downloaded, or the published ones.
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(heading(page)).to_have_text("Reports")
    expect(page.get_by_role("heading", name="Publish a report")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile("Mid-year figures for the LegCo panel"))
    expect(row).to_contain_text("Changed since it was made")
    shoot(page, "viewer-reports")
    form = page.locator("form", has=page.get_by_role("button", name="Download"))
    form.get_by_label("Format").select_option(label="Printable document (PDF)")
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Download").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
    shoot(page, "viewer-published-reports", at=page.get_by_role("heading", name="Published"))

    # The published report's page: each figure of the file that differs from a fresh count.
    row.get_by_role("link", name=re.compile(r"^Annual report \d{4}$")).click()
    changes = page.get_by_role("heading", name="Have the figures changed since?")
    expect(changes).to_be_visible()
    expect(page.get_by_role("cell", name="+1").first).to_be_visible()
    shoot(page, "viewer-report-changes", at=changes)
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_bureau_admin_day(live_server, screen: Page, console_errors, demo):
    beijing = Office.objects.get(code="BJO")
    closed = a_closed_month(beijing)
    reopening_request(
        user=User.objects.get(username="bjo.staff"),
        office=beijing,
        year=closed.year,
        month=closed.month,
        reason="The October trade meetings were filed late: the minutes arrived on 5 December.",
    )
    page, base = screen, live_server.url
    sign_in(page, base, "admin")

    # Targets: the bureau target of each indicator and each office's optional share.
    page.get_by_role("link", name="Targets", exact=True).click()
    year = timezone.localdate().year
    expect(heading(page)).to_have_text(f"Targets for {year}")
    expect(page.get_by_role("button", name=f"Save the targets for {year}")).to_be_visible()
    shoot(page, "admin-targets")

    # Periods: grant the reopening until a date.
    page.get_by_role("link", name="Periods", exact=True).click()
    pending = page.locator("article", has_text=beijing.name)
    expect(pending).to_contain_text("filed late")
    pending.get_by_label("Grant").check()
    until = timezone.localdate() + dt.timedelta(days=7)
    pending.get_by_label("Open until").fill(until.isoformat())
    shoot(page, "admin-periods", at=page.get_by_role("heading", name="Requests waiting"))
    pending.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messages")).to_contain_text("Decision recorded.")
    assert period_state(office=beijing, day=closed).is_open

    # Publish the annual report and keep it.
    page.get_by_role("link", name="Reports", exact=True).click()
    publish = page.locator("#publish")
    publish.get_by_label("Format").select_option(label="Excel workbook (XLSX)")
    publish.get_by_label("Purpose").fill("Policy Address figures")
    shoot(page, "admin-publish", at=page.get_by_role("heading", name="Publish a report"))
    publish.get_by_role("button", name="Publish and keep").click()
    expect(page).to_have_url(re.compile(r"/reports/published/\d+/$"))
    expect(page.locator("code.hash")).to_have_text(re.compile(r"^\s*[0-9a-f]{64}\s*$"))
    shoot(page, "admin-published-report")

    # The audit trail: the publication and the reopening are on it.
    page.get_by_role("link", name="Audit trail", exact=True).click()
    expect(heading(page)).to_have_text("Audit trail")
    expect(page.locator("tbody")).to_contain_text("bjo.staff")
    shoot(page, "admin-audit-trail")

    # People: the roster, from the menu.
    page.locator(".site-nav").get_by_role("link", name="People").click()
    expect(page.get_by_role("cell", name=re.compile("bjo.supervisor")).first).to_be_visible()
    shoot(page, "admin-people")

    # Deactivating a liaison unit asks first, and says what it does not change.
    unit = Office.objects.filter(parent=beijing).order_by("code").first()
    page.goto(base + f"/admin/offices/office/{unit.pk}/change/")
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("It changes no figure")).to_be_visible()
    shoot(page, "admin-deactivate-unit")
    assert Office.objects.get(pk=unit.pk).is_active
    assert console_errors == []
