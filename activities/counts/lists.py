"""Lists: counting and paging the activity list with the roll-up's help."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from offices.models import Indicator, Office

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


# The sorts the roll-up can page besides the date: the list's first order key, and the
# column of the roll-up (and of the activity) that holds what it sorts by.
GROUPED_SORTS = {
    "indicator__display_order": "indicator_id",
    "status": "status",
    "lead_office__code": "lead_office_id",
}


# What the joined rows of an office's list are counted by (CountedList._joined_groups).
JOINED_GROUPS = ("indicator_id", "status", "lead_office_id", "month")


@dataclass(frozen=True)
class ListOrder:
    """An activity list's order as the roll-up can page it: by the date alone, or first by
    the indicator, the status or the lead office, then by the date, newest first (oldest
    first when the first is reversed), and the id last (ActivityFilter.qs adds them)."""

    newest_first: bool
    group: str | None = None  # the roll-up's column of the first sort key, if any
    group_descending: bool = False

    @classmethod
    def of(cls, order: tuple[str, ...]) -> ListOrder | None:
        """The order of a list as `of` reads it from the queryset's order_by, or None when
        the roll-up cannot page it (a title sort, say)."""
        order = tuple(str(key) for key in order)
        if order in (("-occurred_on", "-pk"), ("occurred_on", "pk")):
            return cls(newest_first=order[0].startswith("-"))
        if len(order) == 3 and order[1:] in (("-occurred_on", "-pk"), ("occurred_on", "pk")):
            group = GROUPED_SORTS.get(order[0].lstrip("-"))
            descending = order[0].startswith("-")
            if group is not None and order[1].startswith("-") != descending:
                return cls(newest_first=not descending, group=group, group_descending=descending)
        return None

    @property
    def date_order(self) -> tuple[str, str]:
        return ("-occurred_on", "-pk") if self.newest_first else ("occurred_on", "pk")


def _group_ranks(group: str) -> dict:
    """What the list sorts a group's value by: an indicator's display order, an office's
    place in the order of the codes (as the database sorts them), a status itself."""
    if group == "indicator_id":
        return dict(Indicator.objects.values_list("pk", "display_order"))
    if group == "lead_office_id":
        codes = Office.objects.order_by("code").values_list("pk", flat=True)
        return {pk: place for place, pk in enumerate(codes)}
    return {}


@dataclass(frozen=True)
class _Block:
    """The list's rows of one month (and, sorted by a group first, of one rank of it)."""

    rank: object
    month: dt.date
    n: int
    values: tuple = ()  # the group's values of that rank (two indicators may share one)


