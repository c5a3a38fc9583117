"""Where each person lands, and the number waiting for a supervisor in the menu."""

import datetime as dt

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from offices.tests.factories import IndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def speaking(db):
    return IndicatorFactory(code="speaking", name_en="Speaking occasions")


def test_the_bureau_lands_on_its_dashboard(client_bureau):
    assert client_bureau.get(reverse("home"))["Location"] == reverse("reports:bureau")


def test_office_staff_land_on_their_office(client_staff_a, office_a, speaking):
    ActivityFactory(lead_office=office_a, indicator=speaking)  # waiting, but not for them
    response = client_staff_a.get(reverse("home"))
    assert response["Location"] == reverse("offices:detail", args=[office_a.code])


def test_a_supervisor_lands_on_the_queue_when_something_waits(
    client_supervisor_a, office_a, office_b, speaking
):
    ActivityFactory(lead_office=office_b, indicator=speaking)  # another office's
    office_page = reverse("offices:detail", args=[office_a.code])
    assert client_supervisor_a.get(reverse("home"))["Location"] == office_page
    ActivityFactory(lead_office=office_a, indicator=speaking, occurred_on=dt.date(2026, 6, 3))
    assert client_supervisor_a.get(reverse("home"))["Location"] == reverse("activities:review")


def test_a_supervisor_sees_the_number_waiting_in_the_menu(
    client_supervisor_a, office_a, office_b, speaking
):
    ActivityFactory.create_batch(3, lead_office=office_a, indicator=speaking)
    ActivityFactory(lead_office=office_b, indicator=speaking)
    html = client_supervisor_a.get(reverse("activities:list")).content.decode()
    assert '<span class="count-badge">3<span class="visually-hidden"> activities waiting' in html


def test_nothing_waiting_shows_no_number(client_supervisor_a, office_a):
    html = client_supervisor_a.get(reverse("activities:list")).content.decode()
    assert "count-badge" not in html


def test_office_staff_and_the_bureau_have_no_number(client_staff_a, office_a, speaking):
    ActivityFactory(lead_office=office_a, indicator=speaking)
    html = client_staff_a.get(reverse("activities:list")).content.decode()
    assert "count-badge" not in html
