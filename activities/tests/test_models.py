import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activities.models import Activity, ActivityMonthCount, Status
from activities.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_only_submitted_and_verified_activities_that_are_not_removed_count(office_a, indicator):
    counted = {
        ActivityFactory(lead_office=office_a, indicator=indicator, status=Status.SUBMITTED).pk,
        ActivityFactory(lead_office=office_a, indicator=indicator, status=Status.VERIFIED).pk,
    }
    ActivityFactory(lead_office=office_a, indicator=indicator, status=Status.DRAFT)
    ActivityFactory(lead_office=office_a, indicator=indicator, status=Status.RETURNED)
    removed = ActivityFactory(lead_office=office_a, indicator=indicator, status=Status.VERIFIED)
    removed.removed_at = timezone.now()
    removed.removed_by = removed.created_by
    removed.removal_reason = "Logged twice"
    removed.save()

    assert set(Activity.objects.counted().values_list("pk", flat=True)) == counted


def test_as_of_needs_the_activity_to_have_happened_and_been_recorded_by_then(office_a, indicator):
    day = dt.date(2026, 3, 31)
    in_time = ActivityFactory(
        lead_office=office_a, indicator=indicator, occurred_on=day, counted_since=_at(day, 23)
    )
    ActivityFactory(  # happened in March, submitted in April
        lead_office=office_a,
        indicator=indicator,
        occurred_on=day,
        counted_since=_at(dt.date(2026, 4, 1), 0),
    )
    ActivityFactory(  # happens after the date
        lead_office=office_a, indicator=indicator, occurred_on=dt.date(2026, 4, 1)
    )

    assert list(Activity.objects.counted().as_of(day).values_list("pk", flat=True)) == [in_time.pk]


def test_in_year_is_the_calendar_year(office_a, indicator):
    ActivityFactory(lead_office=office_a, indicator=indicator, occurred_on=dt.date(2025, 12, 31))
    first = ActivityFactory(
        lead_office=office_a, indicator=indicator, occurred_on=dt.date(2026, 1, 1)
    )
    last = ActivityFactory(
        lead_office=office_a, indicator=indicator, occurred_on=dt.date(2026, 12, 31)
    )
    ActivityFactory(lead_office=office_a, indicator=indicator, occurred_on=dt.date(2027, 1, 1))

    assert set(Activity.objects.in_year(2026).values_list("pk", flat=True)) == {first.pk, last.pk}


def test_a_joint_activity_counts_once_for_the_lead_and_shows_for_participants(
    office_a, office_b, indicator
):
    joint = ActivityFactory(lead_office=office_a, indicator=indicator)
    joint.participating_offices.add(office_b)

    assert Activity.objects.counted().count() == 1
    assert Activity.objects.for_office(office_b).count() == 0
    assert list(Activity.objects.involving_offices([office_b.pk])) == [joint]
    assert list(Activity.objects.involving_offices([office_a.pk, office_b.pk])) == [joint]


def test_the_status_must_be_a_known_one(office_a, indicator):
    with pytest.raises(IntegrityError):
        ActivityFactory(lead_office=office_a, indicator=indicator, status="approved")


def test_a_counting_activity_records_since_when_it_counts(office_a, indicator):
    with pytest.raises(IntegrityError):
        ActivityFactory(
            lead_office=office_a, indicator=indicator, status=Status.SUBMITTED, counted_since=None
        )


def test_a_removal_keeps_who_when_and_why(office_a, indicator):
    activity = ActivityFactory(lead_office=office_a, indicator=indicator)
    activity.removed_at = timezone.now()
    activity.removed_by = activity.created_by
    activity.removal_reason = ""
    with pytest.raises(IntegrityError):
        activity.save()


