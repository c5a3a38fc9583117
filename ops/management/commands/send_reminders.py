"""`python manage.py send_reminders`: the daily reminder digests by hand (docs/operations.md,
"Reminders"). Celery beat runs the same thing twice a day (ops.tasks.send_reminder_digests);
this command is for a run outside the schedule, another number of days, or a dry run.

Each person gets at most one e-mail per Hong Kong day: the first run sends, later runs
that day skip whoever already had one (a ReminderDigest row, unique per person and date).
A digest whose sending failed is not recorded, so the next run tries it again; the command
then exits with an error. "Office heads" are the office's supervisors: there is no separate
head role. What is due: activities.reminders and planning.reminders; what a digest says
and how it is sent: accounts.reminders; the two brought together: ops.reminders.
"""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.reminders import compose_digest, default_site_url
from activities.reminders import DEFAULT_CLOSING_DAYS, DEFAULT_DRAFT_DAYS, DEFAULT_WAITING_DAYS
from ops.reminders import digests_due, send_due_digests


def days(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from exc
    if not 0 <= number <= 366:
        raise argparse.ArgumentTypeError("the number of days must be between 0 and 366")
    return number


class Command(BaseCommand):
    help = (
        "E-mail each person one digest a day of what waits for them: their drafts older than "
        "--draft-days, their returned activities, confirmed plans that have happened and wait "
        "to be logged, (supervisors) activities waiting for verification, and (supervisors, "
        "who stand for office heads: there is no head role) last month about to close with "
        "nothing logged by their office. Celery beat runs this at 08:00 and 14:00 Hong Kong "
        "time (the beat service); run it by hand for a run outside the schedule. At most one "
        "digest per person per Hong Kong day, so it is safe to run twice. A digest that fails "
        "to send is not recorded and is retried on the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--draft-days",
            type=days,
            default=DEFAULT_DRAFT_DAYS,
            help="Remind of drafts created this many days ago or earlier (default: %(default)s).",
        )
        parser.add_argument(
            "--waiting-days",
            type=days,
            default=DEFAULT_WAITING_DAYS,
            help="Remind supervisors of activities submitted this many days ago or earlier "
            "(default: %(default)s, any activity waiting).",
        )
        parser.add_argument(
            "--closing-days",
            type=days,
            default=DEFAULT_CLOSING_DAYS,
            help="Remind office heads this many days before last month closes, and on the "
            "closing day (default: %(default)s).",
        )
        parser.add_argument(
            "--site-url",
            default=default_site_url(),
            help="The address the links in the e-mails start with, e.g. "
            "https://kpi.cmab.gov.hk (default: the KPI_SITE_URL setting; none: no links).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; send nothing and record nothing.",
        )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        site_url = options["site_url"].rstrip("/")
        limits = {
            "draft_days": options["draft_days"],
            "waiting_days": options["waiting_days"],
            "closing_days": options["closing_days"],
        }
        if options["dry_run"]:
            digests = digests_due(today=today, **limits)
            for digest in digests:
                message = compose_digest(digest, site_url=site_url)
                self.stdout.write(
                    f"Would send to {digest.user.username} <{digest.user.email}> "
                    f"({digest.user.language}): {message.subject}"
                )
                if options["verbosity"] > 1:
                    self.stdout.write(message.body)
            self.stdout.write(f"Dry run for {today}: {len(digests)} digest(s) would be sent.")
            return

        result = send_due_digests(today=today, site_url=site_url, **limits)
        self.stdout.write(
            f"{today}: {len(result.sent)} digest(s) sent, "
            f"{len(result.already_sent)} already sent today, {len(result.failed)} failed."
        )
        if result.failed:
            names = ", ".join(digest.user.username for digest in result.failed)
            raise CommandError(
                f"Could not send the digests of {names}; the next run will try again."
            )
