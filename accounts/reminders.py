"""Reminders as a person gets them: which apply to their role, what a digest says (in their
language), and sending it once a day. What is due is found by the workflow that is reminded
of (activities.reminders, planning.reminders); the daily job that gathers every kind and
sends the digests sits above both (ops.reminders)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .models import ReminderDigest, Role, User

logger = logging.getLogger(__name__)

DRAFTS = "drafts"
RETURNED = "returned"
VERIFICATION_QUEUE = "verification_queue"
MONTH_CLOSING = "month_closing"
PLANS_TO_LOG = "plans_to_log"
# The order in which a digest lists its kinds.
KINDS = (DRAFTS, RETURNED, VERIFICATION_QUEUE, MONTH_CLOSING, PLANS_TO_LOG)
REMINDERS_BY_ROLE = {
    Role.OFFICE_STAFF: (DRAFTS, RETURNED, PLANS_TO_LOG),
    Role.OFFICE_SUPERVISOR: (DRAFTS, RETURNED, VERIFICATION_QUEUE, MONTH_CLOSING, PLANS_TO_LOG),
}
LISTED = 20  # a digest names at most this many activities or plans of one kind

# The value of `lang` in the HTML e-mail and of its Content-Language header (as base.html).
HTML_LANGUAGE = {"en": "en", "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans"}


def applicable_reminders(user: User) -> tuple[str, ...]:
    """The reminders a person can get: office roles only; the bureau gets none."""
    if not user.is_active or user.office_id is None:
        return ()
    return REMINDERS_BY_ROLE.get(user.role, ())


def receives(reminder: str, roles: Iterable[str], via: str = "") -> Q:
    """People of these roles who can receive e-mail and have not turned the reminder off,
    as a condition for the queries that find what is due. `via` is the path from the
    queried model to the user ("created_by"), empty for User itself."""
    p = f"{via}__" if via else ""
    return (
        Q(**{f"{p}is_active": True, f"{p}role__in": list(roles)})
        & ~Q(**{f"{p}email": ""})
        & (
            Q(**{f"{p}reminder_preference__isnull": True})
            | Q(**{f"{p}reminder_preference__{reminder}": True})
        )
    )


# --- Selectors -------------------------------------------------------------------------


@dataclass
class Digest:
    """What one person is reminded of today: `summary` is what ReminderDigest records."""

    user: User
    summary: dict = field(default_factory=dict)


def digests_for(by_kind: dict[str, dict[int, dict]], *, today: dt.date) -> list[Digest]:
    """Everyone with at least one item of any kind (`by_kind`: kind -> person's id -> what
    is due) and no digest yet today, with all their items. One query, none when nothing
    is due."""
    user_ids = set().union(*by_kind.values())
    if not user_ids:
        return []
    users = (
        User.objects.filter(pk__in=user_ids).exclude(reminder_digests__date=today).order_by("pk")
    )
    return [
        Digest(
            user=user,
            summary={
                kind: by_kind[kind][user.pk]
                for kind in KINDS
                if kind in by_kind and user.pk in by_kind[kind]
            },
        )
        for user in users
    ]


@dataclass(frozen=True)
class DigestLine:
    kind: str
    text: str
    url: str | None = None
    items: list[dict] = field(default_factory=list)  # date, title and url of each one named


def _date(iso: str) -> str:
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT")


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
                "date": dt.date.fromisoformat(activity["occurred_on"]),
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
    if to_log := summary.get(PLANS_TO_LOG):
        text = ngettext(
            "%(count)d confirmed plan has happened: log what happened.",
            "%(count)d confirmed plans have happened: log what happened.",
            to_log["count"],
        ) % {"count": to_log["count"]}
        plans = [
            {
                "title": plan["title"],
                "date": dt.date.fromisoformat(plan["starts_on"]),
                "url": link("planning:detail", plan["id"]),
            }
            for plan in to_log["plans"]
        ]
        lines.append(DigestLine(PLANS_TO_LOG, text, None, plans))
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
    if to_log := summary.get(PLANS_TO_LOG):
        parts.append(
            ngettext("%(count)d plan to log", "%(count)d plans to log", to_log["count"])
            % {"count": to_log["count"]}
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
