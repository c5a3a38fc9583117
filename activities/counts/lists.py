"""Lists: counting and paging the activity list with the roll-up's help."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..filters import COUNTED, LEAD
from ..models import COUNTING_STATUSES, Activity, ActivityMonthCount


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: dt.date) -> dt.date:
    return _month_end(day) + dt.timedelta(days=1)


@dataclass(frozen=True)
class ListCounts:
    """The part of an activity list's filters the roll-up can count: whole months, some
    indicators, statuses, regions, lead offices. Built by `list_counts`, which says when
    a list has other conditions (then the rows are counted)."""

    start: dt.date | None = None
    end: dt.date | None = None
    indicator_ids: tuple[int, ...] | None = None
    statuses: tuple[str, ...] | None = None
    region_ids: tuple[int, ...] | None = None
    lead_office_ids: tuple[int, ...] | None = None

    def groups(self) -> QuerySet[ActivityMonthCount]:
        rows = ActivityMonthCount.objects.exclude(n=0)
        if self.start is not None:
            rows = rows.filter(month__gte=self.start)
        if self.end is not None:
            rows = rows.filter(month__lte=self.end)
        if self.indicator_ids is not None:
            rows = rows.filter(indicator_id__in=self.indicator_ids)
        if self.statuses is not None:
            rows = rows.filter(status__in=self.statuses)
        if self.region_ids is not None:
            rows = rows.filter(region_key__in=self.region_ids)
        if self.lead_office_ids is not None:
            rows = rows.filter(lead_office_id__in=self.lead_office_ids)
        return rows.order_by()

    def by_month(self) -> list[tuple[dt.date, int]]:
        return sorted(self.groups().values_list("month").annotate(total=Sum("n")))

    def totals(self) -> list[tuple[int, str, int]]:
        """(indicator id, status, n): what `selectors.activity_totals` counts from rows."""
        return list(self.groups().values_list("indicator_id", "status").annotate(total=Sum("n")))


def list_counts(data: dict, *, user, today: dt.date | None = None) -> ListCounts | None:
    """What the roll-up counts of a list filtered by `data` (an activity filter's cleaned
    data) for `user`, or None when the list has a condition it cannot count: a search, dates
    that are not whole months, an "as of" in the past... For an office's user, only what
    the office (with its units) led: what it joined is counted from the rows (`joined`)."""
    if not (user.is_authenticated and user.is_active):
        return None
    uncountable = ("q", "unit", "changed_since")
    if any(data.get(name) for name in uncountable):
        return None
    led = data.get("part") == LEAD  # the list page's office "led by": a lead office
    if data.get("office") and not led:
        return None
    start, end = data.get("date_from"), data.get("date_to")
    if (start and start.day != 1) or (end and end != _month_end(end)):
        return None
    statuses = None
    as_of = data.get("as_of")
    if as_of is not None:
        if as_of < (today or timezone.localdate()):
            return None
        statuses = COUNTING_STATUSES  # counting by a day to come: counting now
    if data.get("counted"):
        statuses = COUNTING_STATUSES
    status = data.get("status")
    if status:
        wanted = COUNTING_STATUSES if status == COUNTED else (status,)
        statuses = tuple(s for s in (statuses or wanted) if s in wanted)
    indicator, region = data.get("indicator"), data.get("region")
    lead = data.get("office") if led else data.get("lead")
    lead_ids = tuple(lead.scope_ids()) if lead else None
    if not user.is_bureau:
        scope = user.office_scope_ids()
        lead_ids = tuple(pk for pk in (lead_ids or scope) if pk in scope)
    return ListCounts(
        start=start.replace(day=1) if start else None,
        end=end,
        indicator_ids=(indicator.pk,) if indicator else None,
        statuses=tuple(statuses) if statuses is not None else None,
        region_ids=(region.pk,) if region else None,
        lead_office_ids=lead_ids,
    )


def joined(user) -> QuerySet[Activity] | None:
    """What an office's user sees besides what the office led: the activities it joined
    (a participating office), led by another. None for the bureau, who sees all."""
    if user.is_bureau:
        return None
    scope = user.office_scope_ids()
    participations = Activity.participating_offices.through.objects.filter(office_id__in=scope)
    return (
        Activity.objects.not_removed()
        .filter(pk__in=participations.values("activity_id"))
        .exclude(lead_office_id__in=scope)
    )


class CountedList:
    """An activity list's rows for a paginator, counted by the roll-up, and paged by date:
    a page deep in a million rows starts its scan at the month where the page begins,
    found from the months' counts, instead of skipping every row before it (OFFSET).

    Only for lists in date order (newest or oldest first), where a month's rows are
    consecutive; the paginator sees a count and slices, as with a queryset."""

    def __init__(
        self,
        queryset: QuerySet,
        counts: ListCounts,
        *,
        newest_first: bool,
        joined: QuerySet | None = None,
    ) -> None:
        """`joined`: the list's rows the roll-up does not hold (an office's list: what it
        joined, led by others), filtered as the list is; counted from the rows."""
        self.queryset = queryset
        self.counts = counts
        self.newest_first = newest_first
        self.joined = joined
        self._months: list[tuple[dt.date, int]] | None = None

    def months(self) -> list[tuple[dt.date, int]]:
        if self._months is None:
            months = dict(self.counts.by_month())
            if self.joined is not None:
                for month, n in (
                    self.joined.order_by()
                    .annotate(first_day=TruncMonth("occurred_on"))
                    .values_list("first_day")
                    .annotate(n=Count("id"))
                ):
                    months[month] = months.get(month, 0) + n
            ordered = sorted(months.items())
            self._months = ordered[::-1] if self.newest_first else ordered
        return self._months

    def totals(self) -> list[tuple[int, str, int]]:
        """(indicator id, status, n) over the whole list."""
        totals = self.counts.totals()
        if self.joined is not None:
            totals += list(
                self.joined.order_by().values_list("indicator_id", "status").annotate(n=Count("id"))
            )
        return totals

    def count(self) -> int:
        return sum(n for _month, n in self.months())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        before = 0  # rows in the months that come before the page's first month
        first = None
        for month, n in self.months():
            if before + n > start:
                first = month
                break
            before += n
        if first is None:
            return self.queryset.none()
        month = first
        if self.newest_first:
            rows = self.queryset.filter(occurred_on__lt=_next_month(month))
        else:
            rows = self.queryset.filter(occurred_on__gte=month)
        return rows[start - before : None if stop is None else stop - before]
