"""Likely duplicates on the activity form (docs/domain.md, "Likely duplicates"): once a
person confirms an activity is different from them, later edits do not ask again, unless
another likely duplicate appears."""

import pytest
from django.urls import reverse

from activities.models import Activity
from offices.tests.factories import CounterpartFactory, IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def visits(db):
    return IndicatorFactory(
        code="visits", name_en="Visits", counterpart_required=True, asks_authority_level=True
    )


@pytest.fixture
def data(office_a, visits):
    commerce = CounterpartFactory()
    return {
        "indicator": visits.pk,
        "lead_office": office_a.pk,
        "occurred_on": "2026-06-03",
        "title": "Call on the Department of Commerce",
        "authority_level": "provincial",
        "counterparts": [commerce.pk],
    }


def create(client, data, **extra):
    return client.post(reverse("activities:create"), {**data, **extra})


def edit(client, activity, data, **extra):
    activity.refresh_from_db()
    return client.post(
        reverse("activities:edit", args=[activity.pk]),
        {**data, "version": activity.version, **extra},
    )


def test_a_confirmed_duplicate_is_remembered_and_not_asked_again(client_staff_a, data):
    create(client_staff_a, data)
    first = Activity.objects.get()
    assert create(client_staff_a, data, title="Second call").status_code == 400
    response = create(client_staff_a, data, title="Second call", confirm_duplicate="on")
    assert response.status_code == 302
    second = Activity.objects.exclude(pk=first.pk).get()
    assert second.confirmed_different_from == [first.pk]

    # A later edit of the second one: saved at once, no question.
    response = edit(client_staff_a, second, data, title="Second call, afternoon")
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.title == "Second call, afternoon"
    assert second.confirmed_different_from == [first.pk]


def test_a_new_likely_duplicate_is_asked_about_and_only_it(client_staff_a, data):
    create(client_staff_a, data)
    first = Activity.objects.get()
    create(client_staff_a, data, title="Second call", confirm_duplicate="on")
    second = Activity.objects.get(title="Second call")
    create(client_staff_a, data, title="Third call", confirm_duplicate="on")
    third = Activity.objects.get(title="Third call")
    assert third.confirmed_different_from == [first.pk, second.pk]

    response = edit(client_staff_a, second, data, title="Second call, afternoon")
    assert response.status_code == 400
    assert response.context["form"].duplicates == [third]
    assert Activity.objects.get(pk=second.pk).title == "Second call"

    response = edit(
        client_staff_a, second, data, title="Second call, afternoon", confirm_duplicate="on"
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.confirmed_different_from == [first.pk, third.pk]
    assert edit(client_staff_a, second, data, notes="Met the director").status_code == 302


def test_an_activity_never_confirmed_is_still_asked(client_staff_a, office_a, data):
    create(client_staff_a, data)
    first = Activity.objects.get()
    create(client_staff_a, {**data, "occurred_on": "2026-06-04"}, title="Another day")
    other = Activity.objects.get(title="Another day")
    assert other.confirmed_different_from == []
    # Moved onto the first one's day: a likely duplicate, asked about.
    response = edit(client_staff_a, other, data, title="Another day")
    assert response.status_code == 400
    assert response.context["form"].duplicates == [first]


def test_the_confirmation_is_not_listed_in_the_activitys_history(client_staff_a, data):
    """The history says what the activity is; the confirmation is about the form's question."""
    create(client_staff_a, data, title="Second call")
    second = Activity.objects.get()
    create(client_staff_a, data, confirm_duplicate="on")
    edit(
        client_staff_a, second, data, title="Second call", notes="Met them", confirm_duplicate="on"
    )
    second.refresh_from_db()
    assert second.confirmed_different_from != []
    page = client_staff_a.get(reverse("activities:detail", args=[second.pk]))
    assert "Met them" in page.content.decode()
    assert "confirmed different from" not in page.content.decode().lower()
