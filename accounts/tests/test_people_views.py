"""The people pages: who sees the roster, adding and inviting someone through to their
first sign-in, changing a role or office, deactivating and reactivating
(docs/guide-bureau-admin.md, "People"; docs/guide-supervisor.md, "Your people")."""

import re

import pytest
from django.core import mail
from django.core.signing import dumps
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, Role, User
from accounts.services import role_and_office
from accounts.tests.factories import UserFactory
from accounts.tokens import token_create
from accounts.views.people import SEEN_SALT
from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db

PEOPLE = reverse("accounts:people")
ADD = reverse("accounts:person_add")
PASSWORD = "Quiet-harbour-lantern-42"


@pytest.fixture
def unit_staff(unit_a):
    return UserFactory(username="unit_staff", role=Role.OFFICE_STAFF, office=unit_a)


def _names(response) -> set[str]:
    return {person.username for person in response.context["page"].object_list}


# --- the roster ---------------------------------------------------------------------------


def test_bureau_admins_see_everyone_and_can_manage(client_admin, staff_a, staff_b, unit_staff):
    response = client_admin.get(PEOPLE)
    assert response.status_code == 200
    assert {"admin", "staff_a", "staff_b", "unit_staff"} <= _names(response)
    assert ADD in response.text
    assert reverse("accounts:person", args=[staff_a.pk]) in response.text


def test_supervisors_see_their_office_and_units_read_only(
    client_supervisor_a, staff_a, staff_b, unit_staff, bureau_admin
):
    response = client_supervisor_a.get(PEOPLE)
    assert response.status_code == 200
    assert _names(response) == {"supervisor_a", "staff_a", "unit_staff"}
    assert ADD not in response.text
    assert reverse("accounts:person", args=[staff_a.pk]) not in response.text
    assert "ask a bureau admin" in response.text
    # Their office filter offers their office and its units only.
    offices = {o.code for o in response.context["filter"].form.fields["office"].queryset}
    assert offices == {"OFFA", "UNITA"}
    assert client_supervisor_a.get(reverse("accounts:person", args=[staff_a.pk])).status_code == 403
    assert client_supervisor_a.get(reverse("accounts:person", args=[staff_b.pk])).status_code == 404


@pytest.mark.parametrize("fixture", ["client_staff_a", "client_bureau"])
def test_office_staff_and_bureau_viewers_have_no_roster(request, fixture, staff_a):
    client = request.getfixturevalue(fixture)
    assert client.get(PEOPLE).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(reverse("accounts:person", args=[staff_a.pk])).status_code == 403


def test_anonymous_are_sent_to_sign_in(client):
    assert client.get(PEOPLE)["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("fixture", "shown"),
    [
        ("client_admin", True),
        ("client_supervisor_a", True),
        ("client_staff_a", False),
        ("client_bureau", False),
    ],
)
def test_the_menu_offers_people_to_those_who_see_them(request, fixture, shown):
    page = request.getfixturevalue(fixture).get(reverse("activities:list"))
    assert (f'href="{PEOPLE}"' in page.text) is shown


def test_search_and_filters(client_admin, staff_a, staff_b, unit_staff, supervisor_a, office_a):
    staff_b.first_name, staff_b.last_name = "Siu Ming", "Wong"
    staff_b.save()
    assert _names(client_admin.get(PEOPLE, {"q": "wong siu"})) == {"staff_b"}
    assert _names(client_admin.get(PEOPLE, {"office": office_a.pk})) == {
        "staff_a",
        "supervisor_a",
        "unit_staff",
    }
    assert _names(client_admin.get(PEOPLE, {"role": Role.OFFICE_SUPERVISOR})) == {"supervisor_a"}
    invited = UserFactory(username="invited", role=Role.BUREAU_VIEWER, password=None)
    staff_b.is_active = False
    staff_b.save()
    assert _names(client_admin.get(PEOPLE, {"status": "invited"})) == {invited.username}
    assert _names(client_admin.get(PEOPLE, {"status": "deactivated"})) == {"staff_b"}
    assert "staff_b" not in _names(client_admin.get(PEOPLE, {"status": "active"}))
    empty = client_admin.get(PEOPLE, {"q": "nobody-has-this-name"})
    assert "Nobody matches this search." in empty.text
    assert client_admin.get(PEOPLE, {"role": "emperor"}).status_code == 400


def test_the_roster_is_paged(client_admin):
    UserFactory.create_batch(55)
    first = client_admin.get(PEOPLE)
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.text
    assert len(client_admin.get(PEOPLE, {"page": 2}).context["page"].object_list) == 6


