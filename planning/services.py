"""Writes with rules: planning, confirming, cancelling, logging what happened, conflicts,
notes and feeds (docs/domain.md, "Planning"). Each is one transaction; a plan being
changed is locked first, so two people acting at once cannot both succeed on a stale copy.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, AuthorityLevel
from activities.services import activity_create
from offices.models import Counterpart, Indicator, Office, Region

from . import access
from .models import (
    CalendarFeed,
    CancelReason,
    Confidentiality,
    Plan,
    PlanConflict,
    PlanStatus,
    ProgressNote,
    feed_token_digest,
)
from .warnings import Proposal, Warning, plan_warnings, unacknowledged

PLAIN_FIELDS = (
    "lead_office",
    "indicator",
    "title",
    "starts_on",
    "ends_on",
    "starts_at",
    "ends_at",
    "region",
    "city",
    "attendee_names",
    "purpose",
    "confidentiality",
)
# A change to any of these sends a confirmed plan back to "planned" unless the person
# changing it could confirm it: the supervisor confirmed what it was.
CONFIRMED_FIELDS = (
    "lead_office",
    "indicator",
    "starts_on",
    "ends_on",
    "starts_at",
    "ends_at",
    "region",
)


class WarningsNeedReason(ValidationError):
    """Saving past new warnings needs a short reason; nothing was saved."""

    def __init__(self, warnings: list[Warning]):
        self.warnings = warnings
        super().__init__(
            {"warning_reason": _("Say briefly why this plan goes ahead despite the warnings.")}
        )


class PlanChanged(Exception):
    """The plan changed after the form was opened; nothing was saved."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(_("Someone else changed this plan after you opened it."))


@dataclass(frozen=True)
class PlanSaved:
    plan: Plan
    warnings: list[Warning]  # every warning that applies now (answered or not)


def _m2m_ids(items) -> frozenset[int]:
    return frozenset(getattr(item, "pk", item) for item in items)


def _check(plan: Plan, *, user) -> None:
    if not access.can_plan_for_office(user, plan.lead_office):
        raise PermissionDenied(_("You plan for your own office and its units."))
    errors = {}
    new_office = plan.pk is None or "lead_office" in getattr(plan, "_changed", ())
    if new_office and not plan.lead_office.is_active:
        errors["lead_office"] = _("This office is no longer active.")
    if not plan.indicator.is_active:
        errors["indicator"] = _("This indicator is no longer active.")
    if plan.ends_on is None:
        plan.ends_on = plan.starts_on
    try:
        plan.full_clean(exclude=["created_by", "updated_by"])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _record_conflicts(plan: Plan, *, user, warnings: list[Warning], reason: str) -> None:
    """Keep one open conflict per office the plan warns about; close those that no longer
    apply. New or grown warnings take the reason given now."""
    current = {
        c.office_id: c
        for c in plan.conflicts.unresolved().prefetch_related("other_plans", "other_activities")
    }
    now = timezone.now()
    for warning in warnings:
        conflict = current.pop(warning.office.pk, None)
        if warning.acknowledged_by(conflict):
            continue
        if conflict is None:
            conflict = PlanConflict(plan=plan, office=warning.office, created_by=user)
        conflict.kinds = warning.kinds
        conflict.message = warning.message
        conflict.reason = reason
        conflict.created_by = user
        conflict.created_at = now
        conflict.save()
        conflict.other_plans.set(warning.plan_ids)
        conflict.other_activities.set(warning.activity_ids)
    for conflict in current.values():
        conflict.closed_at = now
        conflict.closed_how = PlanConflict.Closed.GONE
        conflict.save(update_fields=["closed_at", "closed_how"])


