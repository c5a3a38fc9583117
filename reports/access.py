"""Who may see the bureau's pages, have a report and publish one: every rule of the read
side in one place (docs/domain.md, "Who"). Pages and the API call these and never restate
them, so the same refusal answers the same status (403, with the reason) everywhere."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from offices.access import get_office_for_user
from offices.models import Office


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- the bureau's pages --------------------------------------------------------------------


def can_see_all_offices(user) -> bool:
    """The bureau's dashboard and published reports: bureau viewers and admins."""
    return _signed_in(user) and user.is_bureau


def require_can_see_published(user) -> None:
    if not can_see_all_offices(user):
        raise PermissionDenied(_("Published reports are for bureau users."))


def require_can_see_bureau_dashboard(user) -> None:
    if not can_see_all_offices(user):
        raise PermissionDenied(_("The bureau's dashboard is for bureau users."))


def progress_office(user, code: str | None) -> Office | None:
    """Whose progress the person asked for: the office named (404 if not theirs to see), all
    offices (None) for the bureau, or their own office by default."""
    if code:
        return get_office_for_user(user, code)
    if can_see_all_offices(user):
        return None
    if _signed_in(user) and user.office_id:
        return get_office_for_user(user, user.office.code)
    raise PermissionDenied(_("You see no office's progress."))


# --- reports -------------------------------------------------------------------------------


def can_have_reports(user) -> bool:
    """The bureau, and the staff of an office for their own office."""
    return _signed_in(user) and bool(user.is_bureau or user.office_id)


def require_can_have_reports(user) -> None:
    if not can_have_reports(user):
        raise PermissionDenied


def may_have_report(user, office: Office | None) -> bool:
    """The bureau may have any report; an office's staff only their own office's (or their
    unit's). No one outside the bureau gets a report covering other offices."""
    if not _signed_in(user):
        return False
    if user.is_bureau:
        return True
    return office is not None and office.pk in user.office_scope_ids()


def require_may_have_report(user, office: Office | None) -> None:
    if not may_have_report(user, office):
        raise PermissionDenied(_("You have the reports of your own office only."))


def can_publish(user) -> bool:
    """Bureau admins publish reports."""
    return _signed_in(user) and user.is_bureau_admin


def require_can_publish(user) -> None:
    if not can_publish(user):
        raise PermissionDenied(_("Only bureau admins publish reports."))
