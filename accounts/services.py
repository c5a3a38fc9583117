"""Writes with rules for people's accounts (docs/guide-bureau-admin.md, "People")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from audit.models import Kind
from audit.services import current_user, record
from common.merge import three_way

from .access import require_can_manage_people
from .invitations import compose_invitation
from .models import BUREAU_ROLES, OFFICE_ROLES, Role, User
from .sessions import sessions_end_all
from .tokens import tokens_revoke_all

USERNAME_MAX = User._meta.get_field("username").max_length
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# --- Adding a person and inviting them --------------------------------------------------------


def username_from_email(email: str) -> str:
    """A username for a new person: the e-mail address's part before the @, in lower case,
    with what usernames may not hold left out, and a number added if it is taken
    (chan.taiman, chan.taiman2, ...)."""
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0].lower(), flags=re.ASCII)[:140] or "user"
    taken = set(
        User._base_manager.filter(username__istartswith=base)
        .values_list("username", flat=True)
        .iterator()
    )
    taken = {name.lower() for name in taken}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _office_model():
    return User._meta.get_field("office").related_model  # no import upward


def check_role_and_office(*, role: str, office, was_office_id: int | None = None) -> None:
    """Office staff and supervisors belong to an open office or unit; bureau roles to none
    (the database's `user_office_matches_role` too, with a reason for each field here)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    if role in OFFICE_ROLES and office is None:
        raise ValidationError(
            {"office": _("Office staff and supervisors need an office or unit: choose one.")}
        )
    if role in BUREAU_ROLES and office is not None:
        raise ValidationError(
            {"office": _("Bureau viewers and admins have no office: leave it empty.")}
        )
    if office is not None and not office.is_active and office.pk != was_office_id:
        raise ValidationError(
            {
                "office": _("%(office)s is closed: people cannot be added to it.")
                % {"office": office}
            }
        )


def _send_invitation(*, person: User, by: User, site_url: str, again: bool) -> None:
    """Send the invitation and put it on the trail, in the caller's transaction: if the
    e-mail cannot be sent, nothing is saved (the caller's transaction rolls back)."""
    record(
        Kind.INVITATION_SENT,
        f"{person.get_username()} <{person.email}>" + (" (sent again)" if again else ""),
        actor=by,
        subject=person,
        office=person.office,
        details={"email": person.email, "language": person.language, "again": again},
    )
    compose_invitation(person=person, by=by, site_url=site_url).send()


@transaction.atomic
def person_invite(
    *,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    office=None,
    language: str = "en",
    username: str = "",
    site_url: str,
) -> User:
    """Add a person with no password yet and e-mail them a one-time link to set one
    (accounts.invitations). The username is the one given, or one made from the e-mail
    address (`username_from_email`)."""
    require_can_manage_people(by)
    email = User.objects.normalize_email(email.strip())
    errors: dict[str, list[str]] = {}
    if email and User._base_manager.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(
            _("Someone already has this e-mail address: each person needs their own.")
        )
    username = username.strip()
    if username:
        if User._base_manager.filter(username__iexact=username).exists():
            errors.setdefault("username", []).append(_("This username is taken: choose another."))
    elif email:
        username = username_from_email(email)
    try:
        check_role_and_office(role=role, office=office)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if language not in LANGUAGE_CODES:
        errors.setdefault("language", []).append(_("Choose one of the languages."))
    if errors:
        raise ValidationError(errors)
    person = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        role=role,
        office=office,
        language=language,
    )
    person.set_unusable_password()
    person.full_clean()
    if not person.email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same username, added by someone else a moment before
        raise ValidationError({"username": _("This username is taken: choose another.")}) from None
    _send_invitation(person=person, by=by, site_url=site_url, again=False)
    return person


@transaction.atomic
def invitation_resend(*, person_id: int, by: User, site_url: str) -> User:
    """Send the invitation again, with a new link: the earlier links stop working (the
    account gets a new unusable password, which their tokens were made from)."""
    require_can_manage_people(by)
    person = User._base_manager.select_for_update().get(pk=person_id)
    if not invitation_pending(person):
        raise ValidationError(
            _("%(name)s has already set a password: there is no invitation to send.")
            % {"name": person.get_username()}
            if person.has_usable_password()
            else _("%(name)s is deactivated: reactivate the account first.")
            % {"name": person.get_username()}
        )
    person.set_unusable_password()
    person.save(update_fields=["password"])
    _send_invitation(person=person, by=by, site_url=site_url, again=True)
    return person


