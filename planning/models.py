"""Planned engagements, the warnings recorded when two offices' plans meet, the offices'
monthly notes on their progress, and each person's calendar feed (docs/domain.md,
"Planning"). Plans never count towards a target: only activities do."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from activities.models import Activity
from offices.models import Counterpart, Indicator, Office, Region


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# A plan still ahead: it can be changed, confirmed, cancelled, and it takes part in warnings.
OPEN_STATUSES = (PlanStatus.PLANNED, PlanStatus.CONFIRMED)


class Confidentiality(models.TextChoices):
    SUMMARY = "summary", _("Other offices see a summary")
    RESTRICTED = "restricted", _("Own office and the bureau only")


class CancelReason(models.TextChoices):
    COUNTERPART_POSTPONED = "counterpart_postponed", _("Postponed by the counterpart")
    COUNTERPART_CANCELLED = "counterpart_cancelled", _("Cancelled by the counterpart")
    OUR_SCHEDULE = "our_schedule", _("Clash in our officials' schedule")
    COORDINATION = "coordination", _("Coordinated with another office")
    TRAVEL = "travel", _("Travel, weather or health")
    OTHER = "other", _("Other reason")


class PlanQuerySet(models.QuerySet):
    def open(self) -> PlanQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overlapping(self, start: dt.date, end: dt.date) -> PlanQuerySet:
        """Plans on at least one day of `start`..`end`."""
        return self.filter(starts_on__lte=end, ends_on__gte=start)

    def involving_offices(self, office_ids) -> PlanQuerySet:
        """Led or joined by any of the offices: the plans they see in full."""
        office_ids = list(office_ids)
        joined = Plan.participating_offices.through.objects.filter(office_id__in=office_ids).values(
            "plan_id"
        )
        return self.filter(Q(lead_office_id__in=office_ids) | Q(pk__in=joined))


class Plan(models.Model):
    """An engagement an office plans ahead: planned, confirmed by a supervisor, then done
    (turned into an activity) or cancelled with a reason."""

    lead_office = models.ForeignKey(
        Office,
        verbose_name=_("lead office or unit"),
        on_delete=models.PROTECT,
        related_name="led_plans",
    )
    participating_offices = models.ManyToManyField(
        Office,
        verbose_name=_("other participating offices"),
        related_name="joined_plans",
        blank=True,
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(
        _("last day"), help_text=_("For an engagement over several days; else the same date.")
    )
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    counterparts = models.ManyToManyField(
        Counterpart, verbose_name=_("counterparts"), related_name="plans", blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="plans"
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials attending (users)"),
        related_name="planned_engagements",
        blank=True,
    )
    attendee_names = models.TextField(
        _("other officials attending"),
        blank=True,
        max_length=2000,
        help_text=_("Officials without an account, one name per line."),
    )
    purpose = models.TextField(_("purpose"), blank=True, max_length=5000)
    confidentiality = models.CharField(
        _("who sees it"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.SUMMARY,
    )

    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PLANNED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=30, choices=CancelReason.choices, blank=True
    )
    cancel_note = models.TextField(_("about the cancellation"), blank=True, max_length=1000)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    activity = models.OneToOneField(
        Activity,
        verbose_name=_("activity logged"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan",
    )

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=[participating_offices, counterparts, attendees])
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "starts_at", "pk"]
        verbose_name = _("planned engagement")
        verbose_name_plural = _("planned engagements")
        indexes = [
            models.Index(fields=["starts_on", "ends_on"]),
            models.Index(fields=["lead_office", "indicator", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "confirmed", "done", "cancelled"]),
                name="plan_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidentiality__in=["summary", "restricted"]),
                name="plan_confidentiality_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_it_starts",
                violation_error_message=_("The last day cannot be before the first."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__gt=models.F("starts_at"))
                | ~Q(ends_on=models.F("starts_on")),
                name="plan_time_in_order",
                violation_error_message=_("The end time must be after the start time."),
            ),
            models.CheckConstraint(
                condition=(Q(status="cancelled", cancelled_at__isnull=False) & ~Q(cancel_reason=""))
                | Q(~Q(status="cancelled"), cancel_reason="", cancelled_at__isnull=True),
                name="plan_cancellation_has_reason",
                violation_error_message=_("A cancelled plan needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(status="done", activity__isnull=False)
                | (~Q(status="done") & Q(activity__isnull=True)),
                name="plan_done_has_activity",
                violation_error_message=_("A plan is done when its activity is logged."),
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="plan_confirmed_has_time",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="plan_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%Y-%m-%d} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first.")
        if self.ends_at and not self.starts_at:
            errors["starts_at"] = _("Give the start time too, or neither.")
        elif (
            self.starts_at
            and self.ends_at
            and self.starts_on == self.ends_on
            and self.ends_at <= self.starts_at
        ):
            errors["ends_at"] = _("The end time must be after the start time.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality == Confidentiality.RESTRICTED

    def record_change(self, *, by) -> None:
        self.updated_by = by
        self.updated_at = timezone.now()
        if self.pk:
            self.version += 1
        else:
            self.created_by = by


class WarningKind(models.TextChoices):
    COUNTERPART = "counterpart", _("Same counterpart or authority")
    OFFICIAL = "official", _("Official booked twice")
    REGION = "region", _("Another office's region")


class PlanConflictQuerySet(models.QuerySet):
    def unresolved(self) -> PlanConflictQuerySet:
        return self.filter(closed_at__isnull=True)

    def open(self) -> PlanConflictQuerySet:
        """Still to look at: not closed, and the plan still ahead."""
        return self.unresolved().filter(plan__status__in=OPEN_STATUSES)

    def concerning_offices(self, office_ids) -> PlanConflictQuerySet:
        """The plan's office saved it; the other office was warned about: both see it."""
        office_ids = list(office_ids)
        return self.filter(Q(plan__lead_office_id__in=office_ids) | Q(office_id__in=office_ids))


