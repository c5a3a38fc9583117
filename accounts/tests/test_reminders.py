"""Reminders (docs/operations.md, "Reminders"): the daily digests (through the command) and the
Reminders page.

Today is Monday 8 June 2026, 08:00 in Hong Kong: May closes for entry at the end of 10 June,
so the month-closing reminder is due (within the 3 days before).
"""

import datetime as dt
import smtplib
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReminderDigest, ReminderPreference, Role
from accounts.reminders import send_digests
from accounts.tests.factories import UserFactory
from activities.models import Status
from activities.tests.factories import ActivityFactory
from ops.reminders import digests_due

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 6, 8)
JUNE_DAY = dt.date(2026, 6, 2)
MAY_DAY = dt.date(2026, 5, 20)
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 8, 8, tzinfo=HK))]


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def activity(*, by, office=None, status=Status.DRAFT, created=0, occurred_on=JUNE_DAY, **extra):
    """An activity created `created` days ago by `by`, led by their office by default."""
    return ActivityFactory(
        lead_office=office or by.office,
        created_by=by,
        status=status,
        created_at=days_ago(created),
        occurred_on=occurred_on,
        **extra,
    )


def send_reminders(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def mails_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def may_logged(office_a, office_b, supervisor_a):
    """Both offices logged something in May: no month-closing reminder, unless a test
    removes this fixture's rows."""
    return [
        activity(by=supervisor_a, status=Status.VERIFIED, occurred_on=MAY_DAY),
        activity(by=supervisor_a, office=office_b, status=Status.VERIFIED, occurred_on=MAY_DAY),
    ]


# --- what each person is reminded of ------------------------------------------------------


@pytest.mark.usefixtures("may_logged")
def test_drafts_older_than_the_draft_days_are_listed_and_newer_ones_not(staff_a, staff_b):
    activity(by=staff_a, created=10)
    activity(by=staff_a, created=7)  # 1 June: seven days old counts
    activity(by=staff_a, created=6)
    activity(by=staff_a, created=1)
    activity(by=staff_b, created=2)

    send_reminders()

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 2 drafts"
    assert "2 of your drafts have not been submitted" in message.body
    assert "2026-05-29" in message.body  # the oldest, created ten days ago
    assert mails_to(staff_b) == []
    assert ReminderDigest.objects.get(user=staff_a).summary["drafts"]["count"] == 2


@pytest.mark.usefixtures("may_logged")
def test_draft_days_option_and_what_is_not_a_draft_of_mine(staff_a, supervisor_a, office_a):
    activity(by=staff_a, created=1)
    activity(by=staff_a, created=20, status=Status.SUBMITTED)
    activity(
        by=staff_a,
        created=20,
        removed_at=days_ago(1),
        removed_by=supervisor_a,
        removal_reason="Entered twice",
    )
    activity(by=supervisor_a, created=20)  # same office, someone else's draft

    send_reminders("--draft-days", "1")

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 1 draft"
    assert ReminderDigest.objects.get(user=staff_a).summary == {
        "drafts": {"count": 1, "oldest": "2026-06-07", "days": 1}
    }


@pytest.mark.usefixtures("may_logged")
def test_returned_activities_are_listed_until_submitted_again(staff_a, supervisor_a):
    returned = activity(
        by=staff_a, status=Status.RETURNED, created=1, title="Call on the Hubei DOFCOM"
    )
    activity(by=staff_a, status=Status.SUBMITTED, created=1, title="Seminar in Wuhan")

    send_reminders()

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 1 returned activity"
    assert "Call on the Hubei DOFCOM" in message.body
    assert "Seminar in Wuhan" not in message.body
    assert ReminderDigest.objects.get(user=staff_a).summary["returned"]["activities"] == [
        {"id": returned.pk, "title": "Call on the Hubei DOFCOM", "occurred_on": "2026-06-02"}
    ]


@pytest.mark.usefixtures("may_logged")
def test_subject_combines_every_item(staff_a):
    activity(by=staff_a, created=8)
    activity(by=staff_a, created=9)
    activity(by=staff_a, status=Status.RETURNED)

    send_reminders()

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 2 drafts, 1 returned activity"
    assert "text/html" in message.alternatives[0][1]
    assert message.extra_headers["Content-Language"] == "en"
    assert '<html lang="en">' in html_of(message)


@pytest.mark.usefixtures("may_logged")
def test_supervisors_are_told_what_waits_for_their_verification_in_their_scope(
    staff_a, supervisor_a, staff_b, unit_a, office_b
):
    activity(by=staff_a, office=unit_a, status=Status.SUBMITTED)
    activity(by=staff_a, status=Status.SUBMITTED)
    activity(by=staff_a, status=Status.VERIFIED)
    activity(by=staff_b, status=Status.SUBMITTED)  # office B: not supervisor A's
    unit_supervisor = UserFactory(role=Role.OFFICE_SUPERVISOR, office=unit_a)

    send_reminders()

    [message] = mails_to(supervisor_a)
    assert message.subject == "KPI Tracker: 2 activities to verify"
    assert "2 activities are waiting for your verification" in message.body
    [unit_message] = mails_to(unit_supervisor)
    # a unit's supervisor heads the unit: nothing of May was logged by the unit itself
    assert unit_message.subject == "KPI Tracker: 1 activity to verify, nothing logged for May 2026"
    assert mails_to(staff_a) == []  # staff do not verify


@pytest.mark.usefixtures("may_logged")
def test_waiting_days_leaves_out_what_was_submitted_recently(staff_a, supervisor_a):
    activity(by=staff_a, status=Status.SUBMITTED, counted_since=days_ago(5))
    activity(by=staff_a, status=Status.SUBMITTED, counted_since=days_ago(1))

    send_reminders("--waiting-days", "3")

    [message] = mails_to(supervisor_a)
    assert message.subject == "KPI Tracker: 1 activity to verify"
    assert "submitted on 2026-06-03" in message.body


def test_month_closing_goes_to_supervisors_of_an_office_with_nothing_logged(
    staff_a, supervisor_a, staff_b, office_b, unit_a
):
    activity(by=staff_a, office=unit_a, occurred_on=MAY_DAY)  # a draft in a unit is logged
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b)
    activity(by=staff_b, occurred_on=dt.date(2026, 4, 30), status=Status.VERIFIED)
    activity(
        by=staff_b,
        occurred_on=MAY_DAY,
        status=Status.VERIFIED,
        removed_at=days_ago(1),
        removed_by=supervisor_b,
        removal_reason="Wrong office",
    )

    send_reminders()

    [message] = mails_to(supervisor_b)
    assert message.subject == "KPI Tracker: nothing logged for May 2026"
    assert (
        "Your office has logged no activity for May 2026, which closes for entry at the end of "
        "2026-06-10." in message.body
    )
    assert mails_to(supervisor_a) == []
    assert mails_to(staff_b) == []  # staff are not office heads


