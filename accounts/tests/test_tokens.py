"""Personal API tokens: the services, the API tokens page and the admin.

Today is Monday 8 June 2026, 10:00 in Hong Kong.
"""

import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, Role
from accounts.tests.factories import UserFactory
from accounts.tokens import (
    LAST_USED_RESOLUTION,
    MAX_ACTIVE_TOKENS,
    TOKEN_PREFIX,
    hash_token,
    token_authenticate,
    token_create,
    token_revoke,
)

HK = ZoneInfo("Asia/Hong_Kong")
NOW = dt.datetime(2026, 6, 8, 10, tzinfo=HK)
TODAY = dt.date(2026, 6, 8)
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def token_a(staff_a):
    """staff_a's token and its raw value."""
    return token_create(user=staff_a, name="Monthly import script")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- create ---------------------------------------------------------------------------


def test_only_the_hash_of_a_token_is_stored(staff_a):
    token, raw = token_create(user=staff_a, name="  Monthly import script  ", expires_on=TODAY)

    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) == len(TOKEN_PREFIX) + 43
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest() == hash_token(raw)
    assert token.prefix == raw[:12]
    assert token.name == "Monthly import script"
    assert token.expires_on == TODAY
    [row] = ApiToken.objects.values()
    assert not any(raw in str(value) for value in row.values())


def test_each_token_is_different(staff_a):
    _first, raw_1 = token_create(user=staff_a, name="one")
    _second, raw_2 = token_create(user=staff_a, name="two")

    assert raw_1 != raw_2


@pytest.mark.parametrize(
    ("name", "expires_on", "field", "message"),
    [
        ("", None, "name", "Give the token a name."),
        ("   ", None, "name", "Give the token a name."),
        ("x" * 101, None, "name", "at most 100 characters"),
        ("Later", TODAY - dt.timedelta(days=1), "expires_on", "The expiry date is in the past."),
    ],
)
def test_a_token_needs_a_name_and_a_future_expiry(staff_a, name, expires_on, field, message):
    with pytest.raises(ValidationError) as caught:
        token_create(user=staff_a, name=name, expires_on=expires_on)

    assert message in " ".join(caught.value.message_dict[field])
    assert not ApiToken.objects.exists()


def test_a_token_may_expire_today(staff_a):
    token, _raw = token_create(user=staff_a, name="Today only", expires_on=TODAY)

    assert token.is_usable


def test_a_name_is_used_once_among_the_tokens_not_revoked(staff_a, staff_b, token_a):
    with pytest.raises(ValidationError) as caught:
        token_create(user=staff_a, name=" Monthly import script ")

    assert caught.value.message_dict["name"] == ["You already have a token with this name."]
    assert ApiToken.objects.count() == 1
    token_create(user=staff_b, name="Monthly import script")  # another person's: fine

    token_revoke(user=staff_a, token_id=token_a[0].pk)
    again, _raw = token_create(user=staff_a, name="Monthly import script")
    assert again.pk != token_a[0].pk


def test_the_database_refuses_a_second_token_of_the_same_name(staff_a, token_a):
    token, _raw = token_a
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=staff_a, name=token.name, prefix="kpi_x", key_hash="0" * 64)


def test_at_most_ten_tokens_in_use(staff_a, frozen):
    expired, _raw = token_create(user=staff_a, name="expired", expires_on=TODAY)
    revoked, _raw = token_create(user=staff_a, name="revoked")
    token_revoke(user=staff_a, token_id=revoked.pk)
    frozen.shift(dt.timedelta(days=1))
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(user=staff_a, name=f"script {n}")

    with pytest.raises(ValidationError) as caught:
        token_create(user=staff_a, name="one too many")

    assert "tokens in use, the most allowed" in caught.value.messages[0]
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS + 2
    assert expired.pk in ApiToken.objects.values_list("pk", flat=True)  # not counted


def test_an_inactive_user_cannot_create_a_token(staff_a):
    staff_a.is_active = False

    with pytest.raises(PermissionDenied):
        token_create(user=staff_a, name="script")
    assert not ApiToken.objects.exists()


# --- authenticate ---------------------------------------------------------------------


