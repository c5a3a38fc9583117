"""The issue's targets, checked at the largest size: each met (PASS), not met (MISS), or
not to be told from this run (n/a)."""

from __future__ import annotations

import re

from activities.exports import ActivityExport

from .measurement import SizeResult, ms
from .options import EXPORT_YEAR, IMPORT_ROWS

# The targets, at the largest size.
DASHBOARD_FLOOR_RATIO = 3.0
PAGE_MEDIAN_MS = 100.0
CSV_SHARE_OF_COPY = 1 / 3
IMPORT_SECONDS = 5.0
# Peak memory "does not grow": at the largest size within 25 % (plus 1 MB) of its peak at the
# first size where the export reads two chunks or more.
MEMORY_GROWTH_ALLOWED = 1.25


def _stable_name(name: str) -> str:
    """A request's name without its page numbers, to compare it across sizes."""
    return re.sub(r", page \d+ of \d+$", ", deep page", name)


def summary(results: list[SizeResult]) -> list[tuple[str, bool | None, str]]:
    """Each target (docs/performance.md, "The targets"): what it is, met or not (None: cannot
    tell), the figures."""
    largest = results[-1]
    checks: list[tuple[str, bool | None, str]] = []

    counts: dict[str, dict[int, int]] = {}
    for result in results:
        for m in result.measurements.values():
            if m.queries is not None:
                counts.setdefault(_stable_name(m.name), {})[result.size] = m.queries
    for kinds, label in (
        (("dashboard", "page", "api", "import", "import-step"), "pages, API, dashboards, import"),
        (("export",), "exports"),
    ):
        names = {_stable_name(m.name) for m in largest.measurements.values() if m.kind in kinds}
        differing = {n: c for n, c in counts.items() if n in names and len(set(c.values())) > 1}
        detail = "; ".join(
            f"{n}: " + " / ".join(f"{c[s]}" for s in sorted(c)) for n, c in differing.items()
        )
        checks.append(
            (f"query counts equal at every size ({label})", not differing, detail or "equal")
        )

    bureau = largest.measurements["bureau dashboard"]
    checks.append(
        (
            f"bureau dashboard within {DASHBOARD_FLOOR_RATIO:g}x its SQL floor",
            bureau.ratio <= DASHBOARD_FLOOR_RATIO,
            f"{ms(bureau.median)} ms / {ms(bureau.floor.median)} ms = {bureau.ratio:.1f}x",
        )
    )
    rollup = largest.other_floors.get("bureau dashboard")
    if rollup is not None:
        checks.append(
            (
                "(information) bureau dashboard against the same counts read from the roll-up",
                None,
                f"{ms(bureau.median)} ms / {ms(rollup.median)} ms = "
                f"{bureau.median / rollup.median:.1f}x",
            )
        )
    for m in largest.measurements.values():
        if m.kind in ("page", "api") and not m.name.startswith("progress"):
            checks.append(
                (
                    f"{m.name}: median under {PAGE_MEDIAN_MS:g} ms",
                    m.median * 1000 < PAGE_MEDIAN_MS,
                    f"{ms(m.median)} ms",
                )
            )
    export = largest.measurements["export all CSV"]
    share = export.floor.median / export.median
    checks.append(
        (
            "CSV export of all rows at least 1/3 of COPY's speed",
            share >= CSV_SHARE_OF_COPY,
            f"{export.rows_per_second:,.0f} rows/s vs COPY "
            f"{export.rows / export.floor.median:,.0f} rows/s = {share:.2f}",
        )
    )
    for name in ("export all CSV", f"export {EXPORT_YEAR} CSV", f"export {EXPORT_YEAR} XLSX"):
        large = largest.measurements[name]
        # Compared from the first size at which the export reads two chunks or more: below
        # that it does not yet hold a whole chunk, and would seem to grow when it does not.
        baseline = next(
            r.measurements[name]
            for r in results
            if r is largest or r.measurements[name].rows >= 2 * ActivityExport.chunk_size
        )
        label = f"{name}: peak memory does not grow with the rows"
        if baseline is large:
            checks.append((label, None, "one size only with two chunks or more of rows"))
            continue
        allowed = baseline.peak_mb * MEMORY_GROWTH_ALLOWED + 1
        rss = ""
        if baseline.rss_mb is not None and large.rss_mb is not None:
            rss = f"; RSS growth {baseline.rss_mb:.1f} -> {large.rss_mb:.1f} MB"
        checks.append(
            (
                label,
                large.peak_mb <= allowed,
                f"{baseline.peak_mb:.1f} MB at {baseline.rows:,} rows -> {large.peak_mb:.1f} MB "
                f"at {large.rows:,} rows (allowed {allowed:.1f}){rss}",
            )
        )
    imported = largest.measurements[f"import {IMPORT_ROWS} rows: total"]
    checks.append(
        (
            f"{IMPORT_ROWS:,}-row import under {IMPORT_SECONDS:g} s",
            imported.median < IMPORT_SECONDS,
            f"{imported.median:.2f} s (upload, preview page, confirm)",
        )
    )
    return checks
