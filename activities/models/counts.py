"""How many activities there are per office, indicator, region, month and status: a roll-up
kept by the database itself, so that dashboards read a few hundred rows instead of scanning
a million (docs/performance.md, "What keeps it fast").

Triggers on the activity table (PostgreSQL and SQLite, migration 0004) add and subtract
on every insert, update and delete, whatever writes the row: the services, the bulk import,
the admin, a COPY. Removed activities are not in it. `rebuild_activity_counts` recomputes
it from the activities and says whether anything was off.

It answers "what counts now", which is also what counted as of any day from today on (the
"as of" rule, docs/domain.md, only leaves out what was submitted later, and nothing is submitted
later than now). Figures as of a past day come from the second roll-up, `ActivityAsOfCount`,
kept by the same kind of triggers (migration 0011).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .activity import Status

__all__ = ["ActivityAsOfCount", "ActivityMonthCount"]

NO_REGION = 0  # region_key of activities without a region (a key column cannot be NULL)


class _Counted(models.Model):
    """What both roll-ups count by (the triggers of migrations 0004 and 0011 fill these
    columns), and how many."""

    lead_office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("lead office or unit"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    indicator = models.ForeignKey(
        "offices.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    region_key = models.BigIntegerField(
        _("region (id)"), help_text=_("The region's id, or 0 for none.")
    )
    month = models.DateField(
        _("month"), help_text=_("The first day of the month the activities took place.")
    )
    n = models.IntegerField(_("activities"), default=0)

    class Meta:
        abstract = True


class ActivityMonthCount(_Counted):
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)

    class Meta:
        verbose_name = _("activity count")
        verbose_name_plural = _("activity counts")
        constraints = [
            models.UniqueConstraint(
                fields=["lead_office", "indicator", "region_key", "month", "status"],
                name="activity_month_count_key",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "lead_office"]),
            # The submissions waiting for verification, per office (the dashboards' reporting
            # health): read from the index alone, not from a few thousand rows of the table.
            models.Index(
                fields=["lead_office"],
                include=["n"],
                condition=Q(status=Status.SUBMITTED),
                name="month_count_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.lead_office_id}/{self.indicator_id}: {self.n}"


class ActivityAsOfCount(_Counted):
    """How many activities count now per lead office, indicator, region and month, by the
    day they counted by: the later of the day they took place and the day (Hong Kong time)
    they last entered a counting state. As of a day D, an activity that counts now counted
    exactly when that day is on or before D (docs/domain.md, "As of"), so the figures as of
    any past day are sums of this table.

    Each activity is in it twice, at two grains: by the month it counted by (`MONTH` rows,
    `counted_by` the first day of that month) and by the day (`DAY` rows). As of D, the
    months before D's month are read at the month grain, D's own month at the day grain: a
    few thousand rows at a million activities, instead of the year's rows
    (`activities.counts.counted_groups`). Kept by triggers on the activity table (PostgreSQL
    and SQLite, migration 0011); `rebuild_activity_counts` checks and recounts it too."""

    MONTH = "month"
    DAY = "day"
    GRAINS = ((MONTH, _("month")), (DAY, _("day")))

    grain = models.CharField(_("grain"), max_length=5, choices=GRAINS)
    counted_by = models.DateField(
        _("counted by"),
        help_text=_(
            "The later of the day they took place and the day they last entered a counting "
            "state (for the month grain, the first day of that day's month)."
        ),
    )

    class Meta:
        verbose_name = _("activity count as of a day")
        verbose_name_plural = _("activity counts as of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["lead_office", "indicator", "region_key", "month", "grain", "counted_by"],
                name="activity_as_of_count_key",
            ),
        ]
        indexes = [
            # the months before the day's month, at the month grain ...
            models.Index(fields=["grain", "month", "counted_by"], name="as_of_count_months"),
            # ... and the day's own month, at the day grain
            models.Index(fields=["grain", "counted_by", "month"], name="as_of_count_days"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.month:%Y-%m} {self.lead_office_id}/{self.indicator_id} "
            f"by {self.counted_by} ({self.grain}): {self.n}"
        )
