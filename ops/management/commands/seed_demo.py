import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from accounts.twofactor import has_two_factor
from offices.models import Office
from ops.demo import DEMO_PASSWORD, DEMO_USERS
from ops.seed import demo_seed


class Command(BaseCommand):
    help = (
        "Create demo users for every role, a realistic history of activities (last year in "
        "full, this year up to today) and plans ahead (a conflict between two offices, "
        "progress notes). Safe to run twice. Refuses to run on production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users-only", action="store_true", help="Create the users only.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the usual volume (e.g. 0.1)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo activities, plans and notes and create them anew.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.KPI_DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo creates demo logins and is refused on production settings."
            )
        if not Office.objects.exists():
            raise CommandError(
                "Load the reference data first: python manage.py load_reference_data"
            )
        if not 0 < options["scale"] <= 10:
            raise CommandError("--scale must be between 0 and 10.")
        today = options["today"] or timezone.localdate()
        result = demo_seed(
            today=today,
            users_only=options["users_only"],
            scale=options["scale"],
            reset=options["reset"],
        )
        if result.skipped_activities:
            self.stdout.write(
                "Activities already exist: none added (use --reset to recreate the demo)."
            )
        elif not options["users_only"]:
            self.stdout.write(f"Created {result.activities_created} demo activities up to {today}.")
        if result.plans_created:
            self.stdout.write(
                f"Created {result.plans_created} demo plans ({result.conflicts_created} "
                f"conflict(s) between offices) and {result.notes_created} progress notes."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for demo in DEMO_USERS:
            where = f" · {demo.office_code}" if demo.office_code else ""
            self.stdout.write(f"  {demo.username:<18} {demo.role.label}{where}")
        self.stdout.write("")
        for line in two_step_help():
            self.stdout.write(line)


def two_step_help() -> list[str]:
    """How the demo admin sets up two-step sign-in (docs/security.md, "Two-step sign-in")."""
    enrol = (
        "scan the QR code with an authenticator app (Google or Microsoft Authenticator, "
        "FreeOTP), type the six digits it shows, and keep the recovery codes."
    )
    if has_two_factor(User.objects.get(username="admin")):
        return [
            "Two-step sign-in: admin has it on. Sign in with its password, then the code "
            "from the app it was set up with, or one of its recovery codes."
        ]
    if settings.KPI_REQUIRE_2FA_FOR_ADMINS:
        return [
            f"Two-step sign-in is required of bureau admins: at its first sign-in, admin is asked to {enrol}"
        ]
    return [
        "Two-step sign-in is optional here (production requires it of bureau admins; "
        "KPI_REQUIRE_2FA_FOR_ADMINS=1 does so here too).",
        "To try it: sign in as admin, open Sign-in and security, Turn two-step sign-in on, "
        f"then {enrol}",
    ]
