"""Two people edit the same activity: the second to save is refused, reads what changed,
by whom and when, and gets the form merged; the field both changed is a choice between
labelled radio buttons. In English at desktop width, and in Traditional Chinese on a phone."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from activities import services
from activities.models import Activity
from offices.models import Indicator, Office
from ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TEXT = {
    "en": {
        "sign_in": ("Username", "Password", "Sign in"),
        "title": "Title",
        "notes": "Notes",
        "city": "City",
        "save": "Save changes",
        "notice": "Someone else changed this activity after you opened it",
        "changed": "Benjamin Lau changed it at",
        "kept": "You had not changed it: the form now shows their value.",
        "choose": "Choose which value to keep",
        "error": "Choose which value to keep.",
        "mine": "Keep yours: My keynote",
        "theirs": "Take the one Benjamin Lau saved at",
        "saved": "Changes saved.",
    },
    "zh-hant": {
        "sign_in": ("Username", "Password", "Sign in"),
        "title": "標題",
        "notes": "備註",
        "city": "城市",
        "save": "儲存修改",
        "notice": "你開啟此活動後，有其他人作出了修改",
        "changed": "Benjamin Lau於",
        "kept": "你沒有修改這一項：表格現已顯示對方的值。",
        "choose": "選擇要保留的值",
        "error": "請選擇要保留哪一個值。",
        "mine": "保留你的：My keynote",
        "theirs": "採用Benjamin Lau於",
        "saved": "已儲存修改。",
    },
}


def sign_in(page: Page, base: str, username: str, labels) -> None:
    user_label, password_label, button = labels
    page.goto(base + "/accounts/login/")
    page.get_by_label(user_label, exact=True).fill(username)
    page.get_by_label(password_label, exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=button, exact=True).click()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "language, viewport",
    [("en", {"width": 1280, "height": 900}), ("zh-hant", {"width": 390, "height": 844})],
)
def test_a_stale_edit_is_merged_and_the_conflict_chosen(
    live_server, browser, console_errors, screenshot_dir, language, viewport
):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    User.objects.filter(username="bjo.staff").update(language=language)
    author = User.objects.get(username="bjo.staff")
    supervisor = User.objects.get(username="bjo.supervisor")
    activity = services.activity_create(
        user=author,
        lead_office=Office.objects.get(code="BJO"),
        indicator=Indicator.objects.get(code="speaking"),
        occurred_on=timezone.localdate(),
        title="Speech at the forum",
        event_name="Beijing Hong Kong business forum",
        city="Beijing",
    )
    words = TEXT[language]
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Hong_Kong", viewport=viewport)
    page = context.new_page()
    page.on("pageerror", lambda error: console_errors.append(f"uncaught exception: {error}"))
    # The refusals answer 409 and 400 on purpose: the browser logs those statuses as
    # errors; anything else logged as an error is one.
    page.on(
        "console",
        lambda m: (
            console_errors.append(m.text)
            if m.type == "error" and "status of 409" not in m.text and "status of 400" not in m.text
            else None
        ),
    )
    try:
        sign_in(page, live_server.url, "bjo.staff", words["sign_in"])
        page.goto(f"{live_server.url}/activities/{activity.pk}/edit/")

        # The supervisor saves first: a new title and another city.
        services.activity_update(
            user=supervisor,
            activity_id=activity.pk,
            expected_version=1,
            title="Keynote at the forum",
            city="Tianjin",
        )

        # The author, on version 1, changes the title too, and the notes.
        page.get_by_label(words["title"], exact=True).fill("My keynote")
        page.get_by_label(words["notes"]).fill("Bring the brochures")
        page.get_by_role("button", name=words["save"]).click()

        notice = page.locator("#conflict-notice")
        expect(notice).to_have_attribute("role", "alert")
        expect(notice.get_by_role("heading")).to_have_text(words["notice"])
        expect(notice).to_contain_text(words["changed"])
        expect(notice).to_contain_text(words["kept"])
        # The field only the supervisor changed takes their value; the author's own stays.
        expect(page.get_by_label(words["city"])).to_have_value("Tianjin")
        expect(page.get_by_label(words["notes"])).to_have_value("Bring the brochures")
        # The field both changed is a choice: labelled radio buttons in a named group.
        choice = page.get_by_role("group", name=words["title"])
        expect(choice.get_by_role("radio")).to_have_count(2)
        expect(choice.get_by_role("radio", name=words["mine"])).not_to_be_checked()
        page.screenshot(path=str(screenshot_dir / f"edit-conflict-{language}.png"), full_page=True)
        # Nothing sideways to scroll, even on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # Saving without choosing saves nothing and says why, linked to the choice.
        page.get_by_role("button", name=words["save"]).click()
        summary = page.locator("#error-summary")
        expect(summary).to_contain_text(words["error"])
        summary.get_by_role("link").click()
        assert Activity.objects.get().title == "Keynote at the forum"

        # Taking the supervisor's title keeps it; the author's notes are saved with it.
        page.get_by_role("group", name=words["title"]).get_by_role(
            "radio", name=words["theirs"]
        ).check()
        page.get_by_role("button", name=words["save"]).click()
        expect(page.get_by_text(words["saved"])).to_be_visible()

        activity.refresh_from_db()
        assert (activity.title, activity.city, activity.notes) == (
            "Keynote at the forum",
            "Tianjin",
            "Bring the brochures",
        )
        assert console_errors == []
    finally:
        context.close()
