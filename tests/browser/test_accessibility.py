"""Every main page, checked by axe-core for WCAG 2.1 A and AA, in English and Traditional
Chinese, at a desktop's and a phone's width: no violation is allowed (docs/accessibility.md).

The pages are data: PAGES lists, for each person (None: not signed in), the addresses to
check, with `{name}` placeholders filled from the demo data (`ids()`), and optionally what
to do on the page before checking it (submit a form empty, to check its errors). A new page
is one more line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from activities import services as activity_services
from activities.imports.services import import_preview
from activities.models import Activity, Status
from offices.models import Counterpart, Indicator, Office, Region
from ops.demo import DEMO_PASSWORD
from planning import services as planning_services
from planning.models import Plan, PlanConflict, ProgressNote
from planning.tests.factories import PlanFactory
from reports import services as report_services
from reports.report import ReportScope

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# label-content-name-mismatch (WCAG 2.5.3, label in name) is still "experimental" in
# axe-core, so the tags alone leave it out; it is asked for by name.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# The language asked for, and the `lang` of the pages in it.
LANGUAGES = {"en": "en", "zh-hant": "zh-Hant-HK"}

# Swagger UI (drf-spectacular-sidecar) is a third-party widget whose markup and theme we do
# not write: each operation's summary is a button holding its own "copy" and "authorize"
# buttons (nested-interactive), and its theme's method badges, URLs and buttons are below
# 4.5:1 (color-contrast). Only the widget's element is left out of the check; the page
# around it (its language, title and landmark: templates/drf_spectacular/) is checked.
SWAGGER_UI = "#swagger-ui"


def submit_empty(page: Page) -> None:
    """Submit the page's main form as it stands (the forms are `novalidate`), to check the
    page with its error summary and its fields' errors."""
    page.locator("main form[method='post'] [type='submit']").first.click()
    page.wait_for_load_state("load")
    expect(page.locator(".error-summary, .field__error").first).to_be_visible()


def wrong_password(page: Page) -> None:
    page.locator("input[name='username']").fill("bjo.staff")
    page.locator("input[name='password']").fill("not the password")
    page.locator("main form [type='submit']").click()
    page.wait_for_load_state("load")


def swagger_drawn(page: Page) -> None:
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()


def clear_note(page: Page) -> None:
    page.locator("textarea[name='text']").fill("")
    submit_empty(page)


def clear_title(page: Page) -> None:
    page.locator("input[name='title']").fill("")
    submit_empty(page)


def make_address(page: Page) -> None:
    """Make a calendar address, to check the page that shows it once: the page's own
    button when the person has none, else a new one through the question first."""
    make = page.locator("main form[method='post'] [type='submit']")
    if make.count() == 0:
        page.locator("main a[href$='/calendar-subscription/new/']").click()
        page.wait_for_load_state("load")
        make = page.locator("main form[method='post'] [type='submit']")
    make.first.click()
    page.wait_for_load_state("load")
    expect(page.locator("#feed-address")).to_be_visible()


def plan_with_warnings(page: Page) -> None:
    """A plan in a region another office covers: the form comes back with its warnings and
    the reason to give."""
    page.locator("input[name='title']").fill("Call on the Department of Commerce")
    guangdong = Region.objects.get(code="440000")
    page.locator("select[name='region']").select_option(value=str(guangdong.pk))
    page.locator("main form[method='post'] [type='submit']").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-plan-warnings]")).to_be_visible()


@dataclass(frozen=True)
class Check:
    """A page to check: its address, what to do on it first (`then`), the status it answers
    when opened (when there is nothing to do first), elements left out of the check."""

    path: str
    then: Callable[[Page], None] | None = None
    status: int = 200
    exclude: tuple[str, ...] = ()


