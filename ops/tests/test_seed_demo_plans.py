"""The demo's plans, conflict, progress notes and parent authorities (ops.demo_plans)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import User
from activities.models import Activity
from offices.models import Counterpart
from planning.models import Confidentiality, Plan, PlanConflict, PlanStatus, ProgressNote
from planning.reminders import plans_to_log_due

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 6, 30)
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 12, tzinfo=HK))]


@pytest.fixture
def seeded(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--scale", "0.02", verbosity=0)


@pytest.mark.usefixtures("seeded")
def test_plans_across_the_year_mostly_in_the_coming_weeks():
    plans = Plan.objects.all()
    ahead = plans.filter(starts_on__gt=TODAY)

    assert plans.count() >= 30
    assert set(plans.values_list("lead_office__code", flat=True)) >= {
        "BJO",
        "GDETO",
        "SHETO",
        "CDETO",
        "WHETO",
    }
    soon = ahead.filter(starts_on__lte=TODAY + dt.timedelta(weeks=8)).count()
    assert soon > ahead.count() / 2
    assert ahead.filter(starts_on__gt=TODAY + dt.timedelta(weeks=12)).exists()
    assert 3 <= plans.filter(status=PlanStatus.CONFIRMED).count() < plans.count() / 2
    assert plans.filter(confidentiality=Confidentiality.RESTRICTED).count() == 2
    # every plan has a counterpart, so any of them can be logged in one step
    assert not plans.filter(counterparts__isnull=True).exists()


@pytest.mark.usefixtures("seeded")
def test_one_cancelled_with_its_reason_one_done_and_one_left_to_log():
    [cancelled] = Plan.objects.filter(status=PlanStatus.CANCELLED)
    assert cancelled.cancel_reason and cancelled.cancel_note

    [done] = Plan.objects.filter(status=PlanStatus.DONE)
    assert done.activity.plan == done
    assert done.activity.occurred_on < TODAY

    due = plans_to_log_due(today=TODAY)
    cdeto_supervisor = User.objects.get(username="cdeto.supervisor")
    assert due[cdeto_supervisor.pk]["count"] == 1


@pytest.mark.usefixtures("seeded")
def test_two_offices_meeting_one_department_make_the_one_conflict():
    [conflict] = PlanConflict.objects.all()

    assert conflict.plan.lead_office.code == "BJO"
    assert conflict.office.code == "GDETO"
    assert "counterpart" in conflict.kinds
    assert "GDETO" in conflict.reason
    [other] = conflict.other_plans.all()
    assert other.lead_office.code == "GDETO" and other.status == PlanStatus.CONFIRMED
    assert abs((conflict.plan.starts_on - other.starts_on).days) <= 14


@pytest.mark.usefixtures("seeded")
def test_progress_notes_and_a_reply_from_the_bureau():
    notes = ProgressNote.objects.all()

    assert notes.count() == 3
    assert {(n.year, n.month) for n in notes} == {(2026, 5)}
    [replied] = notes.exclude(reply="")
    assert replied.office.code == "CDETO" and replied.replied_by.username == "admin"


@pytest.mark.usefixtures("seeded")
def test_provincial_departments_belong_to_their_peoples_government():
    department = Counterpart.objects.get(name_en="Department of Commerce of Guangdong Province")

    assert department.parent.name_en == "Guangdong Provincial People's Government"
    assert department.parent.bodies.count() == 2
    assert Counterpart.objects.get(name_en="Qianhai Authority").parent.name_en == (
        "Shenzhen Municipal People's Government"
    )


@pytest.mark.usefixtures("seeded")
def test_seeding_twice_adds_no_plan_and_reset_makes_them_again():
    counts = (Plan.objects.count(), PlanConflict.objects.count(), ProgressNote.objects.count())
    parents = Counterpart.objects.filter(parent__isnull=False).count()

    call_command("seed_demo", "--scale", "0.02", verbosity=0)

    assert (Plan.objects.count(), PlanConflict.objects.count(), ProgressNote.objects.count()) == (
        counts
    )
    assert Counterpart.objects.filter(parent__isnull=False).count() == parents

    call_command("seed_demo", "--scale", "0.02", "--reset", verbosity=0)

    assert (Plan.objects.count(), PlanConflict.objects.count(), ProgressNote.objects.count()) == (
        counts
    )
    assert Plan.history.filter(id__in=Plan.objects.values("pk")).exists()
    assert not Plan.history.exclude(id__in=Plan.objects.values("pk")).exists()
    assert Activity.objects.filter(plan__isnull=False).count() == 1
