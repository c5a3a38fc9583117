"""Keyset pages of the activity lists the roll-up cannot page (a search, a sort by title or
by last change, dates that are not whole months...), counted exactly where the roll-up
counts them and up to a cap otherwise. docs/performance.md, "What keeps it fast"."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, QuerySet

from common.keyset import AFTER, BadCursor, Keyset, KeysetPage

from .lists import CountedList

# A list counted from its rows is counted up to this many; past it the page says "more
# than" and shows no totals by indicator and status (counting them visits every row).
COUNT_CAP = 5_000

__all__ = ["COUNT_CAP", "BadCursor", "KeysetList", "ListTotals"]


@dataclass(frozen=True)
class ListTotals:
    """A list's count, and its rows counted by indicator and status (None past the cap)."""

    count: int
    capped: bool  # more than `count` rows: counted up to the cap
    groups: list[tuple[int, str, int]] | None  # (indicator id, status, n)


def _capped_groups(queryset: QuerySet, cap: int) -> list[tuple[int, str, int]]:
    """(indicator id, status, n) over at most cap + 1 of the rows, in one query:
    SELECT ... GROUP BY over (SELECT ... LIMIT cap + 1), which stops reading rows there."""
    inner = queryset.order_by().values("indicator_id", "status")[: cap + 1]
    try:
        sql, params = inner.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        counted = (
            f"SELECT capped.indicator_id, capped.status, COUNT(*) FROM ({sql}) capped "  # noqa: S608 (Django's SQL, values as params)
            "GROUP BY capped.indicator_id, capped.status"
        )
        cursor.execute(counted, params)
        return [tuple(row) for row in cursor.fetchall()]


class KeysetList:
    """An activity list paged by keyset (`common.keyset`): the links go from a page to the
    next, the previous, the first and the last, each read from an index in the list's
    order whatever its depth. A page by number (`?page=`, old links) is still read, by
    OFFSET. `counted`: the roll-up's count of the list, where it counts it."""

    def __init__(
        self, queryset: QuerySet, keyset: Keyset, *, counted: CountedList | None = None
    ) -> None:
        self.queryset = queryset
        self.keyset = keyset
        self.counted = counted

    @classmethod
    def of(cls, queryset: QuerySet, *, counted: CountedList | None = None) -> KeysetList | None:
        keyset = Keyset.of(queryset)
        return None if keyset is None else cls(queryset, keyset, counted=counted)

    def totals(self, *, exact: bool = False) -> ListTotals:
        """In one query (the roll-up's: two for an office's list). `exact`: counted to the
        end whatever the number (a dashboard figure's list, whose totals equal it)."""
        if self.counted is not None or exact:
            if self.counted is not None:
                groups = self.counted.totals()
            else:
                groups = list(
                    self.queryset.order_by()
                    .values_list("indicator_id", "status")
                    .annotate(n=Count("pk"))
                )
            return ListTotals(sum(n for _i, _s, n in groups), False, groups)
        cap = COUNT_CAP
        groups = _capped_groups(self.queryset, cap)
        count = sum(n for _i, _s, n in groups)
        if count > cap:
            return ListTotals(cap, True, None)
        return ListTotals(count, False, groups)

    def page(self, cursor: str | None, size: int) -> KeysetPage:
        """The page a cursor names (the first without one); BadCursor for a bad one."""
        return self.keyset.page(cursor, size)

    def numbered(self, number: int, size: int) -> KeysetPage | None:
        """Page `number` from 1 by OFFSET, with cursors to go on from it; None past the
        end."""
        start = (number - 1) * size
        # Counted by the roll-up (by title, say): its ids first, from the index alone.
        source = self.queryset if self.counted is None else self.counted
        rows = list(source[start : start + size + 1])
        if not rows and number > 1:
            return None
        return self.keyset.page_of(rows[:size], more_before=number > 1, more_after=len(rows) > size)

    def last_cursor(self) -> str:
        return self.keyset.last_cursor()

    def cursor_after(self, row) -> str:
        """The cursor of the page that starts after `row` (its page's `next`)."""
        return self.keyset.cursor(AFTER, row)
