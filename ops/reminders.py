"""The daily reminder digests (docs/operations.md, "Reminders"): every kind of reminder due
today, gathered from the apps that know what is due (activities.reminders for the
activities' workflow, planning.reminders for plans to log), into one e-mail per person.

Run by Celery beat twice a day (kpi_tracker/settings/base.py, CELERY_BEAT_SCHEDULE; the task
is ops.tasks.send_reminder_digests) and by `manage.py send_reminders`, both through
`send_due_digests`. Safe to run twice, or twice at once: each person gets at most one
digest per Hong Kong day (accounts.reminders.send_digests and its ReminderDigest ledger).
"""

from __future__ import annotations

import datetime as dt

from accounts.reminders import Digest, SendResult, digests_for, send_digests
from activities import reminders as activity_reminders
from activities.reminders import DEFAULT_CLOSING_DAYS, DEFAULT_DRAFT_DAYS, DEFAULT_WAITING_DAYS
from planning import reminders as plan_reminders


def digests_due(
    *,
    today: dt.date,
    draft_days: int = DEFAULT_DRAFT_DAYS,
    waiting_days: int = DEFAULT_WAITING_DAYS,
    closing_days: int = DEFAULT_CLOSING_DAYS,
) -> list[Digest]:
    """Everyone who has at least one item today and no digest yet today, with all their
    items. Seven queries at most, whatever the number of activities and plans."""
    by_kind = activity_reminders.due_by_kind(
        today=today, draft_days=draft_days, waiting_days=waiting_days, closing_days=closing_days
    )
    by_kind |= plan_reminders.due_by_kind(today=today)
    return digests_for(by_kind, today=today)


def send_due_digests(
    *,
    today: dt.date,
    site_url: str = "",
    draft_days: int = DEFAULT_DRAFT_DAYS,
    waiting_days: int = DEFAULT_WAITING_DAYS,
    closing_days: int = DEFAULT_CLOSING_DAYS,
) -> SendResult:
    """Send today's digests to whoever has not had one today."""
    digests = digests_due(
        today=today, draft_days=draft_days, waiting_days=waiting_days, closing_days=closing_days
    )
    return send_digests(digests, today=today, site_url=site_url)
