"""Reopening requests and decisions go on the audit trail, whichever way they are made (the
Periods page or the Django admin): from their history records, which know who."""

from __future__ import annotations

from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from audit.models import Kind
from audit.services import record
from common.history import previous_record

from .models import PeriodReopening


@receiver(post_create_historical_record, sender=PeriodReopening.history.model)
def _reopening_event(instance, history_instance, history_user, **kwargs) -> None:
    State = PeriodReopening.State
    period = f"{instance.year}-{instance.month:02d}"
    details = {"office": instance.office.code, "period": period, "reopening": instance.pk}
    if history_instance.history_type == "+":
        kind = Kind.REOPENING_REQUESTED
        summary = f"{instance.office.code} {period}: {instance.reason}"
    else:
        before = previous_record(history_instance)
        if before is None or before.state == instance.state or instance.state == State.REQUESTED:
            return
        if instance.state == State.GRANTED:
            kind = Kind.PERIOD_REOPENED
            summary = f"{instance.office.code} {period} until {instance.open_until:%Y-%m-%d}"
            details["open_until"] = instance.open_until.isoformat()
        else:
            kind = Kind.REOPENING_DECLINED
            summary = f"{instance.office.code} {period}"
        details["note"] = instance.decision_note
    record(kind, summary, actor=history_user, office=instance.office, details=details)
