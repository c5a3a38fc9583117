"""Who may see and change plans, conflicts, notes and feeds: every rule of planning in one
place (docs/domain.md, "Planning").

- **In full** (every field): the bureau, and the offices taking part (the lead office with
  its parent or units, as for activities, and the participating offices).
- **As a summary** (date, office, counterparts, city, indicator): every other office, for
  plans marked "other offices see a summary" that are not cancelled. A restricted plan is,
  to other offices, as if it did not exist (404 everywhere).
- **Change** (edit, cancel, log what happened): the lead office's staff and supervisors,
  and bureau admins, while the plan is still ahead (planned or confirmed).
- **Confirm**: a supervisor of the lead office, or a bureau admin.
- **Notes**: an office's staff and supervisors write their office's; bureau admins reply;
  everyone who sees the office's figures reads them.
- **Conflicts**: the two offices concerned and the bureau see one; bureau admins close it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from activities.access import can_log_activities, can_write_for_office
from offices.models import Office

from .models import Confidentiality, Plan, PlanConflict, PlanStatus, ProgressNote


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- seeing plans ----------------------------------------------------------------------


def _involved(user) -> Q:
    """Plans the person's office leads or joins (their scope, as for activities)."""
    return _involving(user.office_scope_ids())


def _involving(scope) -> Q:
    joined = Plan.participating_offices.through.objects.filter(office_id__in=scope).values(
        "plan_id"
    )
    return Q(lead_office_id__in=scope) | Q(pk__in=joined)


