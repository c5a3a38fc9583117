"""Recount the activity roll-ups (`ActivityMonthCount`, and `ActivityAsOfCount` for the
figures as of a past day) from the activities. The database's triggers keep them; this is
the check, and the repair after loading rows with the triggers off. Safe to run twice: the
second run finds nothing off."""

from django.core.management.base import BaseCommand

from activities.counts import differences, rebuild


class Command(BaseCommand):
    help = (
        "Recount the activities per office, indicator, region, month and status, and per "
        "office, indicator, region, month and the day they counted by."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only say whether the roll-up is off; change nothing (exit 1 if it is).",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            off = differences()
            if off:
                self.stderr.write(f"The roll-up is off in {len(off)} groups.")
                raise SystemExit(1)
            self.stdout.write("The roll-up is right.")
            return
        off = rebuild()
        for key, (was, now) in sorted(off.items(), key=lambda item: repr(item[0])):
            office, indicator, region, month, *rest = key
            # the month roll-up's status, or the "as of" roll-up's day counted by and grain
            group = rest[0] if len(rest) == 1 else f"counted by {rest[1]} ({rest[0]})"
            self.stdout.write(
                f"  office {office}, indicator {indicator}, region {region}, "
                f"{month:%Y-%m}, {group}: {was} -> {now}"
            )
        self.stdout.write(
            f"Recounted; {len(off)} groups were off." if off else "Recounted; nothing was off."
        )