def test_month_closing_only_in_the_days_before_the_closing(frozen, office_b):
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b)
    frozen.move_to(dt.datetime(2026, 6, 6, 8, tzinfo=HK))  # four days before

    send_reminders()
    assert mail.outbox == []

    frozen.move_to(dt.datetime(2026, 6, 10, 14, tzinfo=HK))  # the closing day itself
    send_reminders("--closing-days", "0")
    assert [m.subject for m in mails_to(supervisor_b)] == [
        "KPI Tracker: nothing logged for May 2026"
    ]

    frozen.move_to(dt.datetime(2026, 6, 11, 8, tzinfo=HK))  # May has closed
    send_reminders()
    assert len(mail.outbox) == 1


# --- one digest a day -------------------------------------------------------------------


@pytest.mark.usefixtures("may_logged")
def test_running_twice_a_day_sends_once_and_the_next_day_again(frozen, staff_a):
    activity(by=staff_a, created=10)

    send_reminders()
    frozen.move_to(dt.datetime(2026, 6, 8, 14, tzinfo=HK))
    output = send_reminders()

    assert len(mail.outbox) == 1
    assert "0 digest(s) sent" in output

    frozen.move_to(dt.datetime(2026, 6, 9, 8, tzinfo=HK))
    send_reminders()

    assert len(mail.outbox) == 2
    assert list(ReminderDigest.objects.filter(user=staff_a).values_list("date", flat=True)) == [
        dt.date(2026, 6, 9),
        TODAY,
    ]


