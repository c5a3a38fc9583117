"""Acting on a plan: confirming, cancelling, logging what happened (linked both ways with
its activity); and the counterpart directory's parent authority, which the warnings read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.models import Activity, Status
from offices.models import Counterpart
from offices.tests.factories import CounterpartFactory
from planning.models import CancelReason, PlanStatus
from planning.tests.pages import SECRET_TITLE, content, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 15, 10))]


def test_confirming(staff_a, supervisor_a, plan_a):
    url = reverse("planning:confirm", args=[plan_a.pk])
    refused = signed_in(staff_a).post(url)
    assert refused.status_code == 403
    assert "A supervisor of the lead office" in content(refused)
    client = signed_in(supervisor_a)
    assert reverse("planning:confirm", args=[plan_a.pk]) in content(
        client.get(reverse("planning:detail", args=[plan_a.pk]))
    )
    response = client.post(url, follow=True)
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CONFIRMED and plan_a.confirmed_by == supervisor_a
    assert "Confirmed by" in content(response)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # already confirmed


def test_cancelling_asks_why(staff_a, plan_a, bureau_viewer):
    url = reverse("planning:cancel", args=[plan_a.pk])
    client = signed_in(staff_a)
    assert "Cancel this plan?" in content(client.get(url))
    assert client.post(url, {}).status_code == 400
    other = client.post(url, {"reason": CancelReason.OTHER, "note": ""})
    assert other.status_code == 400 and "Say why, for another reason." in content(other)
    assert signed_in(bureau_viewer).post(url, {"reason": CancelReason.TRAVEL}).status_code == 403
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.PLANNED
    response = client.post(url, {"reason": CancelReason.COORDINATION, "note": "Office B goes"})
    assert response.status_code == 302
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.CANCELLED and plan_a.cancel_note == "Office B goes"


@pytest.mark.frozen_at(dt.datetime(2026, 6, 23, 10))
def test_log_what_happened(staff_a, plan_a, bureau_viewer):
    url = reverse("planning:log", args=[plan_a.pk])
    assert signed_in(bureau_viewer).post(url).status_code == 403
    client = signed_in(staff_a)
    response = client.post(url, follow=True)
    activity = Activity.objects.get()
    assert response.redirect_chain[-1][0] == reverse("activities:edit", args=[activity.pk])
    assert "Draft activity created from the plan: check it and submit" in content(response)
    assert activity.status == Status.DRAFT and activity.title == SECRET_TITLE
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.DONE and plan_a.activity == activity
    detail = content(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Planned as:" in detail and reverse("planning:detail", args=[plan_a.pk]) in detail
    plan_page = content(client.get(reverse("planning:detail", args=[plan_a.pk])))
    assert reverse("activities:detail", args=[activity.pk]) in plan_page
    assert client.post(url).status_code == 403  # done already: one activity


def test_what_happened_is_logged_from_the_plan_s_date(staff_a, plan_a):
    response = signed_in(staff_a).post(reverse("planning:log", args=[plan_a.pk]))
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_an_activity_without_a_plan_says_nothing_of_one(staff_a, office_a, indicator):
    from activities.tests.factories import ActivityFactory

    activity = ActivityFactory(lead_office=office_a, indicator=indicator, created_by=staff_a)
    page = content(signed_in(staff_a).get(reverse("activities:detail", args=[activity.pk])))
    assert "Planned as:" not in page


# --- the directory's parent authority ---------------------------------------------------------


def test_a_counterpart_added_with_its_parent_authority(staff_a, guangdong):
    government = CounterpartFactory(name_en="People's Government of Guangdong", region=guangdong)
    client = signed_in(staff_a)
    form = content(client.get(reverse("counterparts:create")))
    assert "Parent authority" in form and "People&#x27;s Government of Guangdong" in form
    response = client.post(
        reverse("counterparts:create"),
        {
            "type": Counterpart.Type.PROVINCIAL_AUTHORITY,
            "name_en": "Guangdong Tourism Bureau",
            "region": guangdong.pk,
            "parent": government.pk,
        },
    )
    body = Counterpart.objects.get(name_en="Guangdong Tourism Bureau")
    assert response.status_code == 302 and body.parent == government
    child = content(client.get(reverse("counterparts:detail", args=[body.pk])))
    assert reverse("counterparts:detail", args=[government.pk]) in child
    parent = content(client.get(reverse("counterparts:detail", args=[government.pk])))
    assert "Bodies of this authority" in parent and "Guangdong Tourism Bureau" in parent


def test_an_office_supervisor_of_another_office_cannot_confirm(office_b, plan_a):
    supervisor_b = UserFactory(role=Role.OFFICE_SUPERVISOR, office=office_b)
    response = signed_in(supervisor_b).post(reverse("planning:confirm", args=[plan_a.pk]))
    assert response.status_code == 404


@pytest.mark.frozen_at(dt.datetime(2026, 6, 23, 10))
def test_log_what_happened_fills_what_the_indicator_asks(staff_a, plan_a, indicator):
    indicator.asks_authority_level = True
    indicator.save()
    signed_in(staff_a).post(reverse("planning:log", args=[plan_a.pk]))
    assert Activity.objects.get().authority_level == "provincial"  # the department's


@pytest.mark.frozen_at(dt.datetime(2026, 6, 23, 10))
def test_what_the_plan_lacks_is_said_on_its_page(staff_a, plan_a, indicator):
    indicator.counterpart_required = True
    indicator.save()
    plan_a.counterparts.clear()
    response = signed_in(staff_a).post(reverse("planning:log", args=[plan_a.pk]), follow=True)
    assert "could not be logged from this plan" in content(response)
    assert "Choose at least one counterpart" in content(response)
    assert not Activity.objects.exists()
    plan_a.refresh_from_db()
    assert plan_a.status == PlanStatus.PLANNED
