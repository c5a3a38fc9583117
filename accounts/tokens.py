"""Personal API tokens: create, revoke, and recognise one on an API request.

A token is "kpi_" and 43 URL-safe characters (32 random bytes). Only its SHA-256 is
stored: the tokens are long and random, so a plain hash (not a slow password hash) is
enough, and it lets a request be matched with one indexed lookup. The "kpi_" prefix makes
a leaked token recognisable to secret scanners and to people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import Kind
from audit.services import record

from .access import can_create_token, can_revoke_any_token
from .models import ApiToken, User

TOKEN_PREFIX = "kpi_"  # noqa: S105 (not a secret: every token starts with it)
PREFIX_SHOWN = 12  # characters of the raw token kept in `prefix`: "kpi_" and 8 random ones
MAX_TOKEN_LENGTH = 200  # longer is not one of ours: refused before hashing
MAX_ACTIVE_TOKENS = 10
# last_used_at is precise to this much, so that a busy script does not write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def token_create(
    *, user: User, name: str, expires_on: dt.date | None = None
) -> tuple[ApiToken, str]:
    """The new token and its raw value: the only time the raw value exists."""
    if not can_create_token(user):
        raise PermissionDenied
    # One creation at a time per person, so that two at once (a double click) cannot both
    # pass the checks below. A no-op on SQLite, which writes one at a time anyway.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()

    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name.")]
    elif ApiToken.objects.not_revoked().filter(user=user, name=name).exists():
        errors["name"] = [_("You already have a token with this name.")]
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        errors[NON_FIELD_ERRORS] = [
            ngettext(
                "You already have %(count)d token in use, the most allowed. Revoke one "
                "you no longer need first.",
                "You already have %(count)d tokens in use, the most allowed. Revoke one "
                "you no longer need first.",
                MAX_ACTIVE_TOKENS,
            )
            % {"count": MAX_ACTIVE_TOKENS}
        ]
    if expires_on is not None and expires_on < timezone.localdate():
        errors["expires_on"] = [_("The expiry date is in the past.")]
    if errors:
        raise ValidationError(errors)

    raw = _new_raw_token()
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[:PREFIX_SHOWN],
        key_hash=hash_token(raw),
        expires_on=expires_on,
    )
    token.full_clean()
    token.save()
    record(
        Kind.TOKEN_CREATED,
        f"{user.get_username()}: {name} ({token.prefix}…)",
        subject=user,
        details={"token": token.pk, "name": name, "expires_on": str(expires_on or "")},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens or, for a bureau admin, anyone's. Another
    person's token raises ApiToken.DoesNotExist (a 404 to views). Revoking twice changes
    nothing."""
    tokens = ApiToken.objects.select_for_update()
    if not can_revoke_any_token(user):
        tokens = tokens.filter(user=user)
    token = tokens.get(pk=token_id)
    if token.is_revoked:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = user
    token.full_clean()
    token.save(update_fields=["revoked_at", "revoked_by"])
    record(
        Kind.TOKEN_REVOKED,
        f"{token.user.get_username()}: {token.name} ({token.prefix}…)",
        actor=user,
        subject=token.user,
        details={"token": token.pk, "name": token.name},
    )
    return token


def tokens_revoke_all(*, user: User, by: User) -> int:
    """Revoke every token of the person still in use (on deactivation); how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token with this raw value, with its active user (and office) loaded; None
    otherwise. One SELECT, and an UPDATE of last_used_at at most once a
    LAST_USED_RESOLUTION per token."""
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    try:
        token = (
            ApiToken.objects.usable()
            .filter(key_hash=hash_token(raw), user__is_active=True)
            .select_related("user", "user__office")
            .get()
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The person's tokens, newest first, revoked ones included (the page says so)."""
    return ApiToken.objects.filter(user=user).select_related("revoked_by")
