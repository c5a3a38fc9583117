"""Backing up and restoring the database: `pg_dump` and `pg_restore` for PostgreSQL,
SQLite's online backup API for SQLite (`make backup`, `make restore`).

A backup is a single file, written under a temporary name in its own directory and renamed
when complete, so that a file with a backup's name is always a whole backup. A restore
checks the file first (the kind matches the database, the file reads to its end as far as
can be told without restoring it) and replaces the database in one transaction, so that a
restore that fails leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump and pg_restore, with argument lists, no shell)
import tempfile
from pathlib import Path

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

BACKUP_DIR = Path(settings.VAR_DIR) / "backups"
BACKUP_PREFIX = "kpi-tracker-"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
POSTGRESQL_MAGIC = b"PGDMP"  # the first bytes of a pg_dump archive in the custom format
SQLITE_MAGIC = b"SQLite format 3\x00"
# A table every database of ours has: a backup without it is of something else.
MARKER_TABLE = "django_migrations"
# libpq's environment variables for the connection's SSL options (dj-database-url puts
# `?sslmode=...` of DATABASE_URL into OPTIONS).
PG_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why, for the operator."""


def vendor_of(connection: BaseDatabaseWrapper) -> str:
    """ "postgresql" or "sqlite"; any other database is refused, so that a backup is never
    attempted with a tool that does not fit it."""
    if connection.vendor not in SUFFIXES:
        raise BackupError(f"Backups are made for PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def database_name(connection: BaseDatabaseWrapper) -> str:
    """The name an operator types to confirm a restore: the database's, or the SQLite
    file's name without its directories."""
    name = str(connection.settings_dict["NAME"])
    return Path(name).name if connection.vendor == "sqlite" else name


def default_backup_path(
    connection: BaseDatabaseWrapper, directory: Path = BACKUP_DIR, *, now: dt.datetime | None = None
) -> Path:
    """var/backups/kpi-tracker-<YYYYmmdd-HHMMSS>.dump (or .sqlite3), in Hong Kong time, so
    that the files sort by date and say what they are."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    return Path(directory) / f"{BACKUP_PREFIX}{stamp}{SUFFIXES[vendor_of(connection)]}"


# --- backing up -------------------------------------------------------------------------


def backup_database(connection: BaseDatabaseWrapper, destination: Path) -> Path:
    """Write a backup of the database to `destination` and return its path.

    The backup is written to a temporary file (mode 0600: it holds every user's data and
    password hash) in the destination's directory and renamed only once it is complete, so
    a failure leaves no file that looks like a backup and no temporary file either. An
    existing file is never overwritten."""
    vendor = vendor_of(connection)
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists; a backup never overwrites a file.")
    if vendor == "postgresql":
        # Before anything is written: a missing or too old pg_dump is the common failure.
        pg_dump = client_program("pg_dump")
        check_pg_dump_version(pg_dump, server_major_version(connection))
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary_name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial"
    )
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if vendor == "postgresql":
            _write_postgresql(connection, temporary, pg_dump)
        else:
            _write_sqlite(connection, temporary)
        os.chmod(temporary, 0o600)
        _fsync(temporary)
        if destination.exists():
            raise BackupError(f"{destination} appeared meanwhile; it is left as it is.")
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return destination


def _write_postgresql(connection: BaseDatabaseWrapper, path: Path, pg_dump: str) -> None:
    """pg_dump's custom format: compressed, and pg_restore can restore it into a database
    that has the tables already (--clean) or none at all."""
    _run(
        [pg_dump, "--format=custom", f"--file={path}", *_pg_arguments(connection)],
        connection,
        "pg_dump",
    )


def _write_sqlite(connection: BaseDatabaseWrapper, path: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the application writes to
    the database, which copying the file is not (a write half done, a journal not yet
    applied). Through Django's own connection, so it also copies an in-memory database."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"Could not copy the SQLite database: {exc}") from exc
    finally:
        target.close()


def _fsync(path: Path) -> None:
    """The backup's bytes on the disk before it takes its final name."""
    with open(path, "rb") as file:
        os.fsync(file.fileno())


# --- PostgreSQL's client programs --------------------------------------------------------


def client_program(name: str) -> str:
    """The path of pg_dump or pg_restore on PATH, or a BackupError that says what to install."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} was not found on PATH. Install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client) of the server's version or newer."
        )
    return program


def client_major_version(program: str) -> int:
    """The major version of a PostgreSQL client program ("pg_dump (PostgreSQL) 15.8" -> 15)."""
    try:
        result = subprocess.run(  # noqa: S603
            [program, "--version"], capture_output=True, text=True, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"Could not run {program} --version: {exc}") from exc
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    if match is None:
        raise BackupError(f"Could not read the version of {program}: {result.stdout.strip()!r}")
    return int(match.group(1))


def server_major_version(connection: BaseDatabaseWrapper) -> int:
    """The PostgreSQL server's major version (150008 -> 15)."""
    return connection.pg_version // 10000


def check_pg_dump_version(pg_dump: str, server_major: int) -> None:
    """pg_dump refuses a server newer than itself; say so plainly, before starting."""
    client_major = client_major_version(pg_dump)
    if client_major < server_major:
        raise BackupError(
            f"{pg_dump} is PostgreSQL {client_major}, older than the server "
            f"(PostgreSQL {server_major}): install the client programs of version "
            f"{server_major} or newer and put them first on PATH."
        )


def _pg_arguments(connection: BaseDatabaseWrapper) -> list[str]:
    """The connection of Django's database as pg_dump / pg_restore arguments. Never a
    password prompt: a backup run from cron must fail, not wait (the password goes by
    PGPASSWORD, see `_pg_environment`)."""
    settings_dict = connection.settings_dict
    arguments = ["--no-password"]
    if settings_dict.get("HOST"):
        arguments.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        arguments.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        arguments.append(f"--username={settings_dict['USER']}")
    arguments.append(f"--dbname={settings_dict['NAME']}")
    return arguments


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The password in the environment, not on the command line (where `ps` shows it to
    every user of the machine)."""
    settings_dict = connection.settings_dict
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in PG_OPTION_VARIABLES.items():
        value = settings_dict.get("OPTIONS", {}).get(option)
        if value:
            environment[variable] = str(value)
    return environment


def _run(arguments: list[str], connection: BaseDatabaseWrapper, what: str) -> str:
    try:
        result = subprocess.run(  # noqa: S603
            arguments,
            env=_pg_environment(connection),
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise BackupError(f"Could not run {arguments[0]}: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {message}" if what else message)
    return result.stdout


# --- restoring ----------------------------------------------------------------------------


def check_backup_file(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Refuse, before anything is changed, a file that is missing, of the other database's
    kind, not a backup of ours, or unreadable: a PostgreSQL backup must start with pg_dump's
    PGDMP and list its contents; an SQLite one must start with SQLite's header and pass its
    quick check. Either must hold the table of migrations."""
    vendor = vendor_of(connection)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(POSTGRESQL_MAGIC):
        kind = "postgresql"
    elif head == SQLITE_MAGIC:
        kind = "sqlite"
    else:
        raise BackupError(
            f"{path} is not a backup made by `make backup` (neither a pg_dump archive in "
            "the custom format nor an SQLite database)."
        )
    if kind != vendor:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
        raise BackupError(
            f"{path} is a backup of a {names[kind]} database; this database is "
            f"{names[vendor]}. Restore it into a {names[kind]} database."
        )
    if vendor == "postgresql":
        try:
            listing = _run([client_program("pg_restore"), "--list", str(path)], connection, "")
        except BackupError as exc:
            raise BackupError(f"{path} is damaged or cut short: {exc}") from exc
        if f" TABLE DATA public {MARKER_TABLE} " not in listing:
            raise BackupError(f"{path} is a PostgreSQL backup, but not of the KPI Tracker.")
    else:
        _check_sqlite_file(path)


def _check_sqlite_file(path: Path) -> None:
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in source.execute("PRAGMA quick_check")]
            has_marker = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MARKER_TABLE]
            ).fetchone()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is damaged: {exc}") from exc
    if problems != ["ok"]:
        lines = [line for problem in problems[:5] for line in problem.splitlines()]
        raise BackupError(f"{path} is damaged: {'; '.join(lines)}")
    if not has_marker:
        raise BackupError(f"{path} is an SQLite database, but not of the KPI Tracker.")


