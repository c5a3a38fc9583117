"""Reads that assemble the calendar and a plan's page (selectors). Every plan comes through
planning.access: an entry knows whether the person sees it in full (`in_full`); a
template shows only the summary fields of the others (date, office, counterparts, city,
indicator)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from offices.models import Counterpart

from . import access
from .models import Plan, PlanConflict, PlanStatus
from .warnings import Warning

# --- the plans on the calendar --------------------------------------------------------------


def calendar_plans(user, filters: dict[str, Any] | None = None) -> QuerySet[Plan]:
    """The plans the person may see, filtered, each annotated with `in_full` and
    `has_open_conflicts` (a warning someone saved past, still open: shown only on plans
    seen in full). One query, and one for their counterparts."""
    filters = filters or {}
    queryset = access.plans_visible(user)
    if office := filters.get("office"):
        queryset = access.plans_of_office(user, queryset, office)
    if indicator := filters.get("indicator"):
        queryset = queryset.filter(indicator=indicator)
    if region := filters.get("region"):
        queryset = queryset.filter(region=region)
    if counterpart := filters.get("counterpart"):
        queryset = queryset.filter(counterparts=counterpart)
    if status := filters.get("status"):
        # Others' plans show no status: the filter keeps to the plans seen in full.
        queryset = access.plans_in_full(user, queryset).filter(status=status)
    full = access.plans_in_full(user, Plan.objects.filter(pk=OuterRef("pk")))
    conflicts = PlanConflict.objects.open().filter(
        Q(plan_id=OuterRef("pk")) | Q(other_plans=OuterRef("pk"))
    )
    return (
        queryset.annotate(in_full=Exists(full), has_open_conflicts=Exists(conflicts))
        .select_related("lead_office", "indicator", "region")
        .prefetch_related(Prefetch("counterparts", queryset=Counterpart.objects.order_by("pk")))
        .order_by("starts_on", "starts_at", "pk")
    )


def filter_counterparts(user) -> QuerySet[Counterpart]:
    """The counterparts offered by the filter: those on a plan the person sees."""
    return Counterpart.objects.filter(plans__in=access.plans_visible(user)).distinct()


@dataclass
class Day:
    date: dt.date
    in_month: bool = True
    is_today: bool = False
    plans: list[Plan] = field(default_factory=list)


def days_with_plans(plans, start: dt.date, end: dt.date, *, month: int | None, today: dt.date):
    """Each day from `start` to `end` with the plans on it (a plan over several days is on
    each of them)."""
    days = []
    plans = list(plans)
    day = start
    while day <= end:
        days.append(
            Day(
                date=day,
                in_month=month is None or day.month == month,
                is_today=day == today,
                plans=[p for p in plans if p.starts_on <= day <= p.ends_on],
            )
        )
        day += dt.timedelta(days=1)
    return days


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The month's first and last day, and the Monday and Sunday the grid runs from and to."""
    first = day.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    return first, last, grid_start, grid_end


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- one plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownItem:
    text: str
    url: str = ""


@dataclass(frozen=True)
class ShownWarning:
    office: Any
    items: list[ShownItem]


def shown_warnings(user, warnings: list[Warning]) -> list[ShownWarning]:
    """The warnings as a page shows them: each item links to the other plan when the person
    sees it in full, else its summary text alone."""
    shown = []
    for warning in warnings:
        items = []
        for item in warning.items:
            url = ""
            if item.plan is not None and access.sees_in_full(user, item.plan):
                url = reverse("planning:detail", args=[item.plan.pk])
            items.append(ShownItem(item.text, url))
        shown.append(ShownWarning(warning.office, items))
    return shown


def plan_conflicts(user, plan: Plan) -> list[PlanConflict]:
    """The warnings saved past that concern the plan: its own, and other plans' naming it,
    newest first, as far as the person may see them. One saved on another office's plan
    kept to that office is left out: this page would reveal that plan."""
    queryset = (
        access.conflicts_visible(user)
        .filter(Q(plan=plan) | Q(other_plans=plan))
        .filter(plan__in=access.plans_visible(user))
        .select_related("plan__lead_office", "office", "created_by", "closed_by")
        .annotate(plan_in_full=Exists(access.plans_in_full(user).filter(pk=OuterRef("plan_id"))))
        .distinct()
        .order_by("-created_at", "-pk")
    )
    return list(queryset)


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    who: Any
    what: str  # "+" created, "~" changed
    status: str
    fields: list[str]


def plan_history(plan: Plan, *, limit: int = 20) -> list[Change]:
    """The plan's changes, newest first: who, when, the status then and the fields changed
    (other than its lists, which its page shows as they are now)."""
    # A save writes a record, and so does each list set after it: keep the last record of
    # each version.
    records, seen = [], set()
    for record in plan.history.select_related("history_user").order_by("-history_id")[
        : 4 * (limit + 1)
    ]:
        if record.version not in seen:
            seen.add(record.version)
            records.append(record)
    records = records[: limit + 1]
    names = {f.name: f.verbose_name for f in Plan._meta.fields}
    attname = {f.name: f.attname for f in Plan._meta.fields}
    plain = [
        "lead_office",
        "indicator",
        "title",
        "starts_on",
        "ends_on",
        "starts_at",
        "ends_at",
        "region",
        "city",
        "attendee_names",
        "purpose",
        "confidentiality",
        "status",
    ]
    changes = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(changes) == limit:
            break
        changed = []
        if older is not None:
            changed = [
                str(names[name])
                for name in plain
                if getattr(newer, attname[name]) != getattr(older, attname[name])
            ]
        changes.append(
            Change(
                when=newer.history_date,
                who=newer.history_user,
                what=newer.history_type,
                status=PlanStatus(newer.status).label,
                fields=changed,
            )
        )
    return changes


def plan_values(plan: Plan) -> dict[str, Any]:
    """The plan's values as the form and the three-way merge compare them."""
    return {
        "lead_office": plan.lead_office_id,
        "participating_offices": frozenset(o.pk for o in plan.participating_offices.all()),
        "indicator": plan.indicator_id,
        "title": plan.title,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "starts_at": plan.starts_at,
        "ends_at": plan.ends_at,
        "counterparts": frozenset(c.pk for c in plan.counterparts.all()),
        "region": plan.region_id,
        "city": plan.city,
        "attendees": frozenset(u.pk for u in plan.attendees.all()),
        "attendee_names": plan.attendee_names.strip(),
        "purpose": plan.purpose.strip(),
        "confidentiality": plan.confidentiality,
    }


def plan_values_at(plan: Plan, version: int) -> dict[str, Any] | None:
    """The plan's values as they were at a version (from its history), or None when that
    version is not on record."""
    record = plan.history.filter(version=version).order_by("-history_id").first()
    if record is None:
        return None
    return {
        "lead_office": record.lead_office_id,
        "participating_offices": frozenset(r.office_id for r in record.participating_offices.all()),
        "indicator": record.indicator_id,
        "title": record.title,
        "starts_on": record.starts_on,
        "ends_on": record.ends_on,
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "counterparts": frozenset(r.counterpart_id for r in record.counterparts.all()),
        "region": record.region_id,
        "city": record.city,
        "attendees": frozenset(r.user_id for r in record.attendees.all()),
        "attendee_names": record.attendee_names.strip(),
        "purpose": record.purpose.strip(),
        "confidentiality": record.confidentiality,
    }
