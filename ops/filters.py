import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent, Kind
from offices.models import DAY_VALIDATORS, Office


class AuditEventFilter(django_filters.FilterSet):
    """The audit trail page's filters."""

    kind = django_filters.ChoiceFilter(
        label=_("Event"), choices=Kind.choices, empty_label=_("All events")
    )
    who = django_filters.CharFilter(label=_("Username"), method="filter_who", max_length=150)
    office = django_filters.ModelChoiceFilter(
        label=_("Office or unit"),
        queryset=Office.objects.order_by("code"),
        empty_label=_("All offices and units"),
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DAY_VALIDATORS,
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DAY_VALIDATORS,
    )
    ip_address = django_filters.CharFilter(
        label=_("Address"), field_name="ip_address", max_length=45
    )
    q = django_filters.CharFilter(
        label=_("Details contain"), field_name="summary", lookup_expr="icontains", max_length=100
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "who", "office", "date_from", "date_to", "ip_address", "q"]

    def filter_who(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(actor_username__iexact=value) | Q(subject_username__iexact=value))

    def filter_queryset(self, queryset):
        ip = self.form.cleaned_data.get("ip_address")
        if ip:
            try:
                forms.GenericIPAddressField().clean(ip)
            except forms.ValidationError:
                return queryset.none()
        return super().filter_queryset(queryset)
