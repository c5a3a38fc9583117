"""Planning together, walked through the pages as the people would (docs/domain.md,
"Planning"): two offices plan the same provincial department four days apart, the second
is warned once about the first and goes ahead with a reason, the bureau sees the one open
conflict, the first plan is confirmed and, the day after, turned into a draft activity in
one step; the dashboards show what is achieved plus what is confirmed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.models import Activity, Status
from offices.models import Counterpart, Office
from offices.tests.factories import (
    AnnualTargetFactory,
    CounterpartFactory,
    IndicatorFactory,
    OfficeFactory,
    RegionFactory,
)
from planning.models import Plan, PlanConflict, PlanStatus

pytestmark = pytest.mark.django_db

HK = ZoneInfo("Asia/Hong_Kong")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_form(office: Office, indicator, region, counterpart: Counterpart, day: str, **extra):
    return {
        "lead_office": office.pk,
        "indicator": indicator.pk,
        "title": f"{office.code} calls on the department",
        "starts_on": day,
        "ends_on": "",
        "starts_at": "",
        "ends_at": "",
        "region": region.pk,
        "city": "Guangzhou",
        "counterparts": [counterpart.pk],
        "attendee_names": "",
        "purpose": "Cross-boundary trade facilitation",
        "confidentiality": "summary",
        **extra,
    }


def test_two_offices_plan_one_department_and_the_bureau_directs():
    guangdong = RegionFactory(code="440000", name_en="Guangdong")
    gdeto = OfficeFactory(code="GDETO", name_en="Economic and Trade Office in Guangdong")
    gdeto.regions.add(guangdong)
    bjo = OfficeFactory(code="BJO", name_en="Beijing Office")
    visits = IndicatorFactory(code="visits", name_en="Visits", asks_authority_level=True)
    AnnualTargetFactory(year=2026, indicator=visits, target=3400)
    department = CounterpartFactory(
        name_en="Department of Commerce of Guangdong Province",
        type=Counterpart.Type.PROVINCIAL_AUTHORITY,
        region=guangdong,
    )
    gd_staff = UserFactory(role=Role.OFFICE_STAFF, office=gdeto)
    gd_supervisor = UserFactory(role=Role.OFFICE_SUPERVISOR, office=gdeto)
    bj_staff = UserFactory(role=Role.OFFICE_STAFF, office=bjo)
    bj_supervisor = UserFactory(role=Role.OFFICE_SUPERVISOR, office=bjo)
    bureau = UserFactory(role=Role.BUREAU_VIEWER)

    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=HK), tick=False):
        # GDETO plans its visit on 10 March: its own region, nobody else near it.
        response = signed_in(gd_staff).post(
            reverse("planning:create"),
            plan_form(gdeto, visits, guangdong, department, "2026-03-10"),
        )
        assert response.status_code == 302
        gd_plan = Plan.objects.get(lead_office=gdeto)

        # BJO plans the same department on 14 March: one warning, naming GDETO's plan.
        bj_client = signed_in(bj_staff)
        data = plan_form(bjo, visits, guangdong, department, "2026-03-14")
        response = bj_client.post(reverse("planning:create"), data)
        assert response.status_code == 400
        assert not Plan.objects.filter(lead_office=bjo).exists()
        (warning,) = response.context["warnings"]
        assert warning.office == gdeto
        page = response.content.decode()
        assert "GDETO" in page and "4 days apart" in page
        # Named as a summary only: the title is GDETO's to see.
        assert any("4 days apart" in item.text for item in warning.items)
        assert "GDETO calls on the department" not in page
        # Saved with a reason: the plan and its one conflict.
        data["warning_reason"] = "The department asked to see the Beijing Office separately."
        response = bj_client.post(reverse("planning:create"), data)
        assert response.status_code == 302
        bj_plan = Plan.objects.get(lead_office=bjo)

        # The bureau sees one open conflict, with the reason; GDETO sees it too.
        board = signed_in(bureau).get(reverse("planning:conflicts"))
        (conflict,) = board.context["page"].object_list
        assert conflict.plan == bj_plan and conflict.office == gdeto
        assert PlanConflict.objects.open().count() == 1
        assert "asked to see the Beijing Office separately" in board.content.decode()
        gd_board = signed_in(gd_staff).get(reverse("planning:conflicts")).content.decode()
        assert "asked to see the Beijing Office separately" in gd_board

        # Supervisors confirm both plans.
        assert (
            signed_in(gd_supervisor)
            .post(reverse("planning:confirm", args=[gd_plan.pk]))
            .status_code
            == 302
        )
        assert (
            signed_in(bj_supervisor)
            .post(reverse("planning:confirm", args=[bj_plan.pk]))
            .status_code
            == 302
        )

    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=HK), tick=False):
        # The day after, GDETO turns its confirmed plan into a draft activity in one step.
        response = signed_in(gd_staff).post(reverse("planning:log", args=[gd_plan.pk]))
        activity = Activity.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("activities:edit", args=[activity.pk])
        gd_plan.refresh_from_db()
        assert gd_plan.status == PlanStatus.DONE and gd_plan.activity == activity
        assert activity.status == Status.DRAFT
        assert activity.lead_office == gdeto and activity.occurred_on == dt.date(2026, 3, 10)
        assert list(activity.counterparts.all()) == [department]
        # GDETO submits it: it counts; BJO's confirmed plan is still ahead.
        response = signed_in(gd_staff).post(reverse("activities:submit"), {"ids": [activity.pk]})
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED

        dashboard = signed_in(bureau).get(reverse("reports:bureau"))
        page = dashboard.content.decode()
        assert "Achieved 1 + confirmed 1 of 3,400" in page
        (visits_figure,) = [f for f in dashboard.context["data"].figures if f.indicator == visits]
        assert (visits_figure.achieved, visits_figure.confirmed_ahead) == (1, 1)
