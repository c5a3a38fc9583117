"""Creating and changing activities: one, many (checked here, written by `bulk`), a closed
month's draft with a request to reopen it; an edit checks the version it was opened on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import retry_on_conflict
from offices.models import Counterpart, Indicator, Office, Region

from ..access import (
    can_edit,
    can_write_for_office,
    require_can_ask_reopening,
)
from ..counts import key_of, lock_counts
from ..models import Activity, PeriodReopening, Status
from ..periods import period_state
from .bulk import activities_create_checked
from .checks import (
    EDITABLE_FIELDS,
    LOCK_ACTIVITY_ONLY,
    M2M_FIELDS,
    check_complete,
    ensure_period_open,
    save_with_history,
)
from .reopening import reopening_request
from .stale import ConflictError, changes_since

_RELATED = {"lead_office": Office, "indicator": Indicator, "region": Region}


def activity_check(
    *,
    user,
    lead_office: Office,
    indicator: Indicator,
    occurred_on: dt.date,
    title: str,
    region: Region | None = None,
    city: str = "",
    authority_level: str = "",
    event_name: str = "",
    hk_participants: str = "",
    notes: str = "",
    counterparts: Sequence[Counterpart] = (),
    participating_offices: Sequence[Office] = (),
    partners: Sequence[Counterpart] = (),
    submit: bool = False,
    periods: dict | None = None,
    confirmed_different_from: Sequence[int] = (),
    closed_month_draft: bool = False,
    today: dt.date | None = None,
) -> Activity:
    """Everything `activity_create` checks, without writing anything: the unsaved activity,
    or PermissionDenied / ValidationError. The import's preview checks thousands of rows
    with it, passing `periods` to remember each office-month's state and `today`. `closed_month_draft`
    (a draft saved with a request to reopen its month, `activity_draft_and_ask_reopening`)
    leaves the period to that service."""
    if not can_write_for_office(user, lead_office):
        raise PermissionDenied
    # By ids, with the objects given kept as the activity's own, as assigning them would,
    # without the descriptor's work for each (the import makes 5 000 of these at once, and
    # that halves the cost of making one); the kind of each is checked as it would check it.
    related = {"lead_office": lead_office, "indicator": indicator, "region": region}
    for name, model in _RELATED.items():
        if related[name] is not None and not isinstance(related[name], model):
            raise TypeError(f"{name} must be a {model.__name__}, not {related[name]!r}")
    activity = Activity.unsaved(
        lead_office_id=lead_office.pk,
        indicator_id=indicator.pk,
        occurred_on=occurred_on,
        title=title.strip(),
        region_id=region.pk if region is not None else None,
        city=city.strip(),
        authority_level=authority_level if indicator.asks_authority_level else "",
        event_name=event_name.strip() if indicator.asks_event_name else "",
        hk_participants=hk_participants.strip(),
        notes=notes.strip(),
        status=Status.SUBMITTED if submit else Status.DRAFT,
        confirmed_different_from=sorted(set(confirmed_different_from)),
    )
    for name, obj in related.items():
        Activity._meta.get_field(name).set_cached_value(activity, obj)
    key = (lead_office.pk, occurred_on.year, occurred_on.month)
    state = periods.get(key) if periods is not None else None
    if state is None:
        state = period_state(office=lead_office, day=occurred_on)
        if periods is not None:
            periods[key] = state
    if closed_month_draft:
        if submit:
            raise ValueError("A closed month's activity is saved as a draft only.")
        state = None
    check_complete(
        activity,
        counterparts=counterparts,
        participating=participating_offices,
        period=state,
        today=today,
    )
    return activity


@retry_on_conflict
def activity_create(
    *,
    user,
    counterparts: Sequence[Counterpart] = (),
    participating_offices: Sequence[Office] = (),
    partners: Sequence[Counterpart] = (),
    **fields,
) -> Activity:
    """Log an activity (a draft, or submitted with submit=True) after `activity_check`."""
    activity = activity_check(
        user=user,
        counterparts=counterparts,
        participating_offices=participating_offices,
        partners=partners,
        **fields,
    )
    save_with_history(activity, by=user, previous_status=None)
    activity.counterparts.set(counterparts)
    activity.participating_offices.set(participating_offices)
    activity.partners.set(partners)
    return activity


@dataclass(frozen=True)
class DraftWithReopening:
    activity: Activity
    reopening: PeriodReopening
    newly_asked: bool  # False: a request for the month was already waiting


@retry_on_conflict
def activity_draft_and_ask_reopening(
    *,
    user,
    reason: str,
    counterparts: Sequence[Counterpart] = (),
    participating_offices: Sequence[Office] = (),
    partners: Sequence[Counterpart] = (),
    **fields,
) -> DraftWithReopening:
    """An activity of a closed month, kept as a draft while its month is asked to reopen
    (docs/domain.md, "Periods"): both in one transaction, or neither. A draft counts for
    nothing, so no figure of the closed month changes; it can be submitted once the month
    is reopened. A request already waiting for that month is the one returned."""
    lead_office, occurred_on = fields["lead_office"], fields["occurred_on"]
    state = period_state(office=lead_office, day=occurred_on)
    if state.is_open:
        raise ValidationError(
            {
                "occurred_on": _("%(period)s is open: save the activity as usual.")
                % {"period": state.label}
            }
        )
    activity = activity_check(
        user=user,
        counterparts=counterparts,
        participating_offices=participating_offices,
        partners=partners,
        closed_month_draft=True,
        **fields,
    )
    waiting = (
        PeriodReopening.objects.select_for_update()
        .filter(
            office=lead_office,
            year=occurred_on.year,
            month=occurred_on.month,
            state=PeriodReopening.State.REQUESTED,
        )
        .first()
    )
    if waiting is not None:
        require_can_ask_reopening(user, lead_office)
        reopening, newly_asked = waiting, False
    else:
        newly_asked = True
        try:
            reopening = reopening_request(
                user=user,
                office=lead_office,
                year=occurred_on.year,
                month=occurred_on.month,
                reason=reason,
            )
        except ValidationError as exc:
            # The reason is asked for beside the activity's fields, under its own name.
            raise ValidationError(
                {
                    "reopening_reason" if field == "reason" else NON_FIELD_ERRORS: messages
                    for field, messages in exc.message_dict.items()
                }
            ) from exc
    save_with_history(activity, by=user, previous_status=None)
    activity.counterparts.set(counterparts)
    activity.participating_offices.set(participating_offices)
    activity.partners.set(partners)
    return DraftWithReopening(activity, reopening, newly_asked)


@retry_on_conflict
def activities_create_bulk(*, user, items: Sequence[dict]) -> list[Activity]:
    """Log many activities at once, as drafts: each is checked by `activity_check` exactly
    as a single one, then all are written in a few queries, with their history and related
    lists. All of them, or none."""
    periods: dict = {}
    today = timezone.localdate()
    checked: list[tuple[Activity, dict[str, list]]] = []
    for item in items:
        fields = dict(item)
        links = {name: list(fields.pop(name, ()) or ()) for name in M2M_FIELDS}
        activity = activity_check(
            user=user, periods=periods, today=today, submit=False, **fields, **links
        )
        checked.append((activity, links))
    return activities_create_checked(user=user, checked=checked)


@retry_on_conflict
def activity_update(
    *,
    user,
    activity_id: int,
    expected_version: int,
    counterparts: Sequence[Counterpart] | None = None,
    participating_offices: Sequence[Office] | None = None,
    partners: Sequence[Counterpart] | None = None,
    confirmed_different_from: Sequence[int] = (),
    **fields,
) -> Activity:
    """Change an activity if nobody else changed it since `expected_version` was read.
    `confirmed_different_from`: likely duplicates the person has just confirmed as
    different, remembered with those confirmed before."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    activity = (
        Activity.objects.select_for_update(of=LOCK_ACTIVITY_ONLY)
        .select_related("lead_office", "indicator")
        .get(pk=activity_id)
    )
    if activity.version != expected_version:
        changes, by, at = changes_since(activity, expected_version)
        raise ConflictError(activity, changes, by, at)
    if not can_edit(user, activity):
        raise PermissionDenied
    old_office, old_day = activity.lead_office, activity.occurred_on
    before = Activity(lead_office_id=old_office.pk, indicator_id=activity.indicator_id)
    old_key = key_of(activity)
    ensure_period_open(old_office, old_day)
    for name, value in fields.items():
        setattr(activity, name, value.strip() if isinstance(value, str) else value)
    if not activity.indicator.asks_authority_level:
        activity.authority_level = ""
    if not activity.indicator.asks_event_name:
        activity.event_name = ""
    if activity.lead_office_id != old_office.pk and not can_write_for_office(
        user, activity.lead_office
    ):
        raise PermissionDenied
    current_counterparts = (
        list(activity.counterparts.all()) if counterparts is None else counterparts
    )
    current_participants = (
        list(activity.participating_offices.all())
        if participating_offices is None
        else participating_offices
    )
    moved = (activity.lead_office_id, activity.occurred_on) != (old_office.pk, old_day)
    check_complete(
        activity,
        counterparts=current_counterparts,
        participating=current_participants,
        before=before,
        period=period_state(office=activity.lead_office, day=activity.occurred_on)
        if moved
        else None,
    )
    if confirmed_different_from:
        activity.confirmed_different_from = sorted(
            {*activity.confirmed_different_from, *confirmed_different_from}
        )
    lock_counts([old_key, key_of(activity)])
    save_with_history(activity, by=user, previous_status=activity.status)
    if counterparts is not None:
        activity.counterparts.set(counterparts)
    if participating_offices is not None:
        activity.participating_offices.set(participating_offices)
    if partners is not None:
        activity.partners.set(partners)
    return activity
