"""The workflow: submit, verify (four eyes), return with a comment, remove with a reason. Each locks its rows in one order and is retried on a lock conflict."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import retry_on_conflict

from ..access import (
    can_edit,
    can_remove,
    can_review,
    four_eyes_reason,
    verified_by_someone_else,
)
from ..counts import key_of, lock_counts
from ..models import Activity, Status
from ..periods import period_state
from .checks import LOCK_ACTIVITY_ONLY, ensure_period_open, save_with_history
from .stale import ConflictError, changes_since


def _locked(ids: Iterable[int], *, to_status: str | None = None) -> list[Activity]:
    """The activities, locked in id order, and the roll-up rows their change to `to_status`
    (or their removal) will touch, locked in key order: two bulk changes at once wait for
    each other instead of deadlocking."""
    activities = list(
        Activity.objects.select_for_update(of=LOCK_ACTIVITY_ONLY)
        .select_related("lead_office", "indicator")
        .filter(pk__in=list(ids))
        .order_by("pk")
    )
    lock_counts(
        key
        for activity in activities
        if not activity.is_removed
        for key in (key_of(activity), key_of(activity, to_status))
    )
    return activities


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


@retry_on_conflict
def activities_submit(*, user, activity_ids: Iterable[int]) -> list[Activity]:
    """Submit drafts and returned activities for verification: all of them or none."""
    activities = _locked(activity_ids, to_status=Status.SUBMITTED)
    problems = []
    for activity in activities:
        if not can_edit(user, activity):
            problems.append(
                _("“%(title)s” cannot be submitted: it is %(status)s.")
                % {"title": activity.title, "status": activity.get_status_display().lower()}
            )
            continue
        state = period_state(office=activity.lead_office, day=activity.occurred_on)
        if not state.is_open:
            problems.append(f"“{activity.title}”: {state.explain()}")
    _refuse(problems)
    for activity in activities:
        previous = activity.status
        activity.status = Status.SUBMITTED
        save_with_history(activity, by=user, previous_status=previous)
    return activities


@retry_on_conflict
def activities_verify(*, user, activity_ids: Iterable[int]) -> list[Activity]:
    """Verify submitted activities. Allowed in a closed period: the figures do not change."""
    activities = _locked(activity_ids, to_status=Status.VERIFIED)
    problems = []
    for activity in activities:
        if not can_review(user, activity) or activity.is_removed:
            raise PermissionDenied
        if verified_by_someone_else(user, activity):
            raise PermissionDenied(four_eyes_reason(activity))
        if activity.status != Status.SUBMITTED:
            problems.append(
                _("“%(title)s” is not waiting for verification.") % {"title": activity.title}
            )
    _refuse(problems)
    now = timezone.now()
    for activity in activities:
        activity.status = Status.VERIFIED
        activity.reviewed_by, activity.reviewed_at, activity.review_comment = user, now, ""
        save_with_history(activity, by=user, previous_status=Status.SUBMITTED)
    return activities


@retry_on_conflict
def activities_return(*, user, activity_ids: Iterable[int], comment: str) -> list[Activity]:
    """Send activities back to their authors with a comment; they stop counting."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs to change: the author will see it.")})
    activities = _locked(activity_ids, to_status=Status.RETURNED)
    problems = []
    for activity in activities:
        if not can_review(user, activity) or activity.is_removed:
            raise PermissionDenied
        if activity.status not in (Status.SUBMITTED, Status.VERIFIED):
            problems.append(
                _("“%(title)s” is not submitted or verified.") % {"title": activity.title}
            )
            continue
        state = period_state(office=activity.lead_office, day=activity.occurred_on)
        if not state.is_open:
            problems.append(f"“{activity.title}”: {state.explain()}")
    _refuse(problems)
    now = timezone.now()
    for activity in activities:
        previous = activity.status
        activity.status = Status.RETURNED
        activity.reviewed_by, activity.reviewed_at, activity.review_comment = (
            user,
            now,
            comment[:2000],
        )
        save_with_history(activity, by=user, previous_status=previous)
    return activities


@retry_on_conflict
def activity_remove(
    *, user, activity_id: int, reason: str, expected_version: int | None = None
) -> Activity:
    """Remove an activity with a reason. The row stays, with who, when and why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for removing this activity.")})
    activity = _locked([activity_id])[0]
    if expected_version is not None and activity.version != expected_version:
        changes, by, at = changes_since(activity, expected_version)
        raise ConflictError(activity, changes, by, at)
    if not can_remove(user, activity):
        raise PermissionDenied
    ensure_period_open(activity.lead_office, activity.occurred_on, field=None)
    activity.removed_at = timezone.now()
    activity.removed_by = user
    activity.removal_reason = reason[:1000]
    save_with_history(activity, by=user, previous_status=activity.status)
    return activity
