"""Who may see an office. Views and the API call this, never their own checks."""

from django.shortcuts import get_object_or_404

from .models import Office


def get_office_for_user(user, code: str) -> Office:
    """The office if the user may see it; 404 otherwise (other offices look missing)."""
    return get_object_or_404(Office.objects.visible_to(user).select_related("parent"), code=code)
