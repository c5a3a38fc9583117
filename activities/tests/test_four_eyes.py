"""Four eyes: who created an activity or last changed it does not verify it; another
supervisor of the office or a bureau admin does, and the pages say so. A setting turns it
off (settings.KPI_FOUR_EYES)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities import access, services
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from api.tests.clients import bearer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def other_supervisor(office_a):
    return UserFactory(username="supervisor_a2", role=Role.OFFICE_SUPERVISOR, office=office_a)


def logged_by(user, office, indicator, **fields):
    """Logged and submitted by `user`."""
    return ActivityFactory(
        lead_office=office,
        indicator=indicator,
        occurred_on=dt.date(2026, 6, 3),
        status=Status.SUBMITTED,
        created_by=user,
        updated_by=fields.pop("updated_by", user),
        title=fields.pop("title", "Visit to the Commerce Department"),
        **fields,
    )


def test_the_supervisor_who_logged_it_does_not_verify_it(
    supervisor_a, other_supervisor, bureau_admin, office_a, indicator
):
    mine = logged_by(supervisor_a, office_a, indicator)
    with pytest.raises(PermissionDenied) as refused:
        services.activities_verify(user=supervisor_a, activity_ids=[mine.pk])
    assert str(refused.value) == (
        "You created or last changed “Visit to the Commerce Department”, so someone else "
        "verifies it: another supervisor of Office A or a bureau admin."
    )
    assert Activity.objects.get(pk=mine.pk).status == Status.SUBMITTED
    services.activities_verify(user=other_supervisor, activity_ids=[mine.pk])
    assert Activity.objects.get(pk=mine.pk).status == Status.VERIFIED


def test_who_last_changed_it_does_not_verify_it_even_if_someone_else_logged_it(
    staff_a, supervisor_a, bureau_admin, office_a, indicator
):
    # logged by staff, then changed and submitted by the supervisor
    activity = logged_by(staff_a, office_a, indicator, updated_by=supervisor_a)
    assert not access.can_verify(supervisor_a, activity)
    assert access.can_verify(bureau_admin, activity)
    services.activities_verify(user=bureau_admin, activity_ids=[activity.pk])


def test_a_bureau_admin_does_not_verify_their_own_either(bureau_admin, office_a, indicator):
    own = logged_by(bureau_admin, office_a, indicator)
    with pytest.raises(PermissionDenied):
        services.activities_verify(user=bureau_admin, activity_ids=[own.pk])


def test_returning_ones_own_is_still_allowed(supervisor_a, office_a, indicator):
    mine = logged_by(supervisor_a, office_a, indicator)
    services.activities_return(user=supervisor_a, activity_ids=[mine.pk], comment="Add a date")
    assert Activity.objects.get(pk=mine.pk).status == Status.RETURNED


def test_the_setting_turns_it_off(settings, supervisor_a, office_a, indicator):
    settings.KPI_FOUR_EYES = False
    mine = logged_by(supervisor_a, office_a, indicator)
    services.activities_verify(user=supervisor_a, activity_ids=[mine.pk])
    assert Activity.objects.get(pk=mine.pk).status == Status.VERIFIED


def test_the_activity_page_says_who_can_verify_it(
    client_supervisor_a, supervisor_a, other_supervisor, office_a, indicator
):
    mine = logged_by(supervisor_a, office_a, indicator)
    page = client_supervisor_a.get(reverse("activities:detail", args=[mine.pk]))
    text = page.content.decode()
    who = "so someone else verifies it: another supervisor of Office A or a bureau admin"
    assert who in text
    assert 'value="verify"' not in text
    assert 'value="return"' in text  # returning stays open
    # a forced verification is refused, and changes nothing
    response = client_supervisor_a.post(
        reverse("activities:review-one", args=[mine.pk]), {"action": "verify"}
    )
    assert response.status_code == 403
    assert Activity.objects.get(pk=mine.pk).status == Status.SUBMITTED

    theirs = Client()
    theirs.force_login(other_supervisor)
    text = theirs.get(reverse("activities:detail", args=[mine.pk])).content.decode()
    assert 'value="verify"' in text
    assert "someone else verifies it" not in text


def test_the_queue_marks_them_and_refuses_a_bulk_verification_that_includes_one(
    client_supervisor_a, supervisor_a, staff_a, office_a, indicator
):
    mine = logged_by(supervisor_a, office_a, indicator, title="My own visit")
    theirs = logged_by(staff_a, office_a, indicator, title="A colleague's visit")
    page = client_supervisor_a.get(reverse("activities:review"))
    text = page.content.decode()
    assert "Four eyes:" in text
    assert text.count("You created or last changed it: another supervisor") == 1

    response = client_supervisor_a.post(
        reverse("activities:review"),
        {"ids": [mine.pk, theirs.pk], "action": "verify", "comment": ""},
        follow=True,
    )
    assert "Nothing was verified: You created or last changed “My own visit”" in (
        response.content.decode()
    )
    assert set(
        Activity.objects.filter(pk__in=[mine.pk, theirs.pk]).values_list("status", flat=True)
    ) == {Status.SUBMITTED}

    client_supervisor_a.post(
        reverse("activities:review"), {"ids": [theirs.pk], "action": "verify", "comment": ""}
    )
    assert Activity.objects.get(pk=theirs.pk).status == Status.VERIFIED


def test_the_api_refuses_with_403_and_the_reason(supervisor_a, office_a, indicator):
    mine = logged_by(supervisor_a, office_a, indicator)
    response = Client().post(
        reverse("api:activity-verify", args=[mine.pk]),
        content_type="application/json",
        **bearer(supervisor_a),
    )
    assert response.status_code == 403
    assert "someone else verifies it" in response.json()["detail"]
    assert Activity.objects.get(pk=mine.pk).status == Status.SUBMITTED
