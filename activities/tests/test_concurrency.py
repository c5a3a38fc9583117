"""Writes at the same moment, in real concurrent transactions on PostgreSQL: each waits for
the other, none fails, and the roll-up still equals a recount of the activities."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities import counts, services
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory, OfficeFactory, RegionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions: PostgreSQL"
    ),
    pytest.mark.frozen_at(
        dt.datetime(2026, 6, 5, 10, 0, tzinfo=ZoneInfo("Asia/Hong_Kong")), tick=True
    ),
]

DAY = dt.date(2026, 6, 2)
REGIONS = ("110000", "310000", "420000", "440000", "510000")


def run_together(*jobs):
    """Run each job in a thread of its own (its own connection and transaction), all
    released at the same moment; the exceptions they raised, in order."""
    barrier = threading.Barrier(len(jobs))
    errors: list = [None] * len(jobs)

    def run(at, job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # noqa: BLE001 (reported to the test)
            errors[at] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(at, job)) for at, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def people():
    office = OfficeFactory(code="OFFA")
    return {
        "office": office,
        "indicator": IndicatorFactory(code="visits"),
        "regions": [RegionFactory(code=code) for code in REGIONS],
        "staff": UserFactory(username="staff", role=Role.OFFICE_STAFF, office=office),
        "supervisor": UserFactory(
            username="supervisor", role=Role.OFFICE_SUPERVISOR, office=office
        ),
    }


def _batch(people, status, regions, per_region=4):
    """Activities of one office, indicator and month, saved region by region: each region
    is a row of the roll-up."""
    return [
        ActivityFactory(
            lead_office=people["office"],
            indicator=people["indicator"],
            region=region,
            occurred_on=DAY,
            status=status,
            created_by=people["staff"],
        ).pk
        for region in regions
        for _n in range(per_region)
    ]


def test_bulk_submit_and_bulk_verify_at_the_same_time_both_succeed(people):
    """The drafts are saved region by region one way, the submitted ones the other way:
    without one order for the roll-up's rows the two meet head-on and deadlock."""
    regions = people["regions"]
    for _round in range(8):
        drafts = _batch(people, Status.DRAFT, regions)
        submitted = _batch(people, Status.SUBMITTED, regions[::-1])
        errors = run_together(
            lambda drafts=drafts: services.activities_submit(
                user=people["staff"], activity_ids=drafts
            ),
            lambda submitted=submitted: services.activities_verify(
                user=people["supervisor"], activity_ids=submitted
            ),
        )
        assert errors == [None, None]
        assert set(Activity.objects.filter(pk__in=drafts).values_list("status", flat=True)) == {
            Status.SUBMITTED
        }
        assert set(Activity.objects.filter(pk__in=submitted).values_list("status", flat=True)) == {
            Status.VERIFIED
        }
    assert counts.differences() == {}


def test_returning_and_submitting_at_the_same_time_both_succeed(people):
    """Submitting returned activities (returned → submitted) against returning submitted
    ones (submitted → returned): the same two rows of the roll-up in opposite orders."""
    regions = people["regions"]
    for _round in range(8):
        returned = _batch(people, Status.RETURNED, regions)
        submitted = _batch(people, Status.SUBMITTED, regions[::-1])
        errors = run_together(
            lambda returned=returned: services.activities_submit(
                user=people["staff"], activity_ids=returned
            ),
            lambda submitted=submitted: services.activities_return(
                user=people["supervisor"], activity_ids=submitted, comment="Add the venue"
            ),
        )
        assert errors == [None, None]
    assert counts.differences() == {}


def test_edits_moving_activities_between_regions_at_the_same_time_both_succeed(people):
    """Two people each moving an activity to the other's region: old row, then new row."""
    first, last = people["regions"][0], people["regions"][-1]
    for _round in range(8):
        [one] = _batch(people, Status.DRAFT, [first], per_region=1)
        [other] = _batch(people, Status.DRAFT, [last], per_region=1)

        def move(pk, region):
            activity = Activity.objects.get(pk=pk)
            services.activity_update(
                user=people["staff"],
                activity_id=pk,
                expected_version=activity.version,
                region=region,
            )

        errors = run_together(
            lambda one=one: move(one, last), lambda other=other: move(other, first)
        )
        assert errors == [None, None]
    assert counts.differences() == {}
