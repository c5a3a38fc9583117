"""`make restore FILE=...`: replace everything in the database with a backup made by
`make backup`, then say how many activities it holds and whether their roll-up agrees."""

import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from activities.models import Activity
from ops.backup import BackupError, check_backup_file, database_name, restore_database


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` (pg_restore for PostgreSQL, SQLite's backup API "
        "for SQLite). Replaces everything in the database, or fills an empty one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup, e.g. var/backups/<file>.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for the database's name to confirm (for scripts).",
        )

    def handle(self, *args, file: Path, interactive: bool = True, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            check_backup_file(connection, file)
        except BackupError as exc:
            raise CommandError(f"Nothing was restored: {exc}") from exc
        if interactive:
            self.confirm(database_name(connection), file)
        try:
            restore_database(connection, file)
        except BackupError as exc:
            raise CommandError(f"The restore failed and changed nothing: {exc}") from exc
        self.stdout.write(f"Restored {file} into database {database_name(connection)}.")
        self.report(connection)

    def confirm(self, name: str, file: Path) -> None:
        """A person types the database's name: a restore cannot be undone, and the name is
        what tells a production database from a test one."""
        if not sys.stdin.isatty():
            raise CommandError(
                "Nothing was restored: not on a terminal, so no one can confirm. "
                "Add --noinput to restore without asking."
            )
        answer = input(
            f"This replaces everything in database {name} with {file}. "
            "Type the database name to go on: "
        )
        if answer.strip() != name:
            raise CommandError("Nothing was restored: the name typed is not the database's.")

    def report(self, connection) -> None:
        """What a person checks after a restore: that the activities are there, that the
        backup is of this version of the application, and that the roll-up the dashboards
        read agrees with the activities."""
        self.stdout.write(f"The database holds {Activity.objects.count():,} activities.")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                f"The backup is from an earlier version: {len(pending)} migrations to apply. "
                "Run `python manage.py migrate`, then "
                "`python manage.py rebuild_activity_counts --check`."
            )
            return
        try:
            call_command(
                "rebuild_activity_counts", check=True, stdout=self.stdout, stderr=self.stderr
            )
        except SystemExit as exc:
            raise CommandError(
                "The restored roll-up of activity counts disagrees with the activities: "
                "run `python manage.py rebuild_activity_counts` to recount it."
            ) from exc
