"""What a run does, from the environment (see bench/run.py), and the fixed choices behind it."""

from __future__ import annotations

import os


def _env_ints(name: str, default: str) -> list[int]:
    return [int(part.replace("_", "")) for part in os.environ.get(name, default).split(",")]


SIZES = sorted(_env_ints("BENCH_SIZES", "10000,100000,1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
EXPORT_REPEAT = int(os.environ.get("BENCH_EXPORT_REPEAT", "3"))
# The 5 000-row import, timed this many times (each a new file) at each size: its median.
IMPORT_REPEAT = int(os.environ.get("BENCH_IMPORT_REPEAT", "3"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
# Reuse the bench's database if it is there (migrated to the code's migrations, grown only
# if smaller than a size): for trying one change on a loaded million without reloading it.
REUSE_DB = os.environ.get("BENCH_REUSE_DB") == "1"
KEEP_DB = os.environ.get("BENCH_KEEP_DB") == "1" or REUSE_DB
# Measure only what these words name (comma-separated, a part of a request's name, or
# "import", "annual", "jit", "floors", "checks"); everything when unset.
ONLY = [w.strip().lower() for w in os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]


def wanted(name: str) -> bool:
    """Whether BENCH_ONLY asks for what `name` names (always, without BENCH_ONLY)."""
    return not ONLY or any(word in name.lower() for word in ONLY)


# Others run the application and the test suite on these; the bench never touches them.
FORBIDDEN_DATABASES = {"kpi_tracker", "test_kpi_tracker"}
FIRST_YEAR = 2017  # ten years of history, up to today
EXPORT_YEAR = 2025  # the last full year: "all activities of one year"
IMPORT_ROWS = 5_000
BENCH_TOKEN_NAME = "bench"  # noqa: S105 (the name shown on the tokens page, not a secret)
DEEP_PAGE_AT = 0.9  # a deep page: 90 % of the way through the list
PAST_AS_OF_DAYS = 30  # "as of a past day": the dashboards and the progress API, 30 days ago
SEARCH_TERM = "forum"  # the free-text search of the list and the API (in about 1 title in 16)
