"""`make backup`: a backup of the database in one file under var/backups/. Safe to run
twice: each run makes a new file, named after the time."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ops.backup import BACKUP_DIR, BackupError, backup_database, default_backup_path, file_size


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump (custom format) for PostgreSQL, a consistent copy "
        "for SQLite, into var/backups/kpi-tracker-<date>-<time>.dump (or .sqlite3)."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--output-dir",
            type=Path,
            default=BACKUP_DIR,
            help="Directory for the backup, named after the time (default: var/backups/).",
        )
        where.add_argument("--output", type=Path, help="The backup's file; it must not exist yet.")

    def handle(self, *args, output_dir: Path, output: Path | None = None, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            destination = output or default_backup_path(connection, output_dir)
            path = backup_database(connection, destination)
        except BackupError as exc:
            raise CommandError(f"No backup was made: {exc}") from exc
        self.stdout.write(f"Backed up to {shown(path)}, {file_size(path)}.")


def shown(path: Path) -> str:
    """The path as `make restore FILE=...` takes it: from here when the backup is below."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
