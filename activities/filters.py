import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.models import Indicator

from .models import Activity, Status


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), queryset=Indicator.objects.all(), empty_label=_("All indicators")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="occurred_on", lookup_expr="gte"
    )
    date_to = django_filters.DateFilter(label=_("To"), field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = Activity
        fields = ["q", "indicator", "status", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(city__icontains=value) | Q(notes__icontains=value)
        )
