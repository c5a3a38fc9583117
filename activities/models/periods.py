"""A month reopened for one office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offices.models import Office


class PeriodReopening(models.Model):
    """A request to reopen one closed month for one office, and the admin's decision.

    A granted reopening lets the office (with its units) add, change and remove
    activities of that month until `open_until`. Every step is kept in the history.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="reopenings"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    reason = models.TextField(_("reason"), max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    open_until = models.DateField(_("open until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("period reopening")
        verbose_name_plural = _("period reopenings")
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="reopening_month_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["requested", "granted", "declined"]),
                name="reopening_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="granted")
                | Q(open_until__isnull=False, decided_by__isnull=False),
                name="reopening_granted_has_date",
                violation_error_message=_("A granted reopening needs a date and who granted it."),
            ),
            models.UniqueConstraint(
                fields=["office", "year", "month"],
                condition=Q(state="requested"),
                name="reopening_one_open_request",
                violation_error_message=_(
                    "This month already has a request waiting for a decision."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.year}-{self.month:02d} ({self.get_state_display()})"
