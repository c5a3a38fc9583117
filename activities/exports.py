"""The activities as a download: the list page's rows, or a report's counted activities.
One row per activity, written by the shared writer (common.exports)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.exports import Column, Export
from offices.models import Counterpart, Indicator, Office, Region

from .models import COUNTING_STATUSES, AuthorityLevel, Status


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _names(objects: Iterable) -> str:
    return "; ".join(obj.name for obj in objects)


class ActivityExport(Export):
    """Activities, one per row, in the queryset's order: the list page's rows (the queryset
    the page paginates) or a report's counted activities.

    The rows are read as plain values, not model instances, in one streamed query with the
    related lists joined in; offices, indicators, regions, counterparts and people are read
    beforehand for their names. Memory stays flat, the number of queries is the same for ten
    rows or a million, and a row costs a few microseconds of Python (docs/performance.md).
    """

    chunk_size = 2000
    sheet_title = _("Activities")
    columns = (
        Column(_("Date"), 10),
        Column(_("Indicator"), 20),
        Column(_("Title"), 40),
        Column(_("Lead office code"), 8),
        Column(_("Lead office or unit"), 24),
        Column(_("Other participating offices"), 24),
        Column(_("Region"), 12),
        Column(_("City"), 12),
        Column(_("Counterparts"), 36),
        Column(_("Partner organisations"), 20),
        Column(_("Level of the authority"), 12),
        Column(_("Event"), 24),
        Column(_("Hong Kong participants"), 30),
        Column(_("Status"), 10),
        Column(_("Counts"), 6),
        Column(_("Submitted (counted since)"), 16),
        Column(_("Verified or returned by"), 16),
        Column(_("Verified or returned at"), 16),
        Column(_("Review comment"), 30),
        Column(_("Created by"), 16),
        Column(_("Created at"), 16),
        Column(_("Last changed at"), 16),
        Column(_("ID"), 8),
    )
    fields = (
        "pk",
        "occurred_on",
        "indicator_id",
        "title",
        "lead_office_id",
        "region_id",
        "city",
        "authority_level",
        "event_name",
        "hk_participants",
        "status",
        "removed_at",
        "counted_since",
        "reviewed_by_id",
        "reviewed_at",
        "review_comment",
        "created_by_id",
        "created_at",
        "updated_at",
    )

    def __init__(self, queryset: QuerySet, *, filename: str | None = None, progress=None) -> None:
        """`progress`, if given, is called with the number of rows written so far, once per
        chunk (a background job reports how far it is)."""
        order = [str(key) for key in queryset.query.order_by]
        if not order or order[-1].lstrip("-") not in ("pk", "id"):
            # The rows of one activity must come together (see `rows`): end with the id.
            queryset = queryset.order_by(*(order or ["-occurred_on"]), "-pk")
        self.queryset = queryset
        self.filename = filename or f"activities-{timezone.localdate():%Y-%m-%d}"
        self.progress = progress

    def rows(self) -> Iterator[tuple]:
        yes, no = gettext("Yes"), gettext("No")
        statuses = {value: str(label) for value, label in Status.choices}
        levels = {value: str(label) for value, label in AuthorityLevel.choices}
        offices = {office.pk: office for office in Office.objects.all()}
        indicators = {i.pk: i.name for i in Indicator.objects.all()}
        regions = {region.pk: region.name for region in Region.objects.all()}
        counterparts = {c.pk: c for c in Counterpart.objects.all()}
        people = {user.pk: _person(user) for user in get_user_model().objects.all()}
        office_names = _Names(offices)
        counterpart_names = _Names(counterparts)

        # One query, streamed: the related lists are joined in, so an activity with two
        # counterparts comes as two rows, next to each other (the order ends with the id).
        links = ("participating_offices__id", "counterparts__id", "partners__id")
        values = self.queryset.values_list(*self.fields, *links).iterator(
            chunk_size=self.chunk_size
        )
        for written, (_pk, group) in enumerate(groupby(values, key=itemgetter(0))):
            joined = list(group)
            first = joined[0]
            participants = office_names.of({row[-3] for row in joined})
            with_counterparts = counterpart_names.of({row[-2] for row in joined})
            with_partners = counterpart_names.of({row[-1] for row in joined})
            (
                pk,
                occurred_on,
                indicator_id,
                title,
                lead_office_id,
                region_id,
                city,
                authority_level,
                event_name,
                hk_participants,
                status,
                removed_at,
                counted_since,
                reviewed_by_id,
                reviewed_at,
                review_comment,
                created_by_id,
                created_at,
                updated_at,
                *_links,
            ) = first
            if self.progress is not None and written % self.chunk_size == 0:
                self.progress(written)
            lead = offices[lead_office_id]
            yield (
                occurred_on,
                indicators[indicator_id],
                title,
                lead.code,
                lead.name,
                participants,
                regions[region_id] if region_id else "",
                city,
                with_counterparts,
                with_partners,
                levels.get(authority_level, "") if authority_level else "",
                event_name,
                hk_participants,
                statuses[status],
                yes if status in COUNTING_STATUSES and removed_at is None else no,
                counted_since,
                people.get(reviewed_by_id, "") if reviewed_by_id else "",
                reviewed_at,
                review_comment,
                people.get(created_by_id, ""),
                created_at,
                updated_at,
                pk,
            )


class _Names:
    """Names of related objects (offices, counterparts) joined by "; ", in their model's
    order; the objects are all read beforehand, so the export's queries do not depend on
    its rows."""

    def __init__(self, objects: dict) -> None:
        self.names = {pk: obj.name for pk, obj in objects.items()}
        ordering = next(iter(objects.values()))._meta.ordering if objects else []
        fields = [key.lstrip("-") for key in ordering]
        self.keys = {
            pk: tuple(getattr(obj, f) for f in fields) + (pk,) for pk, obj in objects.items()
        }

    def of(self, ids: set) -> str:
        ids.discard(None)
        if not ids:
            return ""
        if len(ids) == 1:
            return self.names.get(next(iter(ids)), "")
        known = [pk for pk in ids if pk in self.names]
        return "; ".join(self.names[pk] for pk in sorted(known, key=self.keys.__getitem__))
