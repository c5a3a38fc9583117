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
from offices.models import AS_OF_VALIDATORS, DAY_VALIDATORS, Indicator, Office, Region
from planning import access as planning_access
from planning.models import Plan, PlanConflict, PlanStatus, ProgressNote
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


# --- planning ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberFilter(django_filters.NumberFilter):
    """A month or an id: a whole number."""

    field_class = forms.IntegerField


class PlanFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("On or after this day (its last day)"),
        field_name="ends_on",
        lookup_expr="gte",
        validators=DAY_VALIDATORS,
    )
    date_to = django_filters.DateFilter(
        label=_("On or before this day (its first day)"),
        field_name="starts_on",
        lookup_expr="lte",
        validators=DAY_VALIDATORS,
    )
    office = CodeFilter(
        label=_("Led or joined by this office, with its units (code)"),
        queryset=Office.objects.all(),
        method="filter_office",
    )
    indicator = CodeFilter(label=_("Indicator (code)"), queryset=Indicator.objects.all())
    region = CodeFilter(label=_("Region (code)"), queryset=Region.objects.all())
    counterpart = WholeNumberFilter(
        label=_("With this counterpart (id)"),
        min_value=1,
        max_value=2**63 - 1,
        method="filter_counterpart",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status (of the plans seen in full: a summary has none)"),
        choices=PlanStatus.choices,
        method="filter_status",
    )

    class Meta:
        model = Plan
        fields = ["date_from", "date_to", "office", "indicator", "region", "counterpart", "status"]

    def filter_office(self, queryset, name, office):
        if office is None:
            return queryset
        return planning_access.plans_of_office(self.request.user, queryset, office)

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        return planning_access.plans_in_full(self.request.user, queryset).filter(status=value)

    def filter_counterpart(self, queryset, name, value):
        if value is None:
            return queryset
        through = Plan.counterparts.through.objects.filter(counterpart_id=value)
        return queryset.filter(pk__in=through.values("plan_id"))


class PlanConflictFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("open: not closed and the plan still ahead; closed: every other"),
        choices=[("open", _("Open")), ("closed", _("Closed"))],
        method="filter_state",
    )

    class Meta:
        model = PlanConflict
        fields = ["state"]

    def filter_state(self, queryset, name, value):
        still_open = PlanConflict.objects.open().values("pk")
        if value == "open":
            return queryset.filter(pk__in=still_open)
        return queryset.exclude(pk__in=still_open)


class ProgressNoteFilter(django_filters.FilterSet):
    office = CodeFilter(label=_("Office or unit (code)"), queryset=Office.objects.all())
    indicator = CodeFilter(label=_("Indicator (code)"), queryset=Indicator.objects.all())
    year = YearFilter(label=_("Year"), min_value=2000, max_value=2100)
    month = WholeNumberFilter(label=_("Month"), min_value=1, max_value=12)

    class Meta:
        model = ProgressNote
        fields = ["office", "indicator", "year", "month"]
