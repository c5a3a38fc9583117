"""The API's filters: the activity list's own (activities.filters), with offices,
indicators and regions named by code, and a few that scripts need."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from activities.filters import ActivityFilter
from activities.models import Activity
from offices.models import AS_OF_VALIDATORS, Indicator, Office, Region
from reports.models import PublishedReport, ReportFormat


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelChoiceFilter):
    """An office, indicator or region by its code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


class ApiActivityFilter(ActivityFilter):
    office = CodeFilter(
        label=_("Office, with its units: what it led or joined (code)"),
        queryset=Office.objects.none(),
        method="filter_office",
    )
    unit = CodeFilter(
        label=_("This office or unit alone: what it led or joined (code)"),
        queryset=Office.objects.none(),
        method="filter_unit",
    )
    lead = CodeFilter(
        label=_("Counted for this office, with its units (code)"),
        queryset=Office.objects.none(),
        method="filter_lead",
    )
    indicator = CodeFilter(label=_("Indicator (code)"), queryset=Indicator.objects.all())
    region = CodeFilter(label=_("Region (code)"), queryset=Region.objects.all())
    counted = django_filters.BooleanFilter(
        label=_("Only what counts (submitted or verified)"), method="filter_counted"
    )
    as_of = django_filters.DateFilter(
        label=_("Counting on this day (with counted=true: what the dashboard counted)"),
        method="filter_as_of",
        validators=AS_OF_VALIDATORS,
    )
    changed_since = django_filters.IsoDateTimeFilter(
        label=_("Changed at or after this time (ISO 8601), for keeping a copy in step"),
        field_name="updated_at",
        lookup_expr="gte",
    )
    sort = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(
            ("occurred_on", "date"),
            ("title", "title"),
            ("indicator__display_order", "indicator"),
            ("status", "status"),
            ("lead_office__code", "office"),
            ("updated_at", "changed"),
            ("id", "id"),
        ),
    )

    office_filters = ("office", "unit", "lead")

    class Meta(ActivityFilter.Meta):
        model = Activity
        fields = [*ActivityFilter.Meta.fields, "unit", "changed_since"]

    def filter_unit(self, queryset, name, office):
        if office is None:
            return queryset
        return queryset.involving_offices([office.pk])


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    """A year: a whole number (2026, not 2026.5)."""

    field_class = forms.IntegerField


class PublishedReportFilter(django_filters.FilterSet):
    year = YearFilter(label=_("Year"), field_name="date_from__year", min_value=2000, max_value=2100)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PublishedReport.Kind.choices)
    format = django_filters.ChoiceFilter(label=_("Format"), choices=ReportFormat.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=PublishedReport.State.choices)

    class Meta:
        model = PublishedReport
        fields = ["year", "kind", "format", "state"]
