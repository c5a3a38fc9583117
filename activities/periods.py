"""When a month is open for entry (docs/domain.md, "Periods").

A month M closes for entry at the end of day N of month M+1 (N = KPI_PERIOD_CLOSE_DAY,
10 by default). A bureau admin can reopen one month for one office until a date; the
reopening covers the office's units too, since their figures roll up into it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from offices.models import Office

from .models import PeriodReopening


def closing_day(year: int, month: int) -> dt.date:
    """The last day on which activities of the month can be entered."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    last = calendar.monthrange(next_year, next_month)[1]
    return dt.date(next_year, next_month, min(settings.KPI_PERIOD_CLOSE_DAY, last))


@dataclass(frozen=True)
class PeriodState:
    year: int
    month: int
    closes_on: dt.date
    reopened_until: dt.date | None
    today: dt.date

    @property
    def is_open(self) -> bool:
        if self.today <= self.closes_on:
            return True
        return self.reopened_until is not None and self.today <= self.reopened_until

    @property
    def open_until(self) -> dt.date | None:
        if not self.is_open:
            return None
        if self.reopened_until and self.reopened_until > self.closes_on:
            return self.reopened_until
        return self.closes_on

    @property
    def label(self) -> str:
        return formats.date_format(dt.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")

    def explain(self) -> str:
        """What a person reads when a change is refused: which period, since when, who can
        reopen it."""
        return _(
            "%(period)s closed for entry at the end of %(closed)s. A bureau admin can reopen "
            "it for your office: ask for a reopening with a reason on the Periods page."
        ) % {
            "period": self.label,
            "closed": formats.date_format(self.closes_on, "SHORT_DATE_FORMAT"),
        }

    def describe(self) -> str:
        """What the form and the list say about the period."""
        if self.is_open:
            return _("%(period)s is open for entry until %(until)s.") % {
                "period": self.label,
                "until": formats.date_format(self.open_until, "SHORT_DATE_FORMAT"),
            }
        return self.explain()


def period_states(
    *, office: Office, days: list[dt.date], today: dt.date | None = None
) -> list[PeriodState]:
    """Whether the months of `days` are open for the office's activities today: one query,
    however many months."""
    today = today or timezone.localdate()
    months = {(day.year, day.month) for day in days}
    reopened: dict[tuple[int, int], dt.date] = {}
    for year, month, until in PeriodReopening.objects.filter(
        office_id__in={office.pk, office.reporting_office_id},
        year__in={year for year, _month in months},
        month__in={month for _year, month in months},
        state=PeriodReopening.State.GRANTED,
    ).values_list("year", "month", "open_until"):
        if (year, month) in months and until > reopened.get((year, month), dt.date.min):
            reopened[year, month] = until
    return [
        PeriodState(
            year=day.year,
            month=day.month,
            closes_on=closing_day(day.year, day.month),
            reopened_until=reopened.get((day.year, day.month)),
            today=today,
        )
        for day in days
    ]


def period_state(*, office: Office, day: dt.date, today: dt.date | None = None) -> PeriodState:
    """Whether the month of `day` is open for the office's activities today."""
    return period_states(office=office, days=[day], today=today)[0]
