"""The daily reminder digests as scheduled work (docs/operations.md, "Scheduled work (Celery beat)" and
"Reminders"): Celery beat's schedule, the task, the command that runs the same function,
and the plans-to-log line of a digest.

Today is Monday 8 June 2026, 08:00 in Hong Kong (the morning run).
"""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReminderDigest, Role
from accounts.reminders import PLANS_TO_LOG
from accounts.tests.factories import UserFactory
from activities.models import Status
from activities.tests.factories import ActivityFactory
from kpi_tracker.celery import app
from ops.tasks import send_reminder_digests
from planning.models import PlanStatus
from planning.tests.factories import PlanFactory

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 6, 8)
SITE = "https://kpi.example.gov.hk"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 8, 8, tzinfo=HK)),
    pytest.mark.urls("ops.tests.plan_page_urls"),
]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.KPI_SITE_URL = SITE


@pytest.fixture(autouse=True)
def may_logged(office_a):
    """Office A logged something in May: no month-closing reminder gets in the way."""
    ActivityFactory(lead_office=office_a, status=Status.VERIFIED, occurred_on=dt.date(2026, 5, 4))


def confirmed(*, by, title="Call on the Commerce Department", starts_on=dt.date(2026, 6, 5)):
    return PlanFactory(
        lead_office=by.office,
        created_by=by,
        title=title,
        status=PlanStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        starts_on=starts_on,
    )


def page(plan) -> str:
    return reverse("planning:detail", args=[plan.pk])


def mails_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message) -> str:
    [(html, _mimetype)] = message.alternatives
    return html


# --- the schedule ----------------------------------------------------------------------


def test_beat_runs_the_digests_at_eight_and_two_hong_kong_time():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("digests")]

    [entry] = entries
    assert entry["task"] == send_reminder_digests.name
    assert entry["task"] in app.tasks  # the worker knows the task by that name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert (schedule.hour, schedule.minute) == ({8, 14}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Hong_Kong"
    assert app.conf.timezone == "Asia/Hong_Kong"


def test_every_scheduled_task_is_registered():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


# --- the task --------------------------------------------------------------------------


def test_running_the_task_twice_sends_one_e_mail_per_person(staff_a, supervisor_a):
    confirmed(by=staff_a)
    ActivityFactory(lead_office=staff_a.office, created_by=staff_a, status=Status.RETURNED)

    first = send_reminder_digests.delay().get()
    second = send_reminder_digests.delay().get()

    assert first == {"sent": 2, "already_sent": 0, "failed": 0}
    assert second == {"sent": 0, "already_sent": 0, "failed": 0}  # no longer due today
    assert len(mails_to(staff_a)) == 1 and len(mails_to(supervisor_a)) == 1
    assert ReminderDigest.objects.filter(date=TODAY).count() == 2


def test_the_next_hong_kong_day_reminds_again(frozen, staff_a):
    confirmed(by=staff_a)
    send_reminder_digests.delay()
    # 00:30 on 9 June in Hong Kong is still 8 June in UTC: a new day here all the same
    frozen.move_to(dt.datetime(2026, 6, 9, 0, 30, tzinfo=HK))

    send_reminder_digests.delay()

    assert len(mails_to(staff_a)) == 2
    assert set(ReminderDigest.objects.values_list("date", flat=True)) == {
        TODAY,
        dt.date(2026, 6, 9),
    }


def test_a_plan_whose_last_day_ended_last_night_in_hong_kong_is_due(frozen, staff_a):
    frozen.move_to(dt.datetime(2026, 6, 9, 0, 30, tzinfo=HK))  # 8 June in UTC
    confirmed(by=staff_a, title="Yesterday's visit", starts_on=TODAY)

    send_reminder_digests.delay()

    [message] = mails_to(staff_a)
    assert "Yesterday's visit" in message.body


def test_the_task_links_to_the_site(staff_a):
    plan = confirmed(by=staff_a)

    send_reminder_digests.delay()

    [message] = mails_to(staff_a)
    assert f"{SITE}{page(plan)}" in message.body
    assert f"{SITE}{reverse('accounts:reminders')}" in message.body


# --- the line in the digest, in three languages -------------------------------------------


