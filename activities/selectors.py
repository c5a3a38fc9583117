"""Reads that assemble activity screens and exports. The list page, its totals and its
CSV/XLSX download all start from `activity_list`, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from .filters import ActivityFilter
from .models import Activity


def activity_list(*, user, data) -> ActivityFilter:
    """The activities a user may see, filtered and sorted by the list's query string.
    `.qs` is the filtered queryset (invalid filters are reported on `.form`)."""
    queryset = (
        Activity.objects.visible_to(user)
        .not_removed()
        .select_related("lead_office", "indicator", "region", "reviewed_by", "created_by")
    )
    return ActivityFilter(data or None, queryset=queryset, user=user)


def activity_totals(queryset: QuerySet[Activity]) -> dict:
    """Counts of a filtered set by indicator and by status, in one query."""
    rows = (
        queryset.order_by()
        .values("indicator_id", "indicator__code", "status")
        .annotate(n=Count("id"))
    )
    by_indicator: dict[int, int] = {}
    by_status: dict[str, int] = {}
    total = 0
    for row in rows:
        by_indicator[row["indicator_id"]] = by_indicator.get(row["indicator_id"], 0) + row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        total += row["n"]
    return {"total": total, "by_indicator": by_indicator, "by_status": by_status}


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    by: object
    kind: str  # "created", "changed", "removed"
    changes: list


def activity_history(activity: Activity) -> list[HistoryEntry]:
    """Who changed what, when: each saved version against the one before, newest first.
    Versions that changed nothing visible (e.g. a re-save of related lists) are left out."""
    from .services import _display

    records = list(
        activity.history.select_related("history_user").order_by("history_date", "history_id")
    )
    skip = {"version", "updated_at", "updated_by", "counted_since", "created_at", "created_by"}
    entries = []
    previous = None
    for record in records:
        if previous is None:
            entries.append(HistoryEntry(record.history_date, record.history_user, "created", []))
        else:
            delta = record.diff_against(previous, excluded_fields=list(skip))
            changes = []
            for change in delta.changes:
                field = Activity._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        _display(field, change.old),
                        _display(field, change.new),
                    )
                )
            if changes:
                kind = "removed" if record.removed_at and not previous.removed_at else "changed"
                entries.append(
                    HistoryEntry(record.history_date, record.history_user, kind, changes)
                )
        previous = record
    return list(reversed(entries))


def review_queue(*, user) -> QuerySet[Activity]:
    """Submitted activities waiting for this supervisor (or any, for a bureau admin),
    oldest first."""
    queryset = Activity.objects.not_removed().filter(status="submitted")
    if not user.is_bureau_admin:
        queryset = queryset.filter(lead_office_id__in=user.office_scope_ids())
    return queryset.select_related("lead_office", "indicator", "region", "created_by").order_by(
        "counted_since", "pk"
    )