def test_roster_query_count(client_admin, django_assert_num_queries, office_a):
    UserFactory.create_batch(5, role=Role.OFFICE_STAFF, office=office_a)
    # session, user (with office), the offices of the filter, the count, the page of people
    # (with their offices), session save (savepoint, update, release)
    with django_assert_num_queries(8):
        assert client_admin.get(PEOPLE).status_code == 200
    UserFactory.create_batch(20, role=Role.OFFICE_STAFF, office=office_a)
    with django_assert_num_queries(8):
        assert client_admin.get(PEOPLE).status_code == 200


def test_supervisor_roster_query_count(
    client_supervisor_a, django_assert_num_queries, office_a, unit_a
):
    UserFactory.create_batch(5, role=Role.OFFICE_STAFF, office=unit_a)
    # session, user (with office), the office's scope, the offices of the filter, the count,
    # the page of people, the number waiting for the supervisor in the menu, session save
    # (savepoint, update, release)
    with django_assert_num_queries(10):
        assert client_supervisor_a.get(PEOPLE).status_code == 200
    UserFactory.create_batch(20, role=Role.OFFICE_STAFF, office=office_a)
    with django_assert_num_queries(10):
        assert client_supervisor_a.get(PEOPLE).status_code == 200


# --- adding and inviting ---------------------------------------------------------------------


def _form(office, **extra) -> dict:
    return {
        "first_name": "Tai Man",
        "last_name": "Chan",
        "email": "chan.taiman@example.gov.hk",
        "role": Role.OFFICE_STAFF,
        "office": office.pk if office else "",
        "language": "en",
        **extra,
    }


def test_a_refused_form_says_why_and_saves_nothing(client_admin, office_a):
    response = client_admin.post(ADD, _form(None))
    assert response.status_code == 400
    assert "Office staff and supervisors need an office or unit" in response.text
    response = client_admin.post(ADD, _form(office_a, role=Role.BUREAU_ADMIN, email="nope"))
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    response = client_admin.post(ADD, _form(office_a, role=Role.BUREAU_ADMIN))
    assert response.status_code == 400
    assert "Bureau viewers and admins have no office" in response.text
    assert 'id="error-summary"' in response.text
    assert not User.objects.filter(email="chan.taiman@example.gov.hk").exists()
    assert not mail.outbox


def test_a_mail_server_down_is_said_and_nothing_saved(client_admin, office_a, monkeypatch):
    def fail(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    response = client_admin.post(ADD, _form(office_a))
    assert response.status_code == 503
    assert "could not be sent, so nothing was saved" in response.text
    assert not User.objects.filter(email="chan.taiman@example.gov.hk").exists()


def test_invited_through_to_the_first_sign_in(client_admin, office_a):
    response = client_admin.post(ADD, _form(office_a), follow=True)
    assert response.status_code == 200
    assert "Chan" in response.text and "chan.taiman" in response.text
    assert "The invitation went to chan.taiman@example.gov.hk" in response.text
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/invitation/\S+/)", message.body)[1]

    newcomer = Client()
    opened = newcomer.get(link)
    assert opened.status_code == 302  # to the same page without the token in the URL
    form_url = opened["Location"]
    assert form_url.endswith("/set-password/")
    page = newcomer.get(form_url)
    assert page.status_code == 200
    assert "chan.taiman" in page.text
    weak = newcomer.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 400
    assert "This password is too common." in weak.text
    done = newcomer.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in newcomer.session  # not signed in by the link

    signed_in = newcomer.post(
        reverse("accounts:login"), {"username": "chan.taiman", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert newcomer.get(reverse("activities:list")).status_code == 200
    # The link has done its work.
    used = Client().get(link)
    assert used.status_code == 200
    assert "This link no longer works" in used.text
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[-4:] == [
        Kind.USER_CREATED,
        Kind.INVITATION_SENT,
        Kind.PASSWORD_CHANGED,
        Kind.LOGIN,
    ]


def test_a_forged_or_mangled_link_does_not_work(client, staff_a):
    response = client.get(reverse("accounts:invitation", args=["MQ", "abc-def"]))
    assert response.status_code == 200
    assert "This link no longer works" in response.text
    assert (
        client.get(reverse("accounts:invitation", args=["!!", "set-password"])).status_code == 200
    )


def test_sending_the_invitation_again(client_admin, office_a):
    client_admin.post(ADD, _form(office_a))
    person = User.objects.get(username="chan.taiman")
    url = reverse("accounts:person_invite", args=[person.pk])
    assert "The links sent before stop working." in client_admin.get(url).text
    first = re.search(r"http://testserver(/accounts/invitation/\S+/)", mail.outbox[0].body)[1]
    assert client_admin.post(url)["Location"] == reverse("accounts:person", args=[person.pk])
    assert len(mail.outbox) == 2
    assert "This link no longer works" in Client().get(first).text
    assert AuditEvent.objects.filter(kind=Kind.INVITATION_SENT).count() == 2


# --- role and office ---------------------------------------------------------------------------


def test_changing_the_role_and_office(client_admin, staff_a, office_b):
    url = reverse("accounts:person", args=[staff_a.pk])
    page = client_admin.get(url)
    seen = page.context["form"]["seen"].value()
    response = client_admin.post(
        url, {"role": Role.OFFICE_SUPERVISOR, "office": office_b.pk, "seen": seen}
    )
    assert response["Location"] == url
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.office) == (Role.OFFICE_SUPERVISOR, office_b)
    assert AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, subject_username="staff_a").exists()


