"""Issue 7's benchmark: pages, API and exports at 10 000 to 1 000 000 activities, measured
against what PostgreSQL itself does with the same data.

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
COPY, default 3), BENCH_WARMUP (untimed runs first, default 2), BENCH_KEEP_DB=1 to keep the
database for a look with psql afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_tracker.settings.test")


def _env_ints(name: str, default: str) -> list[int]:
    return [int(part.replace("_", "")) for part in os.environ.get(name, default).split(",")]


SIZES = sorted(_env_ints("BENCH_SIZES", "10000,100000,1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
EXPORT_REPEAT = int(os.environ.get("BENCH_EXPORT_REPEAT", "3"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
KEEP_DB = os.environ.get("BENCH_KEEP_DB") == "1"

# Others run the application and the test suite on these; the bench never touches them.
FORBIDDEN_DATABASES = {"kpi_tracker", "test_kpi_tracker"}
FIRST_YEAR = 2017  # ten years of history, up to today
EXPORT_YEAR = 2025  # the last full year: "all activities of one year"
IMPORT_ROWS = 5_000
BENCH_TOKEN_NAME = "bench"  # noqa: S105 (the name shown on the tokens page, not a secret)
DEEP_PAGE_AT = 0.9  # a deep page: 90 % of the way through the list

# The targets, at the largest size.
DASHBOARD_FLOOR_RATIO = 3.0
PAGE_MEDIAN_MS = 100.0
CSV_SHARE_OF_COPY = 1 / 3
IMPORT_SECONDS = 5.0
# Peak memory "does not grow": at the largest size within 25 % (plus 1 MB) of its peak at the
# first size where the export reads two chunks or more.
MEMORY_GROWTH_ALLOWED = 1.25


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

import psycopg  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.models import ApiToken, User  # noqa: E402
from accounts.tokens import token_create  # noqa: E402
from activities import selectors  # noqa: E402
from activities.exports import ActivityExport  # noqa: E402
from activities.imports.columns import COLUMNS  # noqa: E402
from activities.models import (  # noqa: E402
    COUNTING_STATUSES,
    Activity,
    AuthorityLevel,
    Status,
    end_of_day,
)
from activities.views.activities import PER_PAGE  # noqa: E402
from common.exports import FORMULA_TRIGGERS  # noqa: E402
from offices.models import AnnualTarget, Counterpart, Indicator, Office, Region  # noqa: E402
from ops import demo  # noqa: E402

HONG_KONG = ZoneInfo("Asia/Hong_Kong")


# --- measurements ---------------------------------------------------------------------------


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
    kind: str = "page"  # page, api, dashboard, export, import, import-step, floor, info

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        if len(self.times) < 2:
            return self.times[0]
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]

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


# --- the database ----------------------------------------------------------------------------


def create_database() -> str:
    """A fresh database for the bench, migrated, with the reference data and demo users.
    Returns the name of the configured database, for `destroy_database`."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_bench"
    if name in FORBIDDEN_DATABASES or settings_dict["NAME"] == "":
        sys.exit(f"bench: refusing to use the database {name!r}.")
    settings_dict.setdefault("TEST", {})["NAME"] = name
    # Persistent connections, as in production (DATABASE_CONN_MAX_AGE, 60 s by default);
    # the test settings close them after every request.
    settings_dict["CONN_MAX_AGE"] = None
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    assert connection.settings_dict["NAME"] == name
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    return old_name


def destroy_database(old_name: str) -> None:
    if KEEP_DB:
        print(f"\nBENCH_KEEP_DB=1: the database {connection.settings_dict['NAME']} is kept.")
        connection.close()
        return
    connection.creation.destroy_test_db(old_name, verbosity=0)


def raw_connection() -> psycopg.Connection:
    """A plain psycopg connection to the bench database, for the floors: no Django in between."""
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def server_settings(raw: psycopg.Connection) -> str:
    names = (
        "server_version",
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "random_page_cost",
        "jit",
        "max_parallel_workers_per_gather",
    )
    values = [f"{name}={raw.execute(f'SHOW {name}').fetchone()[0]}" for name in names]
    return ", ".join(values)


# --- realistic activities, bulk loaded -----------------------------------------------------


