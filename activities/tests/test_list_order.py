"""Sorting and searching a long list: every sort is total (ties by date, then id), a list
the roll-up counts but cannot page (by title) reads a page's ids first, and on
PostgreSQL the sort by title and the free-text search are served by their indexes
(docs/performance.md, "What keeps it fast")."""

import datetime as dt
import re

import pytest
from django.db import connection

from activities.counts import CountedList
from activities.filters import ActivityFilter
from activities.models import Activity
from activities.selectors import activity_list, paged_list
from activities.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's indexes and plans"
)


@pytest.fixture
def titled(office_a, indicator):
    """Thirty activities under five titles, several on one day."""
    titles = ["Working visit", "Courtesy call", "Seminar", "Business forum", "Media briefing"]
    for n in range(30):
        ActivityFactory(
            lead_office=office_a,
            indicator=indicator,
            title=titles[n % 5],
            occurred_on=dt.date(2026, 3, 1) + dt.timedelta(days=n // 4),
        )


@pytest.mark.parametrize("sort", ["title", "-title"])
def test_a_list_by_title_is_counted_by_the_roll_up_and_paged_by_its_ids(
    titled, bureau_viewer, django_assert_num_queries, sort
):
    activity_filter = activity_list(user=bureau_viewer, data={"sort": sort})
    rows = paged_list(activity_filter, user=bureau_viewer)
    assert isinstance(rows, CountedList)
    expected = list(activity_filter.qs.values_list("pk", flat=True))
    assert rows.count() == len(expected) == 30
    pages = []
    for start in range(0, 32, 7):
        with django_assert_num_queries(2):  # the page's ids, then its rows
            pages += [a.pk for a in rows[start : start + 7]]
    assert pages == expected  # every row once, in the list's order
    titles = [a.title for a in rows[0:30]]
    assert titles == sorted(titles, reverse=sort.startswith("-"))


def test_a_reversed_sort_is_the_exact_reverse(titled, bureau_viewer):
    forwards = list(activity_list(user=bureau_viewer, data={"sort": "title"}).qs)
    backwards = list(activity_list(user=bureau_viewer, data={"sort": "-title"}).qs)
    assert backwards == forwards[::-1]


def _plan(queryset, *off: str) -> str:
    """The plan of a query on a few rows, with the planner told to use an index where one
    serves it (on a handful of rows it would rather read them all)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", *off):
            cursor.execute(f"SET {setting} = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for setting in ("enable_seqscan", *off):
                cursor.execute(f"RESET {setting}")


@postgresql_only
@pytest.mark.parametrize("sort", ["title", "-title"])
def test_a_page_by_title_reads_its_ids_from_the_index(titled, bureau_viewer, sort):
    queryset = activity_list(user=bureau_viewer, data={"sort": sort}).qs
    # Told not to sort nor to gather rows by bitmap, the planner still finds the page's
    # ids: in order, from the index that holds the list's order.
    plan = _plan(queryset.values_list("pk", flat=True)[20:25], "enable_sort", "enable_bitmapscan")
    assert "activity_by_title" in plan
    assert "Sort" not in plan


@postgresql_only
def test_the_search_reads_the_trigram_indexes(titled, bureau_viewer):
    queryset = activity_list(user=bureau_viewer, data={"q": "forum"}).qs
    # The search's own condition (the list adds "not removed", which another index holds).
    searched = ActivityFilter({"q": "forum"}, queryset=Activity.objects.all()).qs
    plan = _plan(searched.order_by().values("pk"), "enable_indexscan")
    for column in ("title", "city", "notes", "event_name"):
        assert f"activity_search_{column}" in plan
    assert queryset.count() == Activity.objects.filter(title__icontains="forum").count() == 6


@postgresql_only
@pytest.mark.parametrize("sort", ["title", "-title"])
def test_a_keyset_page_by_title_starts_at_its_cursor_in_the_index(titled, bureau_viewer, sort):
    """The page after a row deep in the list: an index scan that starts at the row's title
    (the first key's bound), not one that reads the index from its start."""
    from activities.selectors import keyset_list

    rows = keyset_list(activity_list(user=bureau_viewer, data={"sort": sort}), user=bureau_viewer)
    keyset = rows.keyset
    after = rows.queryset.filter(keyset.beyond(keyset.values(rows.queryset[20])))[:26]
    plan = _plan(after, "enable_sort", "enable_bitmapscan")
    assert "activity_by_title" in plan
    assert "Sort" not in plan
    bound = ">=" if sort == "title" else "<="
    assert re.search(rf"Index Cond: \(\(title\)::text {bound} ", plan), plan