def restore_database(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Replace the database's contents with the backup's, in one transaction: a restore
    that fails leaves the database as it was. Works as well into an empty database (no
    tables at all) as into one in use. Django's connection is closed before, so that it
    holds no lock the restore waits for, and after, so that nothing of the old database
    stays cached in it."""
    vendor = vendor_of(connection)
    path = Path(path)
    check_backup_file(connection, path)
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    connection.close()
    try:
        if vendor == "postgresql":
            _restore_postgresql(connection, path)
        else:
            _restore_sqlite(connection, path)
    finally:
        connection.close()


def _restore_postgresql(connection: BaseDatabaseWrapper, path: Path) -> None:
    """--clean --if-exists drops what the backup holds before creating it again, and does not
    mind that there is nothing to drop (an empty database); --single-transaction with
    --exit-on-error undoes everything at the first error; --no-owner, so the tables belong to
    the database's own user even where the backup's owner has another name."""
    _run(
        [
            client_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *_pg_arguments(connection),
            str(path),
        ],
        connection,
        "pg_restore",
    )


def _restore_sqlite(connection: BaseDatabaseWrapper, path: Path) -> None:
    """The backup API copies the whole file into the database in one step, which is one
    write transaction: all of it or, on an error (another process holding the database, a
    full disk), nothing. Through Django's connection, so that an in-memory database is
    restored too (Django's SQLite backend keeps that connection open through `close()`)."""
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(
            f"Could not restore into the SQLite database ({exc}); it is as it was. "
            "If it is in use, stop the application and try again."
        ) from exc
    finally:
        source.close()


def file_size(path: Path) -> str:
    """A backup's size as people read it: "2.4 MB (2,437,120 bytes)"."""
    size = Path(path).stat().st_size
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    shown = f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit} ({size:,} bytes)"
    return shown
