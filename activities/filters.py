import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.models import Indicator, Office, Region

from .models import Activity, Status


class ActivityFilter(django_filters.FilterSet):
    """The filters of every activity list: page, totals and downloads."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), queryset=Indicator.objects.all(), empty_label=_("All indicators")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="occurred_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office or unit"),
        queryset=Office.objects.none(),
        empty_label=_("All offices and units"),
        method="filter_office",
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Newest first"),
        fields=(
            ("occurred_on", "date"),
            ("title", "title"),
            ("indicator__display_order", "indicator"),
            ("status", "status"),
            ("lead_office__code", "office"),
        ),
        field_labels={
            "occurred_on": _("Date, oldest first"),
            "-occurred_on": _("Date, newest first"),
            "title": _("Title, A to Z"),
            "-title": _("Title, Z to A"),
            "indicator__display_order": _("Indicator"),
            "-indicator__display_order": _("Indicator, reversed"),
            "status": _("Status"),
            "-status": _("Status, reversed"),
            "lead_office__code": _("Office"),
            "-lead_office__code": _("Office, reversed"),
        },
    )

    class Meta:
        model = Activity
        fields = ["q", "indicator", "status", "date_from", "date_to", "region", "office", "sort"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Office.objects.visible_to(user) if user is not None else Office.objects.all()
        self.filters["office"].queryset = offices
        self.form.fields["office"].queryset = offices

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(city__icontains=value)
            | Q(notes__icontains=value)
            | Q(event_name__icontains=value)
        )

    def filter_office(self, queryset, name, office):
        """An office with its units: what it leads and what it joined."""
        if office is None:
            return queryset
        return queryset.involving_offices(office.scope_ids())

    @property
    def qs(self):
        queryset = super().qs
        applied = tuple(queryset.query.order_by)
        if applied:
            # A tie-breaker, so the page and its download list equal rows in the same order.
            queryset = queryset.order_by(*applied, "-occurred_on", "-pk")
        else:
            queryset = queryset.order_by("-occurred_on", "-pk")
        return queryset
