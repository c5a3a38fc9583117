"""Reminders (issue 4, "Reminders"): who should be reminded of what, and the daily digest.

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
reminder, one for the people): counts and oldest dates are aggregated in the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, F, Func, Min, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from activities.models import Activity, Status, end_of_day
from activities.periods import closing_day

from .models import OFFICE_ROLES, ReminderDigest, Role, User

logger = logging.getLogger(__name__)

DEFAULT_DRAFT_DAYS = 7
DEFAULT_WAITING_DAYS = 0
DEFAULT_CLOSING_DAYS = 3
RETURNED_LISTED = 20  # a digest lists at most this many returned activities by title

DRAFTS = "drafts"
RETURNED = "returned"
VERIFICATION_QUEUE = "verification_queue"
MONTH_CLOSING = "month_closing"
REMINDERS_BY_ROLE = {
    Role.OFFICE_STAFF: (DRAFTS, RETURNED),
    Role.OFFICE_SUPERVISOR: (DRAFTS, RETURNED, VERIFICATION_QUEUE, MONTH_CLOSING),
}

# The value of `lang` in the HTML e-mail and of its Content-Language header (as base.html).
HTML_LANGUAGE = {"en": "en", "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans"}


def applicable_reminders(user: User) -> tuple[str, ...]:
    """The reminders a person can get: office roles only; the bureau gets none."""
    if not user.is_active or user.office_id is None:
        return ()
    return REMINDERS_BY_ROLE.get(user.role, ())


# --- Selectors -------------------------------------------------------------------------


def _wants(reminder: str, roles: Iterable[str], via: str = "") -> Q:
    """People of these roles who can receive e-mail and have not turned the reminder off.
    `via` is the path from the queried model to the user ("created_by"), empty for User."""
    p = f"{via}__" if via else ""
    return (
        Q(**{f"{p}is_active": True, f"{p}role__in": list(roles)})
        & ~Q(**{f"{p}email": ""})
        & (
            Q(**{f"{p}reminder_preference__isnull": True})
            | Q(**{f"{p}reminder_preference__{reminder}": True})
        )
    )


def _led_by_scope_of_user_office() -> Q:
    """Led by the outer user's office or, for a top-level office, one of its units: the
    same scope as `User.office_scope_ids()`, as a condition for a correlated subquery."""
    return Q(lead_office_id=OuterRef("office_id")) | Q(lead_office__parent_id=OuterRef("office_id"))


def _local_date(value: dt.datetime | None) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


def drafts_due(*, today: dt.date, draft_days: int) -> dict[int, dict]:
    """Per person: how many of their own drafts were created `draft_days` or more days
    before today, and the date of the oldest. One query."""
    created_before = end_of_day(today - dt.timedelta(days=draft_days))
    rows = (
        Activity.objects.not_removed()
        .filter(status=Status.DRAFT, created_at__lt=created_before)
        .filter(_wants(DRAFTS, OFFICE_ROLES, via="created_by"))
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
    oldest return first. One query; a digest names at most RETURNED_LISTED of them."""
    rows = (
        Activity.objects.not_removed()
        .filter(status=Status.RETURNED)
        .filter(_wants(RETURNED, OFFICE_ROLES, via="created_by"))
        .order_by("created_by_id", "reviewed_at", "pk")
        .values_list("created_by_id", "pk", "title", "occurred_on")
    )
    due: dict[int, dict] = {}
    for user_id, pk, title, occurred_on in rows:
        item = due.setdefault(user_id, {"count": 0, "activities": []})
        item["count"] += 1
        if len(item["activities"]) < RETURNED_LISTED:
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
        User.objects.filter(_wants(VERIFICATION_QUEUE, [Role.OFFICE_SUPERVISOR]))
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
        User.objects.filter(_wants(MONTH_CLOSING, [Role.OFFICE_SUPERVISOR]))
        .filter(office__is_active=True)
        .filter(~Exists(logged))
        .order_by()
        .values_list("pk", flat=True)
    )
    item = {"year": year, "month": month, "closes_on": closes_on.isoformat()}
    return {pk: dict(item) for pk in user_ids}


