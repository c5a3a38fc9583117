"""The conflicts' page: the bureau's board of every open conflict, each office's list of those
concerning it, and closing one with a note."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from offices.tests.factories import CounterpartFactory, OfficeFactory, RegionFactory
from planning import services
from planning.models import Confidentiality, PlanConflict, WarningKind
from planning.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # 15 June 2026
URL = reverse("planning:conflicts")


def conflict(plan, office, *, kinds=(WarningKind.COUNTERPART,), minutes_ago=0, **extra):
    return PlanConflict.objects.create(
        plan=plan,
        office=office,
        kinds=list(kinds),
        message=extra.pop("message", f"{office.name} plans the same department."),
        reason=extra.pop("reason", "The minister asked for this date."),
        created_by=plan.created_by,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        **extra,
    )


@pytest.fixture
def a_plan(office_a, indicator, staff_a):
    return PlanFactory(
        lead_office=office_a,
        indicator=indicator,
        title="Call on the Hebei commerce department",
        created_by=staff_a,
    )


@pytest.fixture
def open_conflict(a_plan, office_b):
    return conflict(a_plan, office_b)


def test_a_plan_saved_past_a_warning_is_on_the_board_and_on_both_offices_lists(
    client, office_a, office_b, indicator, staff_a, staff_b, bureau_viewer
):
    """The issue's scenario, through the services: one warning, saved with a reason."""
    hebei = RegionFactory(code="130000", name_en="Hebei")
    office_b.regions.add(hebei)
    department = CounterpartFactory(region=hebei)
    services.plan_create(
        user=staff_b,
        lead_office=office_b,
        indicator=indicator,
        title="Office B's call",
        starts_on=dt.date(2026, 7, 10),
        region=hebei,
        counterparts=[department],
    )
    services.plan_create(
        user=staff_a,
        lead_office=office_a,
        indicator=indicator,
        title="Office A's call",
        starts_on=dt.date(2026, 7, 14),
        region=hebei,
        counterparts=[department],
        warning_reason="The department asked for us on that day.",
    )
    for user in (bureau_viewer, staff_a, staff_b):
        client.force_login(user)
        response = client.get(URL)
        assert response.context["page"].paginator.count == 1, user
        assert "The department asked for us on that day." in response.content.decode()


class TestBoard:
    def test_newest_first_with_the_plan_the_other_office_the_warning_and_the_reason(
        self, client_bureau, a_plan, office_b, staff_a
    ):
        older = conflict(a_plan, office_b, minutes_ago=60, reason="Older reason.")
        newer = conflict(
            PlanFactory(lead_office=office_b, created_by=staff_a),
            OfficeFactory(name_en="Office C"),
            reason="Newer reason.",
        )
        response = client_bureau.get(URL)
        assert list(response.context["page"].object_list) == [newer, older]
        page = response.content.decode()
        assert "Call on the Hebei commerce department" in page
        assert "Office B plans the same department." in page
        assert "Older reason." in page and (staff_a.get_full_name() or "staff_a") in page
        assert "Same counterpart or authority" in page

    def test_closed_conflicts_and_those_of_plans_no_longer_ahead_leave_the_board(
        self, client_bureau, a_plan, office_b, bureau_admin, open_conflict
    ):
        done_plan = PlanFactory(
            lead_office=office_b,
            status="cancelled",
            cancel_reason="other",
            cancelled_at=timezone.now(),
        )
        conflict(done_plan, a_plan.lead_office)
        services.conflict_close(user=bureau_admin, conflict=open_conflict, note="Coordinated.")
        assert client_bureau.get(URL).context["page"].paginator.count == 0
        closed = client_bureau.get(URL, {"state": "closed"})
        assert closed.context["page"].paginator.count == 2
        assert "Coordinated." in closed.content.decode()

    def test_filters_by_office_and_kind(self, client_bureau, a_plan, office_a, office_b):
        office_c = OfficeFactory()
        by_counterpart = conflict(a_plan, office_b)
        by_official = conflict(a_plan, office_c, kinds=[WarningKind.OFFICIAL])
        assert list(client_bureau.get(URL, {"office": office_c.pk}).context["page"]) == [
            by_official
        ]
        assert list(client_bureau.get(URL, {"kind": "counterpart"}).context["page"]) == [
            by_counterpart
        ]
        # the plan's own office: both concern it
        assert client_bureau.get(URL, {"office": office_a.pk}).context["page"].paginator.count == 2

    def test_empty(self, client_bureau):
        assert "No open conflicts." in client_bureau.get(URL).content.decode()

    def test_paginated(self, client_bureau, a_plan):
        for _ in range(26):
            conflict(a_plan, OfficeFactory())
        assert len(client_bureau.get(URL).context["page"].object_list) == 25
        assert len(client_bureau.get(URL, {"page": 2}).context["page"].object_list) == 1

    def test_query_count(self, client_bureau, a_plan, office_b, django_assert_num_queries):
        conflict(a_plan, office_b)
        # session, user, count, page (plan, offices, indicator and people joined), which
        # plans the reader sees in full, the filter's offices, and the session save
        # (savepoint, update, release)
        with django_assert_num_queries(9):
            client_bureau.get(URL)
        for _ in range(5):
            conflict(PlanFactory(), OfficeFactory())
        with django_assert_num_queries(9):
            client_bureau.get(URL)