def test_the_digest_lists_plans_to_log_in_english(staff_a):
    first = confirmed(by=staff_a, title="Call on the Commerce Department")
    second = confirmed(
        by=staff_a, title="Meet the Provincial Media Group", starts_on=dt.date(2026, 6, 1)
    )

    send_reminder_digests.delay()

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 2 plans to log"
    assert "* 2 confirmed plans have happened: log what happened." in message.body
    # by date, each with its plan page
    assert (
        f"  - 2026-06-01: Meet the Provincial Media Group\n    {SITE}{page(second)}\n"
        f"  - 2026-06-05: Call on the Commerce Department\n    {SITE}{page(first)}"
    ) in message.body
    html = html_of(message)
    assert (
        f'2026-06-01: <a href="{SITE}{page(second)}" style="color: #0a4f9e;">'
        "Meet the Provincial Media Group</a>"
    ) in html


def test_one_plan_reads_in_the_singular(staff_a):
    confirmed(by=staff_a)

    send_reminder_digests.delay()

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 1 plan to log"
    assert "1 confirmed plan has happened: log what happened." in message.body


@pytest.mark.parametrize(
    ("language", "html_lang", "greeting"),
    [
        ("zh-hant", "zh-Hant-HK", "以下是你今天在內地辦事處關鍵績效指標追蹤系統的待辦事項："),
        ("zh-hans", "zh-Hans", "以下是你今天在内地办事处关键绩效指标追踪系统的待办事项："),
    ],
)
def test_the_digest_in_chinese(language, html_lang, greeting, office_a):
    author = UserFactory(role=Role.OFFICE_STAFF, office=office_a, language=language)
    plan = confirmed(by=author, title="拜訪廣東省商務廳")

    send_reminder_digests.delay()

    [message] = mails_to(author)
    assert message.extra_headers["Content-Language"] == html_lang
    assert greeting in message.body
    assert f"  - 2026-06-05: 拜訪廣東省商務廳\n    {SITE}{page(plan)}" in message.body
    assert f'<html lang="{html_lang}">' in html_of(message)


# --- the command runs the same function ----------------------------------------------------


def send_reminders(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_the_plans_to_log_and_a_second_run_nothing(staff_a, supervisor_a):
    confirmed(by=staff_a)

    assert "2 digest(s) sent, 0 already sent today, 0 failed." in send_reminders()
    send_reminder_digests.delay()  # the scheduled run after a run by hand

    assert len(mails_to(staff_a)) == 1 and len(mails_to(supervisor_a)) == 1
    assert ReminderDigest.objects.get(user=staff_a).summary[PLANS_TO_LOG]["count"] == 1


def test_the_command_dry_run_shows_the_plans_and_sends_nothing(staff_a):
    confirmed(by=staff_a)

    output = send_reminders("--dry-run", "--verbosity", "2")

    assert f"Would send to staff_a <{staff_a.email}> (en): KPI Tracker: 1 plan to log" in output
    assert "1 confirmed plan has happened" in output
    assert not mail.outbox and not ReminderDigest.objects.exists()


def test_the_command_help_names_the_schedule():
    from ops.management.commands.send_reminders import Command

    assert "Celery beat runs this at 08:00 and 14:00 Hong Kong time" in Command.help


# --- the Reminders page ---------------------------------------------------------------------


def test_the_reminders_page_lists_a_digest_with_plans(client_staff_a, staff_a):
    ReminderDigest.objects.create(
        user=staff_a,
        date=TODAY,
        summary={
            PLANS_TO_LOG: {
                "count": 3,
                "plans": [{"id": 7, "title": "Visit", "starts_on": "2026-06-01"}],
            }
        },
    )

    response = client_staff_a.get(reverse("accounts:reminders"))

    assert "3 confirmed plans have happened: log what happened." in response.content.decode()


def test_turning_the_reminder_off_on_the_page_stops_it(client_staff_a, staff_a):
    confirmed(by=staff_a)
    client_staff_a.post(reverse("accounts:reminders"), {"drafts": "on", "returned": "on"})

    send_reminder_digests.delay()

    assert mails_to(staff_a) == []


@pytest.mark.urls("kpi_tracker.urls")
def test_the_site_has_the_plan_page_the_digest_links_to():
    assert reverse("planning:detail", args=[7]).startswith("/planning/")
