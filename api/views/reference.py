"""Reference data: regions, offices, indicators, counterparts and targets. Read only."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from offices import access as offices_access
from offices.access import get_office_for_user
from offices.models import AnnualTarget, Counterpart, Indicator, Office, OfficeTarget, Region

from .. import serializers
from ..schema import FORBIDDEN


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The provinces, municipalities and autonomous regions the offices cover."""

    serializer_class = serializers.RegionSerializer
    queryset = Region.objects.all()
    lookup_field = "code"
    lookup_value_regex = serializers.CODE_PATTERN
    pagination_class = None


class OfficeViewSet(viewsets.ReadOnlyModelViewSet):
    """The offices and units the user may see, with their units and the regions they cover.
    Office users see their own office (with its units); the bureau sees all."""

    serializer_class = serializers.OfficeSerializer
    lookup_field = "code"
    lookup_value_regex = serializers.CODE_PATTERN
    pagination_class = None

    def get_queryset(self):
        return (
            Office.objects.visible_to(self.request.user)
            .select_related("parent")
            .prefetch_related(
                Prefetch("units", queryset=Office.objects.only("id", "code", "parent_id")),
                Prefetch("regions", queryset=Region.objects.only("id", "code")),
            )
        )

    def get_object(self):
        office = get_office_for_user(self.request.user, self.kwargs["code"])
        return self.get_queryset().get(pk=office.pk)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IndicatorSerializer
    queryset = Indicator.objects.all()
    lookup_field = "code"
    lookup_value_regex = serializers.CODE_PATTERN
    pagination_class = None


class CounterpartFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name contains (English or Chinese)"), method="search")
    type = django_filters.ChoiceFilter(choices=Counterpart.Type.choices)
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", label=_("Region (code)")
    )

    class Meta:
        model = Counterpart
        fields = ["q", "type", "region"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(name_en__icontains=value)
            | Q(name_zh_hant__icontains=value)
            | Q(name_zh_hans__icontains=value)
        )


class CounterpartViewSet(viewsets.ReadOnlyModelViewSet):
    """Counterparts to name on an activity (by id): authorities, media, partners..."""

    serializer_class = serializers.CounterpartSerializer
    queryset = Counterpart.objects.filter(is_active=True).select_related("region")
    filterset_class = CounterpartFilter
    lookup_value_regex = serializers.ID_PATTERN


class TargetsView(APIView):
    """The bureau's targets for a year and each office's share. Bureau users only, as on
    the Targets page."""

    @extend_schema(
        parameters=[serializers.YearQuerySerializer],
        responses={200: serializers.TargetsSerializer, 403: FORBIDDEN},
    )
    def get(self, request):
        offices_access.require_can_view_targets(request.user)
        query = serializers.YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        data = {
            "year": year,
            "bureau": AnnualTarget.objects.filter(year=year).select_related("indicator"),
            "offices": OfficeTarget.objects.filter(year=year).select_related("indicator", "office"),
        }
        return Response(serializers.TargetsSerializer(data).data)