@pytest.mark.usefixtures("may_logged")
def test_a_concurrent_run_that_recorded_first_wins(staff_a):
    activity(by=staff_a, created=10)
    digests = digests_due(today=TODAY)
    ReminderDigest.objects.create(user=staff_a, date=TODAY)  # the other run, meanwhile

    result = send_digests(digests, today=TODAY)

    assert (len(result.sent), len(result.already_sent)) == (0, 1)
    assert mail.outbox == []


@pytest.mark.usefixtures("may_logged")
def test_a_failed_send_is_not_recorded_and_the_next_run_retries(monkeypatch, staff_a):
    activity(by=staff_a, created=10)

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        with pytest.raises(CommandError, match="staff_a"):
            send_reminders()
    assert not ReminderDigest.objects.exists()

    send_reminders()

    assert len(mails_to(staff_a)) == 1
    assert ReminderDigest.objects.filter(user=staff_a, date=TODAY).exists()


# --- who gets nothing -------------------------------------------------------------------


@pytest.mark.usefixtures("may_logged")
def test_a_reminder_turned_off_is_left_out(staff_a):
    activity(by=staff_a, created=10)
    activity(by=staff_a, status=Status.RETURNED)
    ReminderPreference.objects.create(user=staff_a, drafts=False)

    send_reminders()

    [message] = mails_to(staff_a)
    assert message.subject == "KPI Tracker: 1 returned activity"
    assert "draft" not in message.body


@pytest.mark.usefixtures("may_logged")
def test_nothing_is_sent_when_every_item_is_turned_off(staff_a, supervisor_a):
    activity(by=staff_a, created=10)
    activity(by=staff_a, status=Status.SUBMITTED)
    ReminderPreference.objects.create(user=staff_a, drafts=False)
    ReminderPreference.objects.create(user=supervisor_a, verification_queue=False)

    send_reminders()

    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()


def test_month_closing_turned_off(office_b):
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b)
    ReminderPreference.objects.create(user=supervisor_b, month_closing=False)

    send_reminders()

    assert mail.outbox == []


@pytest.mark.usefixtures("may_logged")
def test_inactive_people_and_people_without_an_e_mail_address_get_nothing(office_a, supervisor_a):
    inactive = UserFactory(role=Role.OFFICE_STAFF, office=office_a, is_active=False)
    no_address = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_a, email="")
    activity(by=inactive, created=10)
    activity(by=no_address, created=10)
    activity(by=no_address, status=Status.SUBMITTED)

    send_reminders()

    assert mails_to(inactive) == [] and mails_to(no_address) == []
    assert not ReminderDigest.objects.filter(user__in=[inactive, no_address]).exists()
    # the supervisor with an address is told of the activity waiting in the queue
    assert [m.to for m in mail.outbox] == [[supervisor_a.email]]


@pytest.mark.usefixtures("may_logged")
def test_dry_run_sends_and_records_nothing(staff_a):
    activity(by=staff_a, created=10)

    output = send_reminders("--dry-run")

    assert "Would send to staff_a <staff_a@example.gov.hk> (en): KPI Tracker: 1 draft" in output
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()


# --- language and links -----------------------------------------------------------------


def test_digest_in_the_persons_own_language(office_b):
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b, language="zh-hant")

    send_reminders()

    [message] = mails_to(supervisor_b)
    assert message.extra_headers["Content-Language"] == "zh-Hant-HK"
    html = html_of(message)
    assert '<html lang="zh-Hant-HK">' in html
    # Dates and months follow the person's language, whatever the catalogues hold yet.
    assert "2026-06-10" in message.body and "2026-06-10" in html
    assert "2026年5月" in message.subject


@pytest.mark.usefixtures("may_logged")
def test_links_use_the_site_url(staff_a):
    returned = activity(by=staff_a, status=Status.RETURNED)

    send_reminders("--site-url", "https://kpi.example.gov.hk/")

    [message] = mails_to(staff_a)
    assert f"https://kpi.example.gov.hk/activities/{returned.pk}/" in message.body
    assert 'href="https://kpi.example.gov.hk/accounts/reminders/"' in html_of(message)