ACTIVITY_COLUMNS = (
    "id",
    "lead_office_id",
    "indicator_id",
    "occurred_on",
    "title",
    "region_id",
    "city",
    "authority_level",
    "event_name",
    "hk_participants",
    "notes",
    "status",
    "counted_since",
    "reviewed_by_id",
    "reviewed_at",
    "review_comment",
    "version",
    "created_by_id",
    "created_at",
    "updated_by_id",
    "updated_at",
    "removed_at",
    "removed_by_id",
    "removal_reason",
)
AUTHORITY_OF_TYPE = {
    "central_authority": AuthorityLevel.CENTRAL,
    "provincial_authority": AuthorityLevel.PROVINCIAL,
    "municipal_authority": AuthorityLevel.MUNICIPAL,
}
EVENTS = [
    "Hong Kong Economic and Trade Promotion Forum",
    "Greater Bay Area Opportunities Briefing",
    "Hong Kong Professional Services Seminar",
    "Hong Kong Youth Internship Reception",
    "Belt and Road Summit Roadshow",
]
NOTES = [
    "",
    "",
    "",
    "",
    "Follow-up meeting agreed for next quarter.",
    "Briefed on Hong Kong's latest policy measures; materials left with the counterpart.",
    "Joint press release issued afterwards.\nPhotos in the shared folder.",
]
# By age in days: the share verified, then submitted, then draft (cumulative); the rest
# returned. Old activities are nearly all verified; this month's wait for verification.
STATUS_MIX = ((60, (0.96, 0.985, 0.995)), (15, (0.7, 0.95, 0.98)), (-1, (0.3, 0.8, 0.95)))
RETURN_COMMENT = "Please add the counterpart's full name and the participants."
# Extra directory entries per region and type, as a directory grows over ten years.
EXTRA_COUNTERPARTS = {"enterprise": 12, "chamber": 4, "association": 4, "media": 3}
CHINESE_KIND = {
    "enterprise": ("企業", "企业"),
    "chamber": ("商會", "商会"),
    "association": ("協會", "协会"),
    "media": ("傳媒", "传媒"),
}


def _ensure_directory(regions: list[Region]) -> None:
    """A counterpart directory of the size ten years would leave: the demo's authority and
    enterprise for every region, plus a few more enterprises, chambers and media."""
    demo._counterpart_pool(regions)
    if Counterpart.objects.filter(name_en__endswith="(bench)").exists():
        return
    Counterpart.objects.bulk_create(
        Counterpart(
            type=kind,
            name_en=f"{region.name_en} {kind.title()} No. {n} (bench)",
            name_zh_hant=f"{region.name_zh_hant}{CHINESE_KIND[kind][0]}{n}號",
            name_zh_hans=f"{region.name_zh_hans}{CHINESE_KIND[kind][1]}{n}号",
            region=region,
        )
        for region in regions
        for kind, count in EXTRA_COUNTERPARTS.items()
        for n in range(1, count + 1)
    )


