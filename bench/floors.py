"""The floors: the same work done by PostgreSQL alone over raw psycopg (the dashboards'
counts, the CSV export as COPY of the same rows and columns), to compare each request with."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import psycopg
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import COUNTING_STATUSES, AuthorityLevel, Status, end_of_day
from common.exports import FORMULA_TRIGGERS
from offices.models import Indicator, Office

from .measurement import Measurement, Request, SizeResult, measure_request, timed
from .options import EXPORT_REPEAT, EXPORT_YEAR, REPEAT, WARMUP
from .workload import Personas, past_as_of


def _dashboard_floor_sql(
    scope_ids: list[int] | None, as_of: dt.date | None = None
) -> tuple[str, dict]:
    """The dashboard's main figures by hand: counted activities of the year as of a day
    (today unless given), by lead office and indicator (ActivityQuerySet.counted, as_of,
    in_year)."""
    as_of = as_of or timezone.localdate()
    params = {
        "statuses": [str(s) for s in COUNTING_STATUSES],
        "start": dt.date(as_of.year, 1, 1),
        "end": dt.date(as_of.year, 12, 31),
        "as_of": as_of,
        "recorded_by": end_of_day(as_of),
    }
    scope = ""
    if scope_ids is not None:
        scope = "AND lead_office_id = ANY(%(scope)s) "
        params["scope"] = scope_ids
    sql = (
        "SELECT lead_office_id, indicator_id, count(*) FROM activities_activity "  # noqa: S608
        "WHERE status = ANY(%(statuses)s) AND removed_at IS NULL "
        "AND occurred_on BETWEEN %(start)s AND %(end)s "
        "AND occurred_on <= %(as_of)s AND counted_since < %(recorded_by)s "
        f"{scope}GROUP BY lead_office_id, indicator_id"
    )
    return sql, params


def _neutralised(expression: str) -> str:
    """csv_cells' text rules in SQL: a formula-looking start gets a quote; an empty text
    becomes NULL, which COPY writes as an empty field, as Python's csv module does."""
    triggers = ", ".join("'" + t.replace("'", "''") + "'" for t in FORMULA_TRIGGERS)
    triggers = triggers.replace("\t", "' || chr(9) || '").replace("\r", "' || chr(13) || '")
    return (
        f"NULLIF(CASE WHEN left({expression}, 1) IN ({triggers}) "
        f"THEN '''' || {expression} ELSE {expression} END, '')"
    )


def _name(alias: str) -> str:
    """LocalizedNamesMixin.name in English: English, else Traditional Chinese."""
    return f"COALESCE(NULLIF({alias}.name_en, ''), NULLIF({alias}.name_zh_hant, ''), '')"


def _person(alias: str) -> str:
    return (
        f"CASE WHEN {alias}.id IS NULL THEN '' ELSE COALESCE(NULLIF(btrim({alias}.first_name "
        f"|| ' ' || {alias}.last_name), ''), {alias}.username) END"
    )


def _local(expression: str) -> str:
    return f"to_char({expression} AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM-DD HH24:MI')"


def _choices(column: str, choices) -> str:
    whens = " ".join(
        f"WHEN '{value}' THEN '{str(label).replace(chr(39), chr(39) * 2)}'"
        for value, label in choices
    )
    return f"CASE {column} {whens} ELSE '' END"


def _joined_names(alias: str, through: str, target: str, table: str, order: str) -> str:
    """A related list as "a; b", as `_names` writes it: one LATERAL subquery per list, so
    that its value is computed once per row however often the outer SELECT uses it."""
    return (
        f"LEFT JOIN LATERAL (SELECT string_agg({_name('x')}, '; ' ORDER BY {order}) AS names "  # noqa: S608
        f"FROM {through} t JOIN {table} x ON x.id = t.{target} "
        f"WHERE t.activity_id = a.id) {alias} ON true "
    )


