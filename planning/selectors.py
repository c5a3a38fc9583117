"""Reads for the bureau's direction: what is planned ahead next to the figures, the offices'
progress notes, the conflicts, and the gaps (docs/domain.md, "Planning"). Plain data out;
every count comes from the database, in one query per reading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from offices.models import HIGH_LEVEL_TYPES, Counterpart, Region

from . import access
from .models import OPEN_STATUSES, CancelReason, Plan, PlanConflict, PlanStatus, ProgressNote

# --- planned ahead ---------------------------------------------------------------------------

PLANNED_RULE = _(
    "Confirmed ahead: confirmed plans dated after the “as of” day and within the year, of "
    "the office and its units (as the figures roll up), each counting one towards its "
    "indicator. Planned, not yet confirmed: the same for plans a supervisor has not "
    "confirmed. Plans never count as achieved: only activities do. For a past day the "
    "plans are read as they stand today."
)


@dataclass(frozen=True)
class Ahead:
    """The plans still ahead for one office × indicator: confirmed, and not yet confirmed."""

    confirmed: int = 0
    planned: int = 0

    def __add__(self, other: Ahead) -> Ahead:
        return Ahead(self.confirmed + other.confirmed, self.planned + other.planned)


NOTHING_AHEAD = Ahead()


def planned_ahead(
    *, year: int, as_of: dt.date, office_ids=None, viewer=None
) -> dict[tuple[int, int], Ahead]:
    """(lead office id, indicator id) -> the plans ahead, in one query: open plans dated
    after `as_of` and within `year`, by their status today. Keyed by the lead office (a unit
    has its own), summed up the tree by the caller as the figures are
    (reports.selectors.OfficeFigures). `office_ids` limits the offices; `viewer`, when given,
    counts only the plans that person may see (a restricted plan of another office is not
    even a number to them)."""
    first = max(as_of + dt.timedelta(days=1), dt.date(year, 1, 1))
    plans = Plan.objects.filter(
        status__in=OPEN_STATUSES, starts_on__gte=first, starts_on__lte=dt.date(year, 12, 31)
    )
    if office_ids is not None:
        plans = plans.filter(lead_office_id__in=list(office_ids))
    if viewer is not None:
        plans = access.plans_visible(viewer, plans)
    rows = (
        plans.order_by()
        .values_list("lead_office_id", "indicator_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status=PlanStatus.CONFIRMED)),
            planned=Count("pk", filter=Q(status=PlanStatus.PLANNED)),
        )
    )
    return {(office, indicator): Ahead(c, p) for office, indicator, c, p in rows}


# --- progress notes ------------------------------------------------------------------------


def month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def latest_notes(*, as_of: dt.date, office_ids=None) -> dict[tuple[int, int], ProgressNote]:
    """(office id, indicator id) -> the office's note of the month of `as_of`, or else of
    the month before: the note that explains the status shown. One query."""
    this = (as_of.year, as_of.month)
    last = month_before(*this)
    notes = ProgressNote.objects.filter(
        Q(year=this[0], month=this[1]) | Q(year=last[0], month=last[1])
    ).select_related("office", "indicator")
    if office_ids is not None:
        notes = notes.filter(office_id__in=list(office_ids))
    latest: dict[tuple[int, int], ProgressNote] = {}
    for note in notes.order_by("year", "month"):  # the later month overwrites
        latest[note.office_id, note.indicator_id] = note
    return latest


def office_notes(
    user, *, office_ids, indicator=None, year: int | None = None
) -> QuerySet[ProgressNote]:
    """An office's notes (with its units'), newest month first, as the person may read them."""
    notes = access.notes_visible(
        user,
        ProgressNote.objects.filter(office_id__in=list(office_ids)).select_related(
            "office", "indicator", "written_by", "replied_by"
        ),
    )
    if indicator is not None:
        notes = notes.filter(indicator=indicator)
    if year is not None:
        notes = notes.filter(year=year)
    return notes.order_by("-year", "-month", "office__sort_order", "indicator__display_order")


def notes_between(*, start: dt.date, end: dt.date, office_ids=None) -> list[ProgressNote]:
    """The notes of the months from `start` to `end` (a report's period), in the report's
    order: office, indicator, month. One query."""
    if start.year != end.year:
        raise ValueError("A report covers dates within one year.")
    notes = ProgressNote.objects.filter(
        year=start.year, month__gte=start.month, month__lte=end.month
    ).select_related("office", "indicator")
    if office_ids is not None:
        notes = notes.filter(office_id__in=list(office_ids))
    return list(
        notes.order_by(
            "office__sort_order",
            "office__code",
            "indicator__display_order",
            "indicator__code",
            "month",
        )
    )


# --- conflicts ----------------------------------------------------------------------------


def conflicts_for(
    user, *, state: str = "open", office=None, kind: str = ""
) -> QuerySet[PlanConflict]:
    """The conflicts a person sees (the bureau: all; an office: those concerning it), newest
    first. `state`: "open" (still to look at), "closed", or "all"."""
    conflicts = PlanConflict.objects.all()
    if state == "open":
        conflicts = conflicts.open()
    elif state == "closed":
        conflicts = conflicts.exclude(Q(closed_at__isnull=True) & Q(plan__status__in=OPEN_STATUSES))
    conflicts = access.conflicts_visible(user, conflicts)
    if office is not None:
        conflicts = conflicts.concerning_offices(office.scope_ids())
    if kind:
        # The list of kinds as text, e.g. '["counterpart", "region"]': JSON containment is
        # PostgreSQL's alone, and SQLite runs `make run`. `kind` is one of WarningKind.
        conflicts = conflicts.annotate(kinds_text=Cast("kinds", TextField())).filter(
            kinds_text__contains=f'"{kind}"'
        )
    return conflicts.select_related(
        "plan__lead_office", "plan__indicator", "office", "created_by", "closed_by"
    ).order_by("-created_at", "-pk")


def plans_seen_in_full(user, plan_ids) -> set[int]:
    """Of these plans, those the person sees every field of (title, link): one query."""
    return set(
        access.plans_in_full(user, Plan.objects.filter(pk__in=list(plan_ids))).values_list(
            "pk", flat=True
        )
    )


# --- gaps ---------------------------------------------------------------------------------

GAP_MONTH_CHOICES = (3, 6, 12)


def gap_months() -> int:
    return settings.KPI_GAP_MONTHS


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def region_gaps(*, today: dt.date, months: int) -> list[Region]:
    """Regions no office has engaged (an activity not removed, of any office, dated in the
    window up to today) nor planned to engage (a plan planned, confirmed or done dated from
    the window's first day on), with `last_activity` (any time) and their covering offices
    prefetched. Two queries."""
    since = months_back(today, months)
    activities = Activity.objects.not_removed().filter(region=OuterRef("pk")).order_by()
    plans = Plan.objects.filter(
        region=OuterRef("pk"),
        status__in=(PlanStatus.PLANNED, PlanStatus.CONFIRMED, PlanStatus.DONE),
        starts_on__gte=since,
    )
    return list(
        Region.objects.annotate(
            engaged=Exists(activities.filter(occurred_on__gte=since, occurred_on__lte=today)),
            planned=Exists(plans),
            last_activity=Subquery(
                activities.values("region").annotate(last=Max("occurred_on")).values("last")
            ),
        )
        .filter(engaged=False, planned=False)
        .prefetch_related("offices")
        .order_by("code")
    )


def counterpart_gaps(*, year: int) -> QuerySet[Counterpart]:
    """Active counterparts of high level with no activity this year (not removed), with
    `last_contact` (the latest activity ever) and `planned` (an open plan this year)."""
    activities = Activity.objects.not_removed().filter(counterparts=OuterRef("pk")).order_by()
    return (
        Counterpart.objects.filter(type__in=HIGH_LEVEL_TYPES, is_active=True)
        .annotate(
            contacted=Exists(activities.filter(occurred_on__year=year)),
            last_contact=Subquery(
                activities.values("counterparts").annotate(last=Max("occurred_on")).values("last")
            ),
            planned=Exists(
                Plan.objects.open().filter(counterparts=OuterRef("pk"), starts_on__year=year)
            ),
        )
        .filter(contacted=False)
        .select_related("region")
        .order_by("type", "region__code", "name_en", "pk")
    )


@dataclass(frozen=True)
class Cancellations:
    year: int
    total: int
    by_reason: list[tuple[str, int]]  # (label, count), every listed reason, most first


def cancellations_by_reason(user, *, year: int) -> Cancellations:
    """The plans of the year the person sees in full that were cancelled, counted by their
    listed reason (one query): why engagements fall through."""
    counts = dict(
        access.plans_in_full(user)
        .filter(status=PlanStatus.CANCELLED, starts_on__year=year)
        .order_by()
        .values_list("cancel_reason")
        .annotate(n=Count("pk"))
    )
    by_reason = sorted(
        ((str(label), counts.get(value, 0)) for value, label in CancelReason.choices),
        key=lambda item: -item[1],
    )
    return Cancellations(year=year, total=sum(counts.values()), by_reason=by_reason)
