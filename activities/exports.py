"""The activities as a download: the list page's rows, or a report's counted activities.
One row per activity, written by the shared writer (common.exports); on PostgreSQL the CSV's
rows are written by PostgreSQL itself, from the same queryset (`ActivityExport.copy_query`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Expression,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Collate, NullIf
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.copy_csv import CopyQuery
from common.exports import Column, Export, joined_text, neutralise, neutralised
from offices.i18n import localized_expression
from offices.models import Counterpart, Indicator, Office, Region

from .models import COUNTING_STATUSES, Activity, AuthorityLevel, Status


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

    def copy_query(self) -> CopyQuery | None:
        """The rows of `rows()` as one SELECT of the same queryset (its filters, scope and
        order), each column computed by PostgreSQL in the active language: names by the
        same fallbacks as `.name`, choices and Yes/No as labels read now, people as
        `_person`, times in the current time zone, the related lists joined as `_Names`
        joins them. A background job that reports its progress counts the rows as they are
        written, so it keeps `rows()`."""
        queryset = self.queryset
        if self.progress is not None or connections[queryset.db].vendor != "postgresql":
            return None
        columns = _copy_columns()
        values = queryset.annotate(**columns).values_list(*columns)
        try:
            sql, params = values.query.get_compiler(using=values.db).as_sql()
        except EmptyResultSet:  # no rows can match (a user who may see none)
            return None
        return CopyQuery(sql, params, values.db)


# What str.strip() strips (get_full_name strips the joined names), for btrim.
_WHITESPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())


def _copy_columns() -> dict[str, Expression]:
    """The columns of `ActivityExport.rows()` as SQL, in order, named so as not to clash with
    the activity's fields."""
    yes, no = gettext("Yes"), gettext("No")
    expressions = (
        Func(F("occurred_on"), Value("YYYY-MM-DD"), function="to_char", output_field=TextField()),
        neutralised(localized_expression("indicator__name")),
        neutralised("title"),
        neutralised("lead_office__code"),
        neutralised(localized_expression("lead_office__name")),
        _joined_names("participating_offices"),
        neutralised(localized_expression("region__name")),  # no region: NULL
        neutralised("city"),
        _joined_names("counterparts"),
        _joined_names("partners"),
        _choice("authority_level", AuthorityLevel.choices),
        neutralised("event_name"),
        neutralised("hk_participants"),
        _choice("status", Status.choices),
        Case(
            When(
                status__in=COUNTING_STATUSES,
                removed_at__isnull=True,
                then=Value(neutralise(yes)),
            ),
            default=Value(neutralise(no)),
            output_field=TextField(),
        ),
        _local_time("counted_since"),
        neutralised(_person_expression("reviewed_by")),  # nobody: NULL
        _local_time("reviewed_at"),
        neutralised("review_comment"),
        neutralised(_person_expression("created_by")),
        _local_time("created_at"),
        _local_time("updated_at"),
        F("pk"),
    )
    return {f"csv_{n}": expression for n, expression in enumerate(expressions)}


def _choice(field: str, choices) -> Expression:
    """A choice's label, read now in the active language; none (or unknown): NULL."""
    return Case(
        *(
            When(**{field: value}, then=Value(neutralise(str(label)) or None))
            for value, label in choices
        ),
        default=Value(None),
        output_field=TextField(),
    )


def _local_time(field: str) -> Expression:
    """As csv_cells writes a datetime: in the current time zone, to the minute."""
    local = Func(
        F(field),
        Value(timezone.get_current_timezone_name()),
        arg_joiner=" AT TIME ZONE ",
        template="(%(expressions)s)",
        output_field=DateTimeField(),
    )
    return Func(local, Value("YYYY-MM-DD HH24:MI"), function="to_char", output_field=TextField())


def _person_expression(path: str) -> Expression:
    """`_person`: the full name (get_full_name), else the username."""
    full_name = Func(
        joined_text(F(f"{path}__first_name"), Value(" "), F(f"{path}__last_name")),
        Value(_WHITESPACE),
        function="btrim",
        output_field=TextField(),
    )
    return Coalesce(
        NullIf(full_name, Value(""), output_field=TextField()),
        F(f"{path}__username"),
        output_field=TextField(),
    )


def _joined_names(field_name: str) -> Subquery:
    """`_Names.of` in SQL: the related objects' names joined by "; ", in their model's
    ordering then id, compared as Python compares them (code points: the "C" collation)."""
    field = Activity._meta.get_field(field_name)
    through = field.remote_field.through
    target = field.m2m_reverse_field_name()
    order = []
    for key in field.related_model._meta.ordering:
        name = key.lstrip("-")  # _Names sorts each key ascending
        expression = F(f"{target}__{name}")
        if isinstance(field.related_model._meta.get_field(name), CharField | TextField):
            expression = Collate(expression, "C")
        order.append(expression)
    names = StringAgg(
        localized_expression(f"{target}__name"), "; ", order_by=[*order, F(f"{target}_id")]
    )
    rows = (
        through.objects.filter(**{field.m2m_field_name(): OuterRef("pk")})
        .order_by()
        .values(field.m2m_field_name())
        .annotate(names=neutralised(names))
        .values("names")
    )
    return Subquery(rows, output_field=TextField())


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
