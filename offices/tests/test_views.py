import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from activities.tests.factories import ActivityFactory
from offices.tests.factories import OfficeFactory

HK = ZoneInfo("Asia/Hong_Kong")

# The pages count "this year up to today": pin today to 30 June 2026 (Hong Kong).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 6, 30, 10, 0, tzinfo=HK)),
]


def detail(office):
    return reverse("offices:detail", args=[office.code])


# --- who lands where ---------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, office_a):
    for url in (reverse("home"), reverse("offices:list"), detail(office_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_office_staff_land_on_their_office(client_staff_a, office_a):
    response = client_staff_a.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == detail(office_a)


def test_the_bureau_lands_on_the_dashboard(client_bureau):
    response = client_bureau.get(reverse("home"))
    assert response.url == reverse("reports:bureau")


def test_sign_in_with_a_password_goes_home(client, staff_a, office_a):
    response = client.post(
        reverse("accounts:login"),
        {"username": "staff_a", "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail(office_a)
    assert response.status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, staff_a):
    response = client.post(
        reverse("accounts:login"), {"username": "staff_a", "password": "wrong-password"}
    )
    assert response.status_code == 400
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post(client_staff_a):
    assert client_staff_a.get(reverse("accounts:logout")).status_code == 405
    response = client_staff_a.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client_staff_a.session


# --- scoping -----------------------------------------------------------------


def test_staff_of_another_office_get_404(client_staff_b, office_a, unit_a):
    assert client_staff_b.get(detail(office_a)).status_code == 404
    assert client_staff_b.get(detail(unit_a)).status_code == 404


def test_unit_staff_cannot_open_the_parent_office(client, office_a, unit_a):
    client.force_login(UserFactory(username="unit", role=Role.OFFICE_STAFF, office=unit_a))
    assert client.get(detail(unit_a)).status_code == 200
    assert client.get(detail(office_a)).status_code == 404


def test_parent_office_staff_see_their_units(client_staff_a, unit_a):
    assert client_staff_a.get(detail(unit_a)).status_code == 200


def test_the_bureau_sees_every_office(client_bureau, office_a, office_b):
    assert client_bureau.get(detail(office_a)).status_code == 200
    assert client_bureau.get(detail(office_b)).status_code == 200


def test_office_list_shows_only_the_users_own_office(client_staff_b, office_a, office_b):
    response = client_staff_b.get(reverse("offices:list"))
    names = [row.office.code for row in response.context["rows"]]
    assert names == ["OFFB"]


def test_an_unknown_office_is_404(client_bureau):
    assert client_bureau.get(reverse("offices:detail", args=["NOPE"])).status_code == 404


# --- query counts ------------------------------------------------------------


def test_office_list_query_count(
    client_bureau, office_a, unit_a, office_b, indicator, django_assert_num_queries
):
    ActivityFactory.create_batch(5, lead_office=unit_a, indicator=indicator)
    # session, user, offices, their units, their regions, indicators, counts, the plans
    # ahead (planning.selectors.planned_ahead), bureau targets, and the session save
    # (savepoint, update, release)
    with django_assert_num_queries(12):
        response = client_bureau.get(reverse("offices:list"))
    assert [row.achieved for row in response.context["rows"]] == [[5], [0]]

    more = OfficeFactory.create_batch(3)
    for office in more:
        ActivityFactory.create_batch(3, lead_office=office, indicator=indicator)
    with django_assert_num_queries(12):
        response = client_bureau.get(reverse("offices:list"))
    assert len(response.context["rows"]) == 5
