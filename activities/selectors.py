"""Reads that assemble activity screens and exports. The list page, its totals and its
CSV/XLSX download all start from `activity_list`, so they always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst

from offices.models import Counterpart

from .counts import CountedList, ListOrder, joined, list_counts
from .counts.keyset import KeysetList
from .filters import ActivityFilter, ActivityListFilter
from .models import Activity


def activity_list(*, user, data) -> ActivityListFilter:
    """The activities a user may see, filtered and sorted by the list's query string.
    `.qs` is the filtered queryset (invalid filters are reported on `.form`)."""
    queryset = (
        Activity.objects.visible_to(user)
        .not_removed()
        .select_related("lead_office", "indicator", "region", "reviewed_by", "created_by")
    )
    return ActivityListFilter(data or None, queryset=queryset, user=user)


def paged_list(activity_filter: ActivityFilter, *, user) -> QuerySet[Activity] | CountedList:
    """The filtered list for a paginator. Where the roll-up can count it (lists filtered by
    whole months, indicator, status, region or lead office), counted with its help, and
    paged with it too in date order or by indicator, status or office (by title: ids
    first, from the index that holds the order), so that any page of a million rows is
    quick; otherwise the queryset itself."""
    queryset = activity_filter.qs
    if activity_filter.is_bound and not activity_filter.is_valid():
        return queryset
    data = activity_filter.form.cleaned_data if activity_filter.is_bound else {}
    counts = list_counts(data, user=user)
    if counts is None:
        return queryset
    order = ListOrder.of(queryset.query.order_by or queryset.model._meta.ordering)
    others = joined(user)
    if others is not None:  # the same filters on what the office joined, led by others
        others = type(activity_filter)(
            activity_filter.data if activity_filter.is_bound else None,
            queryset=others,
            request=activity_filter.request,
            user=user,
        ).qs
    return CountedList(queryset, counts, order=order, joined=others)


def keyset_list(activity_filter: ActivityFilter, *, user) -> KeysetList | None:
    """The filtered list paged by keyset, where the roll-up cannot page it: a search, a
    sort by title or by last change, filters it cannot count (then counted up to a cap).
    None where `paged_list` pages it quickly by number (or the filters are refused)."""
    if activity_filter.is_bound and not activity_filter.is_valid():
        return None
    rows = paged_list(activity_filter, user=user)
    if isinstance(rows, CountedList):
        if rows.order is not None:
            return None
        return KeysetList.of(rows.queryset, counted=rows)
    return KeysetList.of(rows)


def activity_totals(rows: QuerySet[Activity] | CountedList | list) -> dict:
    """Counts of a filtered list by indicator and by status, in one query (from the
    roll-up for a `CountedList`); or of (indicator id, status, n) groups already read."""
    if isinstance(rows, list):
        groups = rows
    elif isinstance(rows, CountedList):
        groups = rows.totals()
    else:
        groups = rows.order_by().values_list("indicator_id", "status").annotate(n=Count("id"))
    by_indicator: dict[int, int] = {}
    by_status: dict[str, int] = {}
    total = 0
    for indicator_id, status, n in groups:
        by_indicator[indicator_id] = by_indicator.get(indicator_id, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        total += n
    return {"total": total, "by_indicator": by_indicator, "by_status": by_status}


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    by: object
    kind: str  # "created", "changed", "removed"
    changes: list


def activity_history(activity: Activity) -> list[HistoryEntry]:
    """Who changed what, when: each saved version against the one before, newest first.
    Versions that changed nothing visible (e.g. a re-save of related lists) are left out."""
    from .services.stale import display_value

    records = list(
        activity.history.select_related("history_user").order_by("history_date", "history_id")
    )
    skip = {"version", "updated_at", "updated_by", "counted_since", "created_at", "created_by"}
    entries = []
    previous = None
    for record in records:
        if previous is None:
            entries.append(HistoryEntry(record.history_date, record.history_user, "created", []))
        else:
            delta = record.diff_against(previous, excluded_fields=list(skip))
            changes = []
            for change in delta.changes:
                field = Activity._meta.get_field(change.field)
                changes.append(
                    (
                        capfirst(field.verbose_name),
                        display_value(field, change.old),
                        display_value(field, change.new),
                    )
                )
            if changes:
                kind = "removed" if record.removed_at and not previous.removed_at else "changed"
                entries.append(
                    HistoryEntry(record.history_date, record.history_user, kind, changes)
                )
        previous = record
    return list(reversed(entries))


def review_queue(*, user) -> QuerySet[Activity]:
    """Submitted activities waiting for this supervisor (or any, for a bureau admin),
    oldest first."""
    queryset = Activity.objects.not_removed().filter(status="submitted")
    if not user.is_bureau_admin:
        queryset = queryset.filter(lead_office_id__in=user.office_scope_ids())
    return queryset.select_related("lead_office", "indicator", "region", "created_by").order_by(
        "counted_since", "pk"
    )


# --- counterparts and their activities -----------------------------------------------------


def with_visible_activity_counts(counterparts: QuerySet, *, user) -> QuerySet:
    """Each counterpart with the number of activities with it that the user may see
    (`visible_activities`), by the same rule as the counterpart's page: a correlated
    subquery, so a paginated directory reads one page of rows, never a loop."""
    return counterparts.annotate(
        visible_activities=Coalesce(_visible_activity_count(user), Value(0))
    )


def _visible_activity_count(user) -> Subquery:
    links = Activity.counterparts.through.objects.filter(
        counterpart_id=OuterRef("pk"),
        activity_id__in=Activity.objects.visible_to(user).not_removed().values("pk"),
    )
    return Subquery(
        links.order_by().values("counterpart_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def counterpart_activities(*, user, counterpart: Counterpart) -> QuerySet[Activity]:
    """The activities with this counterpart that the user may see: the bureau sees every
    office's; an office sees its own (those it leads or joined)."""
    return (
        Activity.objects.visible_to(user)
        .not_removed()
        .filter(counterparts=counterpart)
        .select_related("lead_office", "indicator", "region", "reviewed_by")
        .order_by("-occurred_on", "-pk")
    )


