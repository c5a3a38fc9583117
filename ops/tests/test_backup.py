"""`make backup` and `make restore`: a backup restored into an empty database gives the same
dashboards and the same rows; a restore refuses a file that is not a backup of this kind of
database and leaves the data as it was; a backup that fails leaves no file behind.

The tests run on the database the suite runs on: SQLite (in memory) by default, PostgreSQL
with DATABASE_URL. On PostgreSQL, the empty database is a new one, named kpi_backup_<...>,
created and dropped by the test. Data is committed (transactional tests), since pg_dump
reads the database from its own connection.

Today is Thursday 2 July 2026, 18:00 in Hong Kong.
"""

import contextlib
import datetime as dt
import io
import os
import sqlite3
import stat
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from activities.counts import differences
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.models import AnnualTarget, Office
from offices.tests.factories import (
    AnnualTargetFactory,
    CounterpartFactory,
    IndicatorFactory,
    OfficeTargetFactory,
    RegionFactory,
)
from ops.backup import BackupError, backup_database
from reports.dashboard import dashboard
from tests.datasets import activity, joint, not_counted_by_30_june, removed

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 7, 2)
POSTGRESQL = connection.vendor == "postgresql"
SUFFIX = ".dump" if POSTGRESQL else ".sqlite3"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.frozen_at(dt.datetime(2026, 7, 2, 18, 0, tzinfo=HK)),
]


@pytest.fixture
def year_of_data(office_a, unit_a, office_b):
    """A year and a half of activities, with what counts and what does not (drafts,
    returned, removed, submitted late, still to come, joined by another office), targets,
    shares, a region, counterparts and the activities' history."""
    visits = IndicatorFactory(code="visits", name_en="Visits", display_order=1)
    media = IndicatorFactory(code="media", name_en="Media", display_order=2)
    trade = IndicatorFactory(code="trade", name_en="Trade", display_order=3)
    for year in (2025, 2026):
        AnnualTargetFactory(year=year, indicator=visits, target=100)
        AnnualTargetFactory(year=year, indicator=media, target=20)
        AnnualTargetFactory(year=year, indicator=trade, target=40)
    OfficeTargetFactory(year=2026, indicator=visits, office=office_a, target=60)
    OfficeTargetFactory(year=2026, indicator=visits, office=unit_a, target=10)
    hubei = RegionFactory(code="420000", name_en="Hubei")
    guangdong = RegionFactory(code="440000", name_en="Guangdong")
    chamber = CounterpartFactory(name_en="Wuhan General Chamber of Commerce")

    for year, last_month in ((2025, 12), (2026, 6)):
        for month in range(1, last_month + 1):
            day = dt.date(year, month, 8)
            activity(office_a, visits, day, region=hubei)
            activity(unit_a, visits, day.replace(day=12), status=Status.VERIFIED)
            activity(office_b, media if month % 2 else trade, day, region=guangdong)
    not_counted_by_30_june(office_a, visits, media)
    trade_meeting = joint(office_b, trade, dt.date(2026, 5, 5), joined_by=office_a, region=hubei)
    trade_meeting.counterparts.add(chamber)
    removed(office_a, media, dt.date(2026, 4, 4))
    return {"office_a": office_a, "visits": visits}


def plain(board):
    """A dashboard as plain data: every number on the page, by code rather than by id."""

    def figures(figures):
        return [
            (
                f.indicator.code,
                f.achieved,
                f.target,
                f.percent,
                f.expected,
                f.projected,
                f.status,
            )
            for f in figures
        ]

    return {
        "figures": figures(board.figures),
        "rows": [
            (
                row.office.code,
                figures(row.figures),
                [(unit.office.code, figures(unit.figures)) for unit in row.units],
            )
            for row in board.rows
        ],
        "monthly": board.monthly,
        "monthly_last_year": board.monthly_last_year,
        "regions": [(region.code, n) for region, n in board.regions],
        "quiet": [(office.code, day) for office, day in board.quiet_offices],
        "waiting": [(office.code, n, day) for office, n, day in board.waiting],
    }


def dashboards(office_code="OFFA"):
    """The bureau's dashboard as of today (read from the roll-up) and as of 30 June (counted
    from the activities), and office A's as of today."""
    office = Office.objects.get(code=office_code)
    return {
        "bureau today": plain(dashboard(year=2026, as_of=TODAY)),
        "bureau 30 June": plain(dashboard(year=2026, as_of=dt.date(2026, 6, 30))),
        "office A today": plain(dashboard(year=2026, as_of=TODAY, office=office)),
    }