def _save_with_warnings(plan: Plan, *, user, m2m: dict, warning_reason: str) -> PlanSaved:
    proposal = Proposal(
        lead_office=plan.lead_office,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        region=plan.region,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        counterpart_ids=_m2m_ids(m2m["counterparts"]),
        attendee_ids=_m2m_ids(m2m["attendees"]),
        attendee_names=plan.attendee_names,
        participating_office_ids=_m2m_ids(m2m["participating_offices"]),
        plan_id=plan.pk,
    )
    warnings = plan_warnings(user, proposal)
    existing = (
        list(plan.conflicts.unresolved().prefetch_related("other_plans", "other_activities"))
        if plan.pk
        else []
    )
    reason = " ".join(warning_reason.split())
    if unacknowledged(warnings, existing) and not reason:
        raise WarningsNeedReason(warnings)
    plan.record_change(by=user)
    plan._history_user = user
    plan.save()
    for name, items in m2m.items():
        getattr(plan, name).set(items)
    _record_conflicts(plan, user=user, warnings=warnings, reason=reason)
    return PlanSaved(plan, warnings)


def _m2m(counterparts, participating_offices, attendees) -> dict:
    return {
        "counterparts": list(counterparts),
        "participating_offices": list(participating_offices),
        "attendees": list(attendees),
    }


@transaction.atomic
def plan_create(
    *,
    user,
    lead_office: Office,
    indicator: Indicator,
    title: str,
    starts_on: dt.date,
    region: Region,
    ends_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    city: str = "",
    attendee_names: str = "",
    purpose: str = "",
    confidentiality: str = Confidentiality.SUMMARY,
    counterparts: Sequence[Counterpart] = (),
    participating_offices: Sequence[Office] = (),
    attendees: Sequence = (),
    warning_reason: str = "",
) -> PlanSaved:
    """Plan an engagement. Raises WarningsNeedReason, saving nothing, when it warns and no
    reason is given."""
    access.require_can_plan(user)
    plan = Plan(
        lead_office=lead_office,
        indicator=indicator,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        starts_at=starts_at,
        ends_at=ends_at,
        region=region,
        city=city,
        attendee_names=attendee_names,
        purpose=purpose,
        confidentiality=confidentiality,
        created_by=user,
        updated_by=user,
    )
    _check(plan, user=user)
    return _save_with_warnings(
        plan,
        user=user,
        m2m=_m2m(counterparts, participating_offices, attendees),
        warning_reason=warning_reason,
    )


def _locked(plan: Plan) -> Plan:
    return (
        Plan.objects.select_for_update()
        .select_related("lead_office", "indicator", "region")
        .get(pk=plan.pk)
    )


@transaction.atomic
def plan_update(
    *,
    user,
    plan: Plan,
    version: int,
    counterparts: Sequence[Counterpart] | None = None,
    participating_offices: Sequence[Office] | None = None,
    attendees: Sequence | None = None,
    warning_reason: str = "",
    **fields,
) -> PlanSaved:
    """Change a plan still ahead. `version` is the one the person read: a plan changed
    since raises PlanChanged and nothing is saved."""
    plan = _locked(plan)
    access.require_change(user, plan)
    if plan.version != version:
        raise PlanChanged(plan)
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise TypeError(f"not a plan field: {sorted(unknown)}")
    changed = {name for name, value in fields.items() if getattr(plan, name) != value}
    for name, value in fields.items():
        setattr(plan, name, value)
    plan._changed = changed
    if "starts_on" in fields and "ends_on" not in fields and plan.ends_on < plan.starts_on:
        plan.ends_on = plan.starts_on
    _check(plan, user=user)
    if (
        plan.status == PlanStatus.CONFIRMED
        and changed & set(CONFIRMED_FIELDS)
        and not access.can_confirm_for_office(user, plan.lead_office)
    ):
        plan.status = PlanStatus.PLANNED
        plan.confirmed_by = None
        plan.confirmed_at = None
    m2m = _m2m(
        plan.counterparts.all() if counterparts is None else counterparts,
        plan.participating_offices.all()
        if participating_offices is None
        else participating_offices,
        plan.attendees.all() if attendees is None else attendees,
    )
    # Who is visited is part of what the supervisor confirmed, as the date is.
    if (
        plan.status == PlanStatus.CONFIRMED
        and _m2m_ids(m2m["counterparts"]) != _m2m_ids(plan.counterparts.all())
        and not access.can_confirm_for_office(user, plan.lead_office)
    ):
        plan.status = PlanStatus.PLANNED
        plan.confirmed_by = None
        plan.confirmed_at = None
    saved = _save_with_warnings(plan, user=user, m2m=m2m, warning_reason=warning_reason)
    if "confidentiality" in changed and plan.is_restricted:
        _refresh_named(plan, restricted=True)
    return saved


