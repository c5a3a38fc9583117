"""`make loadtest`: 50 simulated people of mixed roles on the application for 60
seconds, on loopback, then a check that nothing they were told was saved got lost.

    make loadtest                                                           # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_lt make loadtest    # PostgreSQL

Not part of `make test`: timings are reported, never asserted (STYLE.md, "Tests"). What
fails the run (exit 1) is any failed request, any acknowledged write missing or doubled in
the database, and dashboard totals that differ from the rows they count.

1. A database of its own, never the developer's: without DATABASE_URL a fresh SQLite file
   in a temporary directory; with a PostgreSQL DATABASE_URL, a database named after that
   one with "_loadtest" appended (dropped first if it exists, and at the end unless
   LOADTEST_KEEP_DB=1). Migrated, with the reference data, the demo logins and the demo
   year (`seed_demo`), and an API token for the demo admin.
2. gunicorn on 127.0.0.1 at a free port, 3 worker processes of 4 threads (2 cores), with
   kpi_tracker/settings/loadtest.py (the local settings with DEBUG off; static files through
   WhiteNoise from the finders; SQLite in WAL mode, writers queueing for up to 20 s).
3. locust, headless, in a process of its own: loadtest/locustfile.py, 50 users started at
   5 a second (all at work after 10 s: people arrive over seconds, not in the same one;
   each sign-in is a deliberately slow password hash), 60 seconds, 5 seconds for the last tasks to finish. It hands back a JSON
   ledger: every request's time and outcome, and every write it saw acknowledged.
4. The report: requests, requests per second, median and 95th percentile latency, overall
   and per request, and the failures with their messages. Then, in the database: every
   activity acknowledged as saved is there exactly once (by its unique title and id), every
   acknowledged edit, submission and verification holds, the bureau dashboard's figures
   (bureau, offices, units) equal the counted rows, and `rebuild_activity_counts --check`
   finds the roll-up right. Activities saved whose answer never arrived (the last tasks,
   cut off at the end) are a note, not an error. The table is loadtest/report.py's, the
   checks in the database loadtest/checks.py's.

The whole run stops by itself within two minutes (LOADTEST_TIME_LIMIT, 115 seconds): at
the limit, or on Ctrl-C, the server and locust are stopped and the database is dropped.
When the run fails, the logs (gunicorn's, locust's with its own CSV, the ledger) are kept
in the temporary directory, whose name is printed.
Loopback only: LOADTEST_HOST may be 127.0.0.1 or localhost, nothing else.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from loadtest.checks import Check, check_dashboard, check_writes, print_summary  # noqa: E402
from loadtest.report import print_requests, request_rows, say  # noqa: E402

USERS = 50
SPAWN_RATE = 5  # 50 people signed in over the first 10 s
RUN_SECONDS = 60
STOP_TIMEOUT = 5
WORKERS = 3
THREADS = 4
TIME_LIMIT = int(os.environ.get("LOADTEST_TIME_LIMIT", "115"))
CHECKS_RESERVE = 15  # seconds kept after the load for stopping the server and the checks
KEEP_DB = os.environ.get("LOADTEST_KEEP_DB") == "1"
HOST = os.environ.get("LOADTEST_HOST", "127.0.0.1")
LOOPBACK = {"127.0.0.1", "localhost"}
# Others run the application and the test suite on these; the load test never touches them.
FORBIDDEN_DATABASES = {"kpi_tracker", "test_kpi_tracker", "postgres", "template0", "template1"}


class TimeLimitReached(BaseException):
    """Raised by the alarm: BaseException, so that no `except Exception` swallows it."""


def _on_alarm(_signum, _frame):
    raise TimeLimitReached


def _on_terminate(_signum, _frame):
    raise KeyboardInterrupt


# --- the database --------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    label: str
    drop: Callable[[], None]


def _postgres_admin(config: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )


def prepare_database(tmp: Path) -> Database:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = tmp / "loadtest.sqlite3"
        return Database(f"sqlite:///{path}", f"SQLite {path}", lambda: None)
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit("loadtest: DATABASE_URL must be PostgreSQL, or unset for SQLite.")

    import dj_database_url
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_loadtest"
    if (
        not config["NAME"]
        or name in FORBIDDEN_DATABASES
        or name.startswith("test_")
        or "loadtest" not in name
    ):
        sys.exit(f"loadtest: refusing to use the database {name!r}.")
    with _postgres_admin(config) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with _postgres_admin(config) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    parts = urlsplit(url)
    loadtest_url = urlunsplit(parts._replace(path="/" + quote(name)))
    where = f"{config['HOST'] or 'local socket'}:{config['PORT'] or 5432}"
    return Database(loadtest_url, f"PostgreSQL {name} on {where}", drop)


def load_data() -> str:
    """Migrate, reference data, demo logins and year; an API token for the admin."""
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from accounts.tokens import token_create
    from activities.models import Activity

    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("load_reference_data", verbosity=0, stdout=quiet)
    call_command("seed_demo", verbosity=0, stdout=quiet)
    _token, raw = token_create(user=User.objects.get(username="admin"), name="loadtest")
    say(f"  {Activity.objects.count():,} demo activities, {User.objects.count()} demo logins")
    return raw


# --- the server and the load -------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST if HOST != "localhost" else "127.0.0.1", 0))
        return probe.getsockname()[1]


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child in a session of its own: Ctrl-C reaches us, and we stop it with its workers."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 (our own commands, fixed above)
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen | None, name: str, grace: float = 10) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        say(f"  {name} did not stop in {grace:g} s: killed")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_until_up(base: str, server: subprocess.Popen, limit: float = 30) -> None:
    until = time.monotonic() + limit
    while time.monotonic() < until:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base}/healthz did not answer within {limit:g} s")


def tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- the run ---------------------------------------------------------------------------------


def main() -> int:
    started = time.monotonic()
    if HOST not in LOOPBACK:
        sys.exit(f"loadtest: loopback only; refusing LOADTEST_HOST={HOST!r}.")
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_terminate)
    signal.alarm(TIME_LIMIT)

    tmp = Path(tempfile.mkdtemp(prefix="kpi-loadtest-"))
    (tmp / "static").mkdir()
    database: Database | None = None
    server = locust = None
    ok = False
    try:
        database = prepare_database(tmp)
        os.environ["DATABASE_URL"] = database.url
        os.environ["DJANGO_SETTINGS_MODULE"] = "kpi_tracker.settings.loadtest"
        os.environ["DJANGO_MEDIA_ROOT"] = str(tmp / "media")
        os.environ["DJANGO_STATIC_ROOT"] = str(tmp / "static")
        say(f"loadtest: {USERS} users for {RUN_SECONDS} s on loopback; database: {database.label}")
        token = load_data()
        from django.db import connections

        connections.close_all()
        say(f"  ready in {time.monotonic() - started:.1f} s")

        port = free_port()
        base = f"http://{HOST}:{port}"
        env = {**os.environ, "DJANGO_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
        server_log = tmp / "gunicorn.log"
        server = start(
            [
                str(BIN / "gunicorn"),
                "kpi_tracker.wsgi:application",
                f"--bind={HOST}:{port}",
                f"--workers={WORKERS}",
                f"--threads={THREADS}",
                "--worker-class=gthread",
                "--timeout=30",
                "--graceful-timeout=5",
                # Longer than a simulated person's pause (1 to 3 s), as a browser's
                # connection would be kept by a proxy: gunicorn's 2 s would otherwise
                # close connections as the load generator reuses them (no answer, status 0).
                "--keep-alive=10",
                "--log-level=warning",
            ],
            env,
            server_log,
        )
        wait_until_up(base, server)
        say(f"  gunicorn on {base}: {WORKERS} workers x {THREADS} threads")

        stats = tmp / "stats"  # locust's own CSV, kept with the logs when the run fails
        ledger_path = tmp / "ledger.json"
        locust_log = tmp / "locust.log"
        locust = start(
            [
                str(BIN / "locust"),
                f"--locustfile={ROOT / 'loadtest' / 'locustfile.py'}",
                "--headless",
                f"--users={USERS}",
                f"--spawn-rate={SPAWN_RATE}",
                f"--run-time={RUN_SECONDS}s",
                f"--stop-timeout={STOP_TIMEOUT}",
                f"--host={base}",
                f"--csv={stats}",
                "--only-summary",
                "--loglevel=WARNING",
            ],
            {**env, "LOADTEST_LEDGER": str(ledger_path), "LOADTEST_API_TOKEN": token},
            locust_log,
        )
        say(f"  locust: {USERS} users, {SPAWN_RATE} started a second, {RUN_SECONDS} s ...")
        budget = TIME_LIMIT - (time.monotonic() - started) - CHECKS_RESERVE
        ran_out = False
        try:
            locust.wait(timeout=max(budget, 1))
        except subprocess.TimeoutExpired:
            ran_out = True
            say(f"  locust still running at the time limit: stopped (log: {locust_log})")
            stop(locust, "locust", grace=8)
        stop(server, "gunicorn")

        if not ledger_path.exists():
            say(f"\nlocust left no results; its log:\n{tail(locust_log)}")
            return 1
        ledger = json.loads(ledger_path.read_text())
        rows, total, working, failures = request_rows(ledger["requests"])

        say(f"\n=== requests: {USERS} users, {RUN_SECONDS} s ===")
        print_requests(rows, [total, working], failures)
        if failures or locust.returncode not in (0, 1):
            say(f"\nthe server's log (last lines):\n{tail(server_log) or '(empty)'}")
            say(f"\nlocust's log (last lines):\n{tail(locust_log) or '(empty)'}")

        checks = [
            Check(
                f"the load ran its {RUN_SECONDS} s",
                not ran_out and locust.returncode in (0, 1),  # 1: locust saw failures
                "stopped at the time limit"
                if ran_out
                else "to the end"
                if locust.returncode in (0, 1)
                else f"locust exited with {locust.returncode}",
            ),
            Check(
                "requests",
                None,
                f"{total.count:,}, {total.rps:.1f}/s; median {total.median:,.0f} ms, "
                f"p95 {total.p95:,.0f} ms (without signing in: median {working.median:,.0f} ms, "
                f"p95 {working.p95:,.0f} ms)",
            ),
            Check(
                "failed requests and checks",
                not failures,
                f"{sum(failures.values()):,}",
            ),
        ]
        checks += check_writes(ledger)
        checks += check_dashboard()
        if ledger["duplicate_confirmations"]:
            outside = ledger["confirm_outside_form"]
            checks.append(
                Check(
                    "(note) likely duplicates confirmed on the form",
                    None,
                    f"{ledger['duplicate_confirmations']}"
                    + (
                        f"; in {outside} the confirmation box was outside the <form>, so a "
                        "browser would not send it"
                        if outside
                        else ""
                    ),
                )
            )
        say(f"\n=== summary ({time.monotonic() - started:.0f} s in all) ===")
        ok = print_summary(checks)
        say("\nPASS" if ok else "\nFAIL")
        return 0 if ok else 1
    except TimeLimitReached:
        say(f"\nloadtest: stopped at the time limit of {TIME_LIMIT} s. FAIL")
        return 1
    except KeyboardInterrupt:
        say("\nloadtest: interrupted. FAIL")
        return 130
    finally:
        signal.alarm(0)
        stop(locust, "locust", grace=8)
        stop(server, "gunicorn")
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if database is not None:
            if KEEP_DB:
                say(f"LOADTEST_KEEP_DB=1: kept {database.label} (and {tmp})")
            else:
                database.drop()
        if KEEP_DB:
            pass
        elif ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:  # the logs stay for a look; the database goes
            for path in tmp.glob("loadtest.sqlite3*"):
                path.unlink()
            shutil.rmtree(tmp / "media", ignore_errors=True)
            say(f"logs kept in {tmp} (gunicorn.log, locust.log, stats_*.csv, ledger.json)")


if __name__ == "__main__":
    sys.exit(main())
