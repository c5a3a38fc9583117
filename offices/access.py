"""Who may see an office, read and set targets, and add to the counterparts directory:
every rule of it in one place (docs/domain.md, "Who"). Pages and the API call these and
never restate them, so the same refusal answers the same status everywhere."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Office


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- offices -----------------------------------------------------------------------------


def get_office_for_user(user, code: str) -> Office:
    """The office if the user may see it; 404 otherwise (other offices look missing)."""
    return get_object_or_404(Office.objects.visible_to(user).select_related("parent"), code=code)


# --- targets -----------------------------------------------------------------------------


def can_view_targets(user) -> bool:
    """The bureau reads targets; office staff and supervisors do not."""
    return _signed_in(user) and user.is_bureau


def view_targets_refused() -> str:
    return _("Targets are for bureau users.")


def require_can_view_targets(user) -> None:
    if not can_view_targets(user):
        raise PermissionDenied(view_targets_refused())


def can_edit_targets(user) -> bool:
    """Bureau admins set targets."""
    return _signed_in(user) and user.is_bureau_admin


def require_can_edit_targets(user) -> None:
    if not can_edit_targets(user):
        raise PermissionDenied(_("Only bureau admins set targets."))


# --- the counterparts directory ----------------------------------------------------------


def can_add_counterparts(user) -> bool:
    """Those who log activities may add to the directory: office staff and supervisors, and
    bureau admins. Bureau viewers only read."""
    if not _signed_in(user):
        return False
    return user.is_bureau_admin or (not user.is_bureau and user.office_id is not None)


def require_can_add_counterparts(user) -> None:
    if not can_add_counterparts(user):
        raise PermissionDenied
