"""The benchmark of docs/performance.md: pages, API and exports at 10 000 to 1 000 000
activities, measured against what PostgreSQL itself does with the same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_tracker make bench
    BENCH_SIZES=10000,100000 .venv/bin/python bench/run.py      # a quicker run

Not part of `make test`: timings are never asserted there (STYLE.md, "Tests"). The script
creates its own database, named after DATABASE_URL's with "_bench" appended, with Django's
test-database utilities (migrations included), and drops it at the end. Settings are
`kpi_tracker.settings.test` (DEBUG off, as in production; no throttling in the way).

For each size it grows the activities table (10 000, then 90 000 more, then 900 000 more),
measures every request with Django's test client (the whole server side of a request:
middleware, session, view, queries, template or serializer, the streamed body read to the
end), then the floors with raw psycopg on the same database, and prints one table. A summary
checks the issue's targets; at the largest size it prints the plans of the slow queries.

Environment: BENCH_SIZES (default "10000,100000,1000000"), BENCH_REPEAT (timed runs of a
page or API request, default 15), BENCH_EXPORT_REPEAT (timed runs of an export and of a
COPY, default 3), BENCH_IMPORT_REPEAT (timed runs of the 5 000-row import, each a new file,
default 3), BENCH_WARMUP (untimed runs first, default 2), BENCH_KEEP_DB=1 to keep the
database for a look with psql afterwards.

This file only checks the database, sets Django up and runs the sizes in turn; what each step
does is in the other modules of the package (see bench/__init__.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# Run as a file (`python bench/run.py`), Python puts this directory on the path, not the
# project's root: the root goes in its place, so that the package's modules are imported as
# `bench.…` only, never as top-level modules of their own.
if not __package__:
    here = Path(__file__).resolve().parent
    if sys.path and Path(sys.path[0]).resolve() == here:
        sys.path.pop(0)
    sys.path.insert(0, str(here.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_tracker.settings.test")


def _require_postgresql() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(
            "bench: DATABASE_URL must point to PostgreSQL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_tracker make bench\n"
            "(the bench creates and drops its own database, named after it with _bench)."
        )


_require_postgresql()

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from activities.models import Activity  # noqa: E402
from bench.annual import measure_annual_report  # noqa: E402
from bench.data import (  # noqa: E402
    create_database,
    destroy_database,
    grow_to,
    raw_connection,
    server_settings,
)
from bench.floors import (  # noqa: E402
    check_as_of_matches_rows,
    check_copy_matches_export,
    measure_floors,
    measure_without_jit,
)
from bench.generator import ActivityGenerator  # noqa: E402
from bench.measurement import SizeResult, measure_request  # noqa: E402
from bench.options import (  # noqa: E402
    EXPORT_REPEAT,
    EXPORT_YEAR,
    ONLY,
    REPEAT,
    SIZES,
    WARMUP,
    wanted,
)
from bench.printing import (  # noqa: E402
    LEGEND,
    print_explains,
    print_slow_queries,
    print_summary,
    print_table,
)
from bench.targets import DASHBOARD_SCRIPT_BYTES, Check  # noqa: E402
from bench.weight import dashboard_scripts  # noqa: E402
from bench.workload import Personas, measure_import, personas, requests_for  # noqa: E402


def run_size(size: int, generator, raw, people: Personas, results: list[SizeResult]) -> None:
    started = time.perf_counter()
    added, steps = grow_to(size, generator)
    load = time.perf_counter() - started
    total = Activity.objects.count()
    print(
        f"\nloaded {added:,} activities in {load:.1f} s (now {total:,}): "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())
    )
    result = SizeResult(size=size, load_seconds=load)
    for request in requests_for(people):
        if wanted(request.name):
            measure_request(request, result)
            print(f"  measured {request.name}", flush=True)
    if wanted("jit"):
        measure_without_jit(people, result)
        print("  measured bureau dashboard, jit off", flush=True)
    if wanted("floors"):
        measure_floors(raw, people, result)
    if wanted("import"):
        measure_import(people, result)
    if wanted("annual"):
        measure_annual_report(result)
        print("  measured the annual report", flush=True)
    results.append(result)
    print_table(result)


def page_checks(people: Personas) -> list[Check]:
    """The dashboard's script, read from our static files."""
    scripts = dashboard_scripts(people.viewer)
    size = sum(script.size for script in scripts)
    gzipped = sum(script.gzipped for script in scripts)
    names = ", ".join(f"{s.url.rsplit('/', 1)[-1]} {s.size / 1e6:.2f} MB" for s in scripts)
    return [
        Check(
            f"the dashboard's script at most {DASHBOARD_SCRIPT_BYTES / 1e6:g} MB uncompressed",
            size <= DASHBOARD_SCRIPT_BYTES,
            f"{size / 1e6:.2f} MB ({gzipped / 1e6:.2f} MB gzipped): {names}",
        )
    ]


def main() -> None:
    print(
        f"bench: sizes {', '.join(f'{s:,}' for s in SIZES)}; {REPEAT} timed runs per page "
        f"or API request, {EXPORT_REPEAT} per export and COPY, after {WARMUP} warm-up runs "
        "(exports: after a run with memory traced)."
    )
    old_name = create_database()
    translation.activate("en")
    results: list[SizeResult] = []
    extra: list[Check] = []
    raw = raw_connection()
    try:
        print(f"database {connection.settings_dict['NAME']}: {server_settings(raw)}")
        print(
            "loading: activities and their related lists by COPY, one history version each "
            "by INSERT ... SELECT (created, by its author, in its final state: the bulk-loaded "
            "rows have no history of their review), foreign-key triggers off during the load "
            "(rows are built from existing ids), then VACUUM ANALYZE."
        )
        print(LEGEND)
        generator = ActivityGenerator(today=timezone.localdate(), seed=2026)
        people = personas()
        for size in SIZES:
            run_size(size, generator, raw, people, results)
            if size == SIZES[0] and wanted("checks"):
                same, detail = check_copy_matches_export(raw, people)
                print(f"\nCOPY floor against the {EXPORT_YEAR} CSV export: {detail}")
                extra.append(
                    Check(
                        f"the COPY floor writes what the {EXPORT_YEAR} CSV export writes "
                        f"(at {size:,})",
                        same,
                        detail,
                    )
                )
        if wanted("checks"):
            extra += page_checks(people)
            equal, detail = check_as_of_matches_rows(raw, people)
            extra.append(Check('"as of" a past day equals counting the rows', equal, detail))
        print_summary(results, extra)
        print_slow_queries(raw, results[-1])
        if not ONLY:
            print_explains(raw, people, results[-1])
    finally:
        raw.close()
        destroy_database(old_name)


if __name__ == "__main__":
    main()
