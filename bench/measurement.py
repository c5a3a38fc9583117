"""Measuring one request: its timings, its queries (counted as the tests count them), and for
an export its memory; the results of each size kept for the table and the targets."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from accounts.sessions import LAST_SEEN_KEY

from .options import BENCH_TOKEN_NAME, EXPORT_REPEAT, REPEAT, WARMUP


@dataclass
class Measurement:
    """One measured request (or floor) at one size: its timings in seconds and what it cost."""

    name: str
    times: list[float]
    queries: int | None = None
    floor: Measurement | None = None
    peak_mb: float | None = None  # tracemalloc: Python's allocations during the request
    rss_mb: float | None = None  # growth of the process's resident set during the request
    rows: int | None = None
    kind: str = "page"  # page, api, dashboard, export, import, import-step, report, floor, info
    # A streamed export: seconds from the request to its first chunk, per timed run.
    first_byte: list[float] | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        if len(self.times) < 2:
            return self.times[0]
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]

    @property
    def first_byte_median(self) -> float | None:
        return statistics.median(self.first_byte) if self.first_byte else None

    @property
    def ratio(self) -> float | None:
        return self.median / self.floor.median if self.floor else None

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.median if self.rows else None


@dataclass
class SizeResult:
    size: int
    load_seconds: float
    measurements: dict[str, Measurement] = field(default_factory=dict)
    slow_queries: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    # Floors for information, by the request they are compared with (not the floor).
    other_floors: dict[str, Measurement] = field(default_factory=dict)

    def add(self, measurement: Measurement) -> Measurement:
        self.measurements[measurement.name] = measurement
        return measurement


def _rss_kb(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name):
                return int(line.split()[1])
    return 0


def _reset_rss_peak() -> bool:
    """Linux lets a process reset its own high-water mark (VmHWM); elsewhere no RSS figure."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Request:
    name: str
    client: Client
    url: str
    kind: str = "page"
    headers: dict | None = None
    rows: int | None = None


def fetch(request: Request, first_byte: list[float] | None = None) -> int:
    """One request, its body read to the end (a streamed export included). Returns its size;
    appends to `first_byte` the seconds until the first byte of the body was ready."""
    started = time.perf_counter()
    response = request.client.get(request.url, headers=request.headers)
    if response.status_code != 200:
        raise RuntimeError(f"{request.name}: {request.url} answered {response.status_code}")
    if response.streaming:
        size, waiting = 0, first_byte is not None
        for chunk in response.streaming_content:
            if waiting and chunk:
                first_byte.append(time.perf_counter() - started)
                waiting = False
            size += len(chunk)
    else:
        size = len(response.content)
        if first_byte is not None:
            first_byte.append(time.perf_counter() - started)
    # No response.close() here: the test client has closed it (a streamed one when read to
    # the end), with Django's close_old_connections disconnected as a test does; closing it
    # again would close the database connection after every request (CONN_MAX_AGE=0).
    return size


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def counted(action: Callable[[], object]) -> tuple[int, list[tuple[float, str]]]:
    """The number of queries an action makes, counted as the tests' assertNumQueries counts
    them (transaction statements included), and each one's time and SQL."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured), [(float(q["time"]), q["sql"]) for q in captured.captured_queries]


class QueryRecorder:
    """An execute wrapper that counts queries and keeps only the slowest few. Unlike
    CaptureQueriesContext it keeps no log, so an export of a million rows (a few thousand
    queries of 2 000 ids each) is neither slowed nor made to use more memory by it."""

    def __init__(self, keep: int = 3) -> None:
        self.count = 0
        self.keep = keep
        self.slowest: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            if len(self.slowest) < self.keep or elapsed > self.slowest[-1][0]:
                text = sql
                if not many:
                    text = connection.ops.last_executed_query(context["cursor"], sql, params)
                self.slowest = sorted([*self.slowest, (elapsed, text)], reverse=True)[: self.keep]


def measure_request(request: Request, result: SizeResult) -> Measurement:
    """Warm-up, one run with the queries counted, then REPEAT timed runs.

    An export is warmed up by its memory run (tracemalloc slows it, so that run is not
    timed), then timed EXPORT_REPEAT times, the first of them with its queries counted by
    a QueryRecorder."""
    action = lambda: fetch(request)  # noqa: E731
    peak_mb = rss_mb = first_byte = None
    if request.kind == "export":
        peak_mb, rss_mb = _memory_run(action)
        recorder = QueryRecorder()
        first_byte = []
        timed_action = lambda: fetch(request, first_byte)  # noqa: E731
        use_recorded(request.client)
        with connection.execute_wrapper(recorder):
            times = [timed(timed_action)]
        times += [timed(timed_action) for _run in range(EXPORT_REPEAT - 1)]
        queries, slowest = recorder.count, recorder.slowest
    else:
        for _run in range(WARMUP):
            action()
        use_recorded(request.client)
        queries, captured = counted(action)
        slowest = sorted(captured, reverse=True)[:3]
        times = [timed(action) for _run in range(REPEAT)]
    result.slow_queries[request.name] = slowest
    return result.add(
        Measurement(
            request.name,
            times,
            queries=queries,
            peak_mb=peak_mb,
            rss_mb=rss_mb,
            rows=request.rows,
            kind=request.kind,
            first_byte=first_byte,
        )
    )


def use_recorded(client: Client) -> None:
    """A token's last use and a session's last activity are written at most once a minute
    (accounts.tokens, accounts.sessions), so one request in many makes one more query,
    whenever a minute has passed: a long export's counted run could make it at one size and
    not at another. Marking the bench's tokens as just used and the client's session as
    just seen keeps that write out of the counted run, which then shows what every other
    request makes."""
    ApiToken.objects.filter(name=BENCH_TOKEN_NAME).update(last_used_at=timezone.now())
    if client.cookies.get(settings.SESSION_COOKIE_NAME):
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time())
        session.save()


def _memory_run(action) -> tuple[float, float | None]:
    """Run once with memory traced: Python's peak (tracemalloc), and the growth of the
    resident set over what it was before (C allocations too, such as libpq's buffers; memory
    Python freed earlier is reused first, so this shows only growth beyond earlier peaks)."""
    rss_before = _rss_kb("VmRSS")
    rss_known = _reset_rss_peak()
    tracemalloc.start()
    try:
        action()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss = max(0, _rss_kb("VmHWM") - rss_before) / 1024 if rss_known else None
    return peak / 1024 / 1024, rss


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds, as the table and the targets print them."""
    return "" if seconds is None else f"{seconds * 1000:,.1f}"
