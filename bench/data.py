"""The bench's own database: created and migrated with the reference data and demo users,
grown to each size with PostgreSQL's COPY, dropped at the end."""

from __future__ import annotations

import sys
import time

import psycopg
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from activities.models import Activity

from .generator import ACTIVITY_COLUMNS, ActivityGenerator
from .options import FORBIDDEN_DATABASES, KEEP_DB, REUSE_DB


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
    if REUSE_DB and _exists(name):
        old_name = settings_dict["NAME"]
        connection.close()
        settings_dict["NAME"] = name
        call_command("migrate", verbosity=0)
        print(f"BENCH_REUSE_DB=1: reusing the database {name} (migrated).")
    else:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
    assert connection.settings_dict["NAME"] == name
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--users-only", verbosity=0)
    return old_name


def _exists(name: str) -> bool:
    # Asked of the server's maintenance database: the configured one may not exist.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


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
    # The history keeps the fields it tracks (not, e.g., confirmed_different_from).
    kept = {f.column for f in Activity.history.model._meta.concrete_fields}
    columns = [f.column for f in Activity._meta.concrete_fields if f.column in kept]
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