def export_copy_sql(*, year: int | None) -> str:
    """The CSV export's rows and columns (activities.exports.ActivityExport, in English), in the
    list's order, as one SELECT for COPY: the floor of the export."""
    with translation.override("en"):
        status = _choices("a.status", Status.choices)
        authority = _choices("a.authority_level", AuthorityLevel.choices)
        yes, no = "Yes", "No"
    counting = ", ".join(f"'{s}'" for s in COUNTING_STATUSES)
    year_filter = (
        f"AND a.occurred_on BETWEEN '{year}-01-01' AND '{year}-12-31' " if year is not None else ""
    )
    columns = [
        "a.occurred_on",
        _neutralised(_name("i")),
        _neutralised("a.title"),
        _neutralised("o.code"),
        _neutralised(_name("o")),
        _neutralised("po.names"),
        _neutralised(f"CASE WHEN r.id IS NULL THEN '' ELSE {_name('r')} END"),
        _neutralised("a.city"),
        _neutralised("cp.names"),
        _neutralised("pa.names"),
        _neutralised(authority),
        _neutralised("a.event_name"),
        _neutralised("a.hk_participants"),
        _neutralised(status),
        f"CASE WHEN a.status IN ({counting}) AND a.removed_at IS NULL THEN '{yes}' ELSE '{no}' END",
        _local("a.counted_since"),
        _neutralised(_person("rb")),
        _local("a.reviewed_at"),
        _neutralised("a.review_comment"),
        _neutralised(_person("cb")),
        _local("a.created_at"),
        _local("a.updated_at"),
        "a.id",
    ]
    return (
        f"SELECT {', '.join(columns)} FROM activities_activity a "  # noqa: S608
        "JOIN offices_indicator i ON i.id = a.indicator_id "
        "JOIN offices_office o ON o.id = a.lead_office_id "
        "LEFT JOIN offices_region r ON r.id = a.region_id "
        "LEFT JOIN accounts_user rb ON rb.id = a.reviewed_by_id "
        "JOIN accounts_user cb ON cb.id = a.created_by_id "
        + _joined_names(
            "po",
            "activities_activity_participating_offices",
            "office_id",
            "offices_office",
            "x.sort_order, x.code",
        )
        + _joined_names(
            "cp",
            "activities_activity_counterparts",
            "counterpart_id",
            "offices_counterpart",
            "x.type, x.name_en",
        )
        + _joined_names(
            "pa",
            "activities_activity_partners",
            "counterpart_id",
            "offices_counterpart",
            "x.type, x.name_en",
        )
        + f"WHERE a.removed_at IS NULL {year_filter}"
        "ORDER BY a.occurred_on DESC, a.id DESC"
    )


def _copy_out(raw: psycopg.Connection, select: str) -> int:
    """COPY of the export's rows, with JIT off as the export has it (common/copy_csv.py):
    compiling this query takes longer than running it, so the floor is the faster way."""
    size = 0
    with (
        raw.cursor() as cursor,
        jit_off(cursor),
        cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy,
    ):
        for data in copy:
            size += len(data)
    return size


def copy_output(raw: psycopg.Connection, select: str) -> bytes:
    chunks = []
    with raw.cursor() as cursor, cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
        for data in copy:
            chunks.append(bytes(data))
    return b"".join(chunks)


@contextlib.contextmanager
def jit_off(cursor) -> Iterator[None]:
    """PostgreSQL's JIT compiler (on by default) for the session, off: it compiles queries
    whose estimated cost passes jit_above_cost, which can take longer than running them."""
    cursor.execute("SET jit = off")
    try:
        yield
    finally:
        cursor.execute("RESET jit")


def measure_without_jit(people: Personas, result: SizeResult) -> None:
    """The bureau dashboard again with JIT off for Django's connection: for information, it
    tells how much of its time is JIT compilation (the EXPLAIN at the end shows it too)."""
    request = Request("bureau dashboard, jit off", people.viewer, reverse("reports:bureau"), "info")
    with connection.cursor() as cursor, jit_off(cursor):
        measure_request(request, result)


def measure_floors(raw: psycopg.Connection, people: Personas, result: SizeResult) -> None:
    def timed_floor(name: str, action, repeat: int, warmup: int) -> Measurement:
        for _run in range(warmup):
            action()
        return Measurement(name, [timed(action) for _run in range(repeat)], kind="floor")

    bureau_sql, bureau_params = _dashboard_floor_sql(None)
    office_sql, office_params = _dashboard_floor_sql(people.office.scope_ids())
    past = past_as_of()
    past_sql, past_params = _dashboard_floor_sql(None, past)
    floors = {
        "bureau dashboard": timed_floor(
            "SQL: counts by office x indicator",
            lambda: raw.execute(bureau_sql, bureau_params).fetchall(),
            REPEAT,
            WARMUP,
        ),
        f"bureau dashboard as of {past}": timed_floor(
            f"SQL: counts by office x indicator as of {past}",
            lambda: raw.execute(past_sql, past_params).fetchall(),
            REPEAT,
            WARMUP,
        ),
        "office dashboard (GDETO)": timed_floor(
            "SQL: counts by office x indicator, GDETO",
            lambda: raw.execute(office_sql, office_params).fetchall(),
            REPEAT,
            WARMUP,
        ),
        f"export {EXPORT_YEAR} CSV": timed_floor(
            f"COPY {EXPORT_YEAR} TO STDOUT (FORMAT csv)",
            lambda: _copy_out(raw, export_copy_sql(year=EXPORT_YEAR)),
            EXPORT_REPEAT,
            1,
        ),
        "export all CSV": timed_floor(
            "COPY all TO STDOUT (FORMAT csv)",
            lambda: _copy_out(raw, export_copy_sql(year=None)),
            EXPORT_REPEAT,
            1,
        ),
    }
    with jit_off(raw):
        floors["bureau dashboard, jit off"] = timed_floor(
            "SQL: counts by office x indicator, jit off",
            lambda: raw.execute(bureau_sql, bureau_params).fetchall(),
            REPEAT,
            WARMUP,
        )
    for request_name, floor in floors.items():
        result.measurements[request_name].floor = floor
    as_of_sql, as_of_params = _as_of_rollup_floor_sql(past)
    result.other_floors[f"bureau dashboard as of {past}"] = timed_floor(
        "SQL on the as-of roll-up: counts by office x ind.",
        lambda: raw.execute(as_of_sql, as_of_params).fetchall(),
        REPEAT,
        WARMUP,
    )
    rollup = _rollup_floor_sql()
    if rollup is not None:
        rollup_sql, rollup_params = rollup
        result.other_floors["bureau dashboard"] = timed_floor(
            "SQL on the roll-up: counts by office x ind.",
            lambda: raw.execute(rollup_sql, rollup_params).fetchall(),
            REPEAT,
            WARMUP,
        )


