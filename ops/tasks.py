"""Scheduled work, run by Celery beat (CELERY_BEAT_SCHEDULE in kpi_tracker/settings/base.py;
docs/operations.md, "Scheduled work (Celery beat)"). Eager under `make run` and in tests."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from accounts.reminders import default_site_url

from . import reminders

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_reminder_digests() -> dict[str, int]:
    """Today's reminder digests (Hong Kong date). A digest that could not be sent is not
    recorded, so the next run the same day tries it again; it is logged as an error here.
    The counts returned appear in the worker's log."""
    today = timezone.localdate()
    result = reminders.send_due_digests(today=today, site_url=default_site_url())
    if result.failed:
        logger.error(
            "Reminder digests not sent on %s to users %s; the next run will try again.",
            today,
            ", ".join(str(digest.user.pk) for digest in result.failed),
        )
    return {
        "sent": len(result.sent),
        "already_sent": len(result.already_sent),
        "failed": len(result.failed),
    }
