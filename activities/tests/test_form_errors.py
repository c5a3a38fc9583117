"""Every error of a form comes in one answer (docs/guide-office-staff.md, "Logging an
activity"): a person does not fix one field to be told about the next."""

import datetime as dt

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.services import activity_create
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def visits(db):
    return IndicatorFactory(
        code="visits", name_en="Visits", counterpart_required=True, asks_authority_level=True
    )


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions", asks_event_name=True)


def test_the_activity_form_reports_a_missing_field_with_the_indicators_needs_and_a_closed_month(
    client_staff_a, office_a, visits
):
    response = client_staff_a.post(
        reverse("activities:create"),
        {"indicator": visits.pk, "lead_office": office_a.pk, "occurred_on": "2026-04-02"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "counterparts", "authority_level", "occurred_on"}
    assert "April 2026 closed for entry" in " ".join(errors["occurred_on"])
    assert errors["counterparts"] == ["Choose at least one counterpart for Visits."]
    # The summary lists each of them, and is the element focus moves to.
    content = response.content.decode()
    assert content.count('href="#id_') >= 4
    assert 'id="error-summary"' in content and 'tabindex="-1"' in content
    assert "js/error-summary.js" in content
    assert Activity.objects.count() == 0


def test_a_valid_form_still_gets_the_indicators_needs_and_the_closed_month_together(
    client_staff_a, office_a, speaking
):
    """All fields clean: the service finds the missing event and the closed month at once."""
    response = client_staff_a.post(
        reverse("activities:create"),
        {
            "indicator": speaking.pk,
            "lead_office": office_a.pk,
            "occurred_on": "2026-04-02",
            "title": "Speech",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"event_name", "occurred_on"}


def test_an_edit_moved_into_a_closed_month_reports_every_error(
    client_staff_a, office_a, speaking, staff_a
):
    activity = activity_create(
        user=staff_a,
        lead_office=office_a,
        indicator=speaking,
        occurred_on=dt.date(2026, 6, 3),
        title="Speech",
        event_name="Forum",
    )
    response = client_staff_a.post(
        reverse("activities:edit", args=[activity.pk]),
        {
            "indicator": speaking.pk,
            "lead_office": office_a.pk,
            "occurred_on": "2026-04-02",
            "title": "Speech",
            "version": activity.version,
        },
    )
    assert set(response.context["form"].errors) == {"event_name", "occurred_on"}


def test_the_import_form_reports_both_fields(client_admin):
    response = client_admin.post(reverse("activities:import"), {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"office", "file"}


def test_the_reopening_request_reports_every_field(client_staff_a):
    response = client_staff_a.post(reverse("activities:periods"), {"month": "1999-01"})
    assert response.status_code == 400
    assert set(response.context["request_form"].errors) == {"month", "office", "reason"}


def test_adding_a_counterpart_reports_every_field(client_staff_a):
    response = client_staff_a.post(reverse("counterparts:create"), {"type": "nonsense"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "type" in form.errors
    assert form.non_field_errors() == ["Give the name in English or Chinese."]