class ActivityGenerator:
    """Random but reproducible activities over ten years, in the demo's proportions: the
    large offices log more, units and the centre lead part of their parent's activities
    (from the day they opened), indicators in the proportions of their targets, working
    days weighted by month, statuses by age (mostly verified, recent ones submitted, a few
    drafts and returned ones), 1 % of older ones removed, counterparts from the directory,
    partner bodies on some trade meetings and speeches, 3 % joint activities."""

    def __init__(self, *, today: dt.date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.now = min(timezone.now(), end_of_day(today) - dt.timedelta(minutes=1))
        regions = list(Region.objects.all())
        _ensure_directory(regions)
        self.pool = demo._counterpart_pool(regions)
        self.partners = [c.pk for c in self.pool.get(("partner", None), [])]
        offices = list(Office.objects.filter(is_active=True).prefetch_related("regions"))
        by_code = {o.code: o for o in offices}
        users = {u.username: u for u in User.objects.all()}
        admin = users["admin"]

        self.leads: list[tuple[Office, dt.date | None, Office]] = []
        weights = []
        for office in offices:
            top = office.parent or office
            top_weight = demo.OFFICE_WEIGHTS.get(top.code, 0.05)
            units = [o for o in offices if o.parent_id == top.pk]
            shares = {u.pk: demo.UNIT_SHARE.get(u.kind, 0.1) for u in units}
            total = 1 + sum(shares.values())
            weights.append(top_weight * shares.get(office.pk, 1) / total)
            self.leads.append((office, office.opened_on if office.parent_id else None, top))
        self.lead_cum = list(_cumulative(weights))

        self.region_of = {}
        for office, _opened, top in self.leads:
            own = list(office.regions.all()) or list(top.regions.all())
            self.region_of[office.pk] = [(r.pk, r.code) for r in own] or [(None, None)]
        self.staff = {}
        self.supervisor = {}
        for office, _opened, top in self.leads:
            author = (
                users.get(f"{office.code.lower()}.staff")
                or users.get(f"{top.code.lower()}.staff")
                or admin
            )
            self.staff[office.pk] = (author.pk, author.get_full_name())
            self.supervisor[office.pk] = (users.get(f"{top.code.lower()}.supervisor") or admin).pk
        self.office_city = {office.pk: office.city_en for office, _o, _t in self.leads}
        self.top_offices = [o.pk for o in offices if o.parent_id is None]
        self.units_of = {
            top.pk: [o.pk for o in offices if o.parent_id == top.pk]
            for top in offices
            if top.parent_id is None
        }
        self.gbadpc = by_code.get("GBADPC")

        indicators = list(Indicator.objects.filter(is_active=True))
        targets = dict(
            AnnualTarget.objects.filter(year=today.year).values_list("indicator_id", "target")
        )
        self.indicators = [(i.pk, i.code) for i in indicators]
        self.indicator_cum = list(_cumulative([targets.get(i.pk, 100) for i in indicators]))

        first = dt.date(FIRST_YEAR, 1, 1)
        self.days = [first + dt.timedelta(n) for n in range((today - first).days + 1)]
        self.day_cum = list(
            _cumulative(
                demo.MONTH_WEIGHTS[d.month - 1] * (1 if d.weekday() < 5 else 0.04)
                for d in self.days
            )
        )

    def rows(self, count: int, first_id: int, links: dict[str, list]) -> Iterator[tuple]:
        """`count` activities as tuples in ACTIVITY_COLUMNS order, ids from `first_id`;
        their counterparts, partners and participating offices go to `links`."""
        rng = self.rng
        days = rng.choices(self.days, cum_weights=self.day_cum, k=count)
        leads = rng.choices(self.leads, cum_weights=self.lead_cum, k=count)
        indicators = rng.choices(self.indicators, cum_weights=self.indicator_cum, k=count)
        counterparts, partners, joined = (
            links["counterparts"],
            links["partners"],
            links["participating_offices"],
        )
        for n in range(count):
            pk = first_id + n
            occurred_on = days[n]
            lead, opened, top = leads[n]
            if opened is not None and occurred_on < opened:
                lead = top  # before a unit opened, its parent led
            indicator_id, code = indicators[n]
            region_id, region_code = rng.choice(self.region_of[lead.pk])
            if lead is self.gbadpc:
                city = rng.choice(demo.GBA_CITIES)
            else:
                city = demo.REGION_CITIES.get(region_code, self.office_city[lead.pk])

            counterpart, counterpart_type = self._counterpart(code, region_code)
            if counterpart is not None:
                counterparts.append((pk, counterpart.pk))
                if rng.random() < 0.15:
                    other, _type = self._counterpart(code, region_code)
                    if other is not None and other.pk != counterpart.pk:
                        counterparts.append((pk, other.pk))
            if self.partners and code in ("trade_meetings", "speaking") and rng.random() < 0.3:
                partners.append((pk, rng.choice(self.partners)))
            if rng.random() < 0.03:
                others = [o for o in self.top_offices if o != lead.pk]
                if rng.random() < 0.6:
                    others = [o for o in self.units_of.get(top.pk, []) if o != lead.pk] or others
                joined.append((pk, rng.choice(others)))

            name = counterpart.name_en if counterpart is not None else f"the {city} authorities"
            title = rng.choice(demo.TITLES[code]).format(cp=name, city=city)[:200]
            authority = AUTHORITY_OF_TYPE.get(counterpart_type, "") if code == "visits" else ""
            event = f"{rng.choice(EVENTS)} {occurred_on.year}" if code == "speaking" else ""
            author_id, author_name = self.staff[lead.pk]
            participants = author_name if rng.random() < 0.7 else f"{author_name}\nDeputy Director"

            yield self._bookkeeping(
                pk,
                occurred_on,
                (
                    lead.pk,
                    indicator_id,
                    occurred_on,
                    title,
                    region_id,
                    city,
                    authority,
                    event,
                    participants,
                    rng.choice(NOTES),
                ),
                author_id,
                self.supervisor[lead.pk],
            )

    def _counterpart(self, code: str, region_code: str | None):
        for kind in self.rng.sample(
            demo.COUNTERPART_TYPES[code], k=len(demo.COUNTERPART_TYPES[code])
        ):
            candidates = self.pool.get((kind, region_code)) or (
                self.pool.get((kind, None)) if kind in ("central_authority", "media") else None
            )
            if candidates:
                return self.rng.choice(candidates), kind
        return None, None

    def _bookkeeping(self, pk, occurred_on, fields, author_id, supervisor_id) -> tuple:
        """Status, review, removal and the timestamps, so that the constraints hold: a
        counting status has counted_since, a removal has who, when and why."""
        rng = self.rng
        age = (self.today - occurred_on).days
        verified, submitted, draft = next(mix for days, mix in STATUS_MIX if age > days)
        roll = rng.random()
        status = (
            "verified"
            if roll < verified
            else "submitted"
            if roll < submitted
            else "draft"
            if roll < draft
            else "returned"
        )
        logged = occurred_on + dt.timedelta(days=rng.randint(0, 4))
        created_at = min(
            dt.datetime(
                logged.year,
                logged.month,
                logged.day,
                rng.randint(9, 18),
                rng.randint(0, 59),
                tzinfo=HONG_KONG,
            ),
            self.now,
        )
        counted_since = created_at if status in ("submitted", "verified") else None
        reviewed_by = reviewed_at = None
        updated_by, updated_at, version, comment = author_id, created_at, 1, ""
        if status in ("verified", "returned"):
            reviewed_by = supervisor_id
            reviewed_at = min(created_at + dt.timedelta(days=rng.randint(1, 6)), self.now)
            updated_by, updated_at, version = supervisor_id, reviewed_at, 2
            if status == "returned":
                comment = RETURN_COMMENT
        removed_at = removed_by = None
        reason = ""
        if age > 30 and rng.random() < 0.01:
            removed_at = min(created_at + dt.timedelta(days=rng.randint(1, 10)), self.now)
            removed_by, reason = supervisor_id, rng.choice(demo.REMOVAL_REASONS)
            updated_by, updated_at, version = supervisor_id, max(removed_at, updated_at), 3
        return (
            pk,
            *fields,
            status,
            counted_since,
            reviewed_by,
            reviewed_at,
            comment,
            version,
            author_id,
            created_at,
            updated_by,
            updated_at,
            removed_at,
            removed_by,
            reason,
        )


def _cumulative(weights) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


M2M_TARGETS = {
    "counterparts": "counterpart_id",
    "partners": "counterpart_id",
    "participating_offices": "office_id",
}


def rebuild_activity_counts() -> None:
    from activities.counts import rebuild

    rebuild()


def grow_to(size: int, generator: ActivityGenerator) -> tuple[int, dict[str, float]]:
    """Add activities until the table holds `size`, with PostgreSQL's COPY, then their
    related lists and one history version each (INSERT ... SELECT), then VACUUM ANALYZE.
    Returns how many were added and the time of each step."""
    current = Activity.objects.count()
    add = size - current
    steps: dict[str, float] = {}
    if add <= 0:
        return 0, steps
    started = time.perf_counter()
    first_id = (Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    links: dict[str, list] = {name: [] for name in M2M_TARGETS}
    table = Activity._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        superuser = raw.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if superuser.fetchone()[0]:
            # Foreign keys are checked by triggers, one per row and key; the rows are built
            # from ids read from those very tables, so the load skips them (as pg_restore
            # --disable-triggers does). CHECK constraints still apply.
            raw.execute("SET LOCAL session_replication_role = replica")
        with raw.copy(f"COPY {table} ({', '.join(ACTIVITY_COLUMNS)}) FROM STDIN") as copy:
            for row in generator.rows(add, first_id, links):
                copy.write_row(row)
        steps["activities (COPY)"] = time.perf_counter() - started

        mark = time.perf_counter()
        for name, target in M2M_TARGETS.items():
            through = Activity._meta.get_field(name).remote_field.through._meta.db_table
            with raw.copy(f"COPY {through} (activity_id, {target}) FROM STDIN") as copy:
                for pair in links[name]:
                    copy.write_row(pair)
        steps["related lists (COPY)"] = time.perf_counter() - mark

        mark = time.perf_counter()
        _history(raw, first_id, first_id + add - 1)
        steps["history (INSERT ... SELECT)"] = time.perf_counter() - mark
        raw.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
        )
    mark = time.perf_counter()
    # The load ran with triggers off, so the roll-up's triggers missed it: recount, as
    # `manage.py rebuild_activity_counts` does after such a load.
    rebuild_activity_counts()
    steps["roll-up (rebuild_activity_counts)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    _vacuum_analyze()
    steps["VACUUM ANALYZE"] = time.perf_counter() - mark
    return add, steps


def _history(raw, first_id: int, last_id: int) -> None:
    """One history version per loaded activity ("+", by its author when it was logged),
    with its related lists, as `activities_bulk_write` records them."""
    history_table = Activity.history.model._meta.db_table
    columns = [f.column for f in Activity._meta.concrete_fields]
    raw.execute(
        f"INSERT INTO {history_table} ({', '.join(columns)}, history_date, history_type, history_user_id) "  # noqa: S608
        f"SELECT {', '.join(columns)}, created_at, '+', created_by_id FROM {Activity._meta.db_table} "
        "WHERE id BETWEEN %s AND %s",
        (first_id, last_id),
    )
    for name, target in M2M_TARGETS.items():
        through = Activity._meta.get_field(name).remote_field.through._meta.db_table
        historical = apps.get_model("activities", f"HistoricalActivity_{name}")._meta.db_table
        raw.execute(
            f"INSERT INTO {historical} (id, activity_id, {target}, history_id) "  # noqa: S608
            f"SELECT t.id, t.activity_id, t.{target}, h.history_id FROM {through} t "
            f"JOIN {history_table} h ON h.id = t.activity_id "
            "WHERE t.activity_id BETWEEN %s AND %s",
            (first_id, last_id),
        )


def _vacuum_analyze() -> None:
    """As autovacuum would leave the tables in production: statistics and visibility map,
    for every table of the activities app (the activities, their related lists, history and
    the roll-up the triggers keep)."""
    tables = {
        model._meta.db_table
        for model in apps.get_app_config("activities").get_models(include_auto_created=True)
    }
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


# --- the requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    name: str
    client: Client
    url: str
    kind: str = "page"
    headers: dict | None = None
    rows: int | None = None


def _get(request: Request) -> int:
    """One request, its body read to the end (a streamed export included). Returns its size."""
    response = request.client.get(request.url, headers=request.headers)
    if response.status_code != 200:
        raise RuntimeError(f"{request.name}: {request.url} answered {response.status_code}")
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    # No response.close() here: the test client has closed it (a streamed one when read to
    # the end), with Django's close_old_connections disconnected as a test does; closing it
    # again would close the database connection after every request (CONN_MAX_AGE=0).
    return size


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _counted(action: Callable[[], object]) -> tuple[int, list[tuple[float, str]]]:
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
    action = lambda: _get(request)  # noqa: E731
    peak_mb = rss_mb = None
    if request.kind == "export":
        peak_mb, rss_mb = _memory_run(action)
        recorder = QueryRecorder()
        with connection.execute_wrapper(recorder):
            times = [_timed(action)]
        times += [_timed(action) for _run in range(EXPORT_REPEAT - 1)]
        queries, slowest = recorder.count, recorder.slowest
    else:
        for _run in range(WARMUP):
            action()
        _token_use_recorded()
        queries, captured = _counted(action)
        slowest = sorted(captured, reverse=True)[:3]
        times = [_timed(action) for _run in range(REPEAT)]
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
        )
    )


