"""In a closed month, the activity is saved as a draft and the month asked to reopen, in one
step (docs/domain.md, "Periods"). The clock: 15 June 2026; April closed at the end of 10 May."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.models import Activity, PeriodReopening, Status
from activities.periods import period_state
from activities.services import activity_draft_and_ask_reopening
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

APRIL = "2026-04-02"


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions", asks_event_name=True)


def form_data(office, indicator, **extra):
    return {
        "indicator": indicator.pk,
        "lead_office": office.pk,
        "occurred_on": APRIL,
        "title": "Speech at the Wuhan forum",
        "event_name": "Wuhan forum",
        **extra,
    }


def test_a_refusal_for_a_closed_month_offers_the_draft_and_the_request(
    client_staff_a, office_a, speaking
):
    response = client_staff_a.post(reverse("activities:create"), form_data(office_a, speaking))
    assert response.status_code == 400
    content = response.content.decode()
    assert 'name="draft_and_reopen"' in content
    assert 'name="reopening_reason"' in content
    assert response.context["offer_draft_and_reopen"] is True
    # What was typed is still in the form.
    assert 'value="Speech at the Wuhan forum"' in content
    # An open month's refusal offers nothing of the kind.
    response = client_staff_a.post(
        reverse("activities:create"),
        form_data(office_a, speaking, occurred_on="2026-06-03", title=""),
    )
    assert 'name="draft_and_reopen"' not in response.content.decode()


def test_save_as_draft_and_ask_to_reopen_does_both(client_staff_a, office_a, speaking, staff_a):
    response = client_staff_a.post(
        reverse("activities:create"),
        form_data(
            office_a, speaking, draft_and_reopen="", reopening_reason="Found the minutes late"
        ),
    )
    activity = Activity.objects.get()
    assert response.url == reverse("activities:detail", args=[activity.pk])
    assert (activity.status, activity.occurred_on) == (Status.DRAFT, dt.date(2026, 4, 2))
    assert not activity.counts
    reopening = PeriodReopening.objects.get()
    assert (reopening.office, reopening.year, reopening.month, reopening.state) == (
        office_a,
        2026,
        4,
        PeriodReopening.State.REQUESTED,
    )
    assert (reopening.reason, reopening.requested_by) == ("Found the minutes late", staff_a)
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Saved “Speech at the Wuhan forum” as a draft." in message
    assert "request to reopen April 2026 for Office A was sent" in message
    # The month is still closed: nothing else changes until a bureau admin decides.
    assert not period_state(office=office_a, day=activity.occurred_on).is_open


def test_the_reason_is_required_and_reported_with_the_other_errors(
    client_staff_a, office_a, speaking
):
    response = client_staff_a.post(
        reverse("activities:create"),
        form_data(office_a, speaking, draft_and_reopen="", title="", event_name=""),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "event_name", "reopening_reason"}
    assert response.context["offer_draft_and_reopen"] is True
    assert Activity.objects.count() == 0 and PeriodReopening.objects.count() == 0


def test_a_request_already_waiting_is_not_asked_again(client_staff_a, office_a, speaking, staff_a):
    waiting = PeriodReopening.objects.create(
        office=office_a, year=2026, month=4, reason="Late minutes", requested_by=staff_a
    )
    response = client_staff_a.post(
        reverse("activities:create"),
        form_data(office_a, speaking, draft_and_reopen="", reopening_reason="Another one"),
    )
    assert response.status_code == 302
    assert list(PeriodReopening.objects.all()) == [waiting]
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "was already waiting" in message


def test_nothing_is_saved_when_the_activity_is_incomplete(staff_a, office_a, speaking):
    with pytest.raises(ValidationError) as refused:
        activity_draft_and_ask_reopening(
            user=staff_a,
            reason="Late",
            lead_office=office_a,
            indicator=speaking,
            occurred_on=dt.date(2026, 4, 2),
            title="Speech",
        )
    assert "event_name" in refused.value.message_dict
    assert Activity.objects.count() == 0 and PeriodReopening.objects.count() == 0


def test_an_open_month_is_saved_as_usual_not_with_a_request(staff_a, office_a, speaking):
    with pytest.raises(ValidationError) as refused:
        activity_draft_and_ask_reopening(
            user=staff_a,
            reason="Late",
            lead_office=office_a,
            indicator=speaking,
            occurred_on=dt.date(2026, 6, 2),
            title="Speech",
            event_name="Forum",
        )
    assert "open" in " ".join(refused.value.message_dict["occurred_on"])
    assert PeriodReopening.objects.count() == 0


def test_another_offices_staff_cannot_use_it_for_an_office_not_theirs(
    client_staff_b, office_a, speaking
):
    response = client_staff_b.post(
        reverse("activities:create"),
        form_data(office_a, speaking, draft_and_reopen="", reopening_reason="Late"),
    )
    assert response.status_code == 400  # office A is not a choice for them
    assert "lead_office" in response.context["form"].errors
    assert Activity.objects.count() == 0 and PeriodReopening.objects.count() == 0


def test_viewers_cannot(client_bureau, office_a, speaking):
    response = client_bureau.post(
        reverse("activities:create"),
        form_data(office_a, speaking, draft_and_reopen="", reopening_reason="Late"),
    )
    assert response.status_code == 403
    assert PeriodReopening.objects.count() == 0
