"""Published reports: the file as it was handed out, and what it was cut from.

A published report is evidence for the Policy Address, the Budget and LegCo answers: once
made it is never changed or deleted (no view or admin action does it, and `save()` and
`delete()` refuse), and its SHA-256 lets anyone check a copy against it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices.models import Office

from .report import ANNUAL, KIND_LABELS, PROGRESS, ReportScope


class ImmutableReportError(Exception):
    """A finished published report was about to be changed or deleted."""


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    PDF = "pdf", _("Printable document (PDF)")
    CSV = "csv", _("Counted activities (CSV)")


def report_path(instance: PublishedReport, filename: str) -> str:
    return f"reports/{instance.date_from:%Y}/{instance.pk}-{filename}"


class PublishedReport(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = ANNUAL, KIND_LABELS[ANNUAL]
        PROGRESS = PROGRESS, KIND_LABELS[PROGRESS]

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    as_of = models.DateField(_("data as of"))
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a report of all offices."),
    )
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    completed_at = models.DateTimeField(_("made"), null=True, blank=True)

    file = models.FileField(_("file"), upload_to=report_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    activity_count = models.PositiveIntegerField(_("activities counted"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="report_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["xlsx", "pdf", "csv"]), name="report_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="report_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="done")
                | (
                    Q(completed_at__isnull=False, size__isnull=False)
                    & Q(activity_count__isnull=False)
                    & Q(Exact(Length("sha256"), 64))
                    & ~Q(file="")
                ),
                name="report_done_is_complete",
                violation_error_message=_(
                    "A finished report needs its file, size, hash and number of activities."
                ),
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="report_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date_from}–{self.date_to} ({self.format})"

    def save(self, *args, **kwargs) -> None:
        if (
            not self._state.adding
            and type(self).objects.filter(pk=self.pk, state=self.State.DONE).exists()
        ):
            raise ImmutableReportError(f"Published report {self.pk} is final.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableReportError(f"Published report {self.pk} is kept for good.")

    def scope(self) -> ReportScope:
        return ReportScope(self.date_from, self.date_to, self.as_of, self.office)

    @property
    def end(self) -> dt.date:
        return min(self.date_to, self.as_of)

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE
