"""Writing many activities at once, as columns: the import's confirmation (the activities it
checked again, or the ones its preview kept, as columns of their fields) and the demo's bulk
write. On PostgreSQL each table's rows go in one statement, a column of values a field
(`unnest`), not a parameter per row and field; SQLite gets model objects through
bulk_create. The checks are elsewhere (`writing.activity_check`); nothing here is a way
around them."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import TypeVar

from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from psycopg.types.json import Jsonb

from common.db import retry_on_conflict

from ..counts import group_key, key_of, lock_counts
from ..models import Activity, Status
from .checks import EDITABLE_ATTNAMES, M2M_FIELDS

BULK_BATCH = 1000  # rows per INSERT of a bulk write (SQLite)
M = TypeVar("M", bound=Model)


@retry_on_conflict
def activities_create_checked(
    *, user, checked: Sequence[tuple[Activity, dict[str, list]]]
) -> list[Activity]:
    """Write, as drafts, activities that `activity_check` passed in this same transaction,
    or that it passed at an import's preview with everything that can have changed since
    checked again in this transaction (`imports.kept`), with their related lists (the
    import's confirmation checks its rows, to say which fails and why, then writes them all
    with this). Not a way around the checks."""
    for activity, _links in checked:
        if not activity._state.adding or activity.status != Status.DRAFT:
            raise ValueError("Only new drafts that activity_check passed are written here.")
        activity.record_change(by=user, previous_status=None)
        activity._history_user = user
    return activities_bulk_write(checked, default_user=user)


# Fields whose preparation for PostgreSQL (get_db_prep_save) gives back a value of these exact
# types unchanged (a datetime if aware): it is skipped for those, and run for any other.
_PLAIN_FIELDS = {
    "CharField",
    "TextField",
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
}
_PLAIN_VALUES = (int, str, dt.date, type(None))


def _column(field, objects: Sequence[Model]) -> list:
    """The objects' values of a field, as bulk_create takes them (an automatic time set)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return [field.pre_save(obj, True) for obj in objects]
    return [getattr(obj, field.attname) for obj in objects]


def _prepared(field, values: list) -> list:
    """The values prepared for PostgreSQL as bulk_create prepares them."""
    if field.get_internal_type() not in _PLAIN_FIELDS:
        return [field.get_db_prep_save(value, connection) for value in values]
    if set(map(type, values)) <= _PLAIN_KINDS:  # most columns: nothing to prepare
        return values
    # An aware time as it is only where the column holds times: a day's column prepares
    # one (the day in Hong Kong), as bulk_create would.
    times = field.get_internal_type() == "DateTimeField"
    return [
        value
        if type(value) in _PLAIN_VALUES or (times and type(value) is dt.datetime and value.tzinfo)
        else field.get_db_prep_save(value, connection)
        for value in values
    ]


_PLAIN_KINDS = set(_PLAIN_VALUES)


def _type_of(field) -> str:
    # The column's type without its length or precision (varchar, not varchar(200)): a cast
    # to varchar(200) would cut a longer text without a word, where the INSERT into the
    # column refuses it, as bulk_create's does.
    return re.sub(r"\(.*\)", "", field.db_type(connection))


def _column_array(db_type: str, values: list) -> tuple[str, object]:
    """A column of values as one parameter, and the SQL that makes it an array of the
    column's type. Numbers, text, days, aware times and JSON (as `_prepared` leaves them) go as
    one JSON array, which the server splits into text and casts as it would cast the literal of
    each value: the driver writes a JSON text of 5 000 values in a fifth of the time it
    takes to write them as an array literal, one value at a time in Python. Other values go
    as a plain array."""
    kinds = set(map(type, values))
    if kinds <= _JSON_KINDS:  # text, whole numbers and nulls (most columns): as they are
        plain = values
    elif kinds <= _JSON_KINDS | {dt.date}:
        plain = [value.isoformat() if type(value) is dt.date else value for value in values]
    else:
        plain = _json_ready(values)
        if plain is None:
            return f"%s::{db_type}[]", values
    return (
        "ARRAY(SELECT value FROM json_array_elements_text(%s::json) WITH ORDINALITY "  # noqa: S608 (a type from the model)
        f"AS e (value, ordinal) ORDER BY ordinal)::{db_type}[]",
        json.dumps(plain, ensure_ascii=False),
    )


_JSON_KINDS = {str, int, type(None)}


def _json_ready(values: list) -> list | None:
    """The values as a JSON array carries them (aware times and days as ISO text, JSON as
    the driver would write it), or None if one of them cannot go that way."""
    plain = []
    for value in values:
        kind = type(value)
        if kind is str or kind is int or value is None:
            plain.append(value)
        elif (kind is dt.datetime and value.tzinfo) or kind is dt.date:
            plain.append(value.isoformat())
        elif kind is Jsonb and value.dumps is not None:
            plain.append(value.dumps(value.obj))  # as the driver would write it
        else:
            return None
    return plain