def _rollup_floor_sql() -> tuple[str, dict] | None:
    """The same counts from the roll-up the dashboards read as of today (activities.counts),
    where the code has one: what the floor becomes when the dashboard no longer reads the
    activities. For information; the issue's floor is the aggregate over the activities."""
    try:
        model = apps.get_model("activities", "ActivityMonthCount")
    except LookupError:
        return None
    year = timezone.localdate().year
    sql = (
        f"SELECT lead_office_id, indicator_id, sum(n) FROM {model._meta.db_table} "  # noqa: S608
        "WHERE month BETWEEN %(start)s AND %(end)s AND status = ANY(%(statuses)s) "
        "GROUP BY lead_office_id, indicator_id"
    )
    params = {
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
        "statuses": [str(s) for s in COUNTING_STATUSES],
    }
    return sql, params


def _as_of_rollup_floor_sql(day: dt.date) -> tuple[str, dict]:
    """The counts as of a past day from the "as of" roll-up, by hand: the months before the
    day's month at the month grain, the day's month at the day grain (activities.counts)."""
    sql = (
        "SELECT lead_office_id, indicator_id, sum(n) FROM activities_activityasofcount "
        "WHERE month BETWEEN %(start)s AND %(end)s AND ("
        "(grain = 'month' AND counted_by < %(month)s) "
        "OR (grain = 'day' AND counted_by BETWEEN %(month)s AND %(day)s)) "
        "GROUP BY lead_office_id, indicator_id"
    )
    params = {
        "start": dt.date(day.year, 1, 1),
        "end": dt.date(day.year, 12, 31),
        "month": day.replace(day=1),
        "day": day,
    }
    return sql, params


def check_as_of_matches_rows(raw: psycopg.Connection, people: Personas) -> tuple[bool, str]:
    """The progress API as of a past day against the rule applied to the rows by hand: each
    office's and unit's achieved figure per indicator, and the bureau's, equal to counting
    the activities (docs/domain.md, "As of")."""
    past = past_as_of()
    sql, params = _dashboard_floor_sql(None, past)
    counts: dict[tuple[int, int], int] = {}
    for office_id, indicator_id, n in raw.execute(sql, params).fetchall():
        counts[(office_id, indicator_id)] = n
    offices = {o.code: o for o in Office.objects.all()}
    indicators = {i.code: i.pk for i in Indicator.objects.all()}
    response = people.api.get(
        f"{reverse('api:progress')}?year={past.year}&as_of={past}",
        headers={"Authorization": f"Bearer {people.viewer_token}"},
    )
    data = response.json()
    compared, differing = 0, []

    def compare(label: str, office_ids: list[int], figures: list[dict]) -> None:
        nonlocal compared
        for figure in figures:
            indicator = indicators[figure["indicator"]]
            expected = sum(counts.get((pk, indicator), 0) for pk in office_ids)
            compared += 1
            if figure["achieved"] != expected:
                differing.append(
                    f"{label} {figure['indicator']}: {figure['achieved']} != {expected}"
                )

    compare("bureau", list({pk for pk, _i in counts}), data["indicators"])
    for row in data["offices"]:
        compare(row["office"], offices[row["office"]].scope_ids(), row["figures"])
        for unit in row["units"]:
            compare(unit["office"], [offices[unit["office"]].pk], unit["figures"])
    total = sum(counts.values())
    if differing:
        return False, f"as of {past}: {len(differing)} of {compared} differ: " + "; ".join(
            differing[:5]
        )
    return True, f"as of {past}: {compared} figures equal to the rows' count ({total:,} activities)"


def check_copy_matches_export(raw: psycopg.Connection, people: Personas) -> tuple[bool, str]:
    """The floor must do the export's work: its output, compared with the export's own
    CSV (BOM, header and line ends aside)."""
    url = f"{reverse('activities:export', args=['csv'])}?date_from={EXPORT_YEAR}-01-01&date_to={EXPORT_YEAR}-12-31"
    response = people.viewer.get(url)
    exported = b"".join(response.streaming_content)
    ours = exported.decode("utf-8-sig").replace("\r\n", "\n").split("\n", 1)[1]
    theirs = copy_output(raw, export_copy_sql(year=EXPORT_YEAR)).decode()
    if ours == theirs:
        return True, f"identical ({len(theirs.splitlines())} lines)"
    for n, (a, b) in enumerate(zip(ours.splitlines(), theirs.splitlines(), strict=False)):
        if a != b:
            return False, f"DIFFERENT at line {n + 2}:\n  export: {a[:300]}\n  COPY:   {b[:300]}"
    return False, f"DIFFERENT lengths: export {len(ours)} characters, COPY {len(theirs)}"
