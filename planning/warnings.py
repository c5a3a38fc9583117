"""Warnings before two offices collide (docs/domain.md, "Planning"): the same counterpart
(or a body of the same authority) engaged by another office within
`KPI_PLAN_CONFLICT_DAYS` days, an official booked on two engagements that overlap, and an
engagement in a region another office covers without that office taking part.

Warnings are grouped by the other office concerned: one warning per office, listing each
reason. A warning never blocks; going ahead needs a short reason, kept as a
`PlanConflict` that the other office and the bureau see. A warning only ever names what
the person saving could see anyway (plans they see at least as a summary), so a
restricted plan of another office is never revealed by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.models import User
from activities.models import Activity
from offices.models import Office, Region, same_authority

from .access import plans_in_full, plans_the_office_sees, plans_visible
from .models import Plan, PlanConflict, WarningKind

DEFAULT_HOUR = dt.timedelta(hours=1)  # a start time without an end: an hour


def conflict_days() -> int:
    return settings.KPI_PLAN_CONFLICT_DAYS


@dataclass(frozen=True)
class Proposal:
    """What a plan would be once saved: the fields the warnings read."""

    lead_office: Office
    starts_on: dt.date
    ends_on: dt.date
    region: Region | None
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    counterpart_ids: frozenset[int] = frozenset()
    attendee_ids: frozenset[int] = frozenset()
    attendee_names: str = ""
    participating_office_ids: frozenset[int] = frozenset()
    plan_id: int | None = None  # the plan being changed, left out of its own warnings

    @classmethod
    def of(cls, plan: Plan) -> Proposal:
        return cls(
            lead_office=plan.lead_office,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            region=plan.region,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            counterpart_ids=frozenset(c.pk for c in plan.counterparts.all()),
            attendee_ids=frozenset(u.pk for u in plan.attendees.all()),
            attendee_names=plan.attendee_names,
            participating_office_ids=frozenset(o.pk for o in plan.participating_offices.all()),
            plan_id=plan.pk,
        )

    @property
    def top_office_id(self) -> int:
        return self.lead_office.reporting_office_id


@dataclass(frozen=True)
class WarningItem:
    kind: str
    text: str
    plan: Plan | None = None
    activity: Activity | None = None


@dataclass
class Warning:
    """Everything about one other office (or, for an official booked twice, maybe the
    plan's own office)."""

    office: Office
    items: list[WarningItem] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({item.kind for item in self.items})

    @property
    def plan_ids(self) -> set[int]:
        return {item.plan.pk for item in self.items if item.plan is not None}

    @property
    def activity_ids(self) -> set[int]:
        return {item.activity.pk for item in self.items if item.activity is not None}

    @property
    def message(self) -> str:
        return "\n".join(item.text for item in self.items)

    def acknowledged_by(self, conflict: PlanConflict | None) -> bool:
        """An open conflict already says all this (its reason still stands)."""
        if conflict is None:
            return False
        known_plans = {p.pk for p in conflict.other_plans.all()}
        known_activities = {a.pk for a in conflict.other_activities.all()}
        return (
            set(self.kinds) <= set(conflict.kinds)
            and self.plan_ids <= known_plans
            and self.activity_ids <= known_activities
        )


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _days_apart(a_start, a_end, b_start, b_end) -> int:
    if a_end < b_start:
        return (b_start - a_end).days
    if b_end < a_start:
        return (a_start - b_end).days
    return 0


def _office_family(office_id: int) -> list[int]:
    return Office.objects.scope_ids_of(office_id)


def _names(text: str) -> set[str]:
    return {" ".join(line.split()).casefold() for line in text.splitlines() if line.strip()}


def _span(starts_on, ends_on, starts_at, ends_at) -> tuple[dt.datetime, dt.datetime]:
    """When an engagement takes place: whole days unless it is one day with times."""
    if starts_at is not None and starts_on == ends_on:
        start = dt.datetime.combine(starts_on, starts_at)
        end = dt.datetime.combine(starts_on, ends_at) if ends_at else start + DEFAULT_HOUR
        return start, end
    return dt.datetime.combine(starts_on, dt.time.min), dt.datetime.combine(
        ends_on + dt.timedelta(days=1), dt.time.min
    )


def _plan_summary(plan: Plan) -> str:
    counterparts = ", ".join(str(c) for c in plan.counterparts.all()) or _("no counterpart named")
    return _("%(office)s: %(indicator)s with %(counterparts)s on %(date)s") % {
        "office": plan.lead_office.code,
        "indicator": plan.indicator,
        "counterparts": counterparts,
        "date": _day(plan.starts_on),
    }


def plan_warnings(user, proposal: Proposal) -> list[Warning]:
    """Every warning for the plan as it would be saved, grouped by the office concerned."""
    by_office: dict[int, Warning] = {}
    top = {o.pk: o for o in Office.objects.top_level()}

    def add(office_id: int, item: WarningItem) -> None:
        office = top.get(office_id) or Office.objects.get(pk=office_id)
        by_office.setdefault(office.pk, Warning(office)).items.append(item)

    ours = proposal.top_office_id
    taking_part = {ours} | {
        o.reporting_office_id
        for o in Office.objects.filter(pk__in=proposal.participating_office_ids)
    }
    # What both the person and the lead office's people may see, as a summary at least: a
    # warning (and the conflict kept from it) names nothing more.
    candidates = (
        plans_visible(user, plans_the_office_sees(proposal.lead_office))
        .open()
        .select_related("lead_office", "indicator")
    )
    if proposal.plan_id:
        candidates = candidates.exclude(pk=proposal.plan_id)
    # Who attends is not part of a summary: officials are matched on plans seen in full.
    in_full = plans_in_full(user, plans_the_office_sees(proposal.lead_office, in_full=True)).values(
        "pk"
    )

    # The same counterpart, or a body of the same authority, within N days.
    days = dt.timedelta(days=conflict_days())
    window = (proposal.starts_on - days, proposal.ends_on + days)
    family = same_authority(proposal.counterpart_ids)
    if family:
        others = (
            candidates.overlapping(*window)
            .filter(counterparts__in=family)
            .exclude(lead_office_id__in=_office_family(ours))
            .prefetch_related("counterparts", "participating_offices")
            .distinct()
        )
        for other in others:
            if ours in {o.reporting_office_id for o in other.participating_offices.all()}:
                continue
            if other.lead_office.reporting_office_id in taking_part:
                continue
            apart = _days_apart(
                proposal.starts_on, proposal.ends_on, other.starts_on, other.ends_on
            )
            add(
                other.lead_office.reporting_office_id,
                WarningItem(
                    WarningKind.COUNTERPART,
                    _("%(summary)s (%(days)s days apart): the same counterpart or authority.")
                    % {"summary": _plan_summary(other), "days": apart},
                    plan=other,
                ),
            )
        visited = (
            Activity.objects.not_removed()
            .between(*window)
            .filter(counterparts__in=family)
            .exclude(lead_office_id__in=_office_family(ours))
            .select_related("lead_office", "indicator")
            .prefetch_related("counterparts")
            .distinct()
        )
        for activity in visited:
            if activity.lead_office.reporting_office_id in taking_part:
                continue
            apart = _days_apart(
                proposal.starts_on, proposal.ends_on, activity.occurred_on, activity.occurred_on
            )
            counterparts = ", ".join(str(c) for c in activity.counterparts.all())
            add(
                activity.lead_office.reporting_office_id,
                WarningItem(
                    WarningKind.COUNTERPART,
                    _(
                        "%(office)s met %(counterparts)s on %(date)s (%(days)s days apart): "
                        "the same counterpart or authority."
                    )
                    % {
                        "office": activity.lead_office.code,
                        "counterparts": counterparts,
                        "date": _day(activity.occurred_on),
                        "days": apart,
                    },
                    activity=activity,
                ),
            )

    # An official booked on two engagements that overlap (any office's, own included).
    names = _names(proposal.attendee_names)
    if proposal.attendee_ids or names:
        people = {u.pk: u for u in User.objects.filter(pk__in=proposal.attendee_ids)}
        names |= {u.get_full_name().casefold() for u in people.values() if u.get_full_name()}
        span = _span(proposal.starts_on, proposal.ends_on, proposal.starts_at, proposal.ends_at)
        same_days = (
            candidates.overlapping(proposal.starts_on, proposal.ends_on)
            .filter(pk__in=in_full)
            .prefetch_related("attendees", "counterparts")
        )
        for other in same_days:
            other_span = _span(other.starts_on, other.ends_on, other.starts_at, other.ends_at)
            if not (span[0] < other_span[1] and other_span[0] < span[1]):
                continue
            other_people = {u.pk: u for u in other.attendees.all()}
            other_names = _names(other.attendee_names) | {
                u.get_full_name().casefold() for u in other_people.values() if u.get_full_name()
            }
            booked = [people[pk] for pk in set(people) & set(other_people)]
            shown = sorted({u.get_full_name() or u.username for u in booked})
            shown += sorted(names & other_names - {n.casefold() for n in shown})
            if not shown:
                continue
            add(
                other.lead_office.reporting_office_id,
                WarningItem(
                    WarningKind.OFFICIAL,
                    _("%(people)s also attend %(summary)s, at the same time.")
                    % {"people": ", ".join(shown), "summary": _plan_summary(other)},
                    plan=other,
                ),
            )

    # A region another office covers, without that office taking part.
    if proposal.region is not None:
        covering = (
            Office.objects.top_level()
            .active()
            .filter(regions=proposal.region)
            .exclude(pk__in=taking_part)
        )
        for office in covering:
            add(
                office.pk,
                WarningItem(
                    WarningKind.REGION,
                    _("%(region)s is in the regions %(office)s covers, and it is not taking part.")
                    % {"region": proposal.region, "office": office.code},
                ),
            )
    return sorted(by_office.values(), key=lambda w: (w.office.sort_order, w.office.code))


def unacknowledged(warnings: Sequence[Warning], conflicts: Iterable[PlanConflict]) -> list[Warning]:
    """The warnings no open conflict of the plan already answers: going ahead needs a reason."""
    open_by_office = {c.office_id: c for c in conflicts if not c.is_closed}
    return [w for w in warnings if not w.acknowledged_by(open_by_office.get(w.office.pk))]
