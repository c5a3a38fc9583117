"""Keeping the roll-ups honest: the key of an activity's group, the locks a write takes on its groups (in one order), and the checks of both roll-ups (`ActivityMonthCount`, `ActivityAsOfCount`) against a recount (`recount`, `kept`, `differences`, `rebuild`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import CharField, Count, DateField, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth

from ..models import (
    COUNTING_STATUSES,
    NO_REGION,
    Activity,
    ActivityAsOfCount,
    ActivityMonthCount,
    Status,
)

Key = tuple[int, int, int, dt.date, str]  # lead office, indicator, region or 0, month, status
# lead office, indicator, region or 0, month, grain, counted by
AsOfKey = tuple[int, int, int, dt.date, str, dt.date]


KEY_COLUMNS = "lead_office_id, indicator_id, region_key, month, status"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")  # the triggers' day (docs/domain.md, "Time")


def key_of(activity: Activity, status: str | None = None) -> Key:
    """The roll-up row an activity counts in, with its status or `status`."""
    return group_key(
        activity.lead_office_id,
        activity.indicator_id,
        activity.region_id,
        activity.occurred_on,
        status or activity.status,
    )


def group_key(
    lead_office_id: int, indicator_id: int, region_id: int | None, day: dt.date, status: str
) -> Key:
    """The roll-up row of an activity given by its fields (rows written as columns)."""
    return (lead_office_id, indicator_id, region_id or NO_REGION, day.replace(day=1), status)


def lock_counts(keys: Iterable[Key]) -> None:
    """Lock the roll-up rows a write is about to change, all at once and in one order.

    The triggers change a roll-up row per activity, in the order the activities are saved:
    two transactions saving activities of the same office, indicator and month (a bulk
    submit and a bulk verify) would take the same rows in different orders and deadlock.
    Taken first, in key order, they are waited for instead. Rows that do not exist yet are
    made (with 0). PostgreSQL only: SQLite has one writer at a time.

    The "as of" roll-up's rows (`ActivityAsOfCount`) are changed by the same triggers, by
    writes that move activities in or out of counting or change a counting one: such a
    write also locks its groups' "submitted" row, so that any two writes to the same
    office, indicator, region and month wait for each other there too."""
    keys = set(keys)
    keys |= {(*key[:4], Status.SUBMITTED.value) for key in keys if key[4] in COUNTING_STATUSES}
    keys = sorted(keys)
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


def _as_of_groups(grain: str) -> QuerySet:
    """The "as of" roll-up's rows at one grain, counted from the activities, as values in
    the table's column order (lead office, indicator, region or 0, month, grain, counted
    by, n): each activity that counts, by the later of the day it took place and the Hong
    Kong day it entered a counting state, or the first day of that day's month."""
    # The Hong Kong day, as the triggers take it, whatever time zone is active.
    by_day = Greatest(
        "occurred_on", TruncDate("counted_since", tzinfo=HONG_KONG), output_field=DateField()
    )
    return (
        Activity.objects.counted()
        .annotate(
            region_key=Coalesce("region_id", 0),
            first_day=TruncMonth("occurred_on"),
            grain_name=Value(grain, output_field=CharField()),
            by=by_day if grain == ActivityAsOfCount.DAY else TruncMonth(by_day),
        )
        .order_by()
        .values_list(
            "lead_office_id", "indicator_id", "region_key", "first_day", "grain_name", "by"
        )
        .annotate(n=Count("id"))
    )


def recount_as_of() -> dict[AsOfKey, int]:
    """The "as of" roll-up as it should be, counted from the activities (two queries)."""
    return {
        (o, i, r, m, g, b): n
        for grain in (ActivityAsOfCount.MONTH, ActivityAsOfCount.DAY)
        for o, i, r, m, g, b, n in _as_of_groups(grain)
    }


def kept_as_of() -> dict[AsOfKey, int]:
    """The "as of" roll-up as the triggers kept it (groups that went down to zero left out)."""
    rows = ActivityAsOfCount.objects.exclude(n=0).values_list(
        "lead_office_id", "indicator_id", "region_key", "month", "grain", "counted_by", "n"
    )
    return {(o, i, r, m, g, b): n for o, i, r, m, g, b, n in rows}


def kept() -> dict[Key, int]:
    """The roll-up as the triggers kept it (groups that went down to zero left out)."""
    rows = ActivityMonthCount.objects.exclude(n=0).values_list(
        "lead_office_id", "indicator_id", "region_key", "month", "status", "n"
    )
    return {(o, i, r, m, s): n for o, i, r, m, s, n in rows}


def _off(before: dict, counted: dict) -> dict:
    return {
        key: (before.get(key, 0), counted.get(key, 0))
        for key in counted.keys() | before.keys()
        if before.get(key, 0) != counted.get(key, 0)
    }


def differences(
    counted: dict[Key, int] | None = None, counted_as_of: dict[AsOfKey, int] | None = None
) -> dict[Key | AsOfKey, tuple[int, int]]:
    """The groups where either roll-up is off, as key: (kept, counted); a key of the "as
    of" roll-up has six parts, one of the month roll-up five."""
    counted = recount() if counted is None else counted
    counted_as_of = recount_as_of() if counted_as_of is None else counted_as_of
    return _off(kept(), counted) | _off(kept_as_of(), counted_as_of)


@transaction.atomic
def rebuild() -> dict[Key | AsOfKey, tuple[int, int]]:
    """Recount both roll-ups and write them anew; the groups that were off, as key: (kept,
    counted). Writers wait meanwhile (the activity table is locked on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE activities_activity IN SHARE MODE")
    counted, counted_as_of = recount(), recount_as_of()
    off = differences(counted, counted_as_of)
    ActivityAsOfCount.objects.all().delete()
    table = ActivityAsOfCount._meta.db_table
    with connection.cursor() as cursor:
        # written by the database from the recount's own query: a million activities make
        # hundreds of thousands of rows at the day grain
        for grain in (ActivityAsOfCount.MONTH, ActivityAsOfCount.DAY):
            select, params = _as_of_groups(grain).query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (lead_office_id, indicator_id, region_key, month, "  # noqa: S608
                f"grain, counted_by, n) {select}",
                params,
            )
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
