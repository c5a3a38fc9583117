"""The activities as a download: the list page's rows, or a report's counted activities.
One row per activity, written by the shared writer (common.exports). On PostgreSQL every
cell is computed by PostgreSQL from the same queryset: the CSV's lines written by COPY
(`ActivityExport.copy_query`), the XLSX's rows read by a binary COPY (`ActivityExport.rows`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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

from common.copy_csv import CopyQuery, copy_rows
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

    On PostgreSQL the rows are one SELECT of the queryset with every cell computed in it,
    read by COPY (`rows`, `copy_query`); elsewhere they are read as plain values, not model
    instances, in one streamed query with the related lists joined in, offices, indicators,
    regions, counterparts and people read beforehand for their names (`values_rows`).
    Memory stays flat, the number of queries is the same for ten rows or a million, and a
    row costs a few microseconds of Python (docs/performance.md).
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
            # The rows of one activity must come together (`values_rows`): end with the id.
            queryset = queryset.order_by(*(order or ["-occurred_on"]), "-pk")
        self.queryset = queryset
        self.filename = filename or f"activities-{timezone.localdate():%Y-%m-%d}"
        self.progress = progress

    def rows(self) -> Iterator[tuple]:
        """On PostgreSQL, the rows as PostgreSQL computes them (`_select`): names and labels
        as text in the active language, times as Hong Kong wall times, read by a binary COPY
        without a value parsed from text; elsewhere `values_rows`. Either way the same cells."""
        try:
            query = self._select(for_csv=False)
        except EmptyResultSet:  # no rows can match (a user who may see none)
            return
        if query is None:
            yield from self.values_rows()
            return
        progress, every = self.progress, self.chunk_size
        if progress is None:
            yield from copy_rows(query)
            return
        for written, row in enumerate(copy_rows(query)):
            if written % every == 0:
                progress(written)
            yield row

    def values_rows(self) -> Iterator[tuple]:
        """The rows read as plain values, on any database: offices, indicators, regions,
        counterparts and people read beforehand for their names, then one streamed query."""
        yes, no = gettext("Yes"), gettext("No")
        statuses = {value: str(label) for value, label in Status.choices}
        levels = {value: str(label) for value, label in AuthorityLevel.choices}
        offices = {office.pk: office for office in Office.objects.all()}
        leads = {pk: (office.code, office.name) for pk, office in offices.items()}
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
            lead_code, lead_name = leads[lead_office_id]
            yield (
                occurred_on,
                indicators[indicator_id],
                title,
                lead_code,
                lead_name,
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
        """The rows of `rows()` as CSV lines that PostgreSQL writes (COPY), each column as
        the writer writes its cell: text neutralised, dates and times as text. A background
        job that reports its progress counts the rows as they are written, so it keeps
        `rows()`."""
        if self.progress is not None:
            return None
        try:
            return self._select(for_csv=True)
        except EmptyResultSet:  # no rows can match: the writer writes the header alone
            return None

    def _select(self, *, for_csv: bool) -> CopyQuery | None:
        """The rows as one SELECT of the same queryset (its filters, scope and order), each
        column computed by PostgreSQL in the active language: names by the same fallbacks
        as `.name`, choices and Yes/No as labels read now, people as `_person`, times in
        the current time zone, the related lists joined as `_Names` joins them. None where
        the database is not PostgreSQL; EmptyResultSet where no row can match."""
        queryset = self.queryset
        if connections[queryset.db].vendor != "postgresql":
            return None
        columns = _copy_columns(for_csv=for_csv)
        values = queryset.annotate(**{name: c for name, (c, _type) in columns.items()})
        values = values.values_list(*columns)
        sql, params = values.query.get_compiler(using=values.db).as_sql()
        types = [] if for_csv else [db_type for _expression, db_type in columns.values()]
        return CopyQuery(sql, params, values.db, types)


# What str.strip() strips (get_full_name strips the joined names), for btrim.
_WHITESPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())


def _copy_columns(*, for_csv: bool) -> dict[str, tuple[Expression, str]]:
    """The columns of `ActivityExport.rows()` as SQL, in order, named so as not to clash with
    the activity's fields, each with its PostgreSQL type. For the CSV (`for_csv`) each is the
    cell's text as the writer writes it (`neutralised`, dates and times as text); for the
    rows, the values: text as it is, the date as a date, times as Hong Kong wall times."""
    yes, no = gettext("Yes"), gettext("No")
    text = neutralised if for_csv else _plain
    local_time = _local_time_text if for_csv else _local_time
    time_type = "text" if for_csv else "timestamp"
    expressions = (
        (
            Func(
                F("occurred_on"), Value("YYYY-MM-DD"), function="to_char", output_field=TextField()
            )
            if for_csv
            else F("occurred_on"),
            "text" if for_csv else "date",
        ),
        (text(localized_expression("indicator__name")), "text"),
        (text("title"), "text"),
        (text("lead_office__code"), "text"),
        (text(localized_expression("lead_office__name")), "text"),
        (_joined_names("participating_offices", text), "text"),
        (text(localized_expression("region__name")), "text"),  # no region: NULL or ""
        (text("city"), "text"),
        (_joined_names("counterparts", text), "text"),
        (_joined_names("partners", text), "text"),
        (_choice("authority_level", AuthorityLevel.choices, text=for_csv), "text"),
        (text("event_name"), "text"),
        (text("hk_participants"), "text"),
        (_choice("status", Status.choices, text=for_csv), "text"),
        (
            Case(
                When(
                    status__in=COUNTING_STATUSES,
                    removed_at__isnull=True,
                    then=Value(neutralise(yes) if for_csv else yes),
                ),
                default=Value(neutralise(no) if for_csv else no),
                output_field=TextField(),
            ),
            "text",
        ),
        (local_time("counted_since"), time_type),
        (text(_person_expression("reviewed_by")), "text"),  # nobody: NULL
        (local_time("reviewed_at"), time_type),
        (text("review_comment"), "text"),
        (text(_person_expression("created_by")), "text"),
        (local_time("created_at"), time_type),
        (local_time("updated_at"), time_type),
        (F("pk"), "int8"),
    )
    return {f"cell_{n}": column for n, column in enumerate(expressions)}


def _plain(expression: Expression | str) -> Expression:
    """A text column as it is (the XLSX writer neutralises its cells itself)."""
    return F(expression) if isinstance(expression, str) else expression


def _choice(field: str, choices, *, text: bool) -> Expression:
    """A choice's label, read now in the active language (`neutralise`d for the CSV's
    `text`); none (or unknown): NULL."""
    return Case(
        *(
            When(
                **{field: value},
                then=Value((neutralise(str(label)) if text else str(label)) or None),
            )
            for value, label in choices
        ),
        default=Value(None),
        output_field=TextField(),
    )


def _local_time(field: str) -> Expression:
    """A time as the wall time of the current time zone (a `timestamp` without zone): the
    writer's cell of the time, without converting it in Python."""
    return Func(
        F(field),
        Value(timezone.get_current_timezone_name()),
        arg_joiner=" AT TIME ZONE ",
        template="(%(expressions)s)",
        output_field=DateTimeField(),
    )


def _local_time_text(field: str) -> Expression:
    """As csv_cells writes a datetime: in the current time zone, to the minute."""
    return Func(
        _local_time(field),
        Value("YYYY-MM-DD HH24:MI"),
        function="to_char",
        output_field=TextField(),
    )


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


def _joined_names(field_name: str, text: Callable[[Expression], Expression]) -> Subquery:
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
        .annotate(names=text(names))
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