def invitation_pending(person: User) -> bool:
    """Invited and not yet in: active, and never had a password."""
    return person.is_active and not person.has_usable_password()


# --- Changing a role or office ------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    was: str
    now: str


class PersonChanged(Exception):
    """Someone else changed the person's role or office after the form was opened: nothing
    was saved. `values` is what to offer again (docs/domain.md, "Edits by many people at
    once"), `latest` what the account holds now."""

    def __init__(self, changes: list[Change], values: dict[str, Any], latest: dict[str, Any]):
        self.changes = changes
        self.values = values
        self.latest = latest
        super().__init__("The person's role or office was changed by someone else.")


def role_and_office(person: User) -> dict[str, Any]:
    """The values the role form is opened with, as the stale check compares them."""
    return {"role": person.role, "office": person.office_id}


def _shown(field: str, value) -> str:
    if value in (None, ""):
        return "—"
    if field == "role":
        return str(Role(value).label)
    return str(_office_model().objects.filter(pk=value).first() or "—")


@transaction.atomic
def person_change_role(
    *, person_id: int, by: User, role: str, office, seen: Mapping[str, Any] | None
) -> User:
    """Change a person's role or office. `seen` is what the form was opened with: when the
    account changed since, the change is refused (`PersonChanged`). Someone who is no longer
    a bureau admin keeps no access to the Django admin (staff and superuser status go)."""
    require_can_manage_people(by)
    person = User._base_manager.select_for_update().get(pk=person_id)
    if person.pk == by.pk:
        raise ValidationError(
            _("You cannot change your own role or office: ask another bureau admin.")
        )
    if not person.is_active:
        raise ValidationError(
            _("%(name)s is deactivated: reactivate them first to change their role or office.")
            % {"name": person.get_username()}
        )
    latest = role_and_office(person)
    mine = {"role": role, "office": office.pk if office is not None else None}
    merge = three_way(seen, mine, latest)
    if merge.theirs_changed:
        labels = {"role": _("Role"), "office": _("Office or unit")}
        changes = [
            Change(
                field=name,
                label=labels[name],
                was=_shown(name, (seen or {}).get(name)) if seen is not None else "?",
                now=_shown(name, latest[name]),
            )
            for name in ("role", "office")
            if name in merge.theirs_changed
        ]
        raise PersonChanged(changes, merge.values, latest)
    check_role_and_office(role=role, office=office, was_office_id=person.office_id)
    person.role = role
    person.office = office
    fields = ["role", "office"]
    if role != Role.BUREAU_ADMIN and (person.is_staff or person.is_superuser):
        person.is_staff = person.is_superuser = False
        fields += ["is_staff", "is_superuser"]
    person.full_clean(exclude=["password"])
    person.save(update_fields=fields)
    return person


# --- Deactivating and reactivating --------------------------------------------------------


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Deactivate an account: the person can no longer sign in, is signed out of every
    session and every API token is revoked (`user_deactivated`, run by the save)."""
    require_can_manage_people(by)
    user = User._base_manager.select_for_update().get(pk=user.pk)
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise ValidationError(_("%(name)s is already deactivated.") % {"name": user.get_username()})
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> User:
    """Let a deactivated person sign in again. Their sessions and API tokens stay ended:
    they sign in afresh and create new tokens."""
    require_can_manage_people(by)
    user = User._base_manager.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError(_("%(name)s is already active.") % {"name": user.get_username()})
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def user_deactivated(user: User) -> None:
    """What deactivating an account means, whichever way it was saved (here, the Django
    admin, a script): signed out of every session and every token revoked, so that
    reactivating the account later brings neither back; on the audit trail."""
    User._base_manager.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    sessions_end_all(user=user)  # the epoch refuses them; this empties their list too
    revoked = tokens_revoke_all(user=user, by=current_user() or user)
    record(
        Kind.USER_DEACTIVATED,
        f"{user.get_username()}: signed out everywhere, {revoked} token(s) revoked",
        subject=user,
        office=user.office,
        details={"tokens_revoked": revoked},
    )