def row_counts():
    """The number of rows of every table of every model, many-to-many tables included."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
    }


def activity_rows():
    return list(Activity.objects.order_by("pk").values_list())


def state():
    return {"dashboards": dashboards(), "rows": row_counts(), "activities": activity_rows()}


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def backup(directory: Path) -> Path:
    output = run("backup", f"--output-dir={directory}")
    (path,) = directory.iterdir()
    assert f"Backed up to {path}, " in output
    return path


def restore(path: Path) -> str:
    return run("restore", str(path), "--noinput")


def table_names():
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


@contextlib.contextmanager
def empty_database():
    """Point Django's connection at an empty database (no tables at all) for the block.

    PostgreSQL: a new database, kpi_backup_<random>, dropped afterwards. SQLite (in memory):
    the test database itself is emptied with the backup API, and put back afterwards if the
    block did not fill it again."""
    if POSTGRESQL:
        name = f"kpi_backup_{uuid.uuid4().hex[:12]}"
        original = connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            connection.close()
            connection.settings_dict["NAME"] = name
            assert table_names() == []
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        connection.ensure_connection()
        raw = connection.connection
        saved = sqlite3.connect(":memory:")
        raw.backup(saved)
        try:
            sqlite3.connect(":memory:").backup(raw)
            assert table_names() == []
            yield
        finally:
            if not table_names():
                saved.backup(raw)
            saved.close()


# --- backing up and restoring -----------------------------------------------------------


def test_a_backup_restored_into_an_empty_database_gives_the_same_figures(year_of_data, tmp_path):
    before = state()
    # Not an empty comparison: six months of office A's and unit A's visits count by today.
    assert before["dashboards"]["bureau today"]["figures"][0][:3] == ("visits", 12, 100)
    path = backup(tmp_path)

    with empty_database():
        output = restore(path)
        assert state() == before
        assert f"The database holds {len(before['activities']):,} activities." in output
        assert "The roll-up is right." in output
        # The restored database goes on: ids do not collide and the triggers keep counting.
        ActivityFactory(
            lead_office=year_of_data["office_a"],
            indicator=year_of_data["visits"],
            occurred_on=dt.date(2026, 7, 2),
        )
        assert differences() == {}
        assert dashboards()["bureau today"]["figures"][0][:2] == ("visits", 13)


def test_a_restore_replaces_what_changed_since_the_backup(year_of_data, tmp_path):
    before = state()
    path = backup(tmp_path)
    ActivityFactory(
        lead_office=year_of_data["office_a"],
        indicator=year_of_data["visits"],
        occurred_on=dt.date(2026, 7, 1),
    )
    Activity.objects.filter(status=Status.VERIFIED).delete()
    AnnualTarget.objects.filter(year=2026).update(target=1)
    assert state() != before

    output = restore(path)

    assert state() == before
    assert "The roll-up is right." in output


def test_the_backup_file(year_of_data, tmp_path):
    """Named after the time in Hong Kong, readable by its owner only, and nothing else left
    in the directory."""
    path = backup(tmp_path / "backups")
    assert path.name == f"kpi-tracker-20260702-180000{SUFFIX}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="already exists"):
        run("backup", f"--output={path}")
    assert list(path.parent.iterdir()) == [path]


# --- refusals ------------------------------------------------------------------------------


def sqlite_backup_of_something_else(path: Path) -> None:
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE notes (text)")
    database.commit()
    database.close()


def sqlite_backup_of_ours(path: Path) -> None:
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE django_migrations (app, name)")
    database.commit()
    database.close()


def postgresql_backup_of_something_else(path: Path) -> None:
    """A real pg_dump archive, of another database."""
    with empty_database():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE notes (text text)")
        backup_database(connection, path)


def postgresql_backup(path: Path) -> None:
    path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01\x01" + bytes(200))


WRONG_FILES = {
    # the other database's kind of backup, which cannot be restored here
    "other kind": sqlite_backup_of_ours if POSTGRESQL else postgresql_backup,
    "not ours": postgresql_backup_of_something_else
    if POSTGRESQL
    else sqlite_backup_of_something_else,
    "text": lambda path: path.write_text("BEGIN; DROP TABLE activities_activity; COMMIT;\n"),
    "empty": lambda path: path.write_bytes(b""),
    "missing": lambda path: None,
}
REFUSAL = {
    "other kind": "is a backup of a (SQLite|PostgreSQL) database; this database is",
    "not ours": "not of the KPI Tracker",
    "text": "is not a backup made by `make backup`",
    "empty": "is not a backup made by `make backup`",
    "missing": "does not exist",
}


@pytest.mark.parametrize("kind", WRONG_FILES)
def test_a_restore_refuses_a_file_of_the_wrong_kind_and_leaves_the_data(
    year_of_data, tmp_path, kind
):
    path = tmp_path / f"backup{SUFFIX}"
    WRONG_FILES[kind](path)
    before = state()

    with pytest.raises(CommandError, match=f"Nothing was restored: .*{REFUSAL[kind]}"):
        restore(path)

    assert state() == before


@pytest.mark.parametrize(
    ("cut", "refusal"),
    [
        (1 / 3, "is damaged"),
        # PostgreSQL's backup still lists its contents, so the restore starts, stops at the
        # missing data and undoes what it did.
        (0.001, "failed and changed nothing" if POSTGRESQL else "is damaged"),
    ],
    ids=["a third", "the last bytes"],
)
def test_a_restore_that_fails_half_way_leaves_the_data_as_it_was(
    year_of_data, tmp_path, cut, refusal
):
    """A backup cut short, as by a copy that did not finish."""
    path = backup(tmp_path)
    data = path.read_bytes()
    short = tmp_path / f"short{SUFFIX}"
    short.write_bytes(data[: len(data) - max(1, int(len(data) * cut))])
    ActivityFactory(lead_office=year_of_data["office_a"], occurred_on=dt.date(2026, 7, 1))
    before = state()

    with pytest.raises(CommandError, match=refusal):
        restore(short)

    assert state() == before


def test_a_restore_asks_for_the_database_name_on_a_terminal(year_of_data, tmp_path, monkeypatch):
    path = backup(tmp_path)
    ActivityFactory(lead_office=year_of_data["office_a"], occurred_on=dt.date(2026, 7, 1))
    before = state()
    asked = []

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "kpi_tracker")
    with pytest.raises(CommandError, match="the name typed is not the database's"):
        run("restore", str(path))
    assert "This replaces everything in database" in asked[0]
    assert state() == before

    monkeypatch.setattr(sys, "stdin", io.StringIO())
    with pytest.raises(CommandError, match="not on a terminal.*--noinput"):
        run("restore", str(path))
    assert state() == before


# --- backups that fail ----------------------------------------------------------------------


@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump is for PostgreSQL")
def test_no_backup_without_pg_dump(year_of_data, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        run("backup", f"--output-dir={tmp_path / 'backups'}")
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())


def fake_pg_dump(directory: Path, version: str, body: str) -> None:
    directory.mkdir()
    program = directory / "pg_dump"
    program.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) {version}"; exit 0; fi\n'
        'for arg in "$@"; do case "$arg" in --file=*) file="${arg#--file=}";; esac; done\n'
        f"{body}\n"
    )
    program.chmod(0o755)


@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump is for PostgreSQL")
def test_a_pg_dump_that_fails_leaves_no_file(year_of_data, tmp_path, monkeypatch):
    fake_pg_dump(
        tmp_path / "bin",
        "99.0",
        "printf 'PGDMP half a backup' > \"$file\"\n"
        "echo 'pg_dump: error: connection to server lost' >&2\nexit 1",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    backups = tmp_path / "backups"
    with pytest.raises(CommandError, match="pg_dump failed: pg_dump: error: connection"):
        run("backup", f"--output-dir={backups}")
    assert list(backups.iterdir()) == []


@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump is for PostgreSQL")
def test_no_backup_with_a_pg_dump_older_than_the_server(year_of_data, tmp_path, monkeypatch):
    fake_pg_dump(tmp_path / "bin", "9.6.24", 'echo "should not run" > "$file"')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(CommandError, match=r"PostgreSQL 9, older than the server"):
        run("backup", f"--output-dir={tmp_path / 'backups'}")
    assert not (tmp_path / "backups").exists()


@pytest.mark.skipif(POSTGRESQL, reason="SQLite's copy")
def test_a_copy_that_fails_leaves_no_file(year_of_data, tmp_path, monkeypatch):
    def copy_half(connection, path):
        path.write_bytes(b"SQLite format 3\x00half a backup")
        raise BackupError("Could not copy the SQLite database: disk I/O error")

    monkeypatch.setattr("ops.backup._write_sqlite", copy_half)
    backups = tmp_path / "backups"
    with pytest.raises(CommandError, match="No backup was made: .*disk I/O error"):
        run("backup", f"--output-dir={backups}")
    assert list(backups.iterdir()) == []
