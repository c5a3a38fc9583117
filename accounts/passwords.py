"""Password reset e-mails: each asked for is on the audit trail, and an account gets at
most KPI_PASSWORD_RESET_PER_HOUR of them an hour, so the form cannot be used to flood
someone's mailbox (docs/security.md, "Passwords"). The page answers the same either way."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent, Kind
from audit.services import record

from .models import User

WINDOW = dt.timedelta(hours=1)


def reset_email_allowed(user: User) -> bool:
    """Whether a reset link may be e-mailed to this account now; recorded either way."""
    username = user.get_username()
    sent = AuditEvent.objects.filter(
        kind=Kind.PASSWORD_RESET_REQUESTED,
        subject_username=username,
        at__gte=timezone.now() - WINDOW,
        details__sent=True,
    ).count()
    allowed = sent < settings.KPI_PASSWORD_RESET_PER_HOUR
    record(
        Kind.PASSWORD_RESET_REQUESTED,
        f"{username}: link e-mailed" if allowed else f"{username}: not e-mailed, {sent} this hour",
        subject=user,
        office=user.office if user.office_id else None,
        details={"sent": allowed},
    )
    return allowed