@dataclass
class Digest:
    """What one person is reminded of today: `summary` is what ReminderDigest records."""

    user: User
    summary: dict = field(default_factory=dict)


def digests_due(
    *,
    today: dt.date,
    draft_days: int = DEFAULT_DRAFT_DAYS,
    waiting_days: int = DEFAULT_WAITING_DAYS,
    closing_days: int = DEFAULT_CLOSING_DAYS,
) -> list[Digest]:
    """Everyone who has at least one item today and no digest yet today, with all their
    items. Five queries at most, whatever the number of activities."""
    by_kind = {
        DRAFTS: drafts_due(today=today, draft_days=draft_days),
        RETURNED: returned_due(),
        VERIFICATION_QUEUE: verification_queue_due(today=today, waiting_days=waiting_days),
        MONTH_CLOSING: month_closing_due(today=today, closing_days=closing_days),
    }
    user_ids = set().union(*by_kind.values())
    if not user_ids:
        return []
    users = (
        User.objects.filter(pk__in=user_ids).exclude(reminder_digests__date=today).order_by("pk")
    )
    return [
        Digest(
            user=user,
            summary={kind: items[user.pk] for kind, items in by_kind.items() if user.pk in items},
        )
        for user in users
    ]


# --- What a digest says (in the active language) ---------------------------------------


@dataclass(frozen=True)
class DigestLine:
    kind: str
    text: str
    url: str | None = None
    activities: list[dict] = field(default_factory=list)


def _date(iso: str) -> str:
    return formats.date_format(dt.date.fromisoformat(iso))


def _month(year: int, month: int) -> str:
    return formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")


def digest_lines(summary: dict, *, link_base: str | None = "") -> list[DigestLine]:
    """One sentence per kind of reminder, in the active language. Links start with
    `link_base` (the site's address in an e-mail, "" on the site itself); None: no links."""

    def link(name: str, *args, query: str = "") -> str | None:
        if link_base is None:
            return None
        return f"{link_base}{reverse(name, args=args)}{query}"

    lines = []
    if drafts := summary.get(DRAFTS):
        text = ngettext(
            "%(count)d of your drafts has not been submitted; it was started on %(oldest)s.",
            "%(count)d of your drafts have not been submitted; the oldest was started on "
            "%(oldest)s.",
            drafts["count"],
        ) % {"count": drafts["count"], "oldest": _date(drafts["oldest"])}
        lines.append(DigestLine(DRAFTS, text, link("activities:list", query="?status=draft")))
    if returned := summary.get(RETURNED):
        text = ngettext(
            "%(count)d of your activities was returned to you and waits for your changes.",
            "%(count)d of your activities were returned to you and wait for your changes.",
            returned["count"],
        ) % {"count": returned["count"]}
        activities = [
            {
                "title": activity["title"],
                "occurred_on": dt.date.fromisoformat(activity["occurred_on"]),
                "url": link("activities:detail", activity["id"]),
            }
            for activity in returned["activities"]
        ]
        lines.append(
            DigestLine(
                RETURNED, text, link("activities:list", query="?status=returned"), activities
            )
        )
    if queue := summary.get(VERIFICATION_QUEUE):
        text = ngettext(
            "%(count)d activity is waiting for your verification; it was submitted on %(oldest)s.",
            "%(count)d activities are waiting for your verification; the oldest was submitted "
            "on %(oldest)s.",
            queue["count"],
        ) % {"count": queue["count"], "oldest": _date(queue["oldest"])}
        lines.append(DigestLine(VERIFICATION_QUEUE, text, link("activities:review")))
    if closing := summary.get(MONTH_CLOSING):
        text = _(
            "Your office has logged no activity for %(month)s, which closes for entry at the "
            "end of %(closes_on)s."
        ) % {
            "month": _month(closing["year"], closing["month"]),
            "closes_on": _date(closing["closes_on"]),
        }
        lines.append(DigestLine(MONTH_CLOSING, text, link("activities:create")))
    return lines


