"""The review queue: its filters, a row's own verify and return, and the comment and actions
above the rows."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.models import Activity, Status
from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions")


@pytest.fixture
def media(db):
    return IndicatorFactory(code="media", name_en="Media interviews")


def _listed(response) -> set[int]:
    return {a.pk for a in response.context["page"].object_list}


def test_the_queue_filters_by_unit_indicator_submitter_and_dates(
    client_supervisor_a, office_a, unit_a, speaking, media
):
    chan = UserFactory(username="chan", role=Role.OFFICE_STAFF, office=office_a)
    lee = UserFactory(username="lee", role=Role.OFFICE_STAFF, office=unit_a)
    june = ActivityFactory(
        lead_office=office_a, indicator=speaking, created_by=chan, occurred_on=dt.date(2026, 6, 3)
    )
    may = ActivityFactory(
        lead_office=office_a, indicator=media, created_by=chan, occurred_on=dt.date(2026, 5, 20)
    )
    unit = ActivityFactory(
        lead_office=unit_a, indicator=speaking, created_by=lee, occurred_on=dt.date(2026, 6, 1)
    )
    url = reverse("activities:review")

    assert _listed(client_supervisor_a.get(url)) == {june.pk, may.pk, unit.pk}
    assert _listed(client_supervisor_a.get(url, {"office": unit_a.pk})) == {unit.pk}
    assert _listed(client_supervisor_a.get(url, {"indicator": media.pk})) == {may.pk}
    assert _listed(client_supervisor_a.get(url, {"submitted_by": lee.pk})) == {unit.pk}
    response = client_supervisor_a.get(url, {"date_from": "2026-06-01", "date_to": "2026-06-30"})
    assert _listed(response) == {june.pk, unit.pk}
    assert response.context["waiting"] == 3
    assert "2 of 3 waiting match these filters" in response.content.decode()


def test_the_queue_offers_only_its_own_offices_and_submitters(
    client_supervisor_a, office_a, office_b, speaking
):
    outsider = UserFactory(username="outsider", role=Role.OFFICE_STAFF, office=office_b)
    ActivityFactory(lead_office=office_b, indicator=speaking, created_by=outsider)
    ActivityFactory(lead_office=office_a, indicator=speaking)
    form = client_supervisor_a.get(reverse("activities:review")).context["filters"].form
    assert office_b not in form.fields["office"].queryset
    assert outsider not in form.fields["submitted_by"].queryset
    # another office's filter value is refused, not silently ignored
    response = client_supervisor_a.get(reverse("activities:review"), {"office": office_b.pk})
    assert response.status_code == 400


def test_a_row_is_verified_or_returned_on_its_own(client_supervisor_a, office_a, speaking):
    first, second, third = ActivityFactory.create_batch(
        3, lead_office=office_a, indicator=speaking, occurred_on=dt.date(2026, 6, 3)
    )
    url = reverse("activities:review")

    response = client_supervisor_a.post(
        url, {"row": f"verify:{first.pk}", "ids": [second.pk], "next": f"{url}?indicator="}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?indicator="
    refused = client_supervisor_a.post(url, {"row": f"return:{second.pk}", "comment": ""})
    assert refused.status_code == 400 and "comment" in refused.context["form"].errors
    client_supervisor_a.post(url, {"row": f"return:{second.pk}", "comment": "Which outlet?"})

    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.VERIFIED,
        second.pk: Status.RETURNED,
        third.pk: Status.SUBMITTED,
    }


@pytest.mark.parametrize("row", ["verify:", "verify:x", "verify:" + "9" * 30, "delete:1"])
def test_a_malformed_row_action_changes_nothing(client_supervisor_a, office_a, speaking, row):
    activity = ActivityFactory(lead_office=office_a, indicator=speaking)
    response = client_supervisor_a.post(reverse("activities:review"), {"row": row})
    assert response.status_code in (302, 400)
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED


def test_the_comment_and_actions_come_before_the_rows(client_supervisor_a, office_a, speaking):
    ActivityFactory.create_batch(3, lead_office=office_a, indicator=speaking)
    html = client_supervisor_a.get(reverse("activities:review")).content.decode()
    assert html.index('name="comment"') < html.index("<tbody>")
    assert html.index('value="verify"') < html.index("<tbody>")
    assert html.count('name="row" value="verify:') == 3