def test_authenticate_finds_the_token_and_its_user_in_one_query(
    staff_a, token_a, django_assert_num_queries
):
    token, raw = token_a

    # the token with its user and office; the first use is recorded
    with django_assert_num_queries(2):
        found = token_authenticate(raw)
        assert found.user.office.code == "OFFA"
    assert found == token
    assert found.last_used_at == timezone.now()


def test_last_used_is_written_at_most_once_a_minute(token_a, frozen, django_assert_num_queries):
    token, raw = token_a
    token_authenticate(raw)
    first_use = timezone.now()

    frozen.shift(dt.timedelta(seconds=59))
    with django_assert_num_queries(1):  # the token only: no write
        assert token_authenticate(raw).last_used_at == first_use
    token.refresh_from_db()
    assert token.last_used_at == first_use

    frozen.shift(LAST_USED_RESOLUTION)
    with django_assert_num_queries(2):
        assert token_authenticate(raw).last_used_at == timezone.now()
    token.refresh_from_db()
    assert token.last_used_at == first_use + dt.timedelta(seconds=59) + LAST_USED_RESOLUTION


def test_a_revoked_token_does_not_authenticate(staff_a, token_a):
    token, raw = token_a
    token_revoke(user=staff_a, token_id=token.pk)

    assert token_authenticate(raw) is None


def test_a_token_works_until_the_end_of_its_expiry_day(staff_a, frozen):
    _token, raw = token_create(user=staff_a, name="short", expires_on=TODAY)

    frozen.move_to(dt.datetime(2026, 6, 8, 23, 59, tzinfo=HK))
    assert token_authenticate(raw) is not None
    frozen.move_to(dt.datetime(2026, 6, 9, 0, 1, tzinfo=HK))
    assert token_authenticate(raw) is None


def test_the_token_of_an_inactive_user_does_not_authenticate(staff_a, token_a):
    _token, raw = token_a
    staff_a.is_active = False
    staff_a.save()

    assert token_authenticate(raw) is None


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda raw: "xyz_" + raw[4:], id="wrong prefix"),
        pytest.param(lambda raw: raw[4:], id="no prefix"),
        pytest.param(lambda raw: raw[:-1], id="truncated"),
        pytest.param(lambda raw: TOKEN_PREFIX + raw[4:].swapcase(), id="changed case"),
        pytest.param(lambda raw: TOKEN_PREFIX + "garbage", id="garbage"),
        pytest.param(lambda raw: "", id="empty"),
    ],
)
def test_anything_but_the_token_is_refused(token_a, mangle):
    _token, raw = token_a

    assert token_authenticate(mangle(raw)) is None


def test_an_overlong_value_is_refused_without_a_query(token_a, django_assert_num_queries):
    _token, raw = token_a

    with django_assert_num_queries(0):
        assert token_authenticate(raw + "x" * 200) is None
        assert token_authenticate("Token abc") is None


# --- revoke ---------------------------------------------------------------------------


def test_revoking_records_who_and_when_and_twice_changes_nothing(staff_a, token_a, frozen):
    token, _raw = token_a

    revoked = token_revoke(user=staff_a, token_id=token.pk)
    assert (revoked.revoked_at, revoked.revoked_by) == (timezone.now(), staff_a)
    assert revoked.is_revoked and not revoked.is_usable

    frozen.shift(dt.timedelta(hours=1))
    again = token_revoke(user=staff_a, token_id=token.pk)
    assert again.revoked_at == NOW


def test_nobody_revokes_another_persons_token(staff_b, supervisor_a, bureau_viewer, token_a):
    token, raw = token_a
    for user in (staff_b, supervisor_a, bureau_viewer):
        with pytest.raises(ApiToken.DoesNotExist):
            token_revoke(user=user, token_id=token.pk)

    token.refresh_from_db()
    assert not token.is_revoked
    assert token_authenticate(raw) is not None


def test_a_bureau_admin_revokes_anyones_token(bureau_admin, token_a):
    token, _raw = token_a

    token_revoke(user=bureau_admin, token_id=token.pk)

    token.refresh_from_db()
    assert token.revoked_by == bureau_admin


def test_a_revoked_token_records_who_revoked_it(token_a):
    token, _raw = token_a
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())


def test_a_person_is_deleted_with_the_tokens_they_revoked(staff_a, token_a):
    token, _raw = token_a
    token_revoke(user=staff_a, token_id=token.pk)

    staff_a.delete()

    assert not ApiToken.objects.exists()