def _insert(model: type[M], objects: list[M]) -> list[M]:
    """`bulk_create`, in one statement on PostgreSQL (`_insert_columns`), each value prepared
    for the database by its field as bulk_create prepares it. Objects whose primary key is
    given, and SQLite, go through bulk_create itself."""
    pk = model._meta.pk
    if (
        connection.vendor != "postgresql"
        or not objects
        or any(obj.pk is not None for obj in objects)
    ):
        return model.objects.bulk_create(objects, batch_size=BULK_BATCH)
    fields = [field for field in model._meta.concrete_fields if field is not pk]
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    keys = _insert_columns(model, {field: _column(field, objects) for field in fields})
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def _insert_columns(model: type[Model], columns: dict, constants: dict | None = None) -> list:
    """Rows given as columns (field -> values, as the model holds them), and the values
    every row has (`constants`: field -> value), written in one statement on PostgreSQL,
    each value prepared by its field as bulk_create prepares it: each column sent as one
    array (`unnest`), not a parameter per row and field (5 000 activities: 120 000
    parameters, which Django's compiler and the driver would each go through one by one), a
    constant as one parameter. Returns the rows' primary keys, in order. SQLite: model
    objects through bulk_create."""
    constants = constants or {}
    if connection.vendor != "postgresql":
        names = [field.attname for field in columns]
        fixed = {field.attname: value for field, value in constants.items()}
        objects = [
            model(**dict(zip(names, values, strict=True)), **fixed)
            for values in zip(*columns.values(), strict=True)
        ]
        return [obj.pk for obj in model.objects.bulk_create(objects, batch_size=BULK_BATCH)]
    if not any(columns.values()):
        return []
    quote = connection.ops.quote_name
    arrays, params = [], []
    for field, values in columns.items():
        array, param = _column_array(_type_of(field), _prepared(field, values))
        arrays.append(array)
        params.append(param)
    names = ", ".join(quote(field.column) for field in columns)
    # The constants' placeholders come first in the statement (in its SELECT list).
    fixed = [f"%s::{_type_of(field)}" for field in constants]
    params = [_prepared(field, [value])[0] for field, value in constants.items()] + params
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from the model)
            f"({', '.join([names, *(quote(field.column) for field in constants)])}) "
            f"SELECT {', '.join([names, *fixed])} FROM unnest({', '.join(arrays)}) "
            # The ids come back in the order the rows went in (by ordinal), as Django's own
            # bulk_create from UNNEST arrays (5.2) counts on too.
            f"WITH ORDINALITY AS v ({names}, ordinal) ORDER BY ordinal "
            f"RETURNING {quote(model._meta.pk.column)}",
            params,
        )
        return [key for (key,) in cursor.fetchall()]


HISTORY_BATCH = 1000  # rows per INSERT ... SELECT of their history (3 parameters each)