def _token_use_recorded() -> None:
    """A token's last use is written at most once a minute (accounts.tokens), so one API
    request in many makes one more query. Marking the bench's tokens as just used keeps that
    write out of the counted run, which then shows what every other request makes."""
    ApiToken.objects.filter(name=BENCH_TOKEN_NAME).update(last_used_at=timezone.now())


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


@dataclass
class Personas:
    viewer: Client
    staff: Client
    api: Client  # no session: a script sends its token only
    viewer_token: str
    staff_token: str
    staff_user: User
    viewer_user: User
    office: Office
    indicator: Indicator


def personas() -> Personas:
    """The bureau viewer (dashboards, list, API, downloads) and GDETO's staff (their office's
    dashboard and list, the import), signed in as a browser would be, and with API tokens."""
    viewer_user = User.objects.get(username="viewer")
    staff_user = User.objects.get(username="gdeto.staff")
    viewer, staff = Client(), Client()
    viewer.force_login(viewer_user)
    staff.force_login(staff_user)
    _token, viewer_raw = token_create(user=viewer_user, name=BENCH_TOKEN_NAME)
    _token, staff_raw = token_create(user=staff_user, name=BENCH_TOKEN_NAME)
    return Personas(
        viewer=viewer,
        staff=staff,
        api=Client(),
        viewer_token=viewer_raw,
        staff_token=staff_raw,
        staff_user=staff_user,
        viewer_user=viewer_user,
        office=Office.objects.get(code="GDETO"),
        indicator=Indicator.objects.get(code="visits"),
    )


