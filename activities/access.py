"""Who may see and change an activity, every rule of it in one place (docs/domain.md, "Who").

The pages, the API, the exports and the services call these and never restate them, so the
same refusal reads and answers the same everywhere: an activity the person may not see is
404 (other offices' activities are indistinguishable from missing ones); one they see but
may not change is 403, with the reason (`locked_reason`, `write_refused`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from offices.models import Office

from .models import Activity, Status

EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- logging and writing ---------------------------------------------------------------


def can_log_activities(user) -> bool:
    """Office staff and supervisors log for their office; bureau admins for any office."""
    if not _signed_in(user):
        return False
    return user.is_bureau_admin or (not user.is_bureau and user.office_id is not None)


def require_can_log_activities(user) -> None:
    if not can_log_activities(user):
        raise PermissionDenied


def can_write_for_office(user, office: Office) -> bool:
    """Bureau admins write for any office; office users for their office and its units."""
    if not _signed_in(user):
        return False
    if user.is_bureau_admin:
        return True
    if user.is_bureau:
        return False
    return office.pk in user.office_scope_ids()


def can_write(user, activity: Activity) -> bool:
    """The lead office changes an activity (and bureau admins): participating offices see
    a joint activity but do not change it."""
    return can_write_for_office(user, activity.lead_office)


def write_refused() -> str:
    return _("Only the lead office changes this activity.")


def can_edit(user, activity: Activity) -> bool:
    """Drafts and returned activities, by their lead office. A submitted or verified
    activity is locked: a supervisor returns it first."""
    if activity.is_removed or not can_write(user, activity):
        return False
    return activity.status in EDITABLE_STATUSES


def locked_reason(activity: Activity) -> str:
    """Why an activity cannot be changed now, and what would make it changeable."""
    if activity.is_removed:
        return _("This activity was removed and can no longer be changed.")
    if activity.status == Status.VERIFIED:
        return _(
            "This activity is verified and locked. A supervisor of the office can return it "
            "to you if it needs a change."
        )
    if activity.status == Status.SUBMITTED:
        return _(
            "This activity is submitted and waits for verification. A supervisor can return "
            "it to you if it needs a change."
        )
    return _("You cannot change this activity.")


def can_remove(user, activity: Activity) -> bool:
    """Its lead office removes a draft or a returned activity; a supervisor (or a bureau
    admin) also a submitted or verified one."""
    if activity.is_removed or not can_write(user, activity):
        return False
    return activity.status in EDITABLE_STATUSES or can_review(user, activity)


def can_add_evidence(user, activity: Activity) -> bool:
    """Those who write for the lead office, while the activity is not removed. Evidence
    changes no count, so it may be added whatever the status or the period."""
    return not activity.is_removed and can_write(user, activity)


# --- reviewing ---------------------------------------------------------------------------


def can_review(user, activity: Activity) -> bool:
    """Supervisors verify and return within their office; bureau admins anywhere."""
    if not _signed_in(user):
        return False
    if user.is_bureau_admin:
        return True
    return user.is_supervisor and activity.lead_office_id in user.office_scope_ids()


def review_refused() -> str:
    return _("Supervisors of the lead office, and bureau admins, verify and return.")


def verified_by_someone_else(user, activity: Activity) -> bool:
    """Four eyes (settings.KPI_FOUR_EYES, on by default): who created an activity or last
    changed it (submitting is a change) does not verify it; another supervisor of the office
    or a bureau admin does. Returning it with a comment stays open to them."""
    return settings.KPI_FOUR_EYES and user.pk in (activity.created_by_id, activity.updated_by_id)


def four_eyes_reason(activity: Activity) -> str:
    """Why this person may not verify the activity, and who may."""
    return _(
        "You created or last changed “%(title)s”, so someone else verifies it: another "
        "supervisor of %(office)s or a bureau admin."
    ) % {"title": activity.title, "office": activity.lead_office.name}


def can_verify(user, activity: Activity) -> bool:
    return (
        can_review(user, activity)
        and not activity.is_removed
        and not verified_by_someone_else(user, activity)
    )


# --- reading one ---------------------------------------------------------------------------


def get_activity_for_user(user, pk: int, *, write: bool = False) -> Activity:
    """The activity if the user may see it; 404 otherwise, so that objects of other offices
    are indistinguishable from missing ones. With write=True, one the user sees but whose
    lead office is not theirs is refused with 403 and the reason, on the pages as in the
    API."""
    activity = get_object_or_404(
        Activity.objects.visible_to(user).select_related("lead_office", "indicator"), pk=pk
    )
    if write and not can_write(user, activity):
        raise PermissionDenied(write_refused())
    return activity


# --- review queue and periods ----------------------------------------------------------------


def can_use_review_queue(user) -> bool:
    """Supervisors review their office's submissions; bureau admins anyone's."""
    return _signed_in(user) and (user.is_supervisor or user.is_bureau_admin)


def require_can_use_review_queue(user) -> None:
    if not can_use_review_queue(user):
        raise PermissionDenied(review_refused())


def can_ask_reopening(user, office: Office | None = None) -> bool:
    """An office (staff or supervisor) asks to reopen a closed month of its own office or
    units; the bureau decides and does not ask."""
    if not _signed_in(user) or user.is_bureau or user.office_id is None:
        return False
    return office is None or office.pk in user.office_scope_ids()


def require_can_ask_reopening(user, office: Office | None = None) -> None:
    if not can_ask_reopening(user, office):
        raise PermissionDenied(_("Offices ask to reopen a month; the bureau admins decide."))


def can_decide_reopening(user) -> bool:
    """Bureau admins grant or decline a reopening."""
    return _signed_in(user) and user.is_bureau_admin


def require_can_decide_reopening(user) -> None:
    if not can_decide_reopening(user):
        raise PermissionDenied(_("Bureau admins decide on reopening a month."))


# --- a person's own work --------------------------------------------------------------------


def has_own_work_at(user, office: Office) -> bool:
    """An office's page shows "your work" to its own staff and supervisors (their drafts,
    returns, months closing, reopening requests); the bureau has no office work."""
    return _signed_in(user) and not user.is_bureau and user.office_id == office.pk
