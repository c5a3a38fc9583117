"""A plan's pages: planning one (with warnings and a reason), editing (a stale edit merged),
its page; each persona's refusals. Acting on a plan is tested in test_plan_actions.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from planning import services
from planning.models import CancelReason, Plan, PlanConflict, PlanStatus
from planning.tests.pages import SECRET_PURPOSE, SECRET_TITLE, content, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(dt.datetime(2026, 6, 15, 10))]


def form_data(office, indicator, region, **extra) -> dict:
    data = {
        "lead_office": office.pk,
        "indicator": indicator.pk,
        "title": "Call on the department",
        "starts_on": "2026-06-26",
        "ends_on": "",
        "starts_at": "10:00",
        "ends_at": "11:30",
        "region": region.pk,
        "city": "Guangzhou",
        "attendee_names": "Ms Chan",
        "purpose": "Introduce the new director",
        "confidentiality": "summary",
    }
    data.update(extra)
    return data


# --- planning one ---------------------------------------------------------------------------


def test_staff_plan_an_engagement(
    staff_a, supervisor_a, office_a, indicator, guangdong, department
):
    client = signed_in(staff_a)
    assert client.get(reverse("planning:create")).status_code == 200
    response = client.post(
        reverse("planning:create"),
        form_data(
            office_a,
            indicator,
            guangdong,
            counterparts=[department.pk],
            attendees=[supervisor_a.pk],
        ),
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:detail", args=[plan.pk])
    assert plan.ends_on == plan.starts_on == dt.date(2026, 6, 26)
    assert plan.starts_at == dt.time(10) and plan.ends_at == dt.time(11, 30)
    assert list(plan.counterparts.all()) == [department]
    assert list(plan.attendees.all()) == [supervisor_a]
    assert plan.created_by == staff_a and plan.status == PlanStatus.PLANNED


def test_a_bad_plan_comes_back_with_everything_typed(staff_a, office_a, indicator, guangdong):
    response = signed_in(staff_a).post(
        reverse("planning:create"),
        form_data(office_a, indicator, guangdong, title="", starts_at="", ends_at="10:00"),
    )
    assert response.status_code == 400
    page = content(response)
    assert "There is a problem" in page
    assert "Introduce the new director" in page and "Ms Chan" in page
    assert "Give the start time too, or neither." in page
    assert not Plan.objects.exists()


def test_nobody_plans_for_another_office(staff_b, office_a, indicator, guangdong):
    response = signed_in(staff_b).post(
        reverse("planning:create"), form_data(office_a, indicator, guangdong)
    )
    assert response.status_code == 400
    assert not Plan.objects.exists()


def test_the_bureau_viewer_does_not_plan(bureau_viewer, office_a, indicator, guangdong):
    client = signed_in(bureau_viewer)
    assert client.get(reverse("planning:create")).status_code == 403
    assert (
        client.post(reverse("planning:create"), form_data(office_a, indicator, guangdong))
    ).status_code == 403
    assert not Plan.objects.exists()


def test_a_warning_needs_a_reason_and_nothing_typed_is_lost(
    staff_a, bureau_admin, office_a, indicator, guangdong, department, plan_b
):
    client = signed_in(staff_a)
    data = form_data(office_a, indicator, guangdong, counterparts=[department.pk])
    response = client.post(reverse("planning:create"), data)
    assert response.status_code == 400
    page = content(response)
    assert "Before you save: this plan meets other offices" in page
    assert "Office B (OFFB)" in page
    assert "the same counterpart or authority" in page
    # Office B's plan is a summary to office A: named, not linked, its title not shown.
    assert reverse("planning:detail", args=[plan_b.pk]) not in page
    assert "Office B&#x27;s own call" not in page
    assert "Introduce the new director" in page and 'value="Call on the department"' in page
    assert 'name="warning_reason"' in page
    assert not Plan.objects.filter(lead_office=office_a).exists()

    # The bureau, who sees office B's plan in full, gets a link to it.
    admin_page = content(signed_in(bureau_admin).post(reverse("planning:create"), data))
    assert reverse("planning:detail", args=[plan_b.pk]) in admin_page

    response = client.post(
        reverse("planning:create"), {**data, "warning_reason": "The director asked us to come"}
    )
    assert response.status_code == 302
    plan = Plan.objects.get(lead_office=office_a)
    conflict = PlanConflict.objects.get(plan=plan)
    assert conflict.reason == "The director asked us to come"
    assert list(conflict.other_plans.all()) == [plan_b]
    shown = content(client.get(response["Location"]))
    assert "A warning applies to this plan" in shown
    assert "The director asked us to come" in shown


# --- editing -----------------------------------------------------------------------------------


def test_edit_a_plan(staff_a, plan_a, office_a, indicator, guangdong, department):
    client = signed_in(staff_a)
    page = content(client.get(reverse("planning:edit", args=[plan_a.pk])))
    assert SECRET_PURPOSE in page and f'name="version" value="{plan_a.version}"' in page
    data = form_data(
        office_a,
        indicator,
        guangdong,
        title="A new title",
        starts_on="2026-06-22",
        counterparts=[department.pk],
        version=plan_a.version,
    )
    response = client.post(reverse("planning:edit", args=[plan_a.pk]), data)
    assert response.status_code == 302
    plan_a.refresh_from_db()
    assert plan_a.title == "A new title" and plan_a.version == 2


def test_a_stale_edit_is_merged_and_nothing_saved(
    staff_a, supervisor_a, plan_a, office_a, indicator, guangdong, department
):
    client = signed_in(staff_a)
    version = plan_a.version
    services.plan_update(user=supervisor_a, plan=plan_a, version=version, city="Foshan")
    data = form_data(
        office_a,
        indicator,
        guangdong,
        title="My title",
        starts_on="2026-06-22",
        purpose=SECRET_PURPOSE,
        attendee_names="Mr Secret Attendee",
        starts_at="",
        ends_at="",
        city="Guangzhou",  # untouched: theirs is taken
        counterparts=[department.pk],
        version=version,
    )
    response = client.post(reverse("planning:edit", args=[plan_a.pk]), data)
    assert response.status_code == 409
    page = content(response)
    assert "Someone else changed this plan after you opened it" in page
    assert 'value="My title"' in page and 'value="Foshan"' in page
    assert f'name="version" value="{version + 1}"' in page
    plan_a.refresh_from_db()
    assert plan_a.title == SECRET_TITLE and plan_a.city == "Foshan"


def test_both_changed_a_field_the_form_names_theirs(
    staff_a, supervisor_a, plan_a, office_a, indicator, guangdong, department
):
    version = plan_a.version
    services.plan_update(user=supervisor_a, plan=plan_a, version=version, title="Their title")
    data = form_data(
        office_a,
        indicator,
        guangdong,
        title="My title",
        starts_on="2026-06-22",
        counterparts=[department.pk],
        version=version,
    )
    response = signed_in(staff_a).post(reverse("planning:edit", args=[plan_a.pk]), data)
    assert response.status_code == 409
    page = content(response)
    assert "You both changed these" in page
    assert "their value is Their title" in page
    assert 'value="My title"' in page


def test_a_confirmed_plan_says_a_change_sends_it_back(staff_a, supervisor_a, plan_a):
    services.plan_confirm(user=supervisor_a, plan=plan_a)
    url = reverse("planning:edit", args=[plan_a.pk])
    assert "goes back to a supervisor" in content(signed_in(staff_a).get(url))
    assert "goes back to a supervisor" not in content(signed_in(supervisor_a).get(url))


def test_the_last_day_before_the_first_is_refused(staff_a, office_a, indicator, guangdong):
    response = signed_in(staff_a).post(
        reverse("planning:create"),
        form_data(office_a, indicator, guangdong, ends_on="2026-06-20", starts_at="", ends_at=""),
    )
    assert response.status_code == 400
    assert "The last day cannot be before the first." in content(response)
    assert not Plan.objects.exists()


def test_form_pages_query_count(staff_a, office_a, plan_a, django_assert_num_queries):
    client = signed_in(staff_a)
    # session, user (with office), user's scope; the choices: lead offices and indicators
    # (each read twice, as the activity form's), regions, counterparts, participating
    # offices, attendees (with their office); and the session save (savepoint, update,
    # release)
    with django_assert_num_queries(14):
        client.get(reverse("planning:create"))
    UserFactory.create_batch(5, role=Role.OFFICE_STAFF, office=office_a)
    with django_assert_num_queries(14):
        client.get(reverse("planning:create"))
    # and for an edit: the plan, its participating offices, counterparts and attendees
    with django_assert_num_queries(18):
        client.get(reverse("planning:edit", args=[plan_a.pk]))
    # the plan, and the session save
    with django_assert_num_queries(7):
        client.get(reverse("planning:cancel", args=[plan_a.pk]))


def test_edit_refusals(staff_b, bureau_viewer, staff_a, plan_a):
    url = reverse("planning:edit", args=[plan_a.pk])
    assert signed_in(staff_b).get(url).status_code == 404
    refused = signed_in(bureau_viewer).get(url)
    assert refused.status_code == 403
    assert "Only the lead office changes this plan." in content(refused)
    services.plan_cancel(user=staff_a, plan=plan_a, reason=CancelReason.TRAVEL)
    cancelled = signed_in(staff_a).get(url)
    assert cancelled.status_code == 403
    assert "cancelled and can no longer be changed" in content(cancelled)


# --- its page ------------------------------------------------------------------------------


def test_the_plan_s_page(staff_a, supervisor_a, plan_a, plan_b, staff_b, django_assert_num_queries):
    plan_a.attendees.add(supervisor_a)
    PlanConflict.objects.create(
        plan=plan_b,
        office=plan_a.lead_office,
        kinds=["counterpart"],
        message="OFFA: Visits with the department",
        reason="Agreed by phone with office A",
        created_by=staff_b,
    ).other_plans.add(plan_a)
    client = signed_in(staff_a)
    url = reverse("planning:detail", args=[plan_a.pk])
    page = content(client.get(url))
    for shown in (SECRET_TITLE, SECRET_PURPOSE, "Mr Secret Attendee", "Planned", "History"):
        assert shown in page
    assert "Agreed by phone with office A" in page  # a conflict naming it, with its reason
    assert "A plan of OFFB on" in page  # office B's plan: its summary only
    assert "Office B&#x27;s own call" not in page
    assert reverse("planning:edit", args=[plan_a.pk]) in page
    assert reverse("planning:confirm", args=[plan_a.pk]) not in page  # staff do not confirm
    assert "What happened can be logged from the plan&#x27;s date." in page
    # session, user (with office), user's scope, the plan (as seen, then with its relations),
    # its counterparts, offices and attendees; the warnings: the lead office's scope (what
    # its people may see), top offices, the authority's
    # bodies (x2), the office's family (x2), plans in the window (with their counterparts
    # and offices), activities in the window, the officials, plans on the same days, the
    # offices covering the region; the conflicts concerning it; its history; and the
    # session save (savepoint, update, release)
    with django_assert_num_queries(26) as ctx:
        client.get(url)
    n = len(ctx)
    for _ in range(3):
        services.plan_update(
            user=staff_a,
            plan=plan_a,
            version=Plan.objects.get(pk=plan_a.pk).version,
            city="X",
            warning_reason="Agreed with office B",
        )
    with django_assert_num_queries(n):
        client.get(url)


def test_a_conflict_saved_on_another_office_s_restricted_plan_is_not_shown(
    staff_a, staff_b, bureau_viewer, plan_a, plan_b
):
    plan_b.confidentiality = "restricted"
    plan_b.save()
    PlanConflict.objects.create(
        plan=plan_b,
        office=plan_a.lead_office,
        kinds=["counterpart"],
        message="OFFA: Visits with the department",
        reason="Kept to office B",
        created_by=staff_b,
    ).other_plans.add(plan_a)
    url = reverse("planning:detail", args=[plan_a.pk])
    assert "Kept to office B" not in content(signed_in(staff_a).get(url))
    assert "Kept to office B" in content(signed_in(bureau_viewer).get(url))
