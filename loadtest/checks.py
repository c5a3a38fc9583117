"""After the load, in the database: every write the simulated people were told had been
saved is there, and the bureau dashboard's figures equal the rows they count. Each check is a
PASS, a FAIL or a note; any FAIL fails the run."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass

from loadtest.report import say

TITLE_PREFIX = "loadtest "  # as in locustfile.py


@dataclass
class Check:
    label: str
    passed: bool | None  # None: a note, not a verdict
    detail: str


def _sample(items, n: int = 5) -> str:
    items = list(items)
    more = f" (and {len(items) - n} more)" if len(items) > n else ""
    return ", ".join(str(i) for i in items[:n]) + more


def check_writes(ledger: dict) -> list[Check]:
    """Every write the simulated people were told had been saved, in the database."""
    from activities.models import COUNTING_STATUSES, Activity, Status

    checks = []
    acknowledged = {c["title"]: c for c in ledger["created"]}
    found: dict[str, list[int]] = defaultdict(list)
    for title, pk in Activity.objects.filter(title__startswith=TITLE_PREFIX).values_list(
        "title", "pk"
    ):
        found[title].append(pk)
    lost = [t for t in acknowledged if not found.get(t)]
    doubled = [t for t, ids in found.items() if len(ids) > 1]
    wrong_id = [
        t for t, c in acknowledged.items() if len(found.get(t, [])) == 1 and found[t] != [c["id"]]
    ]
    by_form = sum(1 for c in ledger["created"] if c["via"] == "form")
    problems = len(lost) + len(doubled) + len(wrong_id)
    checks.append(
        Check(
            "activities acknowledged as saved: in the database exactly once",
            problems == 0,
            f"{len(acknowledged) - problems:,} of {len(acknowledged):,} "
            f"(form {by_form:,}, API {len(acknowledged) - by_form:,}); lost {len(lost)}, "
            f"doubled {len(doubled)}, other id {len(wrong_id)}"
            + (f": {_sample(lost + doubled + wrong_id)}" if problems else ""),
        )
    )
    unanswered = [t for t in found if t not in acknowledged]
    checks.append(
        Check(
            "(note) saved, but the answer never reached the user",
            None,
            f"{len(unanswered)} (a task cut off at the end, or a save that failed as it answered)"
            + (f": {_sample(unanswered, 3)}" if unanswered else ""),
        )
    )

    edits = {int(pk): e for pk, e in ledger["edits"].items() if e["acknowledged"] is not None}
    notes = dict(Activity.objects.filter(pk__in=edits).values_list("pk", "notes"))
    lost_edits = [
        pk for pk, e in edits.items() if notes.get(pk) not in e["sent"][e["acknowledged"] :]
    ]
    checks.append(
        Check(
            "edits acknowledged as saved: in the database",
            not lost_edits,
            f"{len(edits) - len(lost_edits):,} of {len(edits):,}"
            + (f"; lost: {_sample(lost_edits)}" if lost_edits else ""),
        )
    )

    for label, ids, statuses in (
        ("submissions acknowledged: counting", ledger["submitted"], COUNTING_STATUSES),
        ("verifications acknowledged: verified", ledger["verified"], (Status.VERIFIED,)),
    ):
        holding = set(
            Activity.objects.filter(
                pk__in=ids, status__in=statuses, removed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        lost_ids = sorted(set(ids) - holding)
        checks.append(
            Check(
                label,
                not lost_ids,
                f"{len(holding):,} of {len(ids):,}"
                + (f"; not: {_sample(lost_ids)}" if lost_ids else ""),
            )
        )
    return checks


def check_dashboard() -> list[Check]:
    """The bureau dashboard (as of today: read from the roll-up) against the activities
    counted directly, by the same rule (ActivityQuerySet.counted().as_of()), for the bureau,
    each office with its units, and each unit."""
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from activities.models import Activity
    from reports.dashboard import dashboard, default_as_of

    today = timezone.localdate()
    as_of = default_as_of(today.year, today=today)
    data = dashboard(year=today.year, as_of=as_of)
    counted = Activity.objects.counted().as_of(as_of).in_year(today.year)

    def by_indicator(queryset) -> dict[int, int]:
        return dict(
            queryset.order_by()
            .values("indicator_id")
            .annotate(n=Count("id"))
            .values_list("indicator_id", "n")
        )

    compared, differences = 0, []

    def compare(where: str, figures, expected: dict[int, int]) -> None:
        nonlocal compared
        for figure in figures:
            compared += 1
            rows = expected.get(figure.indicator.pk, 0)
            if figure.achieved != rows:
                differences.append(f"{where} {figure.indicator.code}: {figure.achieved} != {rows}")

    # everything counted, deactivated offices and units included (docs/domain.md)
    compare("bureau", data.figures, by_indicator(counted))
    for row in data.rows:
        compare(row.office.code, row.figures, by_indicator(counted.for_office(row.office)))
        for unit in row.units:
            compare(
                unit.office.code,
                unit.figures,
                by_indicator(counted.filter(lead_office=unit.office)),
            )
    for figure in data.figures:  # the bureau is the sum over the offices (docs/domain.md)
        compared += 1
        offices = sum(
            f.achieved for row in data.rows for f in row.figures if f.indicator == figure.indicator
        )
        if offices != figure.achieved:
            differences.append(
                f"bureau {figure.indicator.code}: {figure.achieved} != offices {offices}"
            )
    total = sum(f.achieved for f in data.figures)
    checks = [
        Check(
            f"dashboard as of {as_of}: figures equal the counted rows",
            not differences,
            f"{compared - len(differences)} of {compared} equal ({total:,} counted this year)"
            + (f"; {_sample(differences)}" if differences else ""),
        )
    ]

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("rebuild_activity_counts", "--check", stdout=out, stderr=err)
        right = True
    except SystemExit:
        right = False
    checks.append(
        Check(
            "roll-up: rebuild_activity_counts --check",
            right,
            (out.getvalue() + err.getvalue()).strip() or "no output",
        )
    )
    return checks


def print_summary(checks: list[Check]) -> bool:
    width = max(len(c.label) for c in checks)
    say(f"{'check':<{width}}  result  detail")
    say("-" * (width + 40))
    for c in checks:
        verdict = "note" if c.passed is None else "PASS" if c.passed else "FAIL"
        say(f"{c.label:<{width}}  {verdict:<6}  {c.detail}")
    return all(c.passed is not False for c in checks)
