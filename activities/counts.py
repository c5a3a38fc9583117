"""Activities counted in groups, for dashboards and lists: from the roll-up
(`ActivityMonthCount`) when it can answer, from the activities themselves otherwise.
Either way the same rule of what counts (`ActivityQuerySet.counted().as_of()`) and the
same answer; tests hold them to it (activities/tests/test_counts.py). Also the checks of
the roll-up itself (`recount`, `kept`, `rebuild`)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import COUNTING_STATUSES, NO_REGION, Activity, ActivityMonthCount

GROUPS = ("lead_office", "indicator", "region", "month")


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]


def counted_groups(
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    by: tuple[str, ...],
    office_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> list[tuple]:
    """Counted activities that took place from `start` to `end` and counted by the end of
    `as_of`, as (*group, n) tuples grouped `by` any of "lead_office", "indicator", "region"
    (None: no region) and "month" (its first day). One query.

    The roll-up answers when the dates are whole months and `as_of` is today or later: what
    counts now is what counted by then. Otherwise the activities are counted."""
    unknown = set(by) - set(GROUPS)
    if unknown:
        raise ValueError(f"Cannot group by {sorted(unknown)}")
    today = today or timezone.localdate()
    if as_of >= today and _whole_months(start, end):
        rows = ActivityMonthCount.objects.filter(
            status__in=COUNTING_STATUSES, month__gte=start, month__lte=end
        )
        if office_ids is not None:
            rows = rows.filter(lead_office_id__in=list(office_ids))
        columns = {
            "lead_office": "lead_office_id",
            "indicator": "indicator_id",
            "region": "region_key",
            "month": "month",
        }
        grouped = rows.order_by().values_list(*(columns[g] for g in by)).annotate(n=Sum("n"))
    else:
        rows = Activity.objects.counted().as_of(as_of).between(start, end)
        if office_ids is not None:
            rows = rows.filter(lead_office_id__in=list(office_ids))
        columns = {
            "lead_office": "lead_office_id",
            "indicator": "indicator_id",
            "region": "region_id",
            "month": "first_day",
        }
        if "month" in by:
            rows = rows.annotate(first_day=TruncMonth("occurred_on"))
        grouped = rows.order_by().values_list(*(columns[g] for g in by)).annotate(n=Count("id"))
    region_at = by.index("region") if "region" in by else None
    result = []
    for row in grouped:
        if not row[-1]:
            continue
        if region_at is not None and row[region_at] in (NO_REGION, None):
            row = (*row[:region_at], None, *row[region_at + 1 :])
        result.append(tuple(row))
    return result


# --- keeping the roll-up honest ---------------------------------------------------------

Key = tuple[int, int, int, dt.date, str]  # lead office, indicator, region or 0, month, status
KEY_COLUMNS = "lead_office_id, indicator_id, region_key, month, status"


def key_of(activity: Activity, status: str | None = None) -> Key:
    """The roll-up row an activity counts in, with its status or `status`."""
    return (
        activity.lead_office_id,
        activity.indicator_id,
        activity.region_id or NO_REGION,
        activity.occurred_on.replace(day=1),
        status or activity.status,
    )


def lock_counts(keys: Iterable[Key]) -> None:
    """Lock the roll-up rows a write is about to change, all at once and in one order.

    The triggers change a roll-up row per activity, in the order the activities are saved:
    two transactions saving activities of the same office, indicator and month (a bulk
    submit and a bulk verify) would take the same rows in different orders and deadlock.
    Taken first, in key order, they are waited for instead. Rows that do not exist yet are
    made (with 0). PostgreSQL only: SQLite has one writer at a time."""
    keys = sorted(set(keys))
    if not keys or connection.vendor != "postgresql":
        return
    # Only placeholders and column names go into the text; the values are parameters.
    rows = ", ".join(["(%s, %s, %s, %s::date, %s)"] * len(keys))
    params = [value for key in keys for value in key]
    lock = (
        f"SELECT id FROM activities_activitymonthcount WHERE ({KEY_COLUMNS}) IN ({rows}) "  # noqa: S608
        f"ORDER BY {KEY_COLUMNS} FOR UPDATE"
    )
    with connection.cursor() as cursor:
        cursor.execute(lock, params)
        if len(cursor.fetchall()) == len(keys):
            return
        cursor.execute(
            f"INSERT INTO activities_activitymonthcount ({KEY_COLUMNS}, n) "  # noqa: S608
            f"SELECT *, 0 FROM (VALUES {rows}) AS missing ON CONFLICT DO NOTHING",
            params,
        )
        cursor.execute(lock, params)


def recount() -> dict[Key, int]:
    """The roll-up as it should be, counted from the activities (one query)."""
    rows = (
        Activity.objects.not_removed()
        .annotate(first_day=TruncMonth("occurred_on"))
        .order_by()
        .values_list("lead_office_id", "indicator_id", "region_id", "first_day", "status")
        .annotate(n=Count("id"))
    )
    return {(o, i, r or NO_REGION, m, s): n for o, i, r, m, s, n in rows}


def kept() -> dict[Key, int]:
    """The roll-up as the triggers kept it (groups that went down to zero left out)."""
    rows = ActivityMonthCount.objects.exclude(n=0).values_list(
        "lead_office_id", "indicator_id", "region_key", "month", "status", "n"
    )
    return {(o, i, r, m, s): n for o, i, r, m, s, n in rows}


def differences(counted: dict[Key, int] | None = None) -> dict[Key, tuple[int, int]]:
    """The groups where the roll-up is off, as key: (kept, counted)."""
    counted = recount() if counted is None else counted
    before = kept()
    return {
        key: (before.get(key, 0), counted.get(key, 0))
        for key in counted.keys() | before.keys()
        if before.get(key, 0) != counted.get(key, 0)
    }


@transaction.atomic
def rebuild() -> dict[Key, tuple[int, int]]:
    """Recount the roll-up and write it anew; the groups that were off, as key: (kept,
    counted). Writers wait meanwhile (the activity table is locked on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE activities_activity IN SHARE MODE")
    counted = recount()
    off = differences(counted)
    ActivityMonthCount.objects.all().delete()
    ActivityMonthCount.objects.bulk_create(
        [
            ActivityMonthCount(
                lead_office_id=o, indicator_id=i, region_key=r, month=m, status=s, n=n
            )
            for (o, i, r, m, s), n in counted.items()
        ],
        batch_size=1000,
    )
    return off


# --- lists: counting and paging with the roll-up's help -------------------------------------


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
    uncountable = ("q", "office", "unit", "changed_since")
    if any(data.get(name) for name in uncountable):
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
    if data.get("status"):
        statuses = tuple(s for s in (statuses or (data["status"],)) if s == data["status"])
    indicator, region, lead = data.get("indicator"), data.get("region"), data.get("lead")
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