def digest_subject(summary: dict) -> str:
    """E.g. "KPI Tracker: 2 drafts, 1 returned activity", in the active language."""
    parts = []
    if drafts := summary.get(DRAFTS):
        parts.append(
            ngettext("%(count)d draft", "%(count)d drafts", drafts["count"])
            % {"count": drafts["count"]}
        )
    if returned := summary.get(RETURNED):
        parts.append(
            ngettext(
                "%(count)d returned activity", "%(count)d returned activities", returned["count"]
            )
            % {"count": returned["count"]}
        )
    if queue := summary.get(VERIFICATION_QUEUE):
        parts.append(
            ngettext(
                "%(count)d activity to verify", "%(count)d activities to verify", queue["count"]
            )
            % {"count": queue["count"]}
        )
    if closing := summary.get(MONTH_CLOSING):
        parts.append(
            _("nothing logged for %(month)s") % {"month": _month(closing["year"], closing["month"])}
        )
    separator = pgettext("separator between the items of an e-mail subject", ", ")
    return _("KPI Tracker: %(items)s") % {"items": separator.join(parts)}


@dataclass(frozen=True)
class SentDigest:
    date: dt.date
    sent_at: dt.datetime
    lines: list[DigestLine]


def recent_digests(*, user: User, limit: int = 10) -> list[SentDigest]:
    """The person's latest digests and what they listed, for the Reminders page. One query."""
    return [
        SentDigest(date=digest.date, sent_at=digest.sent_at, lines=digest_lines(digest.summary))
        for digest in ReminderDigest.objects.filter(user=user).order_by("-date", "-pk")[:limit]
    ]


# --- Sending ---------------------------------------------------------------------------


def default_site_url() -> str:
    """Where the links in an e-mail point: KPI_SITE_URL when the settings give it."""
    return getattr(settings, "KPI_SITE_URL", "").rstrip("/")


def compose_digest(
    digest: Digest, *, site_url: str = "", connection=None
) -> EmailMultiAlternatives:
    """The e-mail, text and HTML, in the person's own language (dates included)."""
    user = digest.user
    with translation.override(user.language):
        language = HTML_LANGUAGE.get(translation.get_language(), "en")
        context = {
            "user": user,
            "lines": digest_lines(digest.summary, link_base=site_url or None),
            "settings_url": f"{site_url}{reverse('accounts:reminders')}" if site_url else "",
            "html_lang": language,
        }
        subject = digest_subject(digest.summary)
        text = render_to_string("emails/reminder_digest.txt", context)
        html = render_to_string("emails/reminder_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        connection=connection,
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class SendResult:
    sent: list[Digest] = field(default_factory=list)
    already_sent: list[Digest] = field(default_factory=list)
    failed: list[Digest] = field(default_factory=list)


def send_digests(digests: Iterable[Digest], *, today: dt.date, site_url: str = "") -> SendResult:
    """Send each digest once per Hong Kong day, however many runs there are.

    The ReminderDigest row is written, and committed, before the e-mail is sent: a second
    run, even a concurrent one, cannot write the same (user, date) row and skips that
    person. If sending fails the row is deleted again, so a later run the same day retries.
    A crash between the two leaves the row and loses that day's digest: a missed reminder
    (the items are listed again the next day) is preferred to sending it twice.
    """
    result = SendResult()
    connection = get_connection()
    for digest in digests:
        message = compose_digest(digest, site_url=site_url, connection=connection)
        try:
            with transaction.atomic():
                record = ReminderDigest.objects.create(
                    user=digest.user, date=today, summary=digest.summary
                )
        except IntegrityError:
            result.already_sent.append(digest)
            continue
        try:
            message.send()
        except Exception:
            logger.exception("Reminder digest to user %s not sent", digest.user.pk)
            record.delete()
            result.failed.append(digest)
        else:
            result.sent.append(digest)
    return result
