"""Who may manage people and their sign-in means (docs/domain.md, "Who"): every such rule
of the accounts app in one place, called by its services, pages, the admin and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import User


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_revoke_any_token(user) -> bool:
    """Everyone revokes their own API tokens; bureau admins anyone's."""
    return _signed_in(user) and user.is_bureau_admin


def can_create_token(user) -> bool:
    """Every active person may have API tokens of their own (they read what the person may)."""
    return _signed_in(user)


# --- People (docs/guide-bureau-admin.md, "People"; docs/guide-supervisor.md, "Your people")


def can_see_people(user) -> bool:
    """Bureau admins see everyone; supervisors their own office's people (with its units'),
    read-only. Office staff and bureau viewers have no roster."""
    return _signed_in(user) and (user.is_bureau_admin or user.is_supervisor)


def can_manage_people(user) -> bool:
    """Adding people, inviting them, changing their role or office, deactivating and
    reactivating: bureau admins."""
    return _signed_in(user) and user.is_bureau_admin


def require_can_see_people(user) -> None:
    if not can_see_people(user):
        raise PermissionDenied(_("The list of people is for bureau admins and supervisors."))


def require_can_manage_people(user) -> None:
    if not can_manage_people(user):
        raise PermissionDenied(_("Adding and changing people is for bureau admins."))


def people_visible_to(user):
    """The people a person may see on the roster: everyone for bureau admins, the office
    and its units' people for a supervisor, nobody otherwise."""
    people = User.objects.all()
    if not can_see_people(user):
        return people.none()
    if user.is_bureau_admin:
        return people
    return people.filter(office_id__in=user.office_scope_ids())


def get_person_for_user(user, pk: int, *, manage: bool = False) -> User:
    """A person's account as `user` may open it: 403 without a roster (or, to change it,
    without the right to manage people), 404 for someone outside their roster."""
    require_can_see_people(user)
    try:
        person = people_visible_to(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404(_("No such person.")) from None
    if manage:
        require_can_manage_people(user)
    return person
