"""Who may manage people's sign-in means (docs/domain.md, "Who"): every such rule of the
accounts app in one place, called by its services, pages, the admin and the API."""

from __future__ import annotations


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_revoke_any_token(user) -> bool:
    """Everyone revokes their own API tokens; bureau admins anyone's."""
    return _signed_in(user) and user.is_bureau_admin


def can_create_token(user) -> bool:
    """Every active person may have API tokens of their own (they read what the person may)."""
    return _signed_in(user)