def test_who_revoked_another_persons_token_stays_on_record(bureau_admin, token_a):
    token, _raw = token_a
    token_revoke(user=bureau_admin, token_id=token.pk)

    with pytest.raises(RestrictedError):
        bureau_admin.delete()


# --- the API tokens page --------------------------------------------------------------


def test_anonymous_are_sent_to_sign_in(client, token_a):
    token, _raw = token_a
    for url in (reverse("accounts:tokens"), reverse("accounts:token_revoke", args=[token.pk])):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("accounts:login"))
    assert ApiToken.objects.get().revoked_at is None


def test_the_page_says_when_there_is_no_token(client_staff_a):
    response = client_staff_a.get(reverse("accounts:tokens"))

    assert response.status_code == 200
    assert "You have no API tokens yet." in response.content.decode()
    assert f'href="{reverse("api:docs")}"' in response.content.decode()


def test_the_page_lists_ones_own_tokens_and_their_state(client_staff_a, staff_a, staff_b):
    used, raw = token_create(user=staff_a, name="Used daily")
    token_authenticate(raw)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        token_create(user=staff_a, name="Old script", expires_on=TODAY - dt.timedelta(days=1))
    revoked, _raw = token_create(user=staff_a, name="Leaked")
    token_revoke(user=staff_a, token_id=revoked.pk)
    token_create(user=staff_b, name="Someone else's")

    response = client_staff_a.get(reverse("accounts:tokens"))

    content = response.content.decode()
    assert [t.name for t in response.context["tokens"]] == ["Leaked", "Used daily", "Old script"]
    assert "Someone else" not in content
    assert f"<code>{used.prefix}…</code>" in content
    assert "2026-06-08 10:00" in content  # created, and last used
    assert content.count("Never used") == 2
    assert content.count('status--active">Active') == 1
    assert content.count('status--expired">Expired') == 1
    assert content.count('status--revoked">Revoked') == 1
    assert content.count(">Revoke<span") == 2  # the revoked token has no link
    assert raw not in content


def test_creating_a_token_shows_it_once(client_staff_a, staff_a):
    response = client_staff_a.post(
        reverse("accounts:tokens"), {"name": "Monthly import script", "expires_in": "90"}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(user=staff_a)
    raw = response.context["raw_token"]
    assert token.key_hash == hash_token(raw)
    assert token.expires_on == TODAY + dt.timedelta(days=90)
    content = response.content.decode()
    assert "Copy this token now. It will not be shown again." in content
    assert f'value="{raw}"' in content
    assert f"Authorization: Bearer {raw}" in content
    assert "http://testserver/api/v1/" in content
    assert "no-store" in response["Cache-Control"]
    assert messages_of(response) == []
    assert not any(raw in str(value) for value in client_staff_a.session.values())

    again = client_staff_a.get(reverse("accounts:tokens"))
    assert raw not in again.content.decode()
    assert "Copy this token now" not in again.content.decode()
    assert token.prefix in again.content.decode()


def test_the_example_request_on_the_tokens_page_answers_200(client_staff_a, staff_a, client):
    """The page's curl example is a request the new token answers, not the version's
    prefix, which has no page of its own (404)."""
    response = client_staff_a.post(
        reverse("accounts:tokens"), {"name": "Try it", "expires_in": "90"}
    )
    content = response.content.decode()
    example = re.search(r'curl -H "Authorization: Bearer ([^"]+)" (\S+)</code>', content)
    raw, url = example.groups()
    client.logout()
    answer = client.get(url.removeprefix("http://testserver"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("choice", "expires_on"),
    [("30", TODAY + dt.timedelta(days=30)), ("365", dt.date(2027, 6, 8)), ("never", None)],
)
def test_the_expiry_is_chosen_on_the_form(client_staff_a, staff_a, choice, expires_on):
    client_staff_a.post(reverse("accounts:tokens"), {"name": "script", "expires_in": choice})

    assert ApiToken.objects.get(user=staff_a).expires_on == expires_on


def test_ninety_days_is_offered_first(client_staff_a):
    response = client_staff_a.get(reverse("accounts:tokens"))

    checked = re.findall(
        r'<input type="radio" name="expires_in" value="(\w+)"[^>]* checked',
        response.content.decode(),
    )
    assert checked == ["90"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "  ", "expires_in": "90"}, "This field is required."),
        (
            {"name": "Monthly import script", "expires_in": "90"},
            "You already have a token with this name.",
        ),
        ({"name": "script", "expires_in": "7"}, "Select a valid choice."),
    ],
)
def test_a_refused_token_is_explained_on_its_field(client_staff_a, staff_a, token_a, data, error):
    response = client_staff_a.post(reverse("accounts:tokens"), data)

    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert error in content
    assert response.context["form"].errors
    assert response.context["raw_token"] is None
    assert ApiToken.objects.count() == 1