# Who checks which page. Each person's landing page is "/" (the page they are sent to).
PAGES: dict[str | None, list[Check]] = {
    None: [
        Check("/accounts/login/"),
        Check("/accounts/login/", then=wrong_password),
        Check("/accounts/password/reset/"),
        Check("/accounts/password/reset/sent/"),
    ],
    "bjo.staff": [
        Check("/"),
        Check("/offices/BJO/"),
        Check("/activities/"),
        Check("/activities/?status=submitted&indicator={indicator}&date_from={year}-01-01&q=a"),
        Check("/activities/{activity}/"),
        Check("/activities/new/"),
        Check("/activities/new/", then=submit_empty, status=400),
        Check("/activities/{draft}/edit/"),
        Check("/activities/{draft}/edit/", then=clear_title, status=400),
        Check("/activities/import/"),
        Check("/activities/import/{batch}/"),
        Check("/counterparts/"),
        Check("/counterparts/{counterpart}/"),
        Check("/counterparts/new/"),
        Check("/activities/periods/"),
        Check("/planning/offices/BJO/notes/"),
        Check("/planning/offices/BJO/notes/{indicator}/{year}/{month}/"),
        Check("/planning/offices/BJO/notes/{indicator}/{year}/{month}/", then=clear_note),
        Check("/planning/conflicts/"),
        Check("/reports/"),
        Check("/accounts/reminders/"),
        Check("/accounts/tokens/"),
        Check("/accounts/security/"),
        Check("/accounts/password/"),
        Check("/accounts/password/", then=submit_empty),
        Check("/accounts/sessions/"),
        Check("/accounts/two-step/on/"),
        Check("/planning/calendar-subscription/", then=make_address),
        Check("/planning/calendar-subscription/"),
        Check("/planning/calendar-subscription/new/"),
        Check("/planning/calendar-subscription/off/"),
        Check("/planning/"),
        Check("/planning/?office={bjo}&status=planned"),
        Check("/planning/week/?week={plan_day}"),
        Check("/planning/list/?when=all"),
        Check("/planning/plans/new/"),
        Check("/planning/plans/new/", then=submit_empty, status=400),
        Check("/planning/plans/new/", then=plan_with_warnings, status=400),
        Check("/planning/plans/{plan}/"),
        Check("/planning/plans/{plan}/edit/"),
        Check("/planning/plans/{plan}/cancel/"),
        Check("/planning/plans/{plan}/cancel/", then=submit_empty, status=400),
        Check("/api/docs/", then=swagger_drawn, exclude=(SWAGGER_UI,)),
        Check("/dashboard/", status=403),
        Check("/no-such-page/", status=404),
    ],
    "bjo.supervisor": [
        Check("/"),
        Check("/activities/review/"),
        Check("/activities/periods/"),
        Check("/accounts/people/"),
        Check("/planning/plans/{plan}/"),
    ],
    "viewer": [
        Check("/"),
        Check("/offices/"),
        Check("/offices/GDETO/"),
        Check("/reports/"),
        Check("/reports/published/{report}/"),
        Check("/targets/{year}/"),
        Check("/planning/calendar-subscription/"),
        Check("/planning/conflicts/"),
        Check("/planning/conflicts/?state=closed&kind=official"),
        Check("/planning/gaps/"),
        Check("/planning/gaps/?months=12"),
        Check("/planning/"),
    ],
    "admin": [
        Check("/"),
        Check("/targets/{year}/"),
        Check("/targets/{year}/history/"),
        Check("/audit/"),
        Check("/audit/lockouts/"),
        Check("/accounts/people/"),
        Check("/accounts/people/add/"),
        Check("/accounts/people/{person}/"),
        Check("/accounts/people/{person}/deactivate/"),
        Check("/offices/BJO/"),
        Check("/planning/notes/{note}/reply/"),
        Check("/planning/notes/{note}/reply/", then=submit_empty),
        Check("/planning/conflicts/{conflict}/close/"),
        Check("/planning/conflicts/{conflict}/close/", then=submit_empty),
    ],
}


def import_file() -> bytes:
    today = timezone.localdate().isoformat()
    rows = [
        "Date,Indicator,Title,Region,City,Counterparts,Authority level",
        f"{today},Visits to Mainland authorities or bodies,Call on the Ministry of Commerce,"
        "Beijing,Beijing,Ministry of Commerce,central",
        f"{today},Media interviews or briefings,,Beijing,Beijing,Xinhua News Agency,",
    ]
    return ("\ufeff" + "\n".join(rows) + "\n").encode()


def ids() -> dict[str, object]:
    """The objects the addresses name, from the demo data (and an import and a published
    report made here)."""
    staff = User.objects.get(username="bjo.staff")
    bjo = Office.objects.get(code="BJO")
    year = timezone.localdate().year
    mine = Activity.objects.filter(lead_office=bjo, created_by=staff)
    batch = import_preview(
        user=staff,
        office=bjo,
        upload=SimpleUploadedFile("activities.csv", import_file(), content_type="text/csv"),
    )
    report = report_services.report_publish(
        user=User.objects.get(username="admin"),
        scope=ReportScope.annual(year),
        fmt="csv",
        language="en",
        purpose="Accessibility check",
    )
    report.refresh_from_db()
    assert report.is_done, report.error
    note, conflict = direction_objects(staff, bjo, year)
    plan = _plans(staff, bjo)
    # The demo makes drafts of a few recent activities by chance: one made here if none.
    draft = mine.filter(status=Status.DRAFT).first() or activity_services.activity_create(
        user=staff,
        lead_office=bjo,
        indicator=Indicator.objects.get(code="visits"),
        occurred_on=timezone.localdate(),
        title="Call on the Ministry of Commerce",
        counterparts=[Counterpart.objects.get(name_en="Ministry of Commerce")],
        authority_level="central",
    )
    return {
        "bjo": bjo.pk,
        "plan": plan.pk,
        "plan_day": plan.starts_on.isoformat(),
        "year": year,
        "indicator": mine.first().indicator_id,
        "activity": mine.filter(status=Status.VERIFIED).first().pk,
        "draft": draft.pk,
        "batch": batch.pk,
        "counterpart": Counterpart.objects.filter(activities__lead_office=bjo).first().pk,
        "report": report.pk,
        "person": staff.pk,
        "month": timezone.localdate().month,
        "note": note.pk,
        "conflict": conflict.pk,
    }


