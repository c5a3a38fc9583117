"""An activity, what it is, and the one place that says which activities count."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offices.models import Counterpart, Indicator, Office, Region


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    RETURNED = "returned", _("Returned")


class AuthorityLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    DISTRICT = "district", _("District or county")


# What counts: submitted or verified, and not removed (docs/domain.md).
COUNTING_STATUSES = (Status.SUBMITTED, Status.VERIFIED)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` ends, in Hong Kong time."""
    next_day = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))


def counted_as_of(day: dt.date) -> Q:
    """The "as of" rule as a condition (for a filtered aggregate): took place on or before
    `day` and was in a counting state by the end of `day` (docs/domain.md, "As of")."""
    return Q(occurred_on__lte=day, counted_since__lt=end_of_day(day))


class ActivityQuerySet(models.QuerySet):
    """Every rule about which activities count is written here, once."""

    def not_removed(self) -> ActivityQuerySet:
        return self.filter(removed_at__isnull=True)

    def counted(self) -> ActivityQuerySet:
        return self.filter(status__in=COUNTING_STATUSES, removed_at__isnull=True)

    def between(self, start: dt.date, end: dt.date) -> ActivityQuerySet:
        return self.filter(occurred_on__gte=start, occurred_on__lte=end)

    def in_year(self, year: int) -> ActivityQuerySet:
        return self.between(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def as_of(self, day: dt.date) -> ActivityQuerySet:
        """Took place on or before `day` and was in a counting state by the end of `day`."""
        return self.filter(counted_as_of(day))

    def for_office(self, office: Office) -> ActivityQuerySet:
        """Led by the office or, for a top-level office, by one of its units (roll-up)."""
        return self.filter(lead_office_id__in=office.scope_ids())

    def involving_offices(self, office_ids: Iterable[int]) -> ActivityQuerySet:
        """Led by, or joined by, any of the offices: what appears in their lists."""
        office_ids = list(office_ids)
        joined = Activity.participating_offices.through.objects.filter(
            office_id__in=office_ids
        ).values("activity_id")
        return self.filter(Q(lead_office_id__in=office_ids) | Q(pk__in=joined))

    def visible_to(self, user) -> ActivityQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_bureau:
            return self.all()
        return self.involving_offices(user.office_scope_ids())


@functools.cache
def _defaults(model: type[models.Model]) -> tuple[tuple[str, Any, Any], ...]:
    """Each concrete field's column name and default, in order: a callable default (a new
    list, now) is called for each object, a constant one read once, as `get_default`
    would give it each time."""
    return tuple(
        (field.attname, field.get_default, None)
        if field.has_default() and callable(field.default)
        else (field.attname, None, field.get_default())
        for field in model._meta.concrete_fields
    )


class Activity(models.Model):
    """One occasion, counted once towards one indicator for its lead office."""

    # No index of their own: the indexes that begin with them (Meta.indexes) serve every
    # lookup by either, and one index fewer is one less to write for every activity.
    lead_office = models.ForeignKey(
        Office,
        verbose_name=_("lead office or unit"),
        on_delete=models.PROTECT,
        related_name="led_activities",
        db_index=False,
    )
    participating_offices = models.ManyToManyField(
        Office,
        verbose_name=_("other participating offices"),
        related_name="joined_activities",
        blank=True,
        help_text=_("For a joint activity: it still counts once, for the lead office."),
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,
    )
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    counterparts = models.ManyToManyField(
        Counterpart, verbose_name=_("counterparts"), related_name="activities", blank=True
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    authority_level = models.CharField(
        _("level of the authority"), max_length=20, choices=AuthorityLevel.choices, blank=True
    )
    event_name = models.CharField(_("event"), max_length=200, blank=True)
    hk_participants = models.TextField(
        _("Hong Kong participants"),
        blank=True,
        max_length=2000,
        help_text=_("Officers and other Hong Kong participants, one per line."),
    )
    partners = models.ManyToManyField(
        Counterpart,
        verbose_name=_("partner organisations"),
        related_name="partnered_activities",
        blank=True,
        limit_choices_to={"type": Counterpart.Type.PARTNER},
        help_text=_("For example HKTDC, InvestHK, HKTB."),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    counted_since = models.DateTimeField(
        _("counted since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When it last entered a counting state (submitted or verified)."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified or returned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("verified or returned at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True, max_length=2000)

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

    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(_("reason for removal"), blank=True, max_length=1000)
    # The likely duplicates (ids of activities) a person confirmed this one is different
    # from: a later edit asks again only about others (docs/domain.md, "Likely duplicates").
    confirmed_different_from = models.JSONField(
        _("confirmed different from"), default=list, blank=True, editable=False
    )

    history = HistoricalRecords(
        m2m_fields=[participating_offices, counterparts, partners],
        excluded_fields=["confirmed_different_from"],
        # The history is read one activity at a time (by `id`, in order of `history_date`)
        # and by who made each change (`history_user`): an index on each of the copied
        # foreign keys would only slow every write, the import's 5 000 at once the most.
        no_db_index=[
            "lead_office",
            "indicator",
            "region",
            "reviewed_by",
            "created_by",
            "updated_by",
            "removed_by",
        ],
    )
    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["lead_office", "indicator", "occurred_on"]),
            models.Index(fields=["indicator", "occurred_on"]),
            models.Index(fields=["-occurred_on", "-id"]),
            # The dashboards' reporting health, read per office: the latest activity logged,
            # and the oldest submission waiting for verification (with the recent ones).
            models.Index(
                fields=["lead_office", "created_at"],
                condition=Q(removed_at__isnull=True),
                name="activity_last_logged",
            ),
            models.Index(
                fields=["lead_office", "counted_since"],
                condition=Q(status="submitted", removed_at__isnull=True),
                name="activity_waiting",
            ),
            # A person's own drafts and returned activities ("Your work", on the dashboard):
            # read from the few rows in that state, not from everything the person logged,
            # newest first, the id breaking ties (an import's drafts share one moment).
            models.Index(
                fields=["created_by", "-updated_at", "-id"],
                condition=Q(status="draft", removed_at__isnull=True),
                name="activity_own_drafts",
            ),
            models.Index(
                fields=["created_by", "-reviewed_at", "-id"],
                condition=Q(status="returned", removed_at__isnull=True),
                name="activity_own_returned",
            ),
            # The list sorted by title (either way: "Z to A" is the exact reverse), and the
            # API's by the time of the last change: a deep page reads its ids from here.
            models.Index(
                fields=["title", "-occurred_on", "-id"],
                condition=Q(removed_at__isnull=True),
                name="activity_by_title",
            ),
            models.Index(
                fields=["updated_at", "-occurred_on", "-id"],
                condition=Q(removed_at__isnull=True),
                name="activity_by_change",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "verified", "returned"]),
                name="activity_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "returned"]) | Q(counted_since__isnull=False),
                name="activity_counting_has_counted_since",
            ),
            models.CheckConstraint(
                condition=(
                    Q(removed_at__isnull=True, removed_by__isnull=True, removal_reason="")
                    | (
                        Q(removed_at__isnull=False, removed_by__isnull=False)
                        & ~Q(removal_reason="")
                    )
                ),
                name="activity_removal_complete",
                violation_error_message=_("A removal needs who, when and why."),
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="activity_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.title}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def counts(self) -> bool:
        return self.status in COUNTING_STATUSES and not self.is_removed

    @classmethod
    def unsaved(cls, **values: Any) -> Activity:
        """`Activity(**values)` (by the fields' column names: `lead_office_id`, not
        `lead_office`), made by position: a quarter of the cost, for the import's thousands.
        Each field not given has its default, as keyword construction gives it."""
        made = cls(
            *[
                values.pop(name) if name in values else (make() if make else value)
                for name, make, value in _defaults(cls)
            ]
        )
        if values:
            raise TypeError(f"Not fields of an activity: {sorted(values)}")
        return made

    def record_change(self, *, by, previous_status: str | None) -> None:
        """Bookkeeping for every write, wherever it comes from: who and when, the version
        for conflict detection, and since when the activity counts (docs/domain.md, "As of")."""
        now = timezone.now()
        if self._state.adding:
            self.created_by = by
            self.created_at = now
        else:
            self.version += 1
        self.updated_by = by
        self.updated_at = now
        counting_now = self.status in COUNTING_STATUSES
        counted_before = previous_status in COUNTING_STATUSES
        if counting_now and (not counted_before or self.counted_since is None):
            self.counted_since = now
        elif not counting_now:
            self.counted_since = None
