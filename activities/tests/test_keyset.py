"""Keyset pages (common.keyset) walk a list in any total order exactly as OFFSET pages do:
mixed directions, ties, NULLs where the database sorts them, on SQLite and PostgreSQL
(docs/performance.md, "What keeps it fast")."""

import datetime as dt
import json
import os

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from common.keyset import AFTER, BadCursor, Keyset
from offices.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("KPI_FUZZ_EXAMPLES", "30")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def mixed(office_a, indicator, db):
    """Thirty-one activities with many ties (three titles, four days) and NULLs (no region,
    never reviewed, drafts never counted)."""
    regions = [None, RegionFactory(code="420000"), RegionFactory(code="440000")]
    reviewed = [None, dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)]
    for n in range(31):
        draft = n % 4 == 0
        ActivityFactory(
            lead_office=office_a,
            indicator=indicator,
            title=["Seminar", "Courtesy call", "Working visit"][n % 3],
            occurred_on=dt.date(2026, 3, 1) + dt.timedelta(days=n % 4),
            region=regions[n % 3],
            status="draft" if draft else "submitted",
            reviewed_at=reviewed[n % 2],
        )


KEYS = ["title", "occurred_on", "region__code", "reviewed_at", "counted_since", "status"]
ORDERS = [
    ("-occurred_on", "-pk"),
    ("title", "-occurred_on", "-pk"),
    ("-title", "occurred_on", "pk"),
    ("region__code", "-occurred_on", "pk"),
    ("-region__code", "title", "-pk"),
    ("reviewed_at", "-counted_since", "title", "pk"),
    ("-counted_since", "region__code", "-pk"),
]


def _ids(rows) -> list[int]:
    return [row.pk for row in rows]


def _walk(queryset, size: int) -> None:
    """Next from the first page to the last, then previous back: each page is the OFFSET
    page of the same order; the last page is the list's last `size` rows."""
    keyset = Keyset(queryset)
    expected = _ids(queryset)
    pages, page = [], keyset.page(None, size)
    assert not page.has_previous
    while True:
        pages.append(_ids(page.rows))
        if not page.has_next:
            break
        page = keyset.page(page.next_cursor, size)
    assert pages == [expected[start : start + size] for start in range(0, len(expected), size)]
    last = keyset.page(keyset.last_cursor(), size)
    assert _ids(last.rows) == expected[-size:]
    assert not last.has_next and last.has_previous == (len(expected) > size)
    back, page = [], last
    while True:
        back.append(_ids(page.rows))
        if not page.has_previous:
            break
        page = keyset.page(page.previous_cursor, size)
    # Back from the last page, each page ends where the one after it starts; the first
    # page comes whole (a short one before it is read as the first page).
    ends = range(len(expected), 0, -size)
    assert len(back) == len(ends)
    assert back[:-1] == [expected[end - size : end] for end in ends][:-1]
    assert back[-1] == expected[:size]


@pytest.mark.parametrize("order", ORDERS, ids=",".join)
@pytest.mark.parametrize("size", [1, 4, 7, 40])
def test_keyset_pages_are_the_offset_pages(mixed, order, size):
    _walk(Activity.objects.order_by(*order), size)


@FUZZ
@given(
    keys=st.lists(st.sampled_from(KEYS), min_size=0, max_size=4, unique=True),
    descending=st.lists(st.booleans(), min_size=5, max_size=5),
    size=st.integers(min_value=1, max_value=12),
)
def test_any_order_pages_alike(mixed, keys, descending, size):
    order = [
        ("-" if down else "") + key for key, down in zip([*keys, "pk"], descending, strict=False)
    ]
    _walk(Activity.objects.order_by(*order), size)


def test_the_rows_after_a_cursor_use_the_first_keys_bound(mixed):
    """A redundant bound on the first key alone, so that an index on it is used."""
    queryset = Activity.objects.order_by("title", "-occurred_on", "-pk")
    keyset = Keyset(queryset)
    row = queryset[10]
    after = queryset.filter(keyset.beyond(keyset.values(row)))
    assert _ids(after) == _ids(queryset)[11:]
    sql = str(after.query)
    assert sql.count('"title" >= ') == 1


@pytest.mark.parametrize(
    "order",
    [("title",), ("title", "-indicator"), ("?",), ("title", "lead_office", "pk")],
    ids=repr,
)
def test_an_order_without_a_unique_last_key_or_of_a_relation_is_not_paged(order):
    assert Keyset.of(Activity.objects.order_by(*order)) is None


def test_bad_cursors_are_refused(mixed):
    queryset = Activity.objects.order_by("title", "-occurred_on", "-pk")
    keyset = Keyset(queryset)
    good = keyset.cursor(AFTER, queryset[3])
    other_order = Keyset(Activity.objects.order_by("-title", "occurred_on", "pk"))
    other_list = Keyset(queryset.filter(title__icontains="a"))
    mine = {"o": keyset.order, "l": keyset.fingerprint, "d": AFTER}
    forged = signing.dumps({**mine, "p": queryset[3].pk})  # not signed with our salt
    no_row = signing.dumps(mine, salt="common.keyset")
    gone = signing.dumps({**mine, "p": 10**9}, salt="common.keyset")
    for cursor in ("", "nonsense", good[:-3] + "abc", forged, no_row, gone):
        with pytest.raises(BadCursor):
            keyset.page(cursor or "x", 5)
    with pytest.raises(BadCursor):
        other_order.page(good, 5)
    with pytest.raises(BadCursor):
        other_list.page(good, 5)  # another list's (filters, search, scope): not this one's
    assert _ids(keyset.page(good, 5).rows) == _ids(queryset)[4:9]


def test_a_cursor_names_its_row_by_id_only(mixed):
    """Nothing of a row in a URL (or a server's log): its keys are read again."""
    queryset = Activity.objects.order_by("title", "-occurred_on", "-pk")
    row = queryset[3]
    cursor = Keyset(queryset).cursor(AFTER, row)
    data = signing.loads(cursor, salt="common.keyset")
    assert data["p"] == row.pk and "k" not in data
    assert row.title not in json.dumps(data) and row.title not in cursor


def test_a_page_after_rows_that_left_the_list_is_its_last_page(mixed):
    """Submitting a page of drafts from a list of drafts, say: the next page's rows are
    gone, the page shows the list's last rows, not an empty page."""
    queryset = Activity.objects.order_by("title", "-occurred_on", "-pk")
    keyset = Keyset(queryset)
    rows = list(queryset)
    cursor = keyset.cursor(AFTER, rows[-6])
    Activity.objects.filter(pk__in=[r.pk for r in rows[-5:]]).delete()
    page = keyset.page(cursor, 5)
    assert _ids(page.rows) == _ids(queryset.all())[-5:]
    assert page.has_previous and not page.has_next