def _refresh_named(plan: Plan, *, restricted: bool = False) -> None:
    """Once a plan is no longer ahead, other plans' conflicts stop naming it; one left with
    nothing to name (no plan, no activity, no region) no longer applies. A plan made
    restricted closes every other office's conflict naming it: its text would reveal the
    plan, and a restricted plan warns no other office."""
    named = PlanConflict.objects.unresolved().filter(other_plans=plan)
    if restricted:
        named = named.exclude(plan__in=access.plans_the_office_sees(plan.lead_office, in_full=True))
    for conflict in named.prefetch_related("other_plans", "other_activities"):
        conflict.other_plans.remove(plan)
        left = conflict.other_plans.exists() or conflict.other_activities.exists()
        if restricted or (not left and "region" not in conflict.kinds):
            conflict.closed_at = timezone.now()
            conflict.closed_how = PlanConflict.Closed.GONE
            conflict.save(update_fields=["closed_at", "closed_how"])


@transaction.atomic
def plan_confirm(*, user, plan: Plan) -> Plan:
    plan = _locked(plan)
    if not access.can_confirm(user, plan):
        raise PermissionDenied(access.confirm_refused(plan))
    plan.status = PlanStatus.CONFIRMED
    plan.confirmed_by = user
    plan.confirmed_at = timezone.now()
    plan.record_change(by=user)
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def plan_cancel(*, user, plan: Plan, reason: str, note: str = "") -> Plan:
    plan = _locked(plan)
    access.require_change(user, plan)
    note = note.strip()
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Choose why the plan is cancelled.")})
    if reason == CancelReason.OTHER and not note:
        raise ValidationError({"note": _("Say why, for another reason.")})
    plan.status = PlanStatus.CANCELLED
    plan.cancel_reason = reason
    plan.cancel_note = note
    plan.cancelled_at = timezone.now()
    plan.record_change(by=user)
    plan._history_user = user
    plan.full_clean(exclude=["created_by", "updated_by"])
    plan.save()
    _refresh_named(plan)
    return plan


# The level of the authority visited, from the counterparts' types, highest first.
AUTHORITY_LEVELS = (
    (Counterpart.Type.CENTRAL_AUTHORITY, AuthorityLevel.CENTRAL),
    (Counterpart.Type.PROVINCIAL_AUTHORITY, AuthorityLevel.PROVINCIAL),
    (Counterpart.Type.MUNICIPAL_AUTHORITY, AuthorityLevel.MUNICIPAL),
)


def _authority_level(counterparts) -> str:
    types = {c.type for c in counterparts}
    return next((level for kind, level in AUTHORITY_LEVELS if kind in types), "")


@transaction.atomic
def plan_log_activity(*, user, plan: Plan, today: dt.date | None = None) -> Activity:
    """What happened, in one step: a draft activity prefilled from the plan, linked both
    ways; the plan is done. The lock makes a second click find it done."""
    today = today or timezone.localdate()
    plan = _locked(plan)
    if not access.can_log_what_happened(user, plan, today=today):
        raise PermissionDenied(access.log_refused(plan, today=today))
    people = [u.get_full_name() or u.username for u in plan.attendees.all()]
    people += [line.strip() for line in plan.attendee_names.splitlines() if line.strip()]
    counterparts = list(plan.counterparts.all())
    # What the indicator asks for that a plan has no field of: the level from the bodies
    # visited, the event by the plan's title (the draft is checked before it is submitted).
    activity = activity_create(
        user=user,
        lead_office=plan.lead_office,
        indicator=plan.indicator,
        occurred_on=min(plan.starts_on, today),
        title=plan.title,
        region=plan.region,
        city=plan.city,
        hk_participants="\n".join(dict.fromkeys(people)),
        notes=plan.purpose,
        authority_level=_authority_level(counterparts),
        event_name=plan.title,
        counterparts=counterparts,
        participating_offices=list(plan.participating_offices.all()),
    )
    plan.activity = activity
    plan.status = PlanStatus.DONE
    plan.record_change(by=user)
    plan._history_user = user
    plan.save()
    _refresh_named(plan)
    return activity


