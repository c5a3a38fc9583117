"""Reopening a closed month: an office asks, with a reason; a bureau admin grants it until a day, or declines."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import Office

from ..access import (
    require_can_ask_reopening,
    require_can_decide_reopening,
)
from ..models import PeriodReopening
from ..periods import period_state


@transaction.atomic
def reopening_request(*, user, office: Office, year: int, month: int, reason: str):
    """An office asks to reopen one closed month, with a reason."""

    require_can_ask_reopening(user, office)
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

    require_can_decide_reopening(user)
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
