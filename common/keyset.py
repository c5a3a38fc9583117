"""Keyset ("seek") pages of a queryset in a total order: a page starts after the last row
of the page before (or ends before the first row of the page after), found by comparing
the sort keys, so that a page deep in a million rows reads from an index the rows it shows
instead of skipping every row before it (OFFSET). docs/performance.md, "What keeps it fast".

The order is the queryset's own `order_by`: plain field names (across relations too), any
directions, ending with the primary key so that no two rows tie. A cursor names the row a
page starts after (or ends before) by its primary key alone (its keys' values, a title
say, are read again from the database: nothing of a row is in a URL or a server's log),
with the order and a fingerprint of the list's query (its filters, its search, the
reader's scope), signed: a cursor altered, of another order, of another list or from
another server reads as a bad cursor, never as a page of something else."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import Q, QuerySet

_SALT = "common.keyset"
AFTER, BEFORE, LAST = "a", "b", "l"


class BadCursor(ValueError):
    """A cursor that is not one of ours, or not of this list's order."""


@dataclass(frozen=True)
class _Key:
    path: str  # as in a lookup: "title", "indicator__display_order", "pk"
    descending: bool
    field: object  # the model field holding the value
    nullable: bool  # the value may be NULL (a nullable field, or reached by one)


def _keys(queryset: QuerySet) -> tuple[_Key, ...]:
    """The queryset's order as keys, or ValueError when it is not one keyset pages can
    follow: an expression, a random order, a relation's own ordering, no unique last key."""
    meta = queryset.model._meta
    order = queryset.query.order_by or meta.ordering
    keys = []
    for name in order:
        if not isinstance(name, str) or name.lstrip("-") in ("", "?"):
            raise ValueError(f"Keyset pages need field names in the order, not {name!r}.")
        path = name.lstrip("-")
        model, nullable, field = queryset.model, False, None
        for part in path.split("__"):
            if field is not None:
                if not field.is_relation:
                    raise ValueError(f"{path!r} is not a path of fields.")
                model = field.related_model
            try:
                field = model._meta.pk if part == "pk" else model._meta.get_field(part)
            except FieldDoesNotExist as exc:
                raise ValueError(f"{path!r} is not a path of fields.") from exc
            if field.many_to_many or field.one_to_many or not field.concrete:
                raise ValueError(f"{path!r} is not a path of fields.")
            nullable = nullable or field.null
        if field.is_relation:
            raise ValueError(f"{path!r} orders by its model's ordering: name its field.")
        keys.append(_Key(path, name.startswith("-"), field, nullable))
    if not keys or keys[-1].field is not meta.pk or keys[-1].nullable:
        raise ValueError("Keyset pages need an order that ends with the primary key.")
    return tuple(keys)


def _fingerprint(queryset: QuerySet) -> str:
    """What a list is, as its SQL says it (filters, search, scope, order): a cursor of
    one list is refused by another."""
    try:
        sql = str(queryset.values_list("pk").query)  # what rows, in what order: not how read
    except EmptyResultSet:
        sql = "none"
    return hashlib.sha256(sql.encode()).hexdigest()[:16]


_NEVER = Q(pk__in=[])  # a condition no row meets


@dataclass(frozen=True)
class KeysetPage:
    """A page's rows in the list's order, and the cursors of the pages either side (None
    where there is none)."""

    rows: list
    previous_cursor: str | None
    next_cursor: str | None

    @property
    def object_list(self) -> list:
        """The rows, by the name a paginator's page gives them (templates read either)."""
        return self.rows

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


