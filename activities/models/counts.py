"""How many activities there are per office, indicator, region, month and status: a roll-up
kept by the database itself, so that dashboards read a few hundred rows instead of scanning
a million (docs/performance.md, "What keeps it fast").

Triggers on the activity table (PostgreSQL and SQLite, migration 0004) add and subtract
on every insert, update and delete, whatever writes the row: the services, the bulk import,
the admin, a COPY. Removed activities are not in it. `rebuild_activity_counts` recomputes
it from the activities and says whether anything was off.

It answers "what counts now", which is also what counted as of any day from today on (the
"as of" rule, docs/domain.md, only leaves out what was submitted later, and nothing is submitted
later than now). Figures as of a past day are counted from the activities themselves.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .activity import Status

__all__ = ["ActivityMonthCount"]

NO_REGION = 0  # region_key of activities without a region (a key column cannot be NULL)


class ActivityMonthCount(models.Model):
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
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    n = models.IntegerField(_("activities"), default=0)

    class Meta:
        verbose_name = _("activity count")
        verbose_name_plural = _("activity counts")
        constraints = [
            models.UniqueConstraint(
                fields=["lead_office", "indicator", "region_key", "month", "status"],
                name="activity_month_count_key",
            ),
        ]
        indexes = [models.Index(fields=["month", "lead_office"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.lead_office_id}/{self.indicator_id}: {self.n}"
