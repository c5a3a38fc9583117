"""What every write of an activity checks and does: the fields a person edits, the period open, the data complete (as the database would refuse it), and a save kept in the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import Counterpart, Indicator, Office

from ..models import Activity
from ..periods import PeriodState, period_state

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


# Their columns (lead_office_id, …): what an import's preview keeps of a row it passed.
EDITABLE_ATTNAMES = tuple(Activity._meta.get_field(name).attname for name in EDITABLE_FIELDS)

M2M_FIELDS = ("counterparts", "participating_offices", "partners")


# Left out of `full_clean`, whose per-field checks are most of a row's cost in an import:
# the related objects, which arrive as instances already read (not looked up again), and
# the bookkeeping no person enters, which this code sets (a draft or submitted status,
# version 1, now) or reads back from a row the database checked (its constraints hold the
# status to the choices and the version to 1 or more). Uniqueness is not asked either: an
# activity has no unique field but its id, which Django's check skips for a new activity
# and for the one being changed (`test_models` holds this).
UNCHECKED_FIELDS = [
    "created_by",
    "updated_by",
    "lead_office",
    "indicator",
    "region",
    "status",
    "version",
    "created_at",
    "updated_at",
]


def ensure_period_open(office: Office, day: dt.date, field: str | None = "occurred_on") -> None:
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


def indicator_requirements(
    indicator: Indicator,
    *,
    counterparts: Sequence[Counterpart],
    authority_level: str,
    event_name: str,
) -> dict[str, list[str]]:
    """What the indicator asks for and is missing, field by field. The form asks it too
    when other fields are wrong, so that every error comes at once."""
    errors: dict[str, list[str]] = {}
    if indicator.counterpart_required and not counterparts:
        errors["counterparts"] = [
            _("Choose at least one counterpart for %(indicator)s.") % {"indicator": indicator.name}
        ]
    if indicator.asks_authority_level and not authority_level:
        errors["authority_level"] = [_("Choose the level of the authority visited.")]
    if indicator.asks_event_name and not event_name.strip():
        errors["event_name"] = [_("Give the name of the event.")]
    return errors


def check_complete(
    activity: Activity,
    *,
    counterparts: Sequence[Counterpart],
    participating: Sequence[Office],
    before: Activity | None = None,
    period: PeriodState | None = None,
    today: dt.date | None = None,
) -> None:
    """Every error at once: the missing data and, given the `period` of the activity's
    month, that it is closed. `today`: the Hong Kong day, for a caller that checks many
    activities at one moment (reading it costs more than the rest of a row's checks)."""
    errors: dict[str, list[str]] = _closed_for_entries(activity, before=before)
    today = today or timezone.localdate()
    if activity.occurred_on and activity.occurred_on > today:
        errors.setdefault("occurred_on", []).append(_("The date cannot be in the future."))
    for field, messages in indicator_requirements(
        activity.indicator,
        counterparts=counterparts,
        authority_level=activity.authority_level,
        event_name=activity.event_name,
    ).items():
        errors.setdefault(field, []).extend(messages)
    if any(office.pk == activity.lead_office_id for office in participating):
        errors.setdefault("participating_offices", []).append(
            _("The lead office is already counted; choose only the other offices.")
        )
    try:
        # Constraints guard the bookkeeping that `save_with_history` fills in; the database checks them.
        # Related objects arrive as instances already read, so they are not looked up again.
        activity.full_clean(
            exclude=UNCHECKED_FIELDS, validate_constraints=False, validate_unique=False
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if period is not None and not period.is_open:
        errors.setdefault("occurred_on", []).append(period.explain())
    if errors:
        raise ValidationError(errors)


def save_with_history(activity: Activity, *, by, previous_status: str | None) -> None:
    activity.record_change(by=by, previous_status=previous_status)
    activity._history_user = by
    activity.save()