class Keyset:
    """Pages of `queryset` in its order. `Keyset.of(queryset)` is None for an order keyset
    pages cannot follow (then page it by number)."""

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset
        self.keys = _keys(queryset)
        self.order = ",".join(("-" if k.descending else "") + k.path for k in self.keys)
        self.fingerprint = _fingerprint(queryset)
        # Where the database sorts NULL: after every value (PostgreSQL) or before (SQLite),
        # read ascending; a descending key reverses it.
        self._nulls_largest = connections[queryset.db].features.nulls_order_largest

    @classmethod
    def of(cls, queryset: QuerySet) -> Keyset | None:
        try:
            return cls(queryset)
        except ValueError:
            return None

    # --- the rule: where a row stands against a cursor's values ---------------------------

    def values(self, row) -> tuple:
        """The row's values of the order's keys (read from the row: select_related the
        relations a key crosses)."""
        values = []
        for key in self.keys:
            value = row
            for part in key.path.split("__"):
                value = None if value is None else getattr(value, part)
            values.append(value)
        return tuple(values)

    def _greater(self, key: _Key, value) -> Q:
        """The rows whose key sorts after `value` read ascending, NULL where the database
        sorts it."""
        if value is None:
            return _NEVER if self._nulls_largest else Q(**{f"{key.path}__isnull": False})
        condition = Q(**{f"{key.path}__gt": value})
        if key.nullable and self._nulls_largest:
            condition |= Q(**{f"{key.path}__isnull": True})
        return condition

    def _smaller(self, key: _Key, value) -> Q:
        if value is None:
            return Q(**{f"{key.path}__isnull": False}) if self._nulls_largest else _NEVER
        condition = Q(**{f"{key.path}__lt": value})
        if key.nullable and not self._nulls_largest:
            condition |= Q(**{f"{key.path}__isnull": True})
        return condition

    @staticmethod
    def _equal(key: _Key, value) -> Q:
        if value is None:
            return Q(**{f"{key.path}__isnull": True})
        return Q(**{key.path: value})

    def beyond(self, values: tuple, *, forward: bool = True) -> Q:
        """The rows after `values` in the order (`forward`), or before them: the first key
        past its value, or equal to it and the second past its own, and so on. With each
        key's own direction, so no row comparison `(a, b) > (x, y)`, which holds only where
        every key goes the same way. The first key's bound is repeated alone ("at or past
        its value"), so the planner starts an index scan on it there."""
        either = _NEVER
        for index, key in enumerate(self.keys):
            past = self._greater if key.descending != forward else self._smaller
            condition = past(key, values[index])
            for earlier, value in zip(self.keys[:index], values[:index], strict=False):
                condition &= self._equal(earlier, value)
            either |= condition
        return either & self._at_or_past(self.keys[0], values[0], forward=forward)

    def _at_or_past(self, key: _Key, value, *, forward: bool) -> Q:
        """`key` at `value` or past it: `>=` or `<=` as such (not "> or ="), which the
        planner reads as where an index scan starts."""
        upwards = key.descending != forward
        nulls_past = self._nulls_largest == upwards  # NULL sorts past every value
        if value is None:
            return Q(**{f"{key.path}__isnull": True}) if nulls_past else Q()
        condition = Q(**{f"{key.path}__{'gte' if upwards else 'lte'}": value})
        if key.nullable and nulls_past:
            condition |= Q(**{f"{key.path}__isnull": True})
        return condition

    # --- cursors ------------------------------------------------------------------------------

    def cursor(self, direction: str, row=None) -> str:
        """A cursor: the page after `row` (AFTER), before it (BEFORE), or the last (LAST)."""
        data = {"o": self.order, "l": self.fingerprint, "d": direction}
        if row is not None:
            data["p"] = row.pk
        return signing.dumps(data, salt=_SALT)

    def read(self, cursor: str) -> tuple[str, tuple]:
        """The direction a cursor names and the values of its row's keys, read again from
        the database (one query); BadCursor for a cursor not of this list, or whose row is
        gone."""
        try:
            data = signing.loads(cursor, salt=_SALT)
        except signing.BadSignature as exc:
            raise BadCursor("The cursor is not one of this list's.") from exc
        if not isinstance(data, dict) or data.get("o") != self.order:
            raise BadCursor("The cursor is of another order.")
        if data.get("l") != self.fingerprint:
            raise BadCursor("The cursor is of another list.")
        direction = data.get("d")
        if direction == LAST:
            return LAST, ()
        if direction not in (AFTER, BEFORE) or "p" not in data:
            raise BadCursor("The cursor is not one of this list's.")
        # Any row, in the list or not: a row that has left it since (submitted from a list
        # of drafts, say) still says where its page was.
        model = self.queryset.model
        found = list(
            model._base_manager.using(self.queryset.db)
            .filter(pk=data["p"])
            .values_list(*(key.path for key in self.keys))
        )
        if not found:
            raise BadCursor("The cursor's row is gone.")
        return direction, tuple(found[0])

    # --- pages ----------------------------------------------------------------------------

    def _rows(self, queryset: QuerySet, size: int) -> list:
        """The first `size` rows of `queryset` (this list's, its order maybe reversed), in two
        queries: their ids, from the list's table alone (quick to plan, and index-only where
        an index holds the order), then those rows with what they show (joined, prefetched).
        Planning the list's own query with its joins and a search's conditions at once took
        longer than reading the page."""
        ids = list(queryset.values_list("pk", flat=True)[:size])
        by_pk = {row.pk: row for row in self.queryset.filter(pk__in=ids).order_by()}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def page(self, cursor: str | None, size: int) -> KeysetPage:
        """The page a cursor names (None: the first), in two queries (`_rows`), a third for
        a cursor's row; a page before the first asked for after rows left the list is the
        first page, in full, and a page after the last (its rows all gone) the last page."""
        if cursor is None:
            rows = self._rows(self.queryset, size + 1)
            return self._page(rows[:size], more_before=False, more_after=len(rows) > size)
        direction, values = self.read(cursor)
        if direction == AFTER:
            rows = self._rows(self.queryset.filter(self.beyond(values)), size + 1)
            if not rows:
                return self.page(self.last_cursor(), size)
            return self._page(rows[:size], more_before=True, more_after=len(rows) > size)
        backwards = self.queryset.reverse()
        if direction == LAST:
            rows = self._rows(backwards, size + 1)
            return self._page(rows[:size][::-1], more_before=len(rows) > size, more_after=False)
        rows = self._rows(backwards.filter(self.beyond(values, forward=False)), size + 1)
        if len(rows) < size:
            return self.page(None, size)
        return self._page(rows[:size][::-1], more_before=len(rows) > size, more_after=True)

    def page_of(self, rows: list, *, more_before: bool, more_after: bool) -> KeysetPage:
        """Cursors around rows read otherwise (a page by number, for old links)."""
        return self._page(rows, more_before=more_before, more_after=more_after)

    def _page(self, rows: list, *, more_before: bool, more_after: bool) -> KeysetPage:
        return KeysetPage(
            rows=rows,
            previous_cursor=self.cursor(BEFORE, rows[0]) if more_before and rows else None,
            next_cursor=self.cursor(AFTER, rows[-1]) if more_after and rows else None,
        )

    def last_cursor(self) -> str:
        return self.cursor(LAST)