def _write_history(ids: Sequence[int], *, dates: Sequence, users: Sequence) -> dict[int, int]:
    """The first version of each activity just written ("+"), copied from its row by the
    database, with who and when (`users`' ids and `dates`, one for each activity), as
    django-simple-history would record them. Returns each activity's history id."""
    history = Activity.history.model
    quote = connection.ops.quote_name
    columns = [field.column for field in history.tracked_fields]
    adapt = connection.ops.adapt_datetimefield_value  # once: `connection` is a proxy
    history_of: dict[int, int] = {}
    copy = (
        f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608 (names from the models)
        f"({', '.join(quote(c) for c in columns)}, history_date, history_type, "
        "history_user_id, history_change_reason) "
        f"SELECT {', '.join(f'a.{quote(c)}' for c in columns)}, v.column2, '+', "
        f"v.column3, NULL FROM {quote(Activity._meta.db_table)} a "
        "JOIN {rows} ON v.column1 = a.id "
        "RETURNING id, history_id"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Three arrays, one statement: not three parameters a row, which the driver
            # would read one by one.
            arrays = [
                _column_array("bigint", list(ids)),
                _column_array("timestamptz", [adapt(when) for when in dates]),
                _column_array("bigint", list(users)),
            ]
            rows = (
                f"unnest({', '.join(sql for sql, _param in arrays)}) "
                "AS v (column1, column2, column3)"
            )
            cursor.execute(copy.format(rows=rows), [param for _sql, param in arrays])
            history_of.update(cursor.fetchall())
            return history_of
        written = list(zip(ids, dates, users, strict=True))
        for start in range(0, len(written), HISTORY_BATCH):
            batch = written[start : start + HISTORY_BATCH]
            params = [value for pk, when, user in batch for value in (pk, adapt(when), user)]
            rows = f"(VALUES {', '.join(['(%s, %s, %s)'] * len(batch))}) v"
            cursor.execute(copy.format(rows=rows), params)
            history_of.update(cursor.fetchall())
    return history_of


def _write_history_and_links(
    ids: Sequence[int], *, dates: Sequence, users: Sequence, links: dict[str, Sequence]
) -> None:
    """What a new activity's save writes after its row: its first history version, and its
    related lists (`links`: for each list, the ids of each activity's objects), which that
    version lists too."""
    history_of = _write_history(ids, dates=dates, users=users)
    for name in M2M_FIELDS:
        # The lists as columns of ids, not a model object a link (10 000 of them for 5 000
        # activities with a counterpart each, a quarter of the write's time in Python).
        field = Activity._meta.get_field(name)
        through = field.remote_field.through
        historical = apps.get_model("activities", f"HistoricalActivity_{name}")
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        pairs = [
            (activity_id, obj_id)
            for activity_id, obj_ids in zip(ids, links.get(name) or [()] * len(ids), strict=True)
            for obj_id in obj_ids
        ]
        sources = [activity_id for activity_id, _obj_id in pairs]
        targets = [obj_id for _activity_id, obj_id in pairs]
        link_ids = _insert_columns(
            through,
            {
                through._meta.get_field(source): sources,
                through._meta.get_field(target): targets,
            },
        )
        _insert_columns(
            historical,
            {
                historical._meta.get_field("id"): link_ids,
                historical._meta.get_field(source): sources,
                historical._meta.get_field(target): targets,
                historical._meta.get_field("history"): [history_of[pk] for pk in sources],
            },
        )


def activities_bulk_write(
    pending: Sequence[tuple[Activity, dict[str, list]]], *, default_user
) -> list[Activity]:
    """Write activities that are ready (checked, bookkeeping done) in a few queries whatever
    their number: the rows, their first history version, and their related lists, which
    that version lists too, as a single save would. Used by the bulk import and the demo
    seed; not a way around the checks (`activities_create_bulk` is)."""
    if not pending:
        return []
    lock_counts(key_of(activity) for activity, _links in pending)
    created = _insert(Activity, [activity for activity, _links in pending])
    now = timezone.now()
    default_id = default_user.pk if default_user is not None else None
    users = []
    for activity in created:
        user = getattr(activity, "_history_user", None)
        users.append(user.pk if user is not None else default_id)
    _write_history_and_links(
        [activity.pk for activity in created],
        dates=[getattr(activity, "_history_date", None) or now for activity in created],
        users=users,
        links={
            name: [[obj.pk for obj in links.get(name, ())] for _activity, links in pending]
            for name in M2M_FIELDS
        },
    )
    return created


@retry_on_conflict
def activities_create_kept(
    *, user, fields: dict[str, list], links: dict[str, Sequence[Sequence[int]]]
) -> list[int]:
    """Write, as drafts, activities that `activity_check` passed at an import's preview,
    given as columns of the fields it decided (`imports.kept`: for each attname, one value
    an activity, ready for the database), with their related lists as ids, once everything
    that can have changed since has been checked again in this transaction. What
    `activities_create_checked` writes, without making a model object for each: the
    bookkeeping is `record_change`'s for a new draft, worked out once for all of them (one
    author, one moment), the other fields their defaults. Not a way around the checks.
    Returns the new activities' ids, in order."""
    count = len(fields["occurred_on"])
    if set(fields) != set(EDITABLE_ATTNAMES) or any(len(v) != count for v in fields.values()):
        raise ValueError("The columns of the fields activity_check decides, all as long.")
    if set(links) - set(M2M_FIELDS) or any(len(ids) != count for ids in links.values()):
        raise ValueError("A list of ids for each activity, in related lists it has.")
    if not count:
        return []
    template = Activity(status=Status.DRAFT)
    template.record_change(by=user, previous_status=None)
    written = [field for field in Activity._meta.concrete_fields if field is not Activity._meta.pk]
    columns = {field: fields[field.attname] for field in written if field.attname in fields}
    constants = {
        field: _column(field, [template])[0] for field in written if field.attname not in fields
    }
    lock_counts(
        group_key(office, indicator, region, day, template.status)
        for office, indicator, region, day in zip(
            fields["lead_office_id"],
            fields["indicator_id"],
            fields["region_id"],
            fields["occurred_on"],
            strict=True,
        )
    )
    ids = _insert_columns(Activity, columns, constants)
    _write_history_and_links(
        ids, dates=[timezone.now()] * count, users=[user.pk] * count, links=links
    )
    return ids
