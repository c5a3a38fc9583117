"""Each person's calendar feed (docs/domain.md, "Planning"): the plans they would want in
their own calendar, as iCalendar, for Outlook and other calendar programs to subscribe to.

- An office's people: the plans of their office (led or joined, with its units for a
  top-level office), the ones they see in full. An official listed on another office's
  plan whose office does not take part does not see it, so it is not in their feed.
- The bureau's people: the plans they attend, and every confirmed plan.

Never a cancelled plan; from three months back to twelve months ahead. Each plan keeps its
UID, and its SEQUENCE is its version, so a calendar updates an event rather than adding
another when the plan changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .access import plans_in_full
from .models import CalendarFeed, Plan, PlanStatus

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
MONTHS_BACK = 3
MONTHS_AHEAD = 12
DEFAULT_LENGTH = dt.timedelta(hours=1)  # a start time without an end
STATUS = {PlanStatus.PLANNED: "TENTATIVE", PlanStatus.CONFIRMED: "CONFIRMED"}


def feed_window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - relativedelta(months=MONTHS_BACK), today + relativedelta(months=MONTHS_AHEAD)


def shows_every_confirmed(user) -> bool:
    """The bureau's feeds: its people attend few plans, and follow the confirmed ones."""
    return user.is_bureau


def feed_plans(user, *, today: dt.date) -> list[Plan]:
    """The plans of the person's feed, with what their events show, in three queries."""
    plans = (
        plans_in_full(user).exclude(status=PlanStatus.CANCELLED).overlapping(*feed_window(today))
    )
    if shows_every_confirmed(user):
        attending = Plan.attendees.through.objects.filter(user_id=user.pk).values("plan_id")
        plans = plans.filter(Q(pk__in=attending) | Q(status=PlanStatus.CONFIRMED))
    return list(
        plans.select_related("lead_office", "indicator", "region").prefetch_related("counterparts")
    )


def _when(plan: Plan) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """Whole days (the end is the day after, as iCalendar counts), or Hong Kong times."""
    if plan.starts_at is None:
        return plan.starts_on, plan.ends_on + dt.timedelta(days=1)
    start = dt.datetime.combine(plan.starts_on, plan.starts_at, tzinfo=HONG_KONG)
    if plan.ends_at is not None:
        end = dt.datetime.combine(plan.ends_on, plan.ends_at, tzinfo=HONG_KONG)
    else:
        end = dt.datetime.combine(plan.ends_on, plan.starts_at, tzinfo=HONG_KONG)
        end += DEFAULT_LENGTH
    return start, end


def _description(plan: Plan) -> str:
    counterparts = ", ".join(str(c) for c in plan.counterparts.all())
    lines = [
        _("Office: %(office)s") % {"office": plan.lead_office.code},
        _("Indicator: %(indicator)s") % {"indicator": plan.indicator},
        _("Counterparts: %(counterparts)s") % {"counterparts": counterparts or "—"},
        _("Status: %(status)s") % {"status": plan.get_status_display()},
    ]
    if plan.purpose:
        lines += ["", plan.purpose]
    return "\n".join(lines)


def _event(plan: Plan, *, site_url: str, stamp: dt.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"plan-{plan.pk}@kpi-tracker")
    event.add("dtstamp", stamp)
    event.add("summary", plan.title)
    start, end = _when(plan)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("location", ", ".join(filter(None, [plan.city, str(plan.region)])))
    event.add("description", _description(plan))
    event.add("status", STATUS.get(plan.status, "CONFIRMED"))  # done: it took place
    event.add("last-modified", plan.updated_at)
    event.add("sequence", plan.version)
    event.add("url", site_url + reverse("planning:detail", args=[plan.pk]))
    return event


def feed_calendar(user, plans: list[Plan], *, site_url: str) -> bytes:
    """The calendar of `plans`, in the person's own language, links to `site_url`."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//HKSAR Government//KPI Tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    stamp = timezone.now()
    with translation.override(user.language):
        calendar.add("x-wr-calname", _("KPI Tracker: planned engagements"))
        calendar.add("x-wr-timezone", "Asia/Hong_Kong")
        for plan in plans:
            calendar.add_component(_event(plan, site_url=site_url.rstrip("/"), stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def active_feed(user) -> CalendarFeed | None:
    """The person's feed that works now, if any (one at most)."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