def test_a_change_after_someone_elses_is_refused_and_shown(client_admin, staff_a, office_b):
    url = reverse("accounts:person", args=[staff_a.pk])
    seen = dumps(role_and_office(staff_a), salt=SEEN_SALT)
    staff_a.role = Role.OFFICE_SUPERVISOR
    staff_a.save()
    response = client_admin.post(
        url, {"role": Role.OFFICE_STAFF, "office": office_b.pk, "seen": seen}
    )
    assert response.status_code == 409
    assert "Someone else changed this person meanwhile: nothing was saved" in response.text
    assert "Role: was Office staff, is now Office supervisor." in response.text
    form = response.context["form"]
    assert (form["role"].value(), form["office"].value()) == (Role.OFFICE_SUPERVISOR, office_b.pk)
    staff_a.refresh_from_db()
    assert staff_a.office.code == "OFFA"
    # Saved again from the merged form: accepted.
    again = client_admin.post(
        url, {"role": Role.OFFICE_SUPERVISOR, "office": office_b.pk, "seen": form["seen"].value()}
    )
    assert again.status_code == 302
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.office) == (Role.OFFICE_SUPERVISOR, office_b)


def test_a_refused_combination_is_said_beside_the_office(client_admin, staff_a):
    url = reverse("accounts:person", args=[staff_a.pk])
    seen = dumps(role_and_office(staff_a), salt=SEEN_SALT)
    response = client_admin.post(url, {"role": Role.OFFICE_STAFF, "office": "", "seen": seen})
    assert response.status_code == 400
    assert "need an office or unit" in response.text


# --- deactivating and reactivating ---------------------------------------------------------------


def test_deactivating_signs_out_everywhere_and_revokes_tokens_then_reactivating(
    client_admin, staff_a
):
    staff_a.set_password(PASSWORD)
    staff_a.save()
    browser = Client()
    browser.post(reverse("accounts:login"), {"username": "staff_a", "password": PASSWORD})
    assert browser.get(reverse("activities:list")).status_code == 200
    _token, raw = token_create(user=staff_a, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/activities/").status_code == 200

    url = reverse("accounts:person_deactivate", args=[staff_a.pk])
    confirm = client_admin.get(url)
    assert "They are signed out everywhere at once" in confirm.text
    assert "Their API token is revoked" in confirm.text
    assert "neither the sessions nor the API tokens come back" in confirm.text
    response = client_admin.post(url, follow=True)
    assert "is deactivated: signed out everywhere" in response.text

    assert browser.get(reverse("activities:list")).status_code == 302
    assert api.get("/api/v1/activities/").status_code == 401
    assert not ApiToken.objects.usable().filter(user=staff_a).exists()

    reactivate = reverse("accounts:person_reactivate", args=[staff_a.pk])
    assert "do not come back" in client_admin.get(reactivate).text
    assert client_admin.post(reactivate).status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.is_active
    assert browser.get(reverse("activities:list")).status_code == 302
    assert api.get("/api/v1/activities/").status_code == 401
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert Kind.USER_DEACTIVATED in kinds and kinds[-1] == Kind.USER_REACTIVATED


def test_the_confirmation_says_when_there_is_no_token_to_revoke(client_admin, staff_a):
    page = client_admin.get(reverse("accounts:person_deactivate", args=[staff_a.pk]))
    assert "They have no API tokens in use." in page.text
    assert "0 API tokens" not in page.text


def test_an_admin_is_not_offered_to_deactivate_themselves(client_admin, bureau_admin):
    page = client_admin.get(reverse("accounts:person", args=[bureau_admin.pk]))
    assert reverse("accounts:person_deactivate", args=[bureau_admin.pk]) not in page.text
    response = client_admin.post(
        reverse("accounts:person_deactivate", args=[bureau_admin.pk]), follow=True
    )
    assert "You cannot deactivate your own account." in response.text
    bureau_admin.refresh_from_db()
    assert bureau_admin.is_active


def test_the_pages_speak_chinese(client_admin, staff_a):
    client_admin.post(reverse("accounts:set_language"), {"language": "zh-hant", "next": "/"})
    page = client_admin.get(PEOPLE).text
    assert "<h1>人員</h1>" in page
    assert "新增人員" in page
