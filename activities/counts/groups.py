"""Activities counted in groups, for dashboards and reports: from a roll-up (`ActivityMonthCount` as of today, `ActivityAsOfCount` as of a past day) when the dates are whole months, from the activities themselves otherwise. Either way the same rule of what counts (`ActivityQuerySet.counted().as_of()`) and the same answer; tests hold them to it (activities/tests/test_counts.py)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import (
    COUNTING_STATUSES,
    NO_REGION,
    Activity,
    ActivityAsOfCount,
    ActivityMonthCount,
)

GROUPS = ("lead_office", "indicator", "region", "month")


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]


def counted_groups(
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    by: tuple[str, ...],
    office_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> list[tuple]:
    """Counted activities that took place from `start` to `end` and counted by the end of
    `as_of`, as (*group, n) tuples grouped `by` any of "lead_office", "indicator", "region"
    (None: no region) and "month" (its first day). One query.

    When the dates are whole months a roll-up answers: as of today or later, the month
    roll-up (what counts now is what counted by then); as of a past day, the "as of"
    roll-up, whose rows hold what counted by each day (`ActivityAsOfCount`): the months
    before `as_of`'s month at the month grain, its own month day by day. Otherwise the
    activities are counted."""
    unknown = set(by) - set(GROUPS)
    if unknown:
        raise ValueError(f"Cannot group by {sorted(unknown)}")
    today = today or timezone.localdate()
    if _whole_months(start, end):
        if as_of >= today:
            rows = ActivityMonthCount.objects.filter(
                status__in=COUNTING_STATUSES, month__gte=start, month__lte=end
            )
        else:
            first = as_of.replace(day=1)
            rows = ActivityAsOfCount.objects.filter(month__gte=start, month__lte=end).filter(
                Q(grain=ActivityAsOfCount.MONTH, counted_by__lt=first)
                | Q(grain=ActivityAsOfCount.DAY, counted_by__gte=first, counted_by__lte=as_of)
            )
        if office_ids is not None:
            rows = rows.filter(lead_office_id__in=list(office_ids))
        columns = {
            "lead_office": "lead_office_id",
            "indicator": "indicator_id",
            "region": "region_key",
            "month": "month",
        }
        grouped = rows.order_by().values_list(*(columns[g] for g in by)).annotate(n=Sum("n"))
    else:
        rows = Activity.objects.counted().as_of(as_of).between(start, end)
        if office_ids is not None:
            rows = rows.filter(lead_office_id__in=list(office_ids))
        columns = {
            "lead_office": "lead_office_id",
            "indicator": "indicator_id",
            "region": "region_id",
            "month": "first_day",
        }
        if "month" in by:
            rows = rows.annotate(first_day=TruncMonth("occurred_on"))
        grouped = rows.order_by().values_list(*(columns[g] for g in by)).annotate(n=Count("id"))
    region_at = by.index("region") if "region" in by else None
    result = []
    for row in grouped:
        if not row[-1]:
            continue
        if region_at is not None and row[region_at] in (NO_REGION, None):
            row = (*row[:region_at], None, *row[region_at + 1 :])
        result.append(tuple(row))
    return result