class TestOffices:
    def test_each_office_sees_the_conflicts_concerning_it_only(
        self, client, a_plan, office_b, staff_a, staff_b, open_conflict
    ):
        office_c = OfficeFactory()
        staff_c = UserFactory(role=Role.OFFICE_STAFF, office=office_c)
        for user, count in ((staff_a, 1), (staff_b, 1), (staff_c, 0)):
            client.force_login(user)
            assert client.get(URL).context["page"].paginator.count == count, user

    def test_a_restricted_plans_conflict_stays_with_its_office(
        self, client, a_plan, staff_a, staff_b, open_conflict
    ):
        a_plan.confidentiality = Confidentiality.RESTRICTED
        a_plan.save()
        client.force_login(staff_b)
        page = client.get(URL).content.decode()
        # Even the warning would reveal the plan: office B does not see this conflict.
        assert "Office B plans the same department." not in page
        assert "Call on the Hebei commerce department" not in page
        client.force_login(staff_a)
        assert "Call on the Hebei commerce department" in client.get(URL).content.decode()

    def test_offices_see_no_close_button(self, client_staff_a, open_conflict):
        page = client_staff_a.get(URL).content.decode()
        assert reverse("planning:conflict_close", args=[open_conflict.pk]) not in page

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(URL)
        assert response.status_code == 302 and "/accounts/login/" in response.url


class TestClosing:
    def test_a_bureau_admin_confirms_with_a_note_and_it_is_closed(
        self, client_admin, open_conflict, bureau_admin
    ):
        url = reverse("planning:conflict_close", args=[open_conflict.pk])
        assert url in client_admin.get(URL).content.decode()
        page = client_admin.get(url).content.decode()
        assert "Close this conflict?" in page
        response = client_admin.post(url, {"note": "Office A goes first; B moves a week."})
        assert response.status_code == 302
        open_conflict.refresh_from_db()
        assert open_conflict.closed_how == PlanConflict.Closed.BUREAU
        assert open_conflict.closed_by == bureau_admin
        assert open_conflict.closing_note == "Office A goes first; B moves a week."

    def test_a_note_is_needed(self, client_admin, open_conflict):
        url = reverse("planning:conflict_close", args=[open_conflict.pk])
        response = client_admin.post(url, {"note": "   "})
        assert response.status_code == 400
        open_conflict.refresh_from_db()
        assert not open_conflict.is_closed

    def test_closing_twice_says_it_is_closed(self, client_admin, open_conflict, bureau_admin):
        services.conflict_close(user=bureau_admin, conflict=open_conflict, note="Done.")
        url = reverse("planning:conflict_close", args=[open_conflict.pk])
        assert "already closed" in client_admin.get(url).content.decode()
        response = client_admin.post(url, {"note": "Again."})
        assert response.status_code == 400 and "already closed" in response.content.decode()

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("client_staff_a", 403),
            ("client_supervisor_a", 403),
            ("client_staff_b", 403),  # office B is the other office: it sees the conflict
            ("client_bureau", 403),
        ],
    )
    def test_only_bureau_admins_close(self, request, persona, status, open_conflict):
        client = request.getfixturevalue(persona)
        url = reverse("planning:conflict_close", args=[open_conflict.pk])
        assert client.get(url).status_code == status
        assert client.post(url, {"note": "Closing."}).status_code == status
        open_conflict.refresh_from_db()
        assert not open_conflict.is_closed

    def test_an_office_not_concerned_does_not_find_it(self, client, open_conflict):
        client.force_login(UserFactory(role=Role.OFFICE_STAFF, office=OfficeFactory()))
        url = reverse("planning:conflict_close", args=[open_conflict.pk])
        assert client.get(url).status_code == 404
