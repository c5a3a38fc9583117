"""What `make loadtest` prints of the load itself: per request name, how many, how fast, how
many failed, and the failures with their messages (from the ledger locust hands back)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass


def say(text: str = "") -> None:
    print(text, flush=True)


SIGN_IN = {"sign-in page", "sign in", "home (after sign-in)"}


@dataclass
class Row:
    name: str
    method: str
    count: int
    failures: int
    rps: float
    median: float
    p95: float
    maximum: float


def _percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest time that `share` of the requests did not exceed."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else 0.0


def _row(name: str, method: str, requests: list, seconds: float) -> Row:
    times = sorted(r[2] for r in requests)
    return Row(
        name=name,
        method=method,
        count=len(requests),
        failures=sum(1 for r in requests if r[3] is not None),
        rps=len(requests) / seconds,
        median=statistics.median(times) if times else 0.0,
        p95=_percentile(times, 0.95),
        maximum=times[-1] if times else 0.0,
    )


def request_rows(requests: list) -> tuple[list[Row], Row, Row, Counter]:
    """Per request name, all requests, all without signing in, and the failures with their
    messages. Checks the simulated people made of a page (a success message expected and
    not shown) count as failures, never as requests."""
    http = [r for r in requests if r[0] != "CHECK"]
    ends = [r[4] + r[2] / 1000 for r in http] or [1.0]
    starts = [r[4] for r in http] or [0.0]
    seconds = max(max(ends) - min(starts), 1.0)  # from the first start to the last end
    by_name: dict[tuple[str, str], list] = defaultdict(list)
    for r in http:
        by_name[r[0], r[1]].append(r)
    rows = [_row(name, method, rs, seconds) for (method, name), rs in by_name.items()]
    rows.sort(key=lambda row: -row.count)
    total = _row("all requests", "", http, seconds)
    working = _row("without signing in", "", [r for r in http if r[1] not in SIGN_IN], seconds)
    failures = Counter((r[0], r[1], r[3]) for r in requests if r[3] is not None)
    return rows, total, working, failures


def print_requests(rows: list[Row], totals: list[Row], failures: Counter) -> None:
    header = (
        f"{'request':<44} {'method':<6} {'count':>7} {'failed':>6} {'req/s':>7} "
        f"{'median ms':>10} {'p95 ms':>8} {'max ms':>8}"
    )
    say(header)
    say("-" * len(header))
    for r in [*rows, *totals]:
        say(
            f"{r.name[:44]:<44} {r.method:<6} {r.count:>7,} {r.failures:>6,} {r.rps:>7.1f} "
            f"{r.median:>10,.0f} {r.p95:>8,.0f} {r.maximum:>8,.0f}"
        )
    say()
    if failures:
        say("failures:")
        for (method, name, error), n in failures.most_common():
            say(f"  {n:>5} x {method} {name}: {error}")
    else:
        say("failures: none")