class CountedList:
    """An activity list's rows for a paginator, counted by the roll-up, and paged by date:
    a page deep in a million rows starts its scan at the month where the page begins,
    found from the months' counts, instead of skipping every row before it (OFFSET).

    For lists in date order (newest or oldest first), where a month's rows are
    consecutive, and lists sorted first by indicator, status or lead office, then newest
    first, where a month's rows of one indicator (status, office) are: the roll-up counts
    those blocks too. The paginator sees a count and slices, as with a queryset."""

    def __init__(
        self,
        queryset: QuerySet,
        counts: ListCounts,
        *,
        order: ListOrder | None,
        joined: QuerySet | None = None,
    ) -> None:
        """`order`: None for an order the roll-up cannot page (by title, say): the roll-up
        counts the list, and a page reads the ids of its rows first (from an index that
        holds the order, without the joined names of the rows it skips), then its rows.
        `joined`: the list's rows the roll-up does not hold (an office's list: what it
        joined, led by others), filtered as the list is; counted from the rows."""
        self.queryset = queryset
        self.counts = counts
        self.order = order
        self.joined = joined
        self._blocks: list[_Block] | None = None
        self._joined: list[dict] | None = None

    def blocks(self) -> list[_Block]:
        """The list's blocks, in its order, with their counts (one query, two for an
        office's list)."""
        if self._blocks is None:
            group = self.order.group if self.order else None
            columns = ("month",) if group is None else (group, "month")
            counted: dict[tuple, int] = {}
            for *key, n in self.counts.groups().values_list(*columns).annotate(total=Sum("n")):
                counted[tuple(key)] = counted.get(tuple(key), 0) + n
            for row in self._joined_groups():
                key = (row["month"],) if group is None else (row[group], row["month"])
                counted[key] = counted.get(key, 0) + row["n"]
            ranks = _group_ranks(group) if group else {}
            merged: dict[tuple, tuple[int, set]] = {}
            for key, n in counted.items():
                value, month = (None, key[0]) if group is None else key
                rank = ranks.get(value, value)
                total, values = merged.get((rank, month), (0, set()))
                values.add(value)
                merged[(rank, month)] = (total + n, values)
            # A rank's rows are read by all its values, whichever months each has rows in
            # (two indicators in one place: a page runs on through both, by date).
            of_rank: dict = {}
            for (rank, _month), (_n, values) in merged.items():
                of_rank.setdefault(rank, set()).update(values)
            blocks = [
                _Block(rank, month, n, tuple(sorted(of_rank[rank], key=str)))
                for (rank, month), (n, _values) in merged.items()
                if n
            ]
            # Ranks in the group's direction; within a rank, months in the date's.
            blocks.sort(
                key=lambda b: b.month, reverse=self.order is None or self.order.newest_first
            )
            if group is not None:
                blocks.sort(key=lambda b: b.rank, reverse=self.order.group_descending)
            self._blocks = blocks
        return self._blocks

    def totals(self) -> list[tuple[int, str, int]]:
        """(indicator id, status, n) over the whole list."""
        totals = self.counts.totals()
        totals += [(row["indicator_id"], row["status"], row["n"]) for row in self._joined_groups()]
        return totals

    def _joined_groups(self) -> list[dict]:
        """The joined rows counted by indicator, status, lead office and month: what both
        the blocks and the totals need of them, in one query (none without `joined`)."""
        if self._joined is None:
            self._joined = []
            if self.joined is not None:
                self._joined = list(
                    self.joined.order_by()
                    .annotate(month=TruncMonth("occurred_on"))
                    .values(*JOINED_GROUPS)
                    .annotate(n=Count("id"))
                )
        return self._joined

    def count(self) -> int:
        return sum(block.n for block in self.blocks())

    def __len__(self) -> int:
        return self.count()

    def _from(self, block: _Block) -> QuerySet:
        """The list's rows from the start of `block` on, within its rank: in date order,
        which is the list's order there (the rank's value is the same on every row)."""
        if self.order.newest_first:
            rows = self.queryset.filter(occurred_on__lt=_next_month(block.month))
        else:
            rows = self.queryset.filter(occurred_on__gte=block.month)
        if self.order.group is None:
            return rows
        return rows.filter(**{f"{self.order.group}__in": block.values}).order_by(
            *self.order.date_order
        )

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        if self.order is None:
            ids = list(self.queryset.values_list("pk", flat=True)[start:stop])
            return list(self.queryset.filter(pk__in=ids))  # in the list's order
        blocks = self.blocks()
        before, index = 0, None  # rows in the blocks before the page's first block
        for position, candidate in enumerate(blocks):
            if before + candidate.n > start:
                index = position
                break
            before += candidate.n
        if index is None:
            return self.queryset.none()
        block = blocks[index]
        rows = self._from(block)[start - before : None if stop is None else stop - before]
        if self.order.group is None:
            return rows
        # Sorted by a group: a page that runs past its rank goes on at the next rank's
        # first block (a query more, on the few pages where a rank ends).
        page = list(rows)
        rank = block.rank
        end = before + sum(b.n for b in blocks[index:] if b.rank == rank)  # the rank's end
        for later in blocks[index + 1 :]:
            if stop is not None and end >= stop:
                break
            if later.rank == rank:
                continue
            rank = later.rank  # the first block of the next rank
            page += list(self._from(later)[: None if stop is None else stop - end])
            end += sum(b.n for b in blocks if b.rank == rank)
        return page
