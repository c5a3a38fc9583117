"""The goals of docs/performance.md, checked at the largest size: each met (PASS), not met
(MISS), or not to be told from this run (n/a), printed beside its floor."""

from __future__ import annotations

import re
from dataclasses import dataclass

from activities.exports import ActivityExport

from .annual import REPORT_FORMATS, report_name
from .measurement import Measurement, SizeResult, ms
from .options import EXPORT_YEAR, IMPORT_ROWS, SEARCH_TERM

# The goals, at the largest size (issue 18; the first benchmark's in brackets where kept).
CSV_SHARE_OF_COPY = 0.9  # the all-rows CSV export, against COPY of the same rows
CSV_FIRST_BYTE_S = 0.3
XLSX_ROWS_PER_S = 25_000
IMPORT_SECONDS = 1.5
AS_OF_PAST_MS = 50.0  # dashboards and the progress API as of a past day
SEARCH_SORT_MS = 100.0  # free-text search and any sort, at any depth, list and API
PAGE_MEDIAN_MS = 100.0  # every other list page and list API page
REPORT_SECONDS = 5.0  # the annual report, each of XLSX and PDF
DASHBOARD_SCRIPT_BYTES = 1_500_000
DASHBOARD_FLOOR_RATIO = 3.0  # the bureau dashboard as of today, against its SQL floor
# Peak memory "does not grow": at the largest size within 25 % (plus 1 MB) of its peak at the
# first size where the export reads two chunks or more.
MEMORY_GROWTH_ALLOWED = 1.25


@dataclass(frozen=True)
class Check:
    goal: str
    passed: bool | None  # None: cannot be told from this run, or for information
    measured: str
    floor: str = ""


def _stable_name(name: str) -> str:
    """A request's name without its page numbers, to compare it across sizes."""
    return re.sub(r", page \d+ of \d+$", ", deep page", name)


def _is_search_or_sort(m: Measurement) -> bool:
    return f"'{SEARCH_TERM}'" in m.name or " by " in m.name


def _is_past_as_of(m: Measurement) -> bool:
    return " as of " in m.name


def _query_counts(results: list[SizeResult]) -> list[Check]:
    largest = results[-1]
    counts: dict[str, dict[int, int]] = {}
    for result in results:
        for m in result.measurements.values():
            if m.queries is not None:
                counts.setdefault(_stable_name(m.name), {})[result.size] = m.queries
    checks = []
    for kinds, label in (
        (("dashboard", "page", "api", "import", "import-step"), "pages, API, dashboards, import"),
        (("export", "report"), "exports and the annual report"),
    ):
        names = {_stable_name(m.name) for m in largest.measurements.values() if m.kind in kinds}
        differing = {n: c for n, c in counts.items() if n in names and len(set(c.values())) > 1}
        detail = "; ".join(
            f"{n}: " + " / ".join(f"{c[s]}" for s in sorted(c)) for n, c in differing.items()
        )
        sizes = len(results)
        checks.append(
            Check(
                f"query counts equal at every size ({label})",
                None if sizes < 2 else not differing,
                detail or ("equal" if sizes > 1 else "one size only"),
            )
        )
    return checks


def _exports(results: list[SizeResult]) -> list[Check]:
    largest = results[-1]
    checks = []
    names = ("export all CSV", f"export {EXPORT_YEAR} CSV", f"export {EXPORT_YEAR} XLSX")
    if not all(name in largest.measurements for name in names):
        return checks  # a partial run (BENCH_ONLY)
    export = largest.measurements["export all CSV"]
    if export.floor is None:
        return checks  # a partial run (BENCH_ONLY) without the COPY floors
    copy_speed = export.rows / export.floor.median
    share = export.rows_per_second / copy_speed
    checks.append(
        Check(
            f"CSV export of all rows at least {CSV_SHARE_OF_COPY:g} x COPY's rows/s",
            share >= CSV_SHARE_OF_COPY,
            f"{export.rows_per_second:,.0f} rows/s = {share:.2f} x",
            f"COPY {copy_speed:,.0f} rows/s",
        )
    )
    checks.append(
        Check(
            f"CSV export of all rows: first byte within {CSV_FIRST_BYTE_S:g} s",
            export.first_byte_median <= CSV_FIRST_BYTE_S,
            f"{export.first_byte_median:.3f} s (median)",
        )
    )
    xlsx = largest.measurements[f"export {EXPORT_YEAR} XLSX"]
    checks.append(
        Check(
            f"XLSX export at least {XLSX_ROWS_PER_S:,} rows/s",
            xlsx.rows_per_second >= XLSX_ROWS_PER_S,
            f"{xlsx.rows_per_second:,.0f} rows/s ({xlsx.rows:,} rows)",
        )
    )
    for name in names:
        large = largest.measurements[name]
        # Compared from the first size at which the export reads two chunks or more: below
        # that it does not yet hold a whole chunk, and would seem to grow when it does not.
        baseline = next(
            r.measurements[name]
            for r in results
            if r is largest or r.measurements[name].rows >= 2 * ActivityExport.chunk_size
        )
        goal = f"{name}: peak memory flat (does not grow with the rows)"
        if baseline is large:
            checks.append(Check(goal, None, "one size only with two chunks or more of rows"))
            continue
        allowed = baseline.peak_mb * MEMORY_GROWTH_ALLOWED + 1
        rss = ""
        if baseline.rss_mb is not None and large.rss_mb is not None:
            rss = f"; RSS growth {baseline.rss_mb:.1f} -> {large.rss_mb:.1f} MB"
        checks.append(
            Check(
                goal,
                large.peak_mb <= allowed,
                f"{baseline.peak_mb:.1f} MB at {baseline.rows:,} rows -> {large.peak_mb:.1f} MB "
                f"at {large.rows:,} rows (allowed {allowed:.1f}){rss}",
            )
        )
    return checks


