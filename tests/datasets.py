"""The pieces the tests' years of activities are built from (conftest.py's offices).

The dashboards, the progress API, the PDF report and the backup each check their figures on
a year of activities of their own, whose numbers their assertions count by hand; they build
it from these pieces, so that what must not count (docs/domain.md, "What counts") is made
the same way everywhere: a draft, one returned, one submitted after the day it is counted
"as of", one removed, one led by another office.
"""

import datetime as dt

from django.utils import timezone

from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory


def at(day: dt.date, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    """That moment of `day` in Hong Kong, e.g. when an activity was submitted."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


def activity(office, indicator, day: dt.date, **fields) -> Activity:
    """An activity led by `office` on `day`: submitted at 18:00 that day unless `fields` say
    otherwise (ActivityFactory)."""
    return ActivityFactory(lead_office=office, indicator=indicator, occurred_on=day, **fields)


def removed(office, indicator, day: dt.date, *, reason: str = "Twice") -> Activity:
    """An activity its author removed just now: it never counts."""
    row = activity(office, indicator, day)
    row.removed_at, row.removed_by, row.removal_reason = timezone.now(), row.created_by, reason
    row.save()
    return row


def joint(lead, indicator, day: dt.date, *, joined_by, **fields) -> Activity:
    """An activity of `lead` that `joined_by` took part in: it counts for `lead` alone."""
    row = activity(lead, indicator, day, **fields)
    row.participating_offices.add(joined_by)
    return row


def not_counted_by_30_june(office, visits, media) -> list[Activity]:
    """Three activities of `office` in June 2026 that do not count as of 30 June: a draft
    (visits, 2 June), one returned for correction (visits, 3 June), and one of 29 June
    submitted on 1 July (media)."""
    return [
        activity(office, visits, dt.date(2026, 6, 2), status=Status.DRAFT),
        activity(office, visits, dt.date(2026, 6, 3), status=Status.RETURNED, counted_since=None),
        activity(office, media, dt.date(2026, 6, 29), counted_since=at(dt.date(2026, 7, 1))),
    ]
