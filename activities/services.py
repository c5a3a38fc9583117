"""Writes with rules: create, change, submit, verify, return, remove.

Views and the API call these and nothing else. Each checks who may do it, that the
period is open and that the data is complete, inside one transaction; a refusal says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from common.db import retry_on_conflict
from offices.models import Counterpart, Indicator, Office, Region

from .access import (
    can_edit,
    can_remove,
    can_review,
    can_write_for_office,
    four_eyes_reason,
    verified_by_someone_else,
)
from .counts import key_of, lock_counts
from .models import Activity, Status
from .periods import period_state

# Lock the activity's row, not the office and indicator rows joined to it: on PostgreSQL a
# plain FOR UPDATE of the join locks those too, and concurrent saves of other activities
# (whose foreign-key checks read them) then deadlock against the roll-up's triggers.
LOCK_ACTIVITY_ONLY = ("self",)
# Fields a person edits; the rest is bookkeeping.
EDITABLE_FIELDS = (
    "lead_office",
    "indicator",
    "occurred_on",
    "title",
    "region",
    "city",
    "authority_level",
    "event_name",
    "hk_participants",
    "notes",
)
M2M_FIELDS = ("counterparts", "participating_offices", "partners")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


class ConflictError(Exception):
    """The activity changed after the form was opened; nothing was saved."""

    def __init__(self, activity: Activity, changes: list[FieldChange], changed_by, changed_at):
        self.activity = activity
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__("The activity was changed by someone else.")


# --- checks ----------------------------------------------------------------------------


def _ensure_period_open(office: Office, day: dt.date, field: str | None = "occurred_on") -> None:
    state = period_state(office=office, day=day)
    if not state.is_open:
        raise ValidationError({field: state.explain()} if field else state.explain(), code="closed")


def _closed_for_entries(activity: Activity, *, before: Activity | None = None) -> dict:
    """A deactivated office, unit or indicator takes no new activity (docs/domain.md, "What
    counts"); an activity recorded before keeps them, as long as they are not changed to."""
    errors = {}
    office, indicator = activity.lead_office, activity.indicator
    if not office.is_active and (before is None or before.lead_office_id != office.pk):
        errors["lead_office"] = [
            _("%(office)s is closed for new entries: it was deactivated.") % {"office": office}
        ]
    if not indicator.is_active and (before is None or before.indicator_id != indicator.pk):
        errors["indicator"] = [
            _("“%(indicator)s” is no longer in use: it was deactivated.") % {"indicator": indicator}
        ]
    return errors


def _validate(
    activity: Activity,
    *,
    counterparts: Sequence[Counterpart],
    participating: Sequence[Office],
    before: Activity | None = None,
) -> None:
    errors: dict[str, list[str]] = _closed_for_entries(activity, before=before)
    today = timezone.localdate()
    if activity.occurred_on and activity.occurred_on > today:
        errors.setdefault("occurred_on", []).append(_("The date cannot be in the future."))
    indicator: Indicator = activity.indicator
    if indicator.counterpart_required and not counterparts:
        errors.setdefault("counterparts", []).append(
            _("Choose at least one counterpart for %(indicator)s.") % {"indicator": indicator.name}
        )
    if indicator.asks_authority_level and not activity.authority_level:
        errors.setdefault("authority_level", []).append(
            _("Choose the level of the authority visited.")
        )
    if indicator.asks_event_name and not activity.event_name.strip():
        errors.setdefault("event_name", []).append(_("Give the name of the event."))
    if any(office.pk == activity.lead_office_id for office in participating):
        errors.setdefault("participating_offices", []).append(
            _("The lead office is already counted; choose only the other offices.")
        )
    try:
        # Constraints guard the bookkeeping that `_save` fills in; the database checks them.
        # Related objects arrive as instances already read, so they are not looked up again.
        activity.full_clean(
            exclude=["created_by", "updated_by", "lead_office", "indicator", "region"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _save(activity: Activity, *, by, previous_status: str | None) -> None:
    activity.record_change(by=by, previous_status=previous_status)
    activity._history_user = by
    activity.save()


# --- create and change -------------------------------------------------------------------


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
) -> Activity:
    """Everything `activity_create` checks, without writing anything: the unsaved activity,
    or PermissionDenied / ValidationError. The import's preview checks thousands of rows
    with it, passing `periods` to remember each office-month's state."""
    if not can_write_for_office(user, lead_office):
        raise PermissionDenied
    activity = Activity(
        lead_office=lead_office,
        indicator=indicator,
        occurred_on=occurred_on,
        title=title.strip(),
        region=region,
        city=city.strip(),
        authority_level=authority_level if indicator.asks_authority_level else "",
        event_name=event_name.strip() if indicator.asks_event_name else "",
        hk_participants=hk_participants.strip(),
        notes=notes.strip(),
        status=Status.SUBMITTED if submit else Status.DRAFT,
    )
    _validate(activity, counterparts=counterparts, participating=participating_offices)
    key = (lead_office.pk, occurred_on.year, occurred_on.month)
    state = periods.get(key) if periods is not None else None
    if state is None:
        state = period_state(office=lead_office, day=occurred_on)
        if periods is not None:
            periods[key] = state
    if not state.is_open:
        raise ValidationError({"occurred_on": state.explain()}, code="closed")
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
    _save(activity, by=user, previous_status=None)
    activity.counterparts.set(counterparts)
    activity.participating_offices.set(participating_offices)
    activity.partners.set(partners)
    return activity


@retry_on_conflict
def activities_create_bulk(*, user, items: Sequence[dict]) -> list[Activity]:
    """Log many activities at once (the bulk import), as drafts: each is checked by
    `activity_check` exactly as a single one, then all are written in a few queries,
    with their history and related lists. All of them, or none."""
    periods: dict = {}
    pending: list[tuple[Activity, dict[str, list]]] = []
    for item in items:
        fields = dict(item)
        links = {name: list(fields.pop(name, ()) or ()) for name in M2M_FIELDS}
        activity = activity_check(user=user, periods=periods, submit=False, **fields, **links)
        activity.record_change(by=user, previous_status=None)
        activity._history_user = user
        pending.append((activity, links))
    return activities_bulk_write(pending, default_user=user)


def activities_bulk_write(
    pending: Sequence[tuple[Activity, dict[str, list]]], *, default_user
) -> list[Activity]:
    """Write activities that are ready (checked, bookkeeping done) in a few queries: the
    rows, their first history version, and their related lists, which that version lists
    too, as a single save would. Used by the bulk import and the demo seed; not a way
    around the checks (`activities_create_bulk` is)."""
    if not pending:
        return []
    lock_counts(key_of(activity) for activity, _links in pending)
    created = bulk_create_with_history(
        [activity for activity, _links in pending],
        Activity,
        batch_size=500,
        default_user=default_user,
    )
    history_of = dict(
        Activity.history.filter(id__in=[a.pk for a in created]).values_list("id", "history_id")
    )
    for name in M2M_FIELDS:
        field = Activity._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = through.objects.bulk_create(
            [
                through(**{f"{source}_id": activity.pk, f"{target}_id": obj.pk})
                for activity, (_unsaved, all_links) in zip(created, pending, strict=True)
                for obj in all_links.get(name, ())
            ],
            batch_size=1000,
        )
        historical = apps.get_model("activities", f"HistoricalActivity_{name}")
        historical.objects.bulk_create(
            [
                historical(
                    id=link.pk,
                    **{f"{source}_id": getattr(link, f"{source}_id")},
                    **{f"{target}_id": getattr(link, f"{target}_id")},
                    history_id=history_of[getattr(link, f"{source}_id")],
                )
                for link in links
            ],
            batch_size=1000,
        )
    return created


def changes_since(activity: Activity, version: int) -> tuple[list[FieldChange], object, object]:
    """What changed in the activity after `version`: field by field, old and new value,
    with who made the latest change and when."""
    records = list(activity.history.order_by("history_date", "history_id"))
    then = next((r for r in reversed(records) if r.version == version), None)
    now = records[-1] if records else None
    if then is None or now is None:
        return [], None, None
    delta = now.diff_against(
        then, excluded_fields=["version", "updated_at", "updated_by", "counted_since"]
    )
    changes = []
    for change in delta.changes:
        field = Activity._meta.get_field(change.field)
        changes.append(
            FieldChange(
                field=change.field,
                label=str(field.verbose_name),
                old=_display(field, change.old),
                new=_display(field, change.new),
            )
        )
    return changes, now.history_user, now.history_date


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.many_to_many:
        model = field.related_model
        ids = [
            row[field.m2m_reverse_field_name()] if isinstance(row, dict) else row for row in value
        ]
        return ", ".join(str(obj) for obj in model.objects.filter(pk__in=ids)) or "—"
    if field.is_relation:
        obj = field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@retry_on_conflict
def activity_update(
    *,
    user,
    activity_id: int,
    expected_version: int,
    counterparts: Sequence[Counterpart] | None = None,
    participating_offices: Sequence[Office] | None = None,
    partners: Sequence[Counterpart] | None = None,
    **fields,
) -> Activity:
    """Change an activity if nobody else changed it since `expected_version` was read."""
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
    _ensure_period_open(old_office, old_day)
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
    _validate(
        activity,
        counterparts=current_counterparts,
        participating=current_participants,
        before=before,
    )
    if (activity.lead_office_id, activity.occurred_on) != (old_office.pk, old_day):
        _ensure_period_open(activity.lead_office, activity.occurred_on)
    lock_counts([old_key, key_of(activity)])
    _save(activity, by=user, previous_status=activity.status)
    if counterparts is not None:
        activity.counterparts.set(counterparts)
    if participating_offices is not None:
        activity.participating_offices.set(participating_offices)
    if partners is not None:
        activity.partners.set(partners)
    return activity


# --- status changes ------------------------------------------------------------------------


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
        _save(activity, by=user, previous_status=previous)
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
        _save(activity, by=user, previous_status=Status.SUBMITTED)
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
        _save(activity, by=user, previous_status=previous)
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
    _ensure_period_open(activity.lead_office, activity.occurred_on, field=None)
    activity.removed_at = timezone.now()
    activity.removed_by = user
    activity.removal_reason = reason[:1000]
    _save(activity, by=user, previous_status=activity.status)
    return activity


# --- periods: reopening a closed month -------------------------------------------------


@transaction.atomic
def reopening_request(*, user, office: Office, year: int, month: int, reason: str):
    """An office asks to reopen one closed month, with a reason."""
    from .models import PeriodReopening

    if user.is_bureau or office.pk not in user.office_scope_ids():
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening the month.")})
    state = period_state(office=office, day=dt.date(year, month, 1))
    if state.is_open:
        raise ValidationError(
            {
                "month": _("%(period)s is open: there is nothing to reopen.")
                % {"period": state.label}
            }
        )
    if PeriodReopening.objects.filter(
        office=office, year=year, month=month, state=PeriodReopening.State.REQUESTED
    ).exists():
        raise ValidationError(
            {"month": _("A request for this month is already waiting for a decision.")}
        )
    reopening = PeriodReopening(
        office=office, year=year, month=month, reason=reason[:1000], requested_by=user
    )
    reopening.full_clean()
    reopening._history_user = user
    reopening.save()
    return reopening


@transaction.atomic
def reopening_decide(
    *, user, reopening_id: int, grant: bool, open_until: dt.date | None, note: str = ""
):
    """A bureau admin grants a reopening until a date, or declines it."""
    from .models import PeriodReopening

    if not user.is_bureau_admin:
        raise PermissionDenied
    reopening = PeriodReopening.objects.select_for_update().get(pk=reopening_id)
    if reopening.state != PeriodReopening.State.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    if grant and (open_until is None or open_until < timezone.localdate()):
        raise ValidationError({"open_until": _("Give a date from today on.")})
    reopening.state = PeriodReopening.State.GRANTED if grant else PeriodReopening.State.DECLINED
    reopening.open_until = open_until if grant else None
    reopening.decided_by = user
    reopening.decided_at = timezone.now()
    reopening.decision_note = note.strip()[:1000]
    reopening.full_clean()
    reopening._history_user = user
    reopening.save()
    return reopening