def _reads(largest: SizeResult) -> list[Check]:
    checks = []
    bureau = largest.measurements.get("bureau dashboard")
    if bureau is not None and bureau.floor is not None:
        checks.append(
            Check(
                f"bureau dashboard as of today within {DASHBOARD_FLOOR_RATIO:g} x its SQL floor",
                bureau.ratio <= DASHBOARD_FLOOR_RATIO,
                f"{ms(bureau.median)} ms = {bureau.ratio:.1f} x",
                f"SQL {ms(bureau.floor.median)} ms",
            )
        )
    rollup = largest.other_floors.get("bureau dashboard")
    if rollup is not None and bureau is not None:
        checks.append(
            Check(
                "(information) bureau dashboard against the same counts read from the roll-up",
                None,
                f"{ms(bureau.median)} ms = {bureau.median / rollup.median:.1f} x",
                f"roll-up {ms(rollup.median)} ms",
            )
        )
    for m in largest.measurements.values():
        if m.kind not in ("dashboard", "page", "api"):
            continue
        floor = f"SQL {ms(m.floor.median)} ms" if m.floor else ""
        rolled = largest.other_floors.get(m.name)
        if rolled is not None:
            floor += f"; roll-up {ms(rolled.median)} ms"
        if _is_past_as_of(m):
            checks.append(
                Check(
                    f"{m.name}: median within {AS_OF_PAST_MS:g} ms",
                    m.median * 1000 <= AS_OF_PAST_MS,
                    f"{ms(m.median)} ms",
                    floor,
                )
            )
        elif _is_search_or_sort(m):
            checks.append(
                Check(
                    f"{m.name}: median under {SEARCH_SORT_MS:g} ms",
                    m.median * 1000 < SEARCH_SORT_MS,
                    f"{ms(m.median)} ms",
                )
            )
        elif m.kind in ("page", "api") and not m.name.startswith("progress"):
            checks.append(
                Check(
                    f"{m.name}: median under {PAGE_MEDIAN_MS:g} ms",
                    m.median * 1000 < PAGE_MEDIAN_MS,
                    f"{ms(m.median)} ms",
                )
            )
    return checks


def _import_and_reports(largest: SizeResult) -> list[Check]:
    checks = []
    imported = largest.measurements.get(f"import {IMPORT_ROWS} rows: total")
    if imported is not None:  # else a partial run (BENCH_ONLY)
        checks.append(
            Check(
                f"{IMPORT_ROWS:,}-row import within {IMPORT_SECONDS:g} s",
                imported.median <= IMPORT_SECONDS,
                f"{imported.median:.2f} s (upload, preview page, confirm)",
            )
        )
    for fmt in REPORT_FORMATS:
        report = largest.measurements.get(report_name(fmt))
        if report is None:
            continue
        rows = f", {report.rows:,} activities listed" if report.rows else ""
        checks.append(
            Check(
                f"{report.name} within {REPORT_SECONDS:g} s",
                report.median <= REPORT_SECONDS,
                f"{report.median:.2f} s{rows}",
            )
        )
    return checks


def summary(results: list[SizeResult], extra: list[Check] = ()) -> list[Check]:
    """Each goal (docs/performance.md, "The goals"): what it is, met or not, the figures and
    the floor they are held against. `extra`: the checks made outside the table (page
    weight, compression, the "as of" equality, the COPY floor's output)."""
    largest = results[-1]
    return [
        *_query_counts(results),
        *_exports(results),
        *_reads(largest),
        *_import_and_reports(largest),
        *extra,
    ]
