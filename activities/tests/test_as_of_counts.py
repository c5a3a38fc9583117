"""The "as of" roll-up (ActivityAsOfCount) against counting the rows: random activities
logged, submitted, returned, submitted again, verified, moved, removed over three months
that cross a year's end, each at its own moment (so counted_since varies, some near
midnight in Hong Kong); then, for many days D, the figures as of D read from the roll-up
equal `Activity.objects.counted().as_of(D)` counted per office and indicator, per month and
indicator (this year and last) and per region, for everyone and for one office with its
unit, and the rebuild command's check finds nothing off (docs/domain.md, "As of").

Bounded and the same on every run: KPI_FUZZ_EXAMPLES examples (default 30), derandomized.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.counts import counted_groups, differences
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory, RegionFactory
from reports.selectors import office_figures

HK = ZoneInfo("Asia/Hong_Kong")
pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2025, 11, 20)  # the first activity is logged on or after this day
DAYS = 80  # ... and the last change is made within this many days: to 8 February 2026
TODAY = FIRST_DAY + dt.timedelta(days=DAYS + 25)  # when the figures are read (5 March)
# Days worth a look: the ends and starts of months, of the year, and today.
CHOSEN_DAYS = [
    dt.date(2025, 11, 30),
    dt.date(2025, 12, 1),
    dt.date(2025, 12, 15),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(2026, 1, 2),
    dt.date(2026, 1, 31),
    dt.date(2026, 2, 1),
    dt.date(2026, 2, 28),
    dt.date(2026, 3, 1),
    TODAY - dt.timedelta(days=1),
    TODAY,
]
ACTIONS = ("submit", "verify", "return", "remove", "move_day", "move_office", "raw_submit")

FUZZ = settings(
    max_examples=int(os.environ.get("KPI_FUZZ_EXAMPLES", "30")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

moments = st.tuples(
    st.integers(0, DAYS),  # days after FIRST_DAY
    st.sampled_from([0, 9, 15, 23]),  # the hour in Hong Kong: midnight and just before it
    st.sampled_from([0, 30, 59]),
)
activity = st.fixed_dictionaries(
    {
        "logged": moments,
        "days_before": st.integers(0, 40),  # took place this many days before it was logged
        "lead": st.integers(0, 2),
        "indicator": st.integers(0, 1),
        "region": st.booleans(),
        "steps": st.lists(
            st.tuples(moments, st.sampled_from(ACTIONS), st.integers(0, 60)), max_size=5
        ),
    }
)


def _at(moment) -> dt.datetime:
    days, hour, minute = moment
    day = FIRST_DAY + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HK)


def _apply(item: Activity, action: str, number: int, *, user, offices) -> None:
    """One change to an activity, as the services make it (record_change keeps
    counted_since), or, for "raw_submit", as a script would (a queryset update)."""
    now_day = dt.datetime.now(HK).date()
    if item.is_removed:
        return
    previous = item.status
    if action == "submit" and item.status in (Status.DRAFT, Status.RETURNED):
        item.status = Status.SUBMITTED
    elif action == "verify" and item.status == Status.SUBMITTED:
        item.status = Status.VERIFIED
    elif action == "return" and item.status in (Status.SUBMITTED, Status.VERIFIED):
        item.status = Status.RETURNED
    elif action == "remove":
        item.removed_at = dt.datetime.now(HK)
        item.removed_by = user
        item.removal_reason = "Logged twice"
    elif action == "move_day":
        item.occurred_on = now_day - dt.timedelta(days=number)
    elif action == "move_office":
        item.lead_office = offices[number % len(offices)]
    elif action == "raw_submit" and item.status in (Status.DRAFT, Status.RETURNED):
        Activity.objects.filter(pk=item.pk).update(
            status=Status.SUBMITTED, counted_since=dt.datetime.now(HK)
        )
        item.refresh_from_db()
        return
    else:
        return
    item.record_change(by=user, previous_status=previous)
    item.save()


def _rows(as_of: dt.date, start: dt.date, end: dt.date, by: tuple[str, ...], office_ids):
    """The same figures counted from the activities, by the rule itself."""
    rows = Activity.objects.counted().as_of(as_of).between(start, end)
    if office_ids is not None:
        rows = rows.filter(lead_office_id__in=office_ids)
    columns = {
        "lead_office": "lead_office_id",
        "indicator": "indicator_id",
        "region": "region_id",
        "month": "first_day",
    }
    rows = rows.annotate(first_day=TruncMonth("occurred_on")).order_by()
    return Counter(
        {
            tuple(group): n
            for *group, n in rows.values_list(*(columns[g] for g in by)).annotate(n=Count("id"))
        }
    )


@FUZZ
@given(
    activities=st.lists(activity, min_size=1, max_size=12),
    more_days=st.lists(st.integers(0, DAYS + 25), max_size=4),
)
def test_the_figures_as_of_any_day_are_the_rows_counted(
    activities, more_days, office_a, unit_a, office_b, indicator, staff_a
):
    offices = [office_a, unit_a, office_b]
    indicators = [indicator, IndicatorFactory(code="media")]
    region = RegionFactory(code="420000")
    timeline = []
    for number, spec in enumerate(activities):
        timeline.append((_at(spec["logged"]), number, "log", 0))
        for moment, action, extra in spec["steps"]:
            timeline.append((max(_at(moment), _at(spec["logged"])), number, action, extra))
    timeline.sort(key=lambda event: (event[0], event[1], event[2] != "log"))

    with transaction.atomic():
        made: dict[int, Activity] = {}
        with time_machine.travel(_at((0, 0, 0)), tick=False) as traveller:
            for moment, number, action, extra in timeline:
                traveller.move_to(moment)
                if action == "log":
                    spec = activities[number]
                    made[number] = ActivityFactory(
                        lead_office=offices[spec["lead"]],
                        indicator=indicators[spec["indicator"]],
                        region=region if spec["region"] else None,
                        occurred_on=moment.date() - dt.timedelta(days=spec["days_before"]),
                        status=Status.DRAFT,
                        created_by=staff_a,
                    )
                else:
                    _apply(made[number], action, extra, user=staff_a, offices=offices)

            traveller.move_to(dt.datetime.combine(TODAY, dt.time(10), tzinfo=HK))
            days = sorted(set(CHOSEN_DAYS) | {FIRST_DAY + dt.timedelta(days=n) for n in more_days})
            for day in days:
                year = (dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
                two_years = (dt.date(day.year - 1, 1, 1), year[1])
                for office_ids in (None, [office_a.pk, unit_a.pk]):
                    for (start, end), by in (
                        (year, ("lead_office", "indicator")),
                        (two_years, ("month", "indicator")),
                        (year, ("region",)),
                    ):
                        read = counted_groups(
                            start=start, end=end, as_of=day, by=by, office_ids=office_ids
                        )
                        read = Counter({tuple(g): n for *g, n in read})
                        assert read == _rows(day, start, end, by, office_ids), (day, by)
                # the reading the dashboards and the progress API share
                figures = office_figures(year=day.year, as_of=day)
                assert figures.counts == _rows(day, *year, ("lead_office", "indicator"), None)

        assert differences() == {}
        call_command("rebuild_activity_counts", "--check", stdout=io.StringIO())
        transaction.set_rollback(True)
