"""Target changes go on the audit trail, whichever way they are made (the targets grid or the
Django admin): from their history records, which know who made the change and why."""

from __future__ import annotations

from simple_history.signals import post_create_historical_record

from audit.models import Kind
from audit.services import record
from common.history import previous_record

from .models import AnnualTarget, OfficeTarget


def _target_event(instance, history_instance, history_user, **kwargs) -> None:
    previous = None
    if history_instance.history_type != "+":
        before = previous_record(history_instance)
        previous = before.target if before is not None else None
    new = None if history_instance.history_type == "-" else instance.target
    office = getattr(instance, "office", None)
    where = office.code if office is not None else "bureau-wide"
    record(
        Kind.TARGET_CHANGED,
        f"{instance.year} {instance.indicator.code} ({where}): {previous} → {new}",
        actor=history_user,
        office=office,
        details={
            "year": instance.year,
            "indicator": instance.indicator.code,
            "office": office.code if office is not None else None,
            "from": previous,
            "to": new,
            "reason": history_instance.history_change_reason or "",
        },
    )


post_create_historical_record.connect(
    _target_event, sender=AnnualTarget.history.model, dispatch_uid="audit_annual_target"
)
post_create_historical_record.connect(
    _target_event, sender=OfficeTarget.history.model, dispatch_uid="audit_office_target"
)