def _list_count(user, data: dict) -> int:
    query = QueryDict(mutable=True)
    query.update(data)
    return selectors.activity_list(user=user, data=query).qs.count()


def _deep(count: int, per_page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(count / per_page))
    return max(1, round(pages * DEEP_PAGE_AT)), pages


def _query(data: dict) -> str:
    query = QueryDict(mutable=True)
    query.update(data)
    return query.urlencode()


def requests_for(people: Personas) -> list[Request]:
    """Every request of the table, with the deep pages worked out from the current counts."""
    year_filter = {"date_from": f"{EXPORT_YEAR}-01-01", "date_to": f"{EXPORT_YEAR}-12-31"}
    page_filter = {"indicator": str(people.indicator.pk), **year_filter}
    api_filter = {"indicator": people.indicator.code, **year_filter}
    api_page_size = 50
    list_url = reverse("activities:list")
    api_url = reverse("api:activity-list")
    viewer_api = {"Authorization": f"Bearer {people.viewer_token}"}
    staff_api = {"Authorization": f"Bearer {people.staff_token}"}

    all_rows = _list_count(people.viewer_user, {})
    filtered = _list_count(people.viewer_user, page_filter)
    office_rows = _list_count(people.staff_user, {})
    year_rows = _list_count(people.viewer_user, year_filter)
    deep, pages = _deep(all_rows, PER_PAGE)
    deep_filtered, pages_filtered = _deep(filtered, PER_PAGE)
    deep_office, pages_office = _deep(office_rows, PER_PAGE)
    api_deep, api_pages = _deep(all_rows, api_page_size)
    api_deep_filtered, api_pages_filtered = _deep(filtered, api_page_size)

    v, s, api = people.viewer, people.staff, people.api
    export_url = lambda fmt: reverse("activities:export", args=[fmt])  # noqa: E731
    return [
        Request("bureau dashboard", v, reverse("reports:bureau"), "dashboard"),
        Request(
            "office dashboard (GDETO)",
            s,
            reverse("offices:detail", args=[people.office.code]),
            "dashboard",
        ),
        Request("list, page 1", v, list_url),
        Request(f"list, page {deep} of {pages}", v, f"{list_url}?page={deep}"),
        Request("list filtered, page 1", v, f"{list_url}?{_query(page_filter)}"),
        Request(
            f"list filtered, page {deep_filtered} of {pages_filtered}",
            v,
            f"{list_url}?{_query({**page_filter, 'page': deep_filtered})}",
        ),
        Request("list GDETO staff, page 1", s, list_url),
        Request(
            f"list GDETO staff, page {deep_office} of {pages_office}",
            s,
            f"{list_url}?page={deep_office}",
        ),
        Request("API list, page 1", api, api_url, "api", viewer_api),
        Request(
            f"API list, page {api_deep} of {api_pages}",
            api,
            f"{api_url}?page={api_deep}",
            "api",
            viewer_api,
        ),
        Request("API filtered, page 1", api, f"{api_url}?{_query(api_filter)}", "api", viewer_api),
        Request(
            f"API filtered, page {api_deep_filtered} of {api_pages_filtered}",
            api,
            f"{api_url}?{_query({**api_filter, 'page': api_deep_filtered})}",
            "api",
            viewer_api,
        ),
        Request("API list GDETO token, page 1", api, api_url, "api", staff_api),
        Request(
            "progress API (bureau)",
            api,
            f"{reverse('api:progress')}?year={timezone.localdate().year}",
            "api",
            viewer_api,
        ),
        Request(
            f"export {EXPORT_YEAR} CSV",
            v,
            f"{export_url('csv')}?{_query(year_filter)}",
            "export",
            rows=year_rows,
        ),
        Request(
            f"export {EXPORT_YEAR} XLSX",
            v,
            f"{export_url('xlsx')}?{_query(year_filter)}",
            "export",
            rows=year_rows,
        ),
        Request("export all CSV", v, export_url("csv"), "export", rows=all_rows),
    ]