# --- a person's work -------------------------------------------------------------------------

WORK_ITEMS = 10  # each list shows this many, and says how many more


@dataclass(frozen=True)
class Work:
    """What waits for one person of an office: their drafts, what was returned to them
    (with the comment), the months of their office closing for entry soon, and their
    reopening requests. Each item links to where it is acted on."""

    drafts: list[Activity]
    returned: list[Activity]
    closing: list  # activities.periods.PeriodState, open and closing within CLOSING_SOON_DAYS
    reopenings: list
    closing_soon_days: int

    @property
    def anything(self) -> bool:
        return bool(self.drafts or self.returned or self.closing or self.reopenings)


def work_of(user, *, today: dt.date | None = None) -> Work:
    """Four queries: drafts, returned, the office's reopenings of the months in question,
    and the person's reopening requests."""
    from .models import PeriodReopening, Status
    from .periods import period_states

    today = today or timezone.localdate()
    mine = Activity.objects.not_removed().filter(created_by=user).select_related("indicator")
    # The id breaks ties: an import's drafts, or a batch returned at once, share one moment.
    drafts = list(mine.filter(status=Status.DRAFT).order_by("-updated_at", "-pk")[: WORK_ITEMS + 1])
    returned = list(
        mine.filter(status=Status.RETURNED)
        .select_related("reviewed_by")
        .order_by("-reviewed_at", "-pk")[: WORK_ITEMS + 1]
    )
    closing = []
    if user.office_id is not None:
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        states = period_states(office=user.office, days=[last_month, today], today=today)
        closing = [
            s
            for s in states
            if s.is_open and (s.open_until - today).days <= settings.KPI_CLOSING_SOON_DAYS
        ]
    reopenings = list(
        PeriodReopening.objects.filter(requested_by=user)
        .select_related("office", "decided_by")
        .order_by("-requested_at")[:5]
    )
    return Work(
        drafts=drafts,
        returned=returned,
        closing=closing,
        reopenings=reopenings,
        closing_soon_days=settings.KPI_CLOSING_SOON_DAYS,
    )
