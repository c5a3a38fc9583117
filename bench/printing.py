"""What the bench prints: a table per size, the targets, the slowest queries and the plans
of the slow ones."""

from __future__ import annotations

import psycopg
from django.urls import reverse

from .measurement import Request, SizeResult, counted, fetch, ms
from .targets import PAGE_MEDIAN_MS, Check, summary
from .workload import Personas, past_as_of

LEGEND = """\
columns: median and p95 of the full server time of a request (test client: middleware,
session, view, queries, rendering, a streamed body read to the end) over the timed runs;
floor: the same work done by PostgreSQL alone over raw psycopg (dashboards: the counts by
office and indicator; CSV exports: COPY (SELECT the same rows and columns) TO STDOUT);
ratio: median / floor's median; queries: per request, as the tests' assertNumQueries
counts them (exports: counted by an execute wrapper); peak MB: Python's peak allocation
during an export (tracemalloc); RSS MB: growth of the process's resident set during it;
rows/s: rows exported per second (median); 1st byte: ms until a streamed export's first
bytes were ready (median). "jit off" rows are for information only."""


def print_table(result: SizeResult) -> None:
    print(f"\n=== {result.size:,} activities ===")
    header = (
        f"{'request':<44} {'median ms':>11} {'p95 ms':>11} {'floor ms':>10} {'ratio':>7} "
        f"{'queries':>7} {'peak MB':>8} {'RSS MB':>7} {'rows/s':>9} {'1st byte':>9}"
    )
    print(header)
    print("-" * len(header))
    for m in result.measurements.values():
        floor = m.floor.median if m.floor else None
        ratio = f"{m.ratio:.1f}x" if m.ratio else ""
        peak = f"{m.peak_mb:.1f}" if m.peak_mb is not None else ""
        rss = f"{m.rss_mb:.1f}" if m.rss_mb is not None else ""
        speed = f"{m.rows_per_second:,.0f}" if m.rows_per_second else ""
        first = ms(m.first_byte_median)
        print(
            f"{m.name:<44} {ms(m.median):>11} {ms(m.p95):>11} {ms(floor):>10} {ratio:>7} "
            f"{m.queries if m.queries is not None else '':>7} {peak:>8} {rss:>7} {speed:>9} {first:>9}"
        )
    floors = [(name, m.floor) for name, m in result.measurements.items() if m.floor]
    print("\nfloors (raw psycopg, same database):")
    for name, floor in floors:
        rows = result.measurements[name].rows
        speed = f", {rows / floor.median:,.0f} rows/s" if rows else ""
        print(
            f"  {floor.name:<44} median {ms(floor.median)} ms, p95 {ms(floor.p95)} ms{speed}"
            f"  (for: {name})"
        )
    for name, floor in result.other_floors.items():
        m = result.measurements[name]
        print(
            f"  {floor.name:<44} median {ms(floor.median)} ms, p95 {ms(floor.p95)} ms"
            f"  (for: {name}, information: {m.median / floor.median:.1f}x)"
        )


def print_summary(results: list[SizeResult], extra: list[Check]) -> None:
    largest = results[-1]
    print(f"\n=== goals (docs/performance.md), at {largest.size:,} activities unless said ===")
    for check in summary(results, extra):
        verdict = "n/a " if check.passed is None else "PASS" if check.passed else "MISS"
        floor = f"   [floor: {check.floor}]" if check.floor else ""
        print(f"{verdict}  {check.goal}: {check.measured}{floor}")


def _shorten(sql: str, width: int = 220) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 3] + "..."


