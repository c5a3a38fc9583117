"""Writes with rules for people's accounts."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from audit.models import Kind
from audit.services import current_user, record

from .models import User
from .tokens import tokens_revoke_all


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Deactivate an account: the person can no longer sign in, is signed out of every
    session and every API token is revoked (`user_deactivated`, run by the save)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def user_deactivated(user: User) -> None:
    """What deactivating an account means, whichever way it was saved (here, the Django
    admin, a script): signed out of every session and every token revoked, so that
    reactivating the account later brings neither back; on the audit trail."""
    User._base_manager.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    revoked = tokens_revoke_all(user=user, by=current_user() or user)
    record(
        Kind.USER_DEACTIVATED,
        f"{user.get_username()}: signed out everywhere, {revoked} token(s) revoked",
        subject=user,
        office=user.office,
        details={"tokens_revoked": revoked},
    )