def test_too_many_tokens_is_explained(client_staff_a, staff_a):
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(user=staff_a, name=f"script {n}")

    response = client_staff_a.post(
        reverse("accounts:tokens"), {"name": "one more", "expires_in": "90"}
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert "the most allowed. Revoke one you no longer need first." in response.content.decode()
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_page_query_count(client_staff_a, staff_a, bureau_admin, django_assert_num_queries):
    for n in range(8):
        token, _raw = token_create(user=staff_a, name=f"script {n}")
    token_revoke(user=bureau_admin, token_id=token.pk)
    # session, user (with office), tokens (with who revoked them), and the session save
    # (savepoint, update, release)
    with django_assert_num_queries(6):
        response = client_staff_a.get(reverse("accounts:tokens"))
    assert f"by {bureau_admin.get_full_name()}" in response.content.decode()


def test_the_user_area_links_to_the_page(client_staff_a):
    response = client_staff_a.get(reverse("accounts:reminders"))

    assert f'href="{reverse("accounts:tokens")}"' in response.content.decode()


# --- revoking from the page -----------------------------------------------------------


def test_revoking_asks_first_then_revokes(client_staff_a, staff_a, token_a):
    token, raw = token_a
    url = reverse("accounts:token_revoke", args=[token.pk])

    page = client_staff_a.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Revoke this token?" in content
    assert "stops working at once" in content
    assert f'href="{reverse("accounts:tokens")}"' in content  # Cancel
    assert not ApiToken.objects.get().is_revoked

    response = client_staff_a.post(url)
    assert response.status_code == 302
    assert response.url == reverse("accounts:tokens")
    assert messages_of(response) == [
        "The token “Monthly import script” is revoked: requests with it are refused from now on."
    ]
    token.refresh_from_db()
    assert token.revoked_by == staff_a
    assert token_authenticate(raw) is None


@pytest.mark.parametrize("persona", ["client_staff_b", "client_admin"])
def test_another_persons_token_is_not_found(request, persona, token_a):
    client = request.getfixturevalue(persona)
    token, raw = token_a
    url = reverse("accounts:token_revoke", args=[token.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked
    assert token_authenticate(raw) is not None


# --- admin ----------------------------------------------------------------------------


def test_the_admin_revokes_selected_tokens(client_admin, bureau_admin, staff_a, staff_b):
    first, _raw = token_create(user=staff_a, name="one")
    second, _raw = token_create(user=staff_b, name="two")
    kept, _raw = token_create(user=staff_b, name="kept")

    response = client_admin.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert "2 tokens revoked." in response.content.decode()
    revoked = ApiToken.objects.exclude(revoked_at=None)
    assert {(t.pk, t.revoked_by) for t in revoked} == {
        (first.pk, bureau_admin),
        (second.pk, bureau_admin),
    }
    kept.refresh_from_db()
    assert not kept.is_revoked


def test_the_admin_never_shows_the_hash(client_admin, token_a):
    token, raw = token_a
    pages = [
        client_admin.get(reverse("admin:accounts_apitoken_changelist")),
        client_admin.get(reverse("admin:accounts_apitoken_change", args=[token.pk])),
    ]

    for page in pages:
        assert page.status_code == 200
        content = page.content.decode()
        assert token.prefix in content
        assert token.key_hash not in content
        assert raw not in content
    assert client_admin.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_the_revoke_action_is_for_bureau_admins(client, token_a):
    staff_viewer = UserFactory(role=Role.BUREAU_VIEWER, is_staff=True)
    staff_viewer.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    client.force_login(staff_viewer)

    response = client.get(reverse("admin:accounts_apitoken_changelist"))

    assert response.status_code == 200
    assert "revoke_selected" not in response.content.decode()