def _plan_and_run(raw: psycopg.Connection, sql: str) -> str:
    """Where a query's time goes: planning, execution and JIT compilation, from EXPLAIN
    ANALYZE on the raw connection (SELECTs only: EXPLAIN ANALYZE runs the statement)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    try:
        ((plan,),) = raw.execute(f"EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) {sql}").fetchall()
    except psycopg.Error:
        return ""
    summary = plan[0]
    jit = summary.get("JIT", {}).get("Timing", {}).get("Total")
    jit_text = f", jit {jit:.0f}" if jit else ""
    return f"(plan {summary['Planning Time']:.1f}, run {summary['Execution Time']:.1f}{jit_text}) "


def print_slow_queries(raw: psycopg.Connection, result: SizeResult) -> None:
    print(
        f"\n=== the slowest queries of each request at {result.size:,} activities ===\n"
        "(time in the request; in brackets, EXPLAIN ANALYZE of it again: planning, execution "
        "and JIT compilation, ms)"
    )
    for name, queries in result.slow_queries.items():
        print(f"{name}:")
        for seconds, sql in queries:
            print(f"  {seconds * 1000:9.1f} ms  {_plan_and_run(raw, sql)}{_shorten(sql, 160)}")


def _main_dashboard_query(captured: list[tuple[float, str]]) -> str | None:
    """The dashboard's counts by lead office and indicator, as Django sent it: from the
    month roll-up (as of today), the "as of" roll-up (a past day), or the activities."""
    starts = tuple(
        f'SELECT "{table}"."lead_office_id" AS "lead_office_id", '
        f'"{table}"."indicator_id" AS "indicator_id", '
        for table in (
            "activities_activitymonthcount",
            "activities_activityasofcount",
            "activities_activity",
        )
    )
    for _seconds, sql in captured:
        if sql.startswith(starts):
            return sql
    return None


# The main reads (docs/performance.md, "Query plans"): the slowest query of each of these
# requests is explained whatever its time, with those of every request over its goal.
MAIN_REQUESTS = (
    "list, page ",
    "list search ",
    "list by title, ",
    "API list, page ",
    "progress API (bureau) as of ",
    "export all CSV",
    "import 5000 rows: confirm",
    "annual report",
)


def _explainable(sql: str) -> str | None:
    """A SELECT to explain: the query itself, or the one a COPY writes out."""
    text = sql.strip()
    if text.startswith("COPY ("):
        return text[len("COPY (") : text.rindex(") TO STDOUT")]
    if text.upper().startswith(("SELECT", "WITH")):
        return text
    return None


def _deep(name: str, names: list[str]) -> bool:
    """A request's deepest page: "page 1" is left to the plans of the deep ones."""
    if not name.endswith(", page 1"):
        return True
    stem = name.removesuffix(", page 1")
    return not any(o.startswith(stem + ", page ") and not o.endswith(", page 1") for o in names)


def print_explains(raw: psycopg.Connection, people: Personas, result: SizeResult) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the dashboard's main query (as of today and of a past
    day), of the slowest query of the main requests, and of that of every request slower
    than its goal, at the largest size."""
    _queries, captured = counted(
        lambda: fetch(Request("", people.viewer, reverse("reports:bureau")))
    )
    explained = [
        ("bureau dashboard: counts by office x indicator", _main_dashboard_query(captured))
    ]
    past = past_as_of()
    _queries, captured = counted(
        lambda: fetch(
            Request("", people.viewer, f"{reverse('reports:bureau')}?year={past.year}&as_of={past}")
        )
    )
    explained.append(
        (
            f"bureau dashboard as of {past}: counts by office x indicator",
            _main_dashboard_query(captured),
        )
    )
    names = list(result.slow_queries)
    for name, queries in result.slow_queries.items():
        m = result.measurements[name]
        if not queries:
            continue
        main = name.startswith(MAIN_REQUESTS) and _deep(name, names)
        slow = m.kind in ("dashboard", "page", "api") and m.median * 1000 >= PAGE_MEDIAN_MS
        if main or slow:
            explained.append((f"{name}: slowest query", _explainable(queries[0][1])))
    seen = set()
    for title, sql in explained:
        if sql is None or sql in seen:
            continue
        seen.add(sql)
        print(f"\n--- EXPLAIN (ANALYZE, BUFFERS) {title} ---")
        print(_shorten(sql, 2000))
        try:
            lines = raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()
        except psycopg.Error as error:
            print(f"  (not explained: {error})")
            continue
        for (line,) in lines:
            print(f"  {line}")
