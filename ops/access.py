"""Who may use the operations pages (the audit trail and sign-in lock-outs): one place,
called by their views (docs/domain.md, "Who")."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def can_see_audit_trail(user) -> bool:
    """Bureau admins read the audit trail and lift lock-outs."""
    return bool(user.is_authenticated and user.is_active and user.is_bureau_admin)


def require_can_see_audit_trail(user) -> None:
    if not can_see_audit_trail(user):
        raise PermissionDenied(_("The audit trail is for bureau admins."))