# --- queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("activities", [10, 50])
def test_query_count_does_not_grow_with_activities(
    activities, django_assert_num_queries, staff_a, supervisor_a, office_a, office_b, unit_a
):
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b)
    for n in range(activities):
        status = [Status.DRAFT, Status.RETURNED, Status.SUBMITTED, Status.VERIFIED][n % 4]
        activity(by=staff_a, office=[office_a, unit_a][n % 2], status=status, created=9)
    activity(by=staff_a, occurred_on=MAY_DAY, status=Status.VERIFIED)

    # drafts, returned, verification queue, month closing, plans to log (none), the people;
    # then for each of the 3 digests (staff_a, supervisor_a, supervisor_b) a savepoint, the
    # insert, its release
    with django_assert_num_queries(6 + 3 * 3):
        send_reminders()

    assert {tuple(m.to) for m in mail.outbox} == {
        (staff_a.email,),
        (supervisor_a.email,),
        (supervisor_b.email,),
    }


# --- the Reminders page -----------------------------------------------------------------

FLAGS = ["drafts", "returned", "verification_queue", "month_closing", "plans_to_log"]


def offered(response) -> list[str]:
    form = response.context["form"]
    return list(form.fields) if form else []


def test_staff_see_only_the_reminders_of_their_role(client_staff_a):
    response = client_staff_a.get(reverse("accounts:reminders"))

    assert response.status_code == 200
    assert offered(response) == ["drafts", "returned", "plans_to_log"]
    assert b"no separate office head role" not in response.content


def test_supervisors_see_every_reminder_and_who_office_heads_are(client_supervisor_a):
    response = client_supervisor_a.get(reverse("accounts:reminders"))

    assert offered(response) == FLAGS
    assert b"no separate office head role" in response.content


def test_bureau_users_are_told_no_reminder_applies(client_bureau, bureau_viewer):
    response = client_bureau.get(reverse("accounts:reminders"))

    assert offered(response) == []
    assert b"none apply to your role" in response.content
    client_bureau.post(reverse("accounts:reminders"), {})
    assert not ReminderPreference.objects.exists()


def test_anonymous_are_sent_to_sign_in(client):
    response = client.get(reverse("accounts:reminders"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_saving_changes_persists_them(client_supervisor_a, supervisor_a):
    response = client_supervisor_a.post(
        reverse("accounts:reminders"), {"returned": "on", "month_closing": "on"}, follow=True
    )

    assert "Your choice of reminders is saved." in response.content.decode()
    preference = ReminderPreference.objects.get(user=supervisor_a)
    assert (preference.drafts, preference.returned) == (False, True)
    assert (preference.verification_queue, preference.month_closing) == (False, True)
    assert preference.plans_to_log is False
    assert offered(response) == FLAGS
    assert response.context["form"]["drafts"].value() is False


def test_staff_cannot_turn_off_what_does_not_apply_to_them(client_staff_a, staff_a):
    client_staff_a.post(reverse("accounts:reminders"), {"drafts": "on"})

    preference = ReminderPreference.objects.get(user=staff_a)
    assert (preference.drafts, preference.returned, preference.plans_to_log) == (True, False, False)
    assert preference.verification_queue and preference.month_closing


def test_page_lists_recent_digests(client_staff_a, staff_a, office_b):
    ReminderDigest.objects.create(
        user=staff_a,
        date=TODAY,
        summary={"drafts": {"count": 3, "oldest": "2026-05-01", "days": 7}},
    )
    ReminderDigest.objects.create(
        user=UserFactory(role=Role.OFFICE_STAFF, office=office_b),
        date=TODAY,
        summary={"returned": {"count": 9, "activities": []}},
    )

    response = client_staff_a.get(reverse("accounts:reminders"))

    content = response.content.decode()
    assert "2026-06-08" in content
    assert "3 of your drafts have not been submitted" in content
    assert "9 of your activities" not in content  # someone else's digest


def test_page_query_count(client_supervisor_a, supervisor_a, django_assert_num_queries):
    for day in range(1, 15):
        ReminderDigest.objects.create(
            user=supervisor_a,
            date=dt.date(2026, 5, day),
            summary={"verification_queue": {"count": day, "oldest": "2026-04-30"}},
        )
    # session, user (with office), preference, recent digests, the number waiting for the
    # supervisor in the menu (with the user's scope), and the session save (savepoint,
    # update, release)
    with django_assert_num_queries(9):
        response = client_supervisor_a.get(reverse("accounts:reminders"))
    assert len(response.context["digests"]) == 10


def test_the_user_area_links_to_the_page(client_staff_a):
    response = client_staff_a.get(reverse("accounts:reminders"))

    assert f'href="{reverse("accounts:reminders")}"' in response.content.decode()