def plans_in_full(user, queryset: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    """The plans a person sees every field of."""
    queryset = Plan.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_bureau:
        return queryset
    return queryset.filter(_involved(user))


def plans_the_office_sees(office: Office, *, in_full: bool = False) -> QuerySet[Plan]:
    """What an office's own people see of the plans (in full, or at all): the warnings of
    its plans name nothing more, whoever saves them (a bureau admin planning for it sees
    everything, but the conflict it leaves is read by the office)."""
    involved = _involving(office.scope_ids())
    if in_full:
        return Plan.objects.filter(involved)
    shared = Q(confidentiality=Confidentiality.SUMMARY) & ~Q(status=PlanStatus.CANCELLED)
    return Plan.objects.filter(involved | shared)


def plans_visible(user, queryset: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    """Every plan a person sees at all: in full, or as a summary."""
    queryset = Plan.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_bureau:
        return queryset
    shared = Q(confidentiality=Confidentiality.SUMMARY) & ~Q(status=PlanStatus.CANCELLED)
    return queryset.filter(_involved(user) | shared)


def plans_of_office(user, queryset: QuerySet[Plan], office: Office) -> QuerySet[Plan]:
    """The plans an office (with its units) leads, or joins where the person sees the plan
    in full: who takes part is not part of a summary, so filtering by it must not tell."""
    scope = office.scope_ids()
    joined = Plan.participating_offices.through.objects.filter(office_id__in=scope).values(
        "plan_id"
    )
    return queryset.filter(
        Q(lead_office_id__in=scope)
        | (Q(pk__in=joined) & Q(pk__in=plans_in_full(user).values("pk")))
    )


def sees_in_full(user, plan: Plan) -> bool:
    if not _signed_in(user):
        return False
    if user.is_bureau:
        return True
    scope = set(user.office_scope_ids())
    if plan.lead_office_id in scope:
        return True
    return any(office.pk in scope for office in plan.participating_offices.all())


def with_detail_flag(user, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    """The plans annotated `in_full`: whether the person sees every field of each, for a
    list that mixes plans seen in full with summaries (one query, whatever the page)."""
    if not _signed_in(user):
        return queryset.none()
    if user.is_bureau:
        return queryset.annotate(in_full=Value(True, output_field=BooleanField()))
    return queryset.annotate(
        in_full=Case(
            When(_involved(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def get_plan_for_user(user, pk: int) -> tuple[Plan, bool]:
    """The plan and whether the person sees it in full; 404 for a plan they may not see."""
    plan = (
        plans_visible(user, Plan.objects.select_related("lead_office", "indicator", "region"))
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan, sees_in_full(user, plan)


def get_plan_in_full(user, pk: int) -> Plan:
    """The plan, for pages and calls that show or change its details: 404 unless the person
    sees it in full (a summary is all other offices know of it)."""
    plan, full = get_plan_for_user(user, pk)
    if not full:
        raise Http404
    return plan


# --- changing plans ----------------------------------------------------------------------


def can_see_calendar(user) -> bool:
    """The calendar: everyone signed in (each sees what plans_visible lets them)."""
    return _signed_in(user)


def can_plan(user) -> bool:
    """Who plans at all: the same people who log activities."""
    return can_log_activities(user)


def require_can_plan(user) -> None:
    if not can_plan(user):
        raise PermissionDenied(_("Office staff, supervisors and bureau admins plan engagements."))


def can_plan_for_office(user, office: Office) -> bool:
    return can_write_for_office(user, office)


def can_change(user, plan: Plan) -> bool:
    return plan.is_open and can_write_for_office(user, plan.lead_office)


def change_refused(plan: Plan) -> str:
    if plan.status == PlanStatus.DONE:
        return _("This plan is done: what happened is its activity.")
    if plan.status == PlanStatus.CANCELLED:
        return _("This plan was cancelled and can no longer be changed.")
    return _("Only the lead office changes this plan.")


def require_change(user, plan: Plan) -> None:
    if not can_change(user, plan):
        raise PermissionDenied(change_refused(plan))


def can_confirm_for_office(user, office: Office) -> bool:
    """A supervisor of the office (or of its parent), or a bureau admin."""
    if not _signed_in(user):
        return False
    if user.is_bureau_admin:
        return True
    return user.is_supervisor and office.pk in user.office_scope_ids()


def can_confirm(user, plan: Plan) -> bool:
    return plan.status == PlanStatus.PLANNED and can_confirm_for_office(user, plan.lead_office)


def confirm_refused(plan: Plan) -> str:
    if plan.status != PlanStatus.PLANNED:
        return _("Only a plan not yet confirmed can be confirmed.")
    return _("A supervisor of the lead office, or a bureau admin, confirms a plan.")


def can_log_what_happened(user, plan: Plan, *, today: dt.date) -> bool:
    """Turn the plan into an activity: once its first day has come."""
    return can_change(user, plan) and plan.starts_on <= today


def log_refused(plan: Plan, *, today: dt.date) -> str:
    if plan.is_open and plan.starts_on > today:
        return _("What happened can be logged from the plan's date.")
    return change_refused(plan)


# --- conflicts ---------------------------------------------------------------------------


def conflicts_visible(user, queryset: QuerySet[PlanConflict] | None = None):
    """The bureau sees every conflict; an office, those of the plans it takes part in and
    those warning it about a plan it may see."""
    queryset = PlanConflict.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_bureau:
        return queryset
    # Its own office's plans' conflicts; and those warning the office about a plan it may
    # see at least as a summary: a restricted plan's conflict would reveal the plan.
    return queryset.filter(
        Q(plan__in=plans_in_full(user).values("pk"))
        | Q(office_id__in=user.office_scope_ids(), plan__in=plans_visible(user).values("pk"))
    )


def can_see_conflict_board(user) -> bool:
    """The page of every open conflict: the bureau."""
    return _signed_in(user) and user.is_bureau


def can_close_conflict(user) -> bool:
    return _signed_in(user) and user.is_bureau_admin


def require_close_conflict(user) -> None:
    if not can_close_conflict(user):
        raise PermissionDenied(_("Bureau admins close conflicts."))


def can_see_gaps(user) -> bool:
    return _signed_in(user) and user.is_bureau


def require_see_gaps(user) -> None:
    if not can_see_gaps(user):
        raise PermissionDenied(_("The gaps between the offices are for the bureau to see."))


# --- progress notes ---------------------------------------------------------------------------


def notes_visible(user, queryset: QuerySet[ProgressNote] | None = None):
    """An office's notes: whoever sees its figures (the office, its parent, the bureau)."""
    queryset = ProgressNote.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_bureau:
        return queryset
    return queryset.filter(office_id__in=user.office_scope_ids())


def can_write_note(user, office: Office) -> bool:
    """An office's own staff and supervisors (of it, or of its parent office)."""
    if not _signed_in(user) or user.is_bureau:
        return False
    return office.pk in user.office_scope_ids()


def require_write_note(user, office: Office) -> None:
    if not can_write_note(user, office):
        raise PermissionDenied(_("An office's staff and supervisors write its notes."))


def writes_notes(user) -> bool:
    """Whether the person writes notes at all (for some office): office staff and
    supervisors, never the bureau."""
    return _signed_in(user) and not user.is_bureau and bool(user.office_scope_ids())


def require_writes_notes(user) -> None:
    if not writes_notes(user):
        raise PermissionDenied(_("An office's staff and supervisors write its notes."))


def note_months(today: dt.date) -> list[tuple[int, int]]:
    """The months a note may be written for: this one, and last month (early in this one,
    its figures just closed). Earlier months' notes stay as they were read."""
    if today.month == 1:
        return [(today.year, 1), (today.year - 1, 12)]
    return [(today.year, today.month), (today.year, today.month - 1)]


def note_month_refused() -> str:
    return _("A note is written for this month or last month.")


def can_reply_note(user) -> bool:
    return _signed_in(user) and user.is_bureau_admin


def require_reply_note(user) -> None:
    if not can_reply_note(user):
        raise PermissionDenied(_("Bureau admins reply to the offices' notes."))


# --- calendar feed -------------------------------------------------------------------------


def can_have_feed(user) -> bool:
    return _signed_in(user)
