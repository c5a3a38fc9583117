"""The rules of writing activities, tested at the service layer with a frozen clock."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities import access, services
from activities.models import Activity, PeriodReopening, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import CounterpartFactory, IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

JUNE = dt.date(2026, 6, 3)
APRIL = dt.date(2026, 4, 3)  # closed on 10 May


@pytest.fixture
def visits(db):
    return IndicatorFactory(
        code="visits",
        counterpart_required=True,
        asks_authority_level=True,
        counterpart_types=["provincial_authority"],
    )


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", asks_event_name=True)


@pytest.fixture
def commerce(db):
    return CounterpartFactory(name_en="Department of Commerce of Hubei Province")


def create(user, office, indicator, **extra):
    kwargs = {
        "user": user,
        "lead_office": office,
        "indicator": indicator,
        "occurred_on": JUNE,
        "title": "Visit",
    }
    kwargs.update(extra)
    return services.activity_create(**kwargs)


# --- create ---------------------------------------------------------------------------


def test_staff_log_a_draft_that_does_not_count_yet(staff_a, office_a, visits, commerce):
    activity = create(
        staff_a, office_a, visits, counterparts=[commerce], authority_level="provincial"
    )

    assert activity.status == Status.DRAFT
    assert (activity.created_by, activity.version, activity.counted_since) == (staff_a, 1, None)
    assert list(activity.counterparts.all()) == [commerce]
    assert not Activity.objects.counted().exists()
    assert activity.history.count() >= 1


def test_save_and_submit_counts_from_now(staff_a, office_a, speaking):
    activity = create(staff_a, office_a, speaking, event_name="GBA forum", submit=True)
    assert activity.status == Status.SUBMITTED
    assert activity.counted_since is not None
    assert Activity.objects.counted().get() == activity


def test_required_fields_depend_on_the_indicator(staff_a, office_a, visits, speaking):
    with pytest.raises(ValidationError) as visit_errors:
        create(staff_a, office_a, visits)
    assert set(visit_errors.value.message_dict) == {"counterparts", "authority_level"}

    with pytest.raises(ValidationError) as speech_errors:
        create(staff_a, office_a, speaking)
    assert set(speech_errors.value.message_dict) == {"event_name"}
    assert Activity.objects.count() == 0


def test_fields_that_do_not_fit_the_indicator_are_dropped(staff_a, office_a, speaking):
    activity = create(staff_a, office_a, speaking, event_name="Forum", authority_level="central")
    assert activity.authority_level == ""


def test_no_date_in_the_future(staff_a, office_a, speaking):
    with pytest.raises(ValidationError, match="future"):
        create(staff_a, office_a, speaking, event_name="x", occurred_on=dt.date(2026, 6, 16))


def test_no_date_in_a_closed_period_and_the_message_says_why(staff_a, office_a, speaking):
    with pytest.raises(ValidationError) as error:
        create(staff_a, office_a, speaking, event_name="x", occurred_on=APRIL)
    message = " ".join(error.value.message_dict["occurred_on"])
    assert "April 2026" in message and "bureau admin" in message
    assert Activity.objects.count() == 0


def test_a_granted_reopening_lets_the_office_log_in_the_month(
    staff_a, office_a, speaking, bureau_admin
):
    PeriodReopening.objects.create(
        office=office_a,
        year=2026,
        month=4,
        reason="late",
        requested_by=staff_a,
        state="granted",
        open_until=dt.date(2026, 6, 30),
        decided_by=bureau_admin,
    )
    assert create(staff_a, office_a, speaking, event_name="x", occurred_on=APRIL).pk


def test_the_lead_office_is_not_also_a_participant(staff_a, office_a, speaking):
    with pytest.raises(ValidationError, match="lead office"):
        create(staff_a, office_a, speaking, event_name="x", participating_offices=[office_a])


def test_lengths_are_checked(staff_a, office_a, speaking):
    with pytest.raises(ValidationError) as error:
        create(staff_a, office_a, speaking, event_name="x", title="t" * 201)
    assert "title" in error.value.message_dict


@pytest.mark.parametrize("persona", ["staff_b", "bureau_viewer"])
def test_others_cannot_log_for_office_a(request, persona, office_a, speaking):
    with pytest.raises(PermissionDenied):
        create(request.getfixturevalue(persona), office_a, speaking, event_name="x")


def test_parent_staff_log_for_their_units_but_unit_staff_not_for_the_parent(
    staff_a, office_a, unit_a, speaking
):
    assert create(staff_a, unit_a, speaking, event_name="x").lead_office == unit_a
    unit_staff = UserFactory(username="u", role=Role.OFFICE_STAFF, office=unit_a)
    with pytest.raises(PermissionDenied):
        create(unit_staff, office_a, speaking, event_name="x")


# --- update and conflicts ---------------------------------------------------------------


def test_an_update_bumps_the_version_and_records_who(staff_a, supervisor_a, office_a, speaking):
    activity = create(staff_a, office_a, speaking, event_name="x")
    updated = services.activity_update(
        user=supervisor_a, activity_id=activity.pk, expected_version=1, title="Keynote"
    )
    assert (updated.title, updated.version, updated.updated_by) == ("Keynote", 2, supervisor_a)


def test_a_stale_version_is_refused_with_what_changed(staff_a, supervisor_a, office_a, speaking):
    activity = create(staff_a, office_a, speaking, event_name="Forum", title="Speech")
    services.activity_update(
        user=supervisor_a, activity_id=activity.pk, expected_version=1, title="Keynote speech"
    )

    with pytest.raises(services.ConflictError) as conflict:
        services.activity_update(
            user=staff_a, activity_id=activity.pk, expected_version=1, title="My title"
        )

    changes = {c.field: (c.old, c.new) for c in conflict.value.changes}
    assert changes["title"] == ("Speech", "Keynote speech")
    assert conflict.value.changed_by == supervisor_a
    activity.refresh_from_db()
    assert activity.title == "Keynote speech"


def test_a_submitted_or_verified_activity_is_locked(staff_a, office_a, speaking):
    activity = ActivityFactory(
        lead_office=office_a, indicator=speaking, occurred_on=JUNE, status=Status.VERIFIED
    )
    with pytest.raises(PermissionDenied):
        services.activity_update(
            user=staff_a, activity_id=activity.pk, expected_version=1, title="x"
        )


def test_moving_an_activity_into_a_closed_month_is_refused(staff_a, office_a, speaking):
    activity = create(staff_a, office_a, speaking, event_name="x")
    with pytest.raises(ValidationError, match="April 2026"):
        services.activity_update(
            user=staff_a, activity_id=activity.pk, expected_version=1, occurred_on=APRIL
        )


def test_an_activity_in_a_closed_month_cannot_be_changed(staff_a, office_a, speaking):
    activity = ActivityFactory(
        lead_office=office_a, indicator=speaking, occurred_on=APRIL, status=Status.DRAFT
    )
    with pytest.raises(ValidationError, match="closed"):
        services.activity_update(
            user=staff_a, activity_id=activity.pk, expected_version=1, title="x"
        )


# --- submit, verify, return ---------------------------------------------------------------


def test_submit_many_at_once(staff_a, office_a, speaking):
    drafts = [create(staff_a, office_a, speaking, event_name="x", title=f"t{i}") for i in range(3)]
    services.activities_submit(user=staff_a, activity_ids=[a.pk for a in drafts])
    assert Activity.objects.counted().count() == 3


def test_submit_is_all_or_nothing(staff_a, office_a, speaking):
    good = create(staff_a, office_a, speaking, event_name="x")
    old = ActivityFactory(
        lead_office=office_a, indicator=speaking, occurred_on=APRIL, status=Status.DRAFT
    )
    with pytest.raises(ValidationError, match="April 2026"):
        services.activities_submit(user=staff_a, activity_ids=[good.pk, old.pk])
    good.refresh_from_db()
    assert good.status == Status.DRAFT


def test_supervisors_verify_and_return_with_a_comment(staff_a, supervisor_a, office_a, speaking):
    one, two = (
        create(staff_a, office_a, speaking, event_name="x", submit=True, title=t) for t in "ab"
    )

    services.activities_verify(user=supervisor_a, activity_ids=[one.pk])
    with pytest.raises(ValidationError):
        services.activities_return(user=supervisor_a, activity_ids=[two.pk], comment="  ")
    services.activities_return(
        user=supervisor_a, activity_ids=[two.pk], comment="Add the counterpart"
    )

    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.reviewed_by, one.counts) == (Status.VERIFIED, supervisor_a, True)
    assert (two.status, two.review_comment, two.counts) == (
        Status.RETURNED,
        "Add the counterpart",
        False,
    )
    # back with the author, who can change and resubmit it
    assert access.can_edit(staff_a, two)


@pytest.mark.parametrize("persona", ["staff_a", "staff_b", "bureau_viewer"])
def test_only_supervisors_of_the_office_and_admins_review(
    request, persona, staff_a, office_a, speaking
):
    activity = create(staff_a, office_a, speaking, event_name="x", submit=True)
    with pytest.raises(PermissionDenied):
        services.activities_verify(
            user=request.getfixturevalue(persona), activity_ids=[activity.pk]
        )


def test_verifying_is_allowed_in_a_closed_month_but_returning_is_not(
    supervisor_a, office_a, speaking
):
    activity = ActivityFactory(
        lead_office=office_a, indicator=speaking, occurred_on=APRIL, status=Status.SUBMITTED
    )
    with pytest.raises(ValidationError, match="April 2026"):
        services.activities_return(user=supervisor_a, activity_ids=[activity.pk], comment="why")
    services.activities_verify(user=supervisor_a, activity_ids=[activity.pk])
    activity.refresh_from_db()
    assert activity.status == Status.VERIFIED


# --- remove ----------------------------------------------------------------------------


def test_removing_needs_a_reason_and_keeps_the_row(staff_a, office_a, speaking):
    activity = create(staff_a, office_a, speaking, event_name="x", submit=False)
    with pytest.raises(ValidationError):
        services.activity_remove(user=staff_a, activity_id=activity.pk, reason=" ")
    services.activity_remove(user=staff_a, activity_id=activity.pk, reason="Logged twice")
    activity.refresh_from_db()
    assert (activity.removed_by, activity.removal_reason) == (staff_a, "Logged twice")
    assert not Activity.objects.not_removed().exists()


def test_staff_cannot_remove_a_verified_activity_but_a_supervisor_can(
    staff_a, supervisor_a, office_a, speaking
):
    activity = ActivityFactory(
        lead_office=office_a, indicator=speaking, occurred_on=JUNE, status=Status.VERIFIED
    )
    with pytest.raises(PermissionDenied):
        services.activity_remove(user=staff_a, activity_id=activity.pk, reason="x")
    services.activity_remove(user=supervisor_a, activity_id=activity.pk, reason="Cancelled")


# --- reopening ----------------------------------------------------------------------------


def test_reopening_request_grant_and_history(staff_a, bureau_admin, office_a, speaking):
    request = services.reopening_request(
        user=staff_a, office=office_a, year=2026, month=4, reason="Late report"
    )
    with pytest.raises(ValidationError):
        services.reopening_request(
            user=staff_a, office=office_a, year=2026, month=4, reason="Again"
        )
    with pytest.raises(PermissionDenied):
        services.reopening_decide(
            user=staff_a, reopening_id=request.pk, grant=True, open_until=dt.date(2026, 6, 30)
        )

    services.reopening_decide(
        user=bureau_admin,
        reopening_id=request.pk,
        grant=True,
        open_until=dt.date(2026, 6, 30),
        note="OK",
    )

    assert create(staff_a, office_a, speaking, event_name="x", occurred_on=APRIL).pk
    request.refresh_from_db()
    assert [h.state for h in request.history.order_by("history_date")] == ["requested", "granted"]


def test_an_open_month_cannot_be_requested(staff_a, office_a):
    with pytest.raises(ValidationError, match="open"):
        services.reopening_request(user=staff_a, office=office_a, year=2026, month=6, reason="x")


def test_bulk_creation_checks_like_a_single_one_and_keeps_history(
    staff_a, office_a, visits, commerce
):
    item = {
        "lead_office": office_a,
        "indicator": visits,
        "occurred_on": JUNE,
        "title": "Visit",
        "authority_level": "provincial",
        "counterparts": [commerce],
    }
    [created] = services.activities_create_bulk(user=staff_a, items=[item])

    assert (created.status, created.version, created.created_by) == (Status.DRAFT, 1, staff_a)
    assert list(created.counterparts.all()) == [commerce]
    [record] = created.history.all()
    assert [c.counterpart for c in record.counterparts.all()] == [commerce]
    assert record.history_user == staff_a

    with pytest.raises(ValidationError, match="April 2026"):
        services.activities_create_bulk(user=staff_a, items=[item, {**item, "occurred_on": APRIL}])
    assert Activity.objects.count() == 1  # all or nothing


def test_bulk_creation_writes_every_value_as_a_single_creation_does(
    staff_a, office_a, visits, commerce
):
    # The bulk write sends each column in one parameter (on PostgreSQL as JSON text): text
    # that an array literal or JSON would have to escape arrives as it was typed.
    odd = ['He said "no", {then} yes\\no', "NULL", "", "  ", "新界\n東 🙂", "a,b;c'd", "\t"]
    items = [
        {
            "lead_office": office_a,
            "indicator": visits,
            "occurred_on": JUNE,
            "title": f"Visit {text}",
            "city": text,
            "authority_level": "provincial",
            "hk_participants": text,
            "notes": text,
            "counterparts": [commerce],
        }
        for text in odd
    ]
    fields = [
        f.attname
        for f in Activity._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at"}
    ]
    bulk = services.activities_create_bulk(user=staff_a, items=items)
    single = [
        services.activity_create(user=staff_a, **{**item, "title": f"One {item['title']}"})
        for item in items
    ]

    for created, one in zip(bulk, single, strict=True):
        created = Activity.objects.get(pk=created.pk)
        one = Activity.objects.get(pk=one.pk)
        one.title = one.title.removeprefix("One ")
        assert {f: getattr(created, f) for f in fields} == {f: getattr(one, f) for f in fields}
        assert created.created_at == created.updated_at
        assert list(created.counterparts.all()) == [commerce]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk INSERT is PostgreSQL's")
def test_the_bulk_insert_refuses_what_bulk_create_refuses_and_prepares_days_alike(office_a):
    """Its arrays are cast without the columns' lengths (a text too long is refused, not
    cut), and an aware time in a day's field is the day in Hong Kong, as bulk_create has
    them."""
    from django.db import DataError, transaction

    from activities.services.bulk import _insert

    def clone(**changes) -> Activity:
        row = Activity.objects.get(pk=ActivityFactory(lead_office=office_a).pk)
        row.pk = None
        for name, value in changes.items():
            setattr(row, name, value)
        return row

    too_long = "x" * (Activity._meta.get_field("title").max_length + 1)
    with pytest.raises(DataError), transaction.atomic():
        _insert(Activity, [clone(title=too_long)])
    evening = dt.datetime(2026, 6, 1, 20, 0, tzinfo=dt.UTC)  # 2 June, 4 a.m. in Hong Kong
    (written,) = _insert(Activity, [clone(occurred_on=evening)])
    assert Activity.objects.get(pk=written.pk).occurred_on == dt.date(2026, 6, 2)
