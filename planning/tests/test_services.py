"""Planning's writes: warnings and their reasons, the plan's life, logging what happened."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.models import Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import CounterpartFactory, RegionFactory
from planning import services
from planning.models import CancelReason, PlanConflict, PlanStatus, WarningKind
from planning.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hebei(office_b):
    region = RegionFactory(code="130000", name_en="Hebei")
    office_b.regions.add(region)  # office B covers Hebei
    return region


@pytest.fixture
def department(hebei):
    return CounterpartFactory(name_en="Department of Commerce of Hebei", region=hebei)


def plan(user, office, indicator, region, day, **extra):
    return services.plan_create(
        user=user,
        lead_office=office,
        indicator=indicator,
        title="Call on the department",
        starts_on=day,
        region=region,
        **extra,
    )


@pytest.mark.frozen_at(dt.datetime(2026, 2, 20, 10))
class TestWarnings:
    def test_the_same_counterpart_within_the_window_warns_once_naming_the_plan(
        self, staff_a, staff_b, office_a, office_b, indicator, hebei, department
    ):
        # Office B leads in its own region: no warning.
        first = plan(
            staff_b, office_b, indicator, hebei, dt.date(2026, 3, 10), counterparts=[department]
        )
        assert first.warnings == []
        with pytest.raises(services.WarningsNeedReason) as refused:
            plan(
                staff_a, office_a, indicator, hebei, dt.date(2026, 3, 14), counterparts=[department]
            )
        (warning,) = refused.value.warnings
        assert warning.office == office_b
        assert {item.kind for item in warning.items} == {
            WarningKind.COUNTERPART,
            WarningKind.REGION,
        }
        assert warning.plan_ids == {first.plan.pk}
        assert "OFFB" in warning.message and "4 days apart" in warning.message
        assert not PlanConflict.objects.exists()

        saved = plan(
            staff_a,
            office_a,
            indicator,
            hebei,
            dt.date(2026, 3, 14),
            counterparts=[department],
            warning_reason="The minister asked to see us both.",
        )
        conflict = PlanConflict.objects.get()
        assert conflict.plan == saved.plan and conflict.office == office_b
        assert conflict.reason == "The minister asked to see us both."
        assert list(conflict.other_plans.all()) == [first.plan]
        assert list(PlanConflict.objects.open().concerning_offices([office_b.pk])) == [conflict]

    def test_outside_the_window_or_with_the_other_office_taking_part_no_counterpart_warning(
        self, staff_a, staff_b, office_a, office_b, indicator, department, settings
    ):
        elsewhere = RegionFactory(code="420000")
        plan(
            staff_b, office_b, indicator, elsewhere, dt.date(2026, 3, 10), counterparts=[department]
        )
        far = plan(
            staff_a, office_a, indicator, elsewhere, dt.date(2026, 3, 25), counterparts=[department]
        )
        assert far.warnings == []
        joint = plan(
            staff_a,
            office_a,
            indicator,
            elsewhere,
            dt.date(2026, 3, 12),
            counterparts=[department],
            participating_offices=[office_b],
        )
        assert joint.warnings == []
        settings.KPI_PLAN_CONFLICT_DAYS = 20
        with pytest.raises(services.WarningsNeedReason):
            plan(
                staff_a,
                office_a,
                indicator,
                elsewhere,
                dt.date(2026, 3, 26),
                counterparts=[department],
            )

    def test_a_body_of_the_same_authority_and_a_past_visit_warn(
        self, staff_a, staff_b, office_a, office_b, indicator, department
    ):
        elsewhere = RegionFactory(code="420000")
        government = CounterpartFactory(name_en="People's Government of Hebei")
        department.parent = government
        department.save()
        bureau = CounterpartFactory(name_en="Hebei Bureau of Statistics", parent=government)
        visit = ActivityFactory(
            lead_office=office_b, indicator=indicator, occurred_on=dt.date(2026, 2, 16)
        )
        visit.counterparts.add(bureau)
        with pytest.raises(services.WarningsNeedReason) as refused:
            plan(
                staff_a,
                office_a,
                indicator,
                elsewhere,
                dt.date(2026, 2, 25),
                counterparts=[department],
            )
        (warning,) = refused.value.warnings
        assert warning.activity_ids == {visit.pk}

    def test_a_restricted_plan_of_another_office_is_never_named(
        self, staff_a, staff_b, office_a, office_b, indicator, department
    ):
        elsewhere = RegionFactory(code="420000")
        plan(
            staff_b,
            office_b,
            indicator,
            elsewhere,
            dt.date(2026, 3, 10),
            counterparts=[department],
            confidentiality="restricted",
        )
        saved = plan(
            staff_a, office_a, indicator, elsewhere, dt.date(2026, 3, 11), counterparts=[department]
        )
        assert saved.warnings == []

    def test_an_official_booked_twice(self, staff_a, supervisor_a, office_a, indicator):
        elsewhere = RegionFactory(code="420000")
        plan(
            staff_a,
            office_a,
            indicator,
            elsewhere,
            dt.date(2026, 3, 10),
            starts_at=dt.time(9),
            ends_at=dt.time(11),
            attendees=[supervisor_a],
        )
        later = plan(
            staff_a,
            office_a,
            indicator,
            elsewhere,
            dt.date(2026, 3, 10),
            starts_at=dt.time(11),
            ends_at=dt.time(12),
            attendees=[supervisor_a],
        )
        assert later.warnings == []
        with pytest.raises(services.WarningsNeedReason) as refused:
            plan(
                staff_a,
                office_a,
                indicator,
                elsewhere,
                dt.date(2026, 3, 10),
                starts_at=dt.time(10),
                attendee_names=supervisor_a.get_full_name(),
            )
        (warning,) = refused.value.warnings
        assert warning.office == office_a
        assert warning.kinds == [WarningKind.OFFICIAL]

    def test_an_answered_warning_is_not_asked_again_and_closes_when_gone(
        self, staff_a, staff_b, office_a, office_b, indicator, hebei, department
    ):
        plan(staff_b, office_b, indicator, hebei, dt.date(2026, 3, 10), counterparts=[department])
        saved = plan(
            staff_a,
            office_a,
            indicator,
            hebei,
            dt.date(2026, 3, 14),
            counterparts=[department],
            warning_reason="Agreed with office B.",
        )
        again = services.plan_update(
            user=staff_a, plan=saved.plan, version=saved.plan.version, purpose="Trade fair"
        )
        assert len(again.warnings) == 1
        conflict = PlanConflict.objects.get()
        assert conflict.reason == "Agreed with office B." and not conflict.is_closed
        elsewhere = RegionFactory(code="420000")
        services.plan_update(
            user=staff_a,
            plan=again.plan,
            version=again.plan.version,
            region=elsewhere,
            starts_on=dt.date(2026, 5, 1),
        )
        conflict.refresh_from_db()
        assert conflict.closed_how == PlanConflict.Closed.GONE


@pytest.fixture
def department_elsewhere(db):
    return CounterpartFactory(
        name_en="Hubei Department of Commerce", region=RegionFactory(code="420000")
    )


@pytest.mark.frozen_at(dt.datetime(2026, 3, 11, 10))
class TestLife:
    def test_confirm_then_log_what_happened_in_one_step(
        self, staff_a, supervisor_a, office_a, indicator, department_elsewhere
    ):
        region = department_elsewhere.region
        saved = plan(
            staff_a,
            office_a,
            indicator,
            region,
            dt.date(2026, 3, 10),
            counterparts=[department_elsewhere],
        )
        with pytest.raises(PermissionDenied):
            services.plan_confirm(user=staff_a, plan=saved.plan)
        confirmed = services.plan_confirm(user=supervisor_a, plan=saved.plan)
        assert confirmed.status == PlanStatus.CONFIRMED
        activity = services.plan_log_activity(user=staff_a, plan=confirmed)
        assert activity.status == Status.DRAFT
        assert activity.occurred_on == dt.date(2026, 3, 10)
        assert list(activity.counterparts.all()) == [department_elsewhere]
        assert activity.plan.status == PlanStatus.DONE
        with pytest.raises(PermissionDenied):
            services.plan_log_activity(user=staff_a, plan=confirmed)

    def test_a_plan_ahead_cannot_be_logged_yet(
        self, staff_a, office_a, indicator, department_elsewhere
    ):
        saved = plan(
            staff_a, office_a, indicator, department_elsewhere.region, dt.date(2026, 3, 20)
        )
        with pytest.raises(PermissionDenied):
            services.plan_log_activity(user=staff_a, plan=saved.plan)

    def test_cancelling_needs_a_reason(self, staff_a, office_a, indicator, department_elsewhere):
        saved = plan(
            staff_a, office_a, indicator, department_elsewhere.region, dt.date(2026, 3, 20)
        )
        with pytest.raises(ValidationError):
            services.plan_cancel(user=staff_a, plan=saved.plan, reason="")
        with pytest.raises(ValidationError):
            services.plan_cancel(user=staff_a, plan=saved.plan, reason=CancelReason.OTHER)
        cancelled = services.plan_cancel(
            user=staff_a, plan=saved.plan, reason=CancelReason.COUNTERPART_POSTPONED
        )
        assert cancelled.status == PlanStatus.CANCELLED

    def test_other_offices_do_not_plan_for_an_office(
        self, staff_b, office_a, indicator, department_elsewhere
    ):
        with pytest.raises(PermissionDenied):
            plan(staff_b, office_a, indicator, department_elsewhere.region, dt.date(2026, 3, 20))

    def test_a_stale_version_is_refused(self, staff_a, office_a, indicator, department_elsewhere):
        saved = plan(
            staff_a, office_a, indicator, department_elsewhere.region, dt.date(2026, 3, 20)
        )
        services.plan_update(user=staff_a, plan=saved.plan, version=1, title="New title")
        with pytest.raises(services.PlanChanged):
            services.plan_update(user=staff_a, plan=saved.plan, version=1, title="Other title")

    def test_a_confirmed_plan_moved_by_staff_goes_back_to_planned(
        self, staff_a, supervisor_a, office_a, indicator, department_elsewhere
    ):
        saved = plan(
            staff_a, office_a, indicator, department_elsewhere.region, dt.date(2026, 3, 20)
        )
        confirmed = services.plan_confirm(user=supervisor_a, plan=saved.plan)
        moved = services.plan_update(
            user=staff_a, plan=confirmed, version=confirmed.version, starts_on=dt.date(2026, 3, 27)
        )
        assert moved.plan.status == PlanStatus.PLANNED
        renamed = services.plan_update(
            user=supervisor_a, plan=moved.plan, version=moved.plan.version, title="Renamed"
        )
        assert renamed.plan.status == PlanStatus.PLANNED


def test_the_bureau_viewer_cannot_plan(bureau_viewer, office_a, indicator):
    region = RegionFactory()
    with pytest.raises(PermissionDenied):
        plan(bureau_viewer, office_a, indicator, region, dt.date(2026, 7, 1))


@pytest.mark.frozen_at(dt.datetime(2026, 6, 15, 10))
def test_notes_one_per_month_and_the_bureau_replies(staff_a, bureau_admin, office_a, indicator):
    note = services.note_write(
        user=staff_a,
        office=office_a,
        indicator=indicator,
        year=2026,
        month=5,
        text="Behind: travel ban.",
    )
    with pytest.raises(ValidationError):
        services.note_write(
            user=staff_a, office=office_a, indicator=indicator, year=2026, month=5, text="Again"
        )
    again = services.note_write(
        user=staff_a,
        office=office_a,
        indicator=indicator,
        year=2026,
        month=5,
        text="Again",
        version=note.version,
    )
    with pytest.raises(PermissionDenied):
        services.note_reply(user=staff_a, note=again, reply="No", version=again.version)
    replied = services.note_reply(
        user=bureau_admin, note=again, reply="Noted.", version=again.version
    )
    assert replied.reply == "Noted." and replied.replied_by == bureau_admin


def test_feed_tokens_are_revocable(staff_a):
    _feed, raw = services.feed_create(user=staff_a)
    assert services.feed_user(raw) == staff_a
    _feed2, raw2 = services.feed_create(user=staff_a)
    assert services.feed_user(raw) is None
    assert services.feed_user(raw2) == staff_a
    services.feed_revoke(user=staff_a)
    assert services.feed_user(raw2) is None
    other = UserFactory(role=Role.BUREAU_VIEWER)
    assert services.feed_user("x" * 43) is None and other


@pytest.mark.frozen_at(dt.datetime(2026, 1, 5, 10))
def test_notes_are_written_for_this_month_or_last_only(staff_a, office_a, indicator):
    for year, month in ((2026, 1), (2025, 12)):
        services.note_write(
            user=staff_a, office=office_a, indicator=indicator, year=year, month=month, text="Ok"
        )
    with pytest.raises(ValidationError) as refused:
        services.note_write(
            user=staff_a, office=office_a, indicator=indicator, year=2025, month=11, text="Late"
        )
    assert "this month or last month" in str(refused.value)


@pytest.mark.frozen_at(dt.datetime(2026, 6, 15, 10))
def test_an_author_moved_to_another_office_is_not_reminded_of_its_plans(
    staff_a, supervisor_a, office_a, office_b, indicator
):
    from planning.reminders import plans_to_log_due

    PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        starts_on=dt.date(2026, 6, 1),
        status=PlanStatus.CONFIRMED,
        confirmed_at=dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC),
        confidentiality="restricted",
        title="Kept to office A",
        created_by=staff_a,
    )
    assert staff_a.pk in plans_to_log_due(today=dt.date(2026, 6, 15))
    staff_a.office = office_b
    staff_a.save()
    due = plans_to_log_due(today=dt.date(2026, 6, 15))
    assert staff_a.pk not in due and supervisor_a.pk in due