def direction_objects(staff, office, year):
    """A progress note of this month and an open conflict on one of the office's plans,
    made here whether or not the demo data has them."""
    today = timezone.localdate()
    indicator = Indicator.objects.filter(is_active=True).first()
    note = planning_services.note_write(
        user=staff,
        office=office,
        indicator=indicator,
        year=today.year,
        month=today.month,
        text="Two visits moved to next month at the ministry's request.",
        version=ProgressNote.objects.filter(
            office=office, indicator=indicator, year=today.year, month=today.month
        )
        .values_list("version", flat=True)
        .first(),
    )
    plan = PlanFactory(
        lead_office=office,
        indicator=indicator,
        region=Region.objects.first(),
        starts_on=today + dt.timedelta(days=20),
        created_by=staff,
    )
    conflict = PlanConflict.objects.create(
        plan=plan,
        office=Office.objects.exclude(pk=office.pk).filter(parent=None).first(),
        kinds=["counterpart"],
        message="Another office visits the same ministry that week.",
        reason="The ministry chose the date.",
        created_by=staff,
    )
    return note, conflict


def _plans(staff, bjo) -> Plan:
    """BJO's plan, warned about GDETO's plan of the same department (a summary to BJO) and
    saved with a reason: its page shows warnings, a conflict and history."""
    day = timezone.localdate() + dt.timedelta(days=2)
    department = Counterpart.objects.get(name_en="Department of Commerce of Guangdong Province")
    common = {
        "indicator": Indicator.objects.get(code="visits"),
        "region": Region.objects.get(code="440000"),
        "city": "Guangzhou",
        "counterparts": [department],
        "warning_reason": "Agreed by phone",
    }
    planning_services.plan_create(
        user=User.objects.get(username="gdeto.staff"),
        lead_office=Office.objects.get(code="GDETO"),
        title="GDETO's call",
        starts_on=day,
        **common,
    )
    return planning_services.plan_create(
        user=staff,
        lead_office=bjo,
        title="Call on the Department of Commerce",
        starts_on=day + dt.timedelta(days=1),
        starts_at=dt.time(10),
        purpose="Introduce the new Director",
        **common,
    ).plan


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--scale", "0.05", verbosity=0)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(DEMO_PASSWORD)
    page.locator("main form [type='submit']").click()
    expect(page.locator("form[action='/accounts/logout/']")).to_be_attached()


def describe(violation: dict) -> str:
    """The rule, its help and the first elements at fault, each with axe-core's reason."""
    nodes = []
    for node in violation["nodes"][:5]:
        target = " ".join(str(part) for part in node["target"])
        reason = (node.get("failureSummary") or "").strip().splitlines()
        nodes.append(f"{target} ({reason[-1].strip() if reason else ''})")
    return f"{violation['id']} [{violation['impact']}] {violation['help']}: {'; '.join(nodes)}"


def check_page(axe: Axe, page: Page, check: Check, where: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it stands, at each width."""
    found = []
    options = {"exclude": [[selector] for selector in check.exclude]} if check.exclude else None
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        results = axe.run(page, context=options, options=AXE_OPTIONS)
        found += [
            f"{where}, {width}: {describe(violation)}"
            for violation in results.response["violations"]
        ]
    return found


@pytest.mark.timeout(1800)  # every page in three languages and two sizes: minutes
@pytest.mark.django_db(transaction=True)
def test_pages_have_no_wcag_violations(live_server, context, page: Page, demo):
    """One pass over PAGES per language; every violation is listed before the test fails."""
    base = live_server.url
    values = ids()
    axe = Axe()
    found: list[str] = []
    for language in LANGUAGES:
        for username, checks in PAGES.items():
            context.clear_cookies()
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            if username:
                sign_in(page, base, username)
            for check in checks:
                path = check.path.format(**values)
                response = page.goto(base + path)
                if check.then is None:
                    assert response.status == check.status, (path, response.status)
                else:
                    check.then(page)
                page.wait_for_load_state("load")
                expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[language])
                where = f"{path}{' (' + check.then.__name__ + ')' if check.then else ''}"
                found += check_page(axe, page, check, f"{where} as {username} in {language}")
    assert not found, "\n".join(found)