# --- the import --------------------------------------------------------------------------


def import_workbook(rows: int, tag: str) -> bytes:
    """Visits to a Guangdong authority over the last five days, titled so that each size's
    file is new (not duplicates of the previous one)."""
    book = Workbook()
    sheet = book.active
    sheet.append([column.header for column in COLUMNS])
    keys = [column.key for column in COLUMNS]
    today = timezone.localdate()
    for n in range(rows):
        row = {
            "date": today - dt.timedelta(days=n % 5),
            "indicator": "visits",
            "title": f"Call on the Department of Commerce, meeting {tag}-{n}",
            "region": "廣東省",
            "counterparts": "廣東省商務廳",
            "authority_level": "provincial",
        }
        sheet.append([row.get(key, "") for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure_import(people: Personas, result: SizeResult) -> None:
    """The three requests of an import, once: upload (read, check, keep), the preview page,
    the confirmation (check again, create 5 000 drafts with their history)."""
    content = import_workbook(IMPORT_ROWS, tag=str(result.size))
    client = people.staff
    outcome: dict = {}

    def upload():
        upload = SimpleUploadedFile("bench.xlsx", content)
        response = client.post(
            reverse("activities:import"), {"office": people.office.pk, "file": upload}
        )
        if response.status_code != 302:
            raise RuntimeError(f"import upload answered {response.status_code}")
        outcome["preview"] = response["Location"]

    def preview():
        response = client.get(outcome["preview"])
        if response.status_code != 200:
            raise RuntimeError(f"import preview answered {response.status_code}")

    def confirm():
        pk = int(outcome["preview"].rstrip("/").rsplit("/", 1)[1])
        response = client.post(
            reverse("activities:import-confirm", args=[pk]), {"expected": IMPORT_ROWS}
        )
        if response.status_code != 302 or "status=draft" not in response["Location"]:
            raise RuntimeError(f"import confirm answered {response.status_code}: nothing imported")

    total = 0.0
    total_queries = 0
    for name, action in (("upload", upload), ("preview page", preview), ("confirm", confirm)):
        started = time.perf_counter()
        queries, captured = _counted(action)
        elapsed = time.perf_counter() - started
        total += elapsed
        total_queries += queries
        label = f"import {IMPORT_ROWS} rows: {name}"
        result.add(Measurement(label, [elapsed], queries=queries, kind="import-step"))
        result.slow_queries[label] = sorted(captured, reverse=True)[:3]
    result.add(
        Measurement(
            f"import {IMPORT_ROWS} rows: total", [total], queries=total_queries, kind="import"
        )
    )


# --- the floors: PostgreSQL on its own -------------------------------------------------------


def _dashboard_floor_sql(scope_ids: list[int] | None) -> tuple[str, dict]:
    """The dashboard's main figures by hand: counted activities of the year as of today, by
    lead office and indicator (ActivityQuerySet.counted, as_of, in_year)."""
    today = timezone.localdate()
    params = {
        "statuses": [str(s) for s in COUNTING_STATUSES],
        "start": dt.date(today.year, 1, 1),
        "end": dt.date(today.year, 12, 31),
        "as_of": today,
        "recorded_by": end_of_day(today),
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
    size = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
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
        return Measurement(name, [_timed(action) for _run in range(repeat)], kind="floor")

    bureau_sql, bureau_params = _dashboard_floor_sql(None)
    office_sql, office_params = _dashboard_floor_sql(people.office.scope_ids())
    floors = {
        "bureau dashboard": timed_floor(
            "SQL: counts by office x indicator",
            lambda: raw.execute(bureau_sql, bureau_params).fetchall(),
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


def check_copy_matches_export(raw: psycopg.Connection, people: Personas) -> str:
    """The floor must do the export's work: its output, compared with the export's own
    CSV (BOM, header and line ends aside)."""
    url = f"{reverse('activities:export', args=['csv'])}?date_from={EXPORT_YEAR}-01-01&date_to={EXPORT_YEAR}-12-31"
    response = people.viewer.get(url)
    exported = b"".join(response.streaming_content)
    ours = exported.decode("utf-8-sig").replace("\r\n", "\n").split("\n", 1)[1]
    theirs = copy_output(raw, export_copy_sql(year=EXPORT_YEAR)).decode()
    if ours == theirs:
        return f"identical ({len(theirs.splitlines())} lines)"
    for n, (a, b) in enumerate(zip(ours.splitlines(), theirs.splitlines(), strict=False)):
        if a != b:
            return f"DIFFERENT at line {n + 2}:\n  export: {a[:300]}\n  COPY:   {b[:300]}"
    return f"DIFFERENT lengths: export {len(ours)} characters, COPY {len(theirs)}"


# --- the output --------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:,.1f}"


LEGEND = """\
columns: median and p95 of the full server time of a request (test client: middleware,
session, view, queries, rendering, a streamed body read to the end) over the timed runs;
floor: the same work done by PostgreSQL alone over raw psycopg (dashboards: the counts by
office and indicator; CSV exports: COPY (SELECT the same rows and columns) TO STDOUT);
ratio: median / floor's median; queries: per request, as the tests' assertNumQueries
counts them (exports: counted by an execute wrapper); peak MB: Python's peak allocation
during an export (tracemalloc); RSS MB: growth of the process's resident set during it;
rows/s: rows exported per second (median). "jit off" rows are for information only."""


def print_table(result: SizeResult) -> None:
    print(f"\n=== {result.size:,} activities ===")
    header = (
        f"{'request':<44} {'median ms':>11} {'p95 ms':>11} {'floor ms':>10} {'ratio':>7} "
        f"{'queries':>7} {'peak MB':>8} {'RSS MB':>7} {'rows/s':>9}"
    )
    print(header)
    print("-" * len(header))
    for m in result.measurements.values():
        floor = m.floor.median if m.floor else None
        ratio = f"{m.ratio:.1f}x" if m.ratio else ""
        peak = f"{m.peak_mb:.1f}" if m.peak_mb is not None else ""
        rss = f"{m.rss_mb:.1f}" if m.rss_mb is not None else ""
        speed = f"{m.rows_per_second:,.0f}" if m.rows_per_second else ""
        print(
            f"{m.name:<44} {_ms(m.median):>11} {_ms(m.p95):>11} {_ms(floor):>10} {ratio:>7} "
            f"{m.queries if m.queries is not None else '':>7} {peak:>8} {rss:>7} {speed:>9}"
        )
    floors = [(name, m.floor) for name, m in result.measurements.items() if m.floor]
    print("\nfloors (raw psycopg, same database):")
    for name, floor in floors:
        rows = result.measurements[name].rows
        speed = f", {rows / floor.median:,.0f} rows/s" if rows else ""
        print(
            f"  {floor.name:<44} median {_ms(floor.median)} ms, p95 {_ms(floor.p95)} ms{speed}"
            f"  (for: {name})"
        )
    for name, floor in result.other_floors.items():
        m = result.measurements[name]
        print(
            f"  {floor.name:<44} median {_ms(floor.median)} ms, p95 {_ms(floor.p95)} ms"
            f"  (for: {name}, information: {m.median / floor.median:.1f}x)"
        )


def _stable_name(name: str) -> str:
    """A request's name without its page numbers, to compare it across sizes."""
    return re.sub(r", page \d+ of \d+$", ", deep page", name)


def summary(results: list[SizeResult]) -> list[tuple[str, bool | None, str]]:
    """Each target of the issue: what it is, met or not (None: cannot tell), the figures."""
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
            f"{_ms(bureau.median)} ms / {_ms(bureau.floor.median)} ms = {bureau.ratio:.1f}x",
        )
    )
    rollup = largest.other_floors.get("bureau dashboard")
    if rollup is not None:
        checks.append(
            (
                "(information) bureau dashboard against the same counts read from the roll-up",
                None,
                f"{_ms(bureau.median)} ms / {_ms(rollup.median)} ms = "
                f"{bureau.median / rollup.median:.1f}x",
            )
        )
    for m in largest.measurements.values():
        if m.kind in ("page", "api") and not m.name.startswith("progress"):
            checks.append(
                (
                    f"{m.name}: median under {PAGE_MEDIAN_MS:g} ms",
                    m.median * 1000 < PAGE_MEDIAN_MS,
                    f"{_ms(m.median)} ms",
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


def print_summary(results: list[SizeResult]) -> None:
    largest = results[-1]
    print(f"\n=== targets (issue 7), at {largest.size:,} activities unless said ===")
    for label, passed, detail in summary(results):
        verdict = "n/a " if passed is None else "PASS" if passed else "MISS"
        print(f"{verdict}  {label}: {detail}")


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
    roll-up (as of today) or from the activities (as of a past day)."""
    starts = tuple(
        f'SELECT "{table}"."lead_office_id" AS "lead_office_id", '
        f'"{table}"."indicator_id" AS "indicator_id", '
        for table in ("activities_activitymonthcount", "activities_activity")
    )
    for _seconds, sql in captured:
        if sql.startswith(starts):
            return sql
    return None


def print_explains(raw: psycopg.Connection, people: Personas, result: SizeResult) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the dashboard's main query, and of the slowest query of
    the other slow requests, at the largest size."""
    _queries, captured = _counted(
        lambda: _get(Request("", people.viewer, reverse("reports:bureau")))
    )
    explained = [
        ("bureau dashboard: counts by office x indicator", _main_dashboard_query(captured))
    ]
    for name, queries in result.slow_queries.items():
        m = result.measurements[name]
        if m.kind in ("dashboard", "page", "api") and queries and m.median * 1000 >= PAGE_MEDIAN_MS:
            explained.append((f"{name}: slowest query", queries[0][1]))
    seen = set()
    for title, sql in explained:
        if sql is None or sql in seen:
            continue
        seen.add(sql)
        print(f"\n--- EXPLAIN (ANALYZE, BUFFERS) {title} ---")
        print(_shorten(sql, 2000))
        for (line,) in raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall():
            print(f"  {line}")


# --- the run -----------------------------------------------------------------------------


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
        measure_request(request, result)
        print(f"  measured {request.name}", flush=True)
    measure_without_jit(people, result)
    print("  measured bureau dashboard, jit off", flush=True)
    measure_floors(raw, people, result)
    measure_import(people, result)
    results.append(result)
    print_table(result)


def main() -> None:
    print(
        f"bench: sizes {', '.join(f'{s:,}' for s in SIZES)}; {REPEAT} timed runs per page "
        f"or API request, {EXPORT_REPEAT} per export and COPY, after {WARMUP} warm-up runs "
        "(exports: after a run with memory traced)."
    )
    old_name = create_database()
    translation.activate("en")
    results: list[SizeResult] = []
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
            if size == SIZES[0]:
                print(
                    f"\nCOPY floor against the {EXPORT_YEAR} CSV export: "
                    f"{check_copy_matches_export(raw, people)}"
                )
        print_summary(results)
        print_slow_queries(raw, results[-1])
        print_explains(raw, people, results[-1])
    finally:
        raw.close()
        destroy_database(old_name)


if __name__ == "__main__":
    main()
