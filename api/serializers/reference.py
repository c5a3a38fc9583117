"""Reference data: regions, offices, indicators, counterparts and the year's targets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from offices.models import (
    AnnualTarget,
    Counterpart,
    Indicator,
    Office,
    OfficeTarget,
    Region,
)

from .fields import CodeField


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Region
        fields = ["code", "kind", "name", "name_en", "name_zh_hant", "name_zh_hans"]


class OfficeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    city = serializers.CharField(read_only=True)
    parent = CodeField(
        read_only=True, allow_null=True, help_text=_("The Mainland Office a unit belongs to.")
    )
    units = CodeField(many=True, read_only=True, help_text=_("Its liaison units and centre."))
    regions = CodeField(many=True, read_only=True, help_text=_("The regions it covers."))

    class Meta:
        model = Office
        fields = [
            "code",
            "kind",
            "name",
            "name_en",
            "name_zh_hant",
            "name_zh_hans",
            "city",
            "city_en",
            "city_zh_hant",
            "city_zh_hans",
            "parent",
            "units",
            "regions",
            "opened_on",
            "is_active",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "name_zh_hant",
            "name_zh_hans",
            "description_en",
            "description_zh_hant",
            "description_zh_hans",
            "display_order",
            "is_active",
            "counterpart_types",
            "counterpart_required",
            "asks_authority_level",
            "asks_event_name",
        ]


class CounterpartSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    region = CodeField(read_only=True, allow_null=True)

    class Meta:
        model = Counterpart
        fields = ["id", "type", "name", "name_en", "name_zh_hant", "name_zh_hans", "region"]


class BureauTargetSerializer(serializers.ModelSerializer):
    indicator = CodeField(read_only=True)

    class Meta:
        model = AnnualTarget
        fields = ["indicator", "target", "source"]


class OfficeTargetSerializer(serializers.ModelSerializer):
    indicator = CodeField(read_only=True)
    office = CodeField(read_only=True)

    class Meta:
        model = OfficeTarget
        fields = ["office", "indicator", "target"]


class TargetsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    bureau = BureauTargetSerializer(many=True, help_text=_("All offices together."))
    offices = OfficeTargetSerializer(many=True, help_text=_("Each office's share."))


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=_("This year by default.")
    )