class PlanConflict(models.Model):
    """A warning someone saved a plan past, with their reason: what the other office and
    the bureau see. One per plan and other office concerned (`office`); closed when it no
    longer applies (the plans changed) or when the bureau closes it."""

    class Closed(models.TextChoices):
        GONE = "gone", _("No longer applies")
        BUREAU = "bureau", _("Closed by the bureau")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="conflicts"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("other office concerned"),
        on_delete=models.PROTECT,
        related_name="plan_conflicts",
    )
    kinds = models.JSONField(_("warnings"), default=list)
    other_plans = models.ManyToManyField(
        Plan, verbose_name=_("other plans"), related_name="conflicts_as_other", blank=True
    )
    other_activities = models.ManyToManyField(
        Activity, verbose_name=_("activities"), related_name="plan_conflicts", blank=True
    )
    message = models.TextField(_("warning"), max_length=4000)
    reason = models.TextField(_("reason for going ahead"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_how = models.CharField(
        _("how it was closed"), max_length=10, choices=Closed.choices, blank=True
    )
    closing_note = models.TextField(_("the bureau's note"), blank=True, max_length=2000)

    objects = PlanConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("plan conflict")
        verbose_name_plural = _("plan conflicts")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="plan_conflict_has_reason"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_how="")
                | (Q(closed_at__isnull=False) & ~Q(closed_how="")),
                name="plan_conflict_closed_complete",
            ),
            models.UniqueConstraint(
                "plan",
                "office",
                condition=Q(closed_at__isnull=True),
                name="plan_conflict_one_open_per_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} / {self.office.code}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ProgressNote(models.Model):
    """An office's short note on one indicator for one month: why it is ahead or behind and
    what it will do; the bureau may reply."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="progress_notes"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="progress_notes",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    text = models.TextField(_("note"), max_length=2000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    reply = models.TextField(_("the bureau's reply"), blank=True, max_length=2000)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-month", "office__sort_order", "indicator__display_order"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        constraints = [
            models.UniqueConstraint(
                "office",
                "indicator",
                "year",
                "month",
                name="progress_note_one_per_month",
                violation_error_message=_(
                    "This office already has a note on this indicator for this month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="progress_note_month_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="progress_note_has_text"),
            models.CheckConstraint(
                condition=Q(reply="", replied_by__isnull=True, replied_at__isnull=True)
                | (~Q(reply="") & Q(replied_by__isnull=False, replied_at__isnull=False)),
                name="progress_note_reply_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.indicator} {self.year}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        """The month's first day, for pages to write the month as a date."""
        return dt.date(self.year, self.month, 1)


def feed_token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's read-only calendar subscription. Only the token's SHA-256 is kept: the
    address is shown once, when it is made; making a new one revokes the old."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                "user", condition=Q(revoked_at__isnull=True), name="calendar_feed_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
