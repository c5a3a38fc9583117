"""Reminders of the activities' workflow: who is due to be reminded of what, today.

What each person is reminded of, and which reminders apply to which role:

- Office staff and supervisors: their own drafts (created by them, not removed) at least
  `draft_days` old, counted in Hong Kong dates; and their own activities a supervisor
  returned to them. A returned activity is listed in every digest until it is submitted
  again: the digest says what is still waiting, it does not announce events.
- Supervisors: submitted activities of their office and its units (`office_scope_ids()`),
  waiting at least `waiting_days` since they were submitted (0: any that wait).
- "Office heads": there is no head role, so the supervisors of an office stand for its head.
  In the last `closing_days` days before last month closes for entry (`closing_day()`),
  each supervisor whose office (with its units) has no activity dated in that month, in any
  status except removed, is told. A liaison unit's supervisor is told about the unit alone,
  which is that person's scope everywhere else too.

Each person gets at most one digest a day that combines all their items, only when there
is at least one item whose reminder they have not turned off, only if they are active and
have an e-mail address, in their own language.

The selectors below find everyone's items in a fixed number of queries (one per kind of
reminder): counts and oldest dates are aggregated in the database. What a digest says and how
it is sent is the person's side of it: accounts.reminders. The daily job that gathers these
with the other apps' reminders is ops.reminders (docs/operations.md, "Reminders").
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging

from django.db import models
from django.db.models import Count, Exists, F, Func, Min, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import OFFICE_ROLES, Role, User
from accounts.reminders import (
    DRAFTS,
    LISTED,
    MONTH_CLOSING,
    RETURNED,
    VERIFICATION_QUEUE,
    receives,
)
from offices.models import office_with_units

from .models import Activity, Status, end_of_day
from .periods import closing_day

logger = logging.getLogger(__name__)

DEFAULT_DRAFT_DAYS = 7
DEFAULT_WAITING_DAYS = 0
DEFAULT_CLOSING_DAYS = 3


def _led_by_scope_of_user_office() -> Q:
    """Led by the outer user's office or, for a top-level office, one of its units: the
    same scope as `User.office_scope_ids()`, as a condition for a correlated subquery."""
    return office_with_units(OuterRef("office_id"), field="lead_office")


def _local_date(value: dt.datetime | None) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


def drafts_due(*, today: dt.date, draft_days: int) -> dict[int, dict]:
    """Per person: how many of their own drafts were created `draft_days` or more days
    before today, and the date of the oldest. One query."""
    created_before = end_of_day(today - dt.timedelta(days=draft_days))
    rows = (
        Activity.objects.not_removed()
        .filter(status=Status.DRAFT, created_at__lt=created_before)
        .filter(receives(DRAFTS, OFFICE_ROLES, via="created_by"))
        .order_by()
        .values("created_by_id")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
    )
    return {
        row["created_by_id"]: {
            "count": row["count"],
            "oldest": _local_date(row["oldest"]),
            "days": draft_days,
        }
        for row in rows
    }


def returned_due() -> dict[int, dict]:
    """Per person: their own activities returned to them and not yet submitted again,
    oldest return first. One query; a digest names at most LISTED of them."""
    rows = (
        Activity.objects.not_removed()
        .filter(status=Status.RETURNED)
        .filter(receives(RETURNED, OFFICE_ROLES, via="created_by"))
        .order_by("created_by_id", "reviewed_at", "pk")
        .values_list("created_by_id", "pk", "title", "occurred_on")
    )
    due: dict[int, dict] = {}
    for user_id, pk, title, occurred_on in rows:
        item = due.setdefault(user_id, {"count": 0, "activities": []})
        item["count"] += 1
        if len(item["activities"]) < LISTED:
            item["activities"].append(
                {"id": pk, "title": title, "occurred_on": occurred_on.isoformat()}
            )
    return due


def verification_queue_due(*, today: dt.date, waiting_days: int) -> dict[int, dict]:
    """Per supervisor: submitted activities of their scope waiting `waiting_days` or more
    days since submission, and when the oldest was submitted. One query."""
    waiting = (
        Activity.objects.not_removed()
        .filter(status=Status.SUBMITTED)
        .filter(_led_by_scope_of_user_office())
        .order_by()
    )
    if waiting_days:
        waiting = waiting.filter(
            counted_since__lt=end_of_day(today - dt.timedelta(days=waiting_days))
        )
    count = waiting.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    oldest = waiting.annotate(
        first=Func(F("counted_since"), function="MIN", output_field=models.DateTimeField())
    ).values("first")
    rows = (
        User.objects.filter(receives(VERIFICATION_QUEUE, [Role.OFFICE_SUPERVISOR]))
        .annotate(waiting=Subquery(count), oldest=Subquery(oldest))
        .filter(waiting__gt=0)
        .order_by()
        .values_list("pk", "waiting", "oldest")
    )
    return {pk: {"count": n, "oldest": _local_date(first)} for pk, n, first in rows}


def month_to_close(*, today: dt.date, closing_days: int) -> tuple[int, int, dt.date] | None:
    """Last month as (year, month, closing day) when today is one of the `closing_days`
    days before it closes for entry, or its closing day itself; otherwise None."""
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    closes_on = closing_day(last_month.year, last_month.month)
    if 0 <= (closes_on - today).days <= closing_days:
        return last_month.year, last_month.month, closes_on
    return None


def month_closing_due(*, today: dt.date, closing_days: int) -> dict[int, dict]:
    """Per supervisor of an active office: last month is about to close and their office
    (with its units) has no activity dated in it, in any status but removed. One query,
    none outside the days before the closing."""
    closing = month_to_close(today=today, closing_days=closing_days)
    if closing is None:
        return {}
    year, month, closes_on = closing
    first = dt.date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])
    logged = (
        Activity.objects.not_removed().between(first, last).filter(_led_by_scope_of_user_office())
    )
    user_ids = (
        User.objects.filter(receives(MONTH_CLOSING, [Role.OFFICE_SUPERVISOR]))
        .filter(office__is_active=True)
        .filter(~Exists(logged))
        .order_by()
        .values_list("pk", flat=True)
    )
    item = {"year": year, "month": month, "closes_on": closes_on.isoformat()}
    return {pk: dict(item) for pk in user_ids}


def due_by_kind(
    *,
    today: dt.date,
    draft_days: int = DEFAULT_DRAFT_DAYS,
    waiting_days: int = DEFAULT_WAITING_DAYS,
    closing_days: int = DEFAULT_CLOSING_DAYS,
) -> dict[str, dict[int, dict]]:
    """Every kind of the activities' reminders: kind -> person's id -> what is due. Four
    queries at most, whatever the number of activities."""
    return {
        DRAFTS: drafts_due(today=today, draft_days=draft_days),
        RETURNED: returned_due(),
        VERIFICATION_QUEUE: verification_queue_due(today=today, waiting_days=waiting_days),
        MONTH_CLOSING: month_closing_due(today=today, closing_days=closing_days),
    }
