"""Adding, inviting, changing and deactivating people: the services' rules
(docs/guide-bureau-admin.md, "People")."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.invitations import invitation_token_generator
from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from accounts.tokens import token_create
from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db

SITE = "https://kpi.example.gov.hk"


def _invite(by, **fields):
    values = {
        "first_name": "Tai Man",
        "last_name": "Chan",
        "email": "chan.taiman@example.gov.hk",
        "role": Role.OFFICE_STAFF,
        "office": None,
        "language": "en",
        "site_url": SITE,
    }
    values.update(fields)
    return services.person_invite(by=by, **values)


def _link(message) -> str:
    return re.search(r"https://kpi\.example\.gov\.hk/accounts/invitation/\S+/", message.body)[0]


def test_a_person_is_added_without_a_password_and_invited_in_their_language(bureau_admin, office_a):
    person = _invite(bureau_admin, office=office_a, language="zh-hant")

    assert person.username == "chan.taiman"
    assert not person.has_usable_password()
    assert person.is_active
    assert (person.role, person.office) == (Role.OFFICE_STAFF, office_a)
    (message,) = mail.outbox
    assert message.to == ["chan.taiman@example.gov.hk"]
    assert message.subject == "您在內地辦事處關鍵績效指標追蹤系統的帳戶"
    assert "chan.taiman" in message.body
    assert "甲辦事處" in message.body
    assert message.extra_headers["Content-Language"] == "zh-Hant-HK"
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    assert f"/accounts/invitation/{uid}/" in _link(message)
    html = message.alternatives[0][0]
    assert _link(message) in html

    created, invited = AuditEvent.objects.order_by("pk").filter(
        kind__in=[Kind.USER_CREATED, Kind.INVITATION_SENT], subject_username="chan.taiman"
    )
    assert created.kind == Kind.USER_CREATED and created.subject_username == "chan.taiman"
    assert invited.kind == Kind.INVITATION_SENT
    assert (invited.actor_username, invited.subject_username) == ("admin", "chan.taiman")
    assert invited.details == {
        "email": "chan.taiman@example.gov.hk",
        "language": "zh-hant",
        "again": False,
    }


def test_a_username_made_from_the_e_mail_gets_a_number_when_taken(bureau_admin, office_a):
    UserFactory(username="Chan.TaiMan", email="tm.chan@example.gov.hk")
    person = _invite(bureau_admin, office=office_a)
    assert person.username == "chan.taiman2"


def test_an_entered_username_is_kept_and_a_taken_one_refused(bureau_admin, office_a):
    assert _invite(bureau_admin, office=office_a, username="tmchan").username == "tmchan"
    with pytest.raises(ValidationError) as refused:
        _invite(bureau_admin, office=office_a, username="TMCHAN", email="other@example.gov.hk")
    assert "username" in refused.value.message_dict


def test_an_e_mail_address_is_one_persons(bureau_admin, office_a, staff_a):
    with pytest.raises(ValidationError) as refused:
        _invite(bureau_admin, office=office_a, email=staff_a.email.upper())
    assert refused.value.message_dict["email"] == [
        "Someone already has this e-mail address: each person needs their own."
    ]
    assert not mail.outbox


@pytest.mark.parametrize(
    ("role", "with_office", "message"),
    [
        (Role.OFFICE_STAFF, False, "Office staff and supervisors need an office or unit"),
        (Role.OFFICE_SUPERVISOR, False, "Office staff and supervisors need an office or unit"),
        (Role.BUREAU_VIEWER, True, "Bureau viewers and admins have no office"),
        (Role.BUREAU_ADMIN, True, "Bureau viewers and admins have no office"),
    ],
)
def test_the_role_decides_whether_there_is_an_office(
    bureau_admin, office_a, role, with_office, message
):
    with pytest.raises(ValidationError) as refused:
        _invite(bureau_admin, role=role, office=office_a if with_office else None)
    assert refused.value.message_dict["office"][0].startswith(message)
    assert not User.objects.filter(username="chan.taiman").exists()
    assert not mail.outbox


def test_nobody_is_added_to_a_closed_office(bureau_admin, office_a):
    office_a.is_active = False
    office_a.save()
    with pytest.raises(ValidationError) as refused:
        _invite(bureau_admin, office=office_a)
    assert "closed" in refused.value.message_dict["office"][0]


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "bureau_viewer"])
def test_only_bureau_admins_add_people(request, persona, office_a):
    with pytest.raises(Exception) as refused:
        _invite(request.getfixturevalue(persona), office=office_a)
    assert refused.type.__name__ == "PermissionDenied"
    assert not User.objects.filter(username="chan.taiman").exists()


def test_if_the_e_mail_cannot_be_sent_nobody_is_added(bureau_admin, office_a, monkeypatch):
    def fail(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    with pytest.raises(OSError):
        _invite(bureau_admin, office=office_a)
    assert not User.objects.filter(username="chan.taiman").exists()
    assert not AuditEvent.objects.filter(kind=Kind.INVITATION_SENT).exists()


def test_the_link_works_for_the_days_of_the_setting_and_ends_with_a_password(
    bureau_admin, office_a, settings
):
    settings.KPI_INVITATION_DAYS = 3
    start = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        person = _invite(bureau_admin, office=office_a)
        token = invitation_token_generator.make_token(person)
    with time_machine.travel(start + dt.timedelta(days=3, minutes=-1), tick=False):
        assert invitation_token_generator.check_token(person, token)
    with time_machine.travel(start + dt.timedelta(days=3, minutes=1), tick=False):
        assert not invitation_token_generator.check_token(person, token)
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        person.set_password("Quiet-harbour-42")
        person.save()
        assert not invitation_token_generator.check_token(person, token)


def test_a_password_reset_token_is_no_invitation(bureau_admin, office_a):
    from django.contrib.auth.tokens import default_token_generator

    person = _invite(bureau_admin, office=office_a)
    assert not invitation_token_generator.check_token(
        person, default_token_generator.make_token(person)
    )
    assert not default_token_generator.check_token(
        person, invitation_token_generator.make_token(person)
    )


def test_sending_again_ends_the_earlier_link(bureau_admin, office_a):
    person = _invite(bureau_admin, office=office_a)
    first = invitation_token_generator.make_token(person)
    services.invitation_resend(person_id=person.pk, by=bureau_admin, site_url=SITE)
    person.refresh_from_db()
    assert not invitation_token_generator.check_token(person, first)
    assert invitation_token_generator.check_token(
        person, _link(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1]
    )
    again = AuditEvent.objects.filter(kind=Kind.INVITATION_SENT).latest("pk")
    assert again.details["again"] is True
    assert not AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGED).exists()


def test_no_invitation_for_someone_with_a_password_or_deactivated(bureau_admin, staff_a, office_a):
    with pytest.raises(ValidationError, match="already set a password"):
        services.invitation_resend(person_id=staff_a.pk, by=bureau_admin, site_url=SITE)
    person = _invite(bureau_admin, office=office_a)
    services.user_deactivate(user=person, by=bureau_admin)
    with pytest.raises(ValidationError, match="is deactivated"):
        services.invitation_resend(person_id=person.pk, by=bureau_admin, site_url=SITE)
    assert not invitation_token_generator.check_token(
        User.objects.get(pk=person.pk), invitation_token_generator.make_token(person)
    )


# --- role and office ------------------------------------------------------------------------


def test_changing_role_and_office_is_on_the_trail(bureau_admin, staff_a, office_b):
    seen = services.role_and_office(staff_a)
    services.person_change_role(
        person_id=staff_a.pk,
        by=bureau_admin,
        role=Role.OFFICE_SUPERVISOR,
        office=office_b,
        seen=seen,
    )
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.office) == (Role.OFFICE_SUPERVISOR, office_b)
    event = AuditEvent.objects.get(kind=Kind.ROLE_CHANGED)
    assert event.details["office"] == ["OFFA", "OFFB"]
    assert event.details["role"] == [Role.OFFICE_STAFF, Role.OFFICE_SUPERVISOR]


def test_a_change_on_a_stale_copy_is_refused_and_names_what_changed(
    bureau_admin, staff_a, office_a, office_b
):
    seen = services.role_and_office(staff_a)
    staff_a.role = Role.OFFICE_SUPERVISOR
    staff_a.save()  # a colleague's change, meanwhile
    with pytest.raises(services.PersonChanged) as refused:
        services.person_change_role(
            person_id=staff_a.pk,
            by=bureau_admin,
            role=Role.OFFICE_STAFF,
            office=office_b,
            seen=seen,
        )
    (change,) = refused.value.changes
    assert (change.field, change.was, change.now) == ("role", "Office staff", "Office supervisor")
    # Offered again: the colleague's role (this person had not changed it), this person's office.
    assert refused.value.values == {"role": Role.OFFICE_SUPERVISOR, "office": office_b.pk}
    staff_a.refresh_from_db()
    assert staff_a.office == office_a

    services.person_change_role(
        person_id=staff_a.pk,
        by=bureau_admin,
        role=Role.OFFICE_SUPERVISOR,
        office=office_b,
        seen=refused.value.latest,
    )
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.office) == (Role.OFFICE_SUPERVISOR, office_b)


def test_without_a_copy_of_what_was_seen_a_different_value_is_refused(
    bureau_admin, staff_a, office_b
):
    with pytest.raises(services.PersonChanged):
        services.person_change_role(
            person_id=staff_a.pk,
            by=bureau_admin,
            role=Role.OFFICE_STAFF,
            office=office_b,
            seen=None,
        )


def test_a_bureau_role_loses_its_office_and_an_office_role_needs_one(bureau_admin, staff_a):
    seen = services.role_and_office(staff_a)
    with pytest.raises(ValidationError) as refused:
        services.person_change_role(
            person_id=staff_a.pk,
            by=bureau_admin,
            role=Role.BUREAU_VIEWER,
            office=staff_a.office,
            seen=seen,
        )
    assert "office" in refused.value.message_dict
    services.person_change_role(
        person_id=staff_a.pk, by=bureau_admin, role=Role.BUREAU_VIEWER, office=None, seen=seen
    )
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.office) == (Role.BUREAU_VIEWER, None)


def test_a_deactivated_persons_role_stays_until_reactivated(bureau_admin, staff_a, office_b):
    services.user_deactivate(user=staff_a, by=bureau_admin)
    with pytest.raises(ValidationError, match="reactivate them first"):
        services.person_change_role(
            person_id=staff_a.pk,
            by=bureau_admin,
            role=Role.OFFICE_STAFF,
            office=office_b,
            seen=services.role_and_office(staff_a),
        )


def test_no_longer_a_bureau_admin_means_no_django_admin_either(bureau_admin, office_a):
    other = UserFactory(username="admin2", role=Role.BUREAU_ADMIN, is_staff=True, is_superuser=True)
    services.person_change_role(
        person_id=other.pk,
        by=bureau_admin,
        role=Role.BUREAU_VIEWER,
        office=None,
        seen=services.role_and_office(other),
    )
    other.refresh_from_db()
    assert not (other.is_staff or other.is_superuser or other.is_bureau_admin)


def test_an_admin_does_not_change_their_own_role(bureau_admin):
    with pytest.raises(ValidationError, match="your own role"):
        services.person_change_role(
            person_id=bureau_admin.pk,
            by=bureau_admin,
            role=Role.BUREAU_VIEWER,
            office=None,
            seen=services.role_and_office(bureau_admin),
        )


# --- deactivating and reactivating ------------------------------------------------------------


def test_deactivating_revokes_tokens_and_reactivating_brings_none_back(bureau_admin, staff_a):
    token_create(user=staff_a, name="script")
    epoch = staff_a.session_epoch
    services.user_deactivate(user=staff_a, by=bureau_admin)
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert staff_a.session_epoch == epoch + 1
    assert not staff_a.api_tokens.not_revoked().exists()
    with pytest.raises(ValidationError, match="already deactivated"):
        services.user_deactivate(user=staff_a, by=bureau_admin)

    services.user_reactivate(user=staff_a, by=bureau_admin)
    staff_a.refresh_from_db()
    assert staff_a.is_active
    assert staff_a.session_epoch == epoch + 1
    assert not staff_a.api_tokens.not_revoked().exists()
    with pytest.raises(ValidationError, match="already active"):
        services.user_reactivate(user=staff_a, by=bureau_admin)
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [Kind.USER_DEACTIVATED, Kind.USER_REACTIVATED]


def test_an_admin_does_not_deactivate_themselves_and_others_do_not_deactivate(
    bureau_admin, supervisor_a, staff_a
):
    with pytest.raises(ValidationError, match="your own account"):
        services.user_deactivate(user=bureau_admin, by=bureau_admin)
    with pytest.raises(Exception) as refused:
        services.user_deactivate(user=staff_a, by=supervisor_a)
    assert refused.type.__name__ == "PermissionDenied"
    staff_a.refresh_from_db()
    assert staff_a.is_active
