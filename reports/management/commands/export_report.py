"""Write an annual or progress report to a file, or publish one, from the command line.

    python manage.py export_report --year 2026 --format xlsx --output kpi-2026.xlsx
    python manage.py export_report --from 2026-04-01 --to 2026-06-30 --format pdf --output q2.pdf
    python manage.py export_report --year 2026 --format xlsx --publish --user admin

The figures are those of the web page's report for the same choices (reports.report).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from audit.models import Kind
from audit.services import record
from offices.models import Office
from reports import services
from reports.models import ReportFormat
from reports.report import ReportScope


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = (
        "Write the annual report of a year (--year) or a progress report for dates within "
        "one year (--from and --to) as XLSX, PDF or CSV (the counted activities), or publish "
        "it as a kept snapshot with --publish."
    )

    def add_arguments(self, parser) -> None:
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--year", type=int, help="the annual report of this year")
        period.add_argument("--from", dest="date_from", type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_date, help="last day, with --from")
        parser.add_argument(
            "--as-of",
            type=_date,
            help="count what was submitted by the end of this day (default: today)",
        )
        parser.add_argument("--office", help="code of one office's report (default: all offices)")
        parser.add_argument(
            "--format", choices=ReportFormat.values, default=ReportFormat.XLSX, dest="fmt"
        )
        parser.add_argument("--output", type=Path, help="file to write (not with --publish)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
        )
        parser.add_argument("--publish", action="store_true", help="store it as a published report")
        parser.add_argument("--user", help="the bureau admin publishing it, with --publish")
        parser.add_argument("--purpose", default="", help="why it is published, with --publish")

    def handle(self, *args, **options) -> None:
        scope = self._scope(options)
        with translation.override(options["language"]):
            if options["publish"]:
                self._publish(scope, options)
            else:
                self._write(scope, options)

    def _scope(self, options) -> ReportScope:
        office = None
        if options["office"]:
            office = Office.objects.filter(code__iexact=options["office"]).first()
            if office is None:
                raise CommandError(f"No office with the code {options['office']}.")
        if options["year"] is not None:
            date_from, date_to = dt.date(options["year"], 1, 1), dt.date(options["year"], 12, 31)
        else:
            if options["date_to"] is None:
                raise CommandError("--from needs --to.")
            date_from, date_to = options["date_from"], options["date_to"]
        as_of = options["as_of"] or timezone.localdate()
        try:
            scope = ReportScope(date_from, date_to, as_of, office)
            services.check_scope(scope)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return scope

    def _write(self, scope: ReportScope, options) -> None:
        output: Path | None = options["output"]
        if output is None:
            raise CommandError("Give --output (or --publish to keep it as a published report).")
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("wb") as fileobj:
                data = services.report_write(scope, options["fmt"], fileobj)
            partial.replace(output)  # nothing half-written is left under the real name
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        digest = hashlib.sha256(output.read_bytes()).hexdigest()
        record(
            Kind.EXPORT,
            f"report {output.name} (command line)",
            office=scope.office,
            details={"output": str(output), "sha256": digest},
        )
        self.stdout.write(
            f"{scope.title()}: {data.activity_count} activities counted, as of {scope.as_of}.\n"
            f"Wrote {output} ({output.stat().st_size} bytes, SHA-256 {digest})."
        )

    def _publish(self, scope: ReportScope, options) -> None:
        if options["output"] is not None:
            raise CommandError("--publish keeps the file in the system: leave out --output.")
        if scope.as_of != timezone.localdate():
            raise CommandError("A published report is cut from today's data: leave out --as-of.")
        user = get_user_model().objects.filter(username=options["user"] or "").first()
        if user is None:
            raise CommandError("--publish needs --user, the username of a bureau admin.")
        try:
            report = services.report_publish(
                user=user,
                scope=scope,
                fmt=options["fmt"],
                language=options["language"],
                purpose=options["purpose"],
            )
        except PermissionDenied as error:
            raise CommandError(f"{user.username} is not a bureau admin.") from error
        report.refresh_from_db()
        if report.state == report.State.FAILED:
            raise CommandError(f"Report {report.pk} failed: {report.error}")
        if report.is_done:
            self.stdout.write(
                f"Published report {report.pk}: {report.filename}, {report.activity_count} "
                f"activities, SHA-256 {report.sha256}."
            )
        else:
            self.stdout.write(
                f"Published report {report.pk} is queued: a worker generates it, and the "
                "Reports page lists it when it is ready."
            )
