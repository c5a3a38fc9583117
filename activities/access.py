"""Who may see and change an activity. Views and the API call these, never their own checks."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Activity


def get_activity_for_user(user, pk: int, *, write: bool = False) -> Activity:
    """The activity if the user may see it (or, with write=True, change it); 404 otherwise,
    so that objects of other offices are indistinguishable from missing ones."""
    activity = get_object_or_404(
        Activity.objects.visible_to(user).select_related("lead_office", "indicator"), pk=pk
    )
    if write and not user_can_write_activity(user, activity):
        raise Http404
    return activity


def user_can_write_activity(user, activity: Activity) -> bool:
    """Bureau admins may change any activity; office users those their office leads.
    Participating offices see a joint activity but do not edit it."""
    if user.is_bureau_admin:
        return True
    if user.is_bureau:
        return False
    return activity.lead_office_id in user.office_scope_ids()
