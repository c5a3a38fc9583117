import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_check_answers_without_signing_in(client):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def test_switching_language_is_remembered_for_the_user(client_staff_a, staff_a, office_a):
    response = client_staff_a.post(
        reverse("accounts:set_language"), {"language": "zh-hant", "next": "/"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    staff_a.refresh_from_db()
    assert staff_a.language == "zh-hant"


def test_an_unknown_language_changes_nothing(client_staff_a, staff_a):
    client_staff_a.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    staff_a.refresh_from_db()
    assert staff_a.language == "en"


def test_sign_in_opens_the_users_language(client, staff_a):
    staff_a.language = "zh-hans"
    staff_a.save()
    response = client.post(
        reverse("accounts:login"), {"username": "staff_a", "password": "correct-horse-battery"}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_sign_in_keeps_a_language_just_chosen_on_the_sign_in_page(client, staff_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    response = client.post(
        reverse("accounts:login"), {"username": "staff_a", "password": "correct-horse-battery"}
    )
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_missing_page_uses_the_site_layout(client_staff_a):
    response = client_staff_a.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_malformed_request_gets_a_page_that_says_so(client_supervisor_a):
    response = client_supervisor_a.post(reverse("activities:review"), {"action": "delete-all"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The request could not be read" in page
    assert "Nothing was saved" in page