def test_changes_are_kept_in_the_history(office_a, indicator, staff_a):
    activity = ActivityFactory(lead_office=office_a, indicator=indicator, title="Before")
    activity.title = "After"
    activity._history_user = staff_a
    activity.save()

    records = list(activity.history.order_by("history_date"))
    assert [r.title for r in records] == ["Before", "After"]
    delta = records[1].diff_against(records[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("title", "Before", "After")]
    assert records[1].history_user == staff_a


def test_record_change_keeps_counted_since_through_verification_and_clears_it_on_return(
    office_a, indicator, supervisor_a
):
    activity = ActivityFactory(lead_office=office_a, indicator=indicator, status=Status.SUBMITTED)
    submitted_at = activity.counted_since

    activity.status = Status.VERIFIED
    activity.record_change(by=supervisor_a, previous_status=Status.SUBMITTED)
    assert activity.counted_since == submitted_at
    assert (activity.version, activity.updated_by) == (2, supervisor_a)

    activity.status = Status.RETURNED
    activity.record_change(by=supervisor_a, previous_status=Status.VERIFIED)
    assert activity.counted_since is None
    assert activity.version == 3


def test_nothing_but_the_id_is_unique_so_the_checks_need_not_ask(office_a, indicator):
    # `check_complete` skips full_clean's uniqueness check, which finds nothing to look up
    # for an activity: a unique field added to the model must be checked there again.
    unique_checks, date_checks = Activity(
        lead_office=office_a, indicator=indicator
    )._get_unique_checks()
    assert unique_checks == [(Activity, ("id",))]
    assert date_checks == []


def test_the_bookkeeping_left_out_of_the_checks_is_held_by_the_database(office_a, indicator):
    # `check_complete` leaves status and version to the database's constraints.
    activity = ActivityFactory(lead_office=office_a, indicator=indicator)
    for field, value in (("status", "lost"), ("version", 0)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.filter(pk=activity.pk).update(**{field: value})


# --- the indexes a write keeps up to date --------------------------------------------------


def _indexed_columns(table: str) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        tuple(info["columns"])
        for info in constraints.values()
        if info["index"] and not info["primary_key"]
    }


def test_an_activity_keeps_no_index_that_another_one_serves():
    """An index of its own on lead_office or indicator would be one more to write for every
    activity: the indexes that begin with each serve every lookup by it. The history has
    no index on its copies of the foreign keys (read by activity and by who changed it)."""
    activity = _indexed_columns(Activity._meta.db_table)
    assert ("lead_office_id",) not in activity and ("indicator_id",) not in activity
    assert ("lead_office_id", "indicator_id", "occurred_on") in activity
    assert ("indicator_id", "occurred_on") in activity
    history = _indexed_columns(Activity.history.model._meta.db_table)
    assert history == {("history_date",), ("history_user_id",), ("id",)}


def test_the_roll_up_still_counts_after_the_migrations():
    """The migrations that change the activities' table keep its triggers (a table rebuilt
    on SQLite would lose them): a new submitted activity is counted at once."""
    activity = ActivityFactory(status=Status.SUBMITTED)
    assert (
        ActivityMonthCount.objects.get(
            lead_office=activity.lead_office, indicator=activity.indicator, status=Status.SUBMITTED
        ).n
        == 1
    )


def _state_of(activity: Activity) -> dict:
    values = {k: v for k, v in vars(activity).items() if k != "_state"}
    return {**values, "_state": (activity._state.adding, activity._state.db)}


@pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, tzinfo=dt.UTC))
def test_an_activity_made_by_position_is_the_one_made_by_keywords():
    given = {
        "lead_office_id": 3,
        "indicator_id": 2,
        "occurred_on": dt.date(2026, 6, 2),
        "title": "A visit",
        "region_id": None,
        "status": Status.DRAFT,
        "confirmed_different_from": [7],
    }
    made = Activity.unsaved(**given)
    assert _state_of(made) == _state_of(Activity(**given))
    assert _state_of(Activity.unsaved()) == _state_of(Activity())
    # A default that is made anew (a list) is not shared between activities.
    assert Activity.unsaved().confirmed_different_from is not (
        Activity.unsaved().confirmed_different_from
    )
    with pytest.raises(TypeError, match="lead_office"):
        Activity.unsaved(lead_office=None)