@transaction.atomic
def conflict_close(*, user, conflict: PlanConflict, note: str) -> PlanConflict:
    access.require_close_conflict(user)
    conflict = PlanConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.is_closed:
        raise ValidationError(_("This conflict is already closed."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what the offices should do, or why it is closed.")})
    conflict.closed_at = timezone.now()
    conflict.closed_by = user
    conflict.closed_how = PlanConflict.Closed.BUREAU
    conflict.closing_note = note
    conflict.save()
    return conflict


# --- progress notes -------------------------------------------------------------------------


def _stale(field: str, message: str) -> ValidationError:
    """A refusal of a note changed since it was read, with the code "stale" kept on the
    field's error (a code given beside a dict of messages is dropped by Django)."""
    return ValidationError({field: ValidationError(message, code="stale")})


@transaction.atomic
def note_write(
    *,
    user,
    office: Office,
    indicator: Indicator,
    year: int,
    month: int,
    text: str,
    version: int | None = None,
    today: dt.date | None = None,
) -> ProgressNote:
    """Write or rewrite an office's note for a month. `version`: the one read (None when
    writing a new note); a note changed since raises PlanChanged-like ValidationError.
    `today` (a Hong Kong date, today by default) says which months are still open to a note:
    the demo data pretends another day."""
    access.require_write_note(user, office)
    if (year, month) not in access.note_months(today or timezone.localdate()):
        raise ValidationError({"month": access.note_month_refused()})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    note = (
        ProgressNote.objects.select_for_update()
        .filter(office=office, indicator=indicator, year=year, month=month)
        .first()
    )
    if note is not None:
        if version is None or note.version != version:
            raise _stale(
                "text",
                _(
                    "This note was changed by someone else since you opened it. "
                    "Read it again before you write."
                ),
            )
        note.text = text
        note.written_by = user
        note.written_at = timezone.now()
        note.version += 1
    else:
        if version not in (None, 0):
            raise _stale("text", _("This note no longer exists."))
        note = ProgressNote(
            office=office, indicator=indicator, year=year, month=month, text=text, written_by=user
        )
    note._history_user = user
    note.full_clean()
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError as exc:  # written by someone else at the same moment
        raise _stale(
            "text", _("Someone else wrote this note at the same moment. Read it first.")
        ) from exc
    return note


@transaction.atomic
def note_reply(*, user, note: ProgressNote, reply: str, version: int) -> ProgressNote:
    access.require_reply_note(user)
    note = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if note.version != version:
        raise _stale(
            "reply", _("The note changed since you opened it. Read it again before replying.")
        )
    reply = reply.strip()
    if not reply:
        raise ValidationError({"reply": _("Write the reply.")})
    note.reply = reply
    note.replied_by = user
    note.replied_at = timezone.now()
    note.version += 1
    note._history_user = user
    note.full_clean()
    note.save()
    return note


# --- calendar feed ---------------------------------------------------------------------------


@transaction.atomic
def feed_create(*, user) -> tuple[CalendarFeed, str]:
    """A new feed address for the person; the old one stops working. The raw token is
    returned once and never kept."""
    if not access.can_have_feed(user):
        raise PermissionDenied
    feed_revoke(user=user)
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_digest=feed_token_digest(raw))
    return feed, raw


@transaction.atomic
def feed_revoke(*, user) -> int:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_user(raw: str):
    """The person a feed token belongs to, or None (unknown, revoked, or inactive)."""
    if not raw or len(raw) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_digest=feed_token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
