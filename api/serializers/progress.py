"""Progress: the query, and each indicator's figures for the bureau, an office and its units."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from offices.models import (
    not_after_today,
)
from planning.selectors import PLANNED_RULE
from reports.progress import ARITHMETIC_RULE, STATUS_RULE, STATUS_VALUES

from .fields import DayField


class ProgressQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=_("This year by default.")
    )
    as_of = DayField(
        required=False,
        validators=[not_after_today],
        help_text=_(
            "Count what was submitted by the end of this day, today or earlier (a day still "
            "to come is refused). Today by default, or the last day of a past year, as on "
            "the dashboard."
        ),
    )
    office = serializers.CharField(
        required=False,
        max_length=20,
        help_text=_(
            "An office's or unit's code: its own progress (with its units). Without it, the "
            "bureau's (bureau users) or the user's own office's."
        ),
    )


class FigureSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    achieved = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text=_("Achieved / target.")
    )
    expected = serializers.IntegerField(
        source="expected_rounded",
        allow_null=True,
        help_text=_("Where a steady pace would be by the “as of” day; null once the year is over."),
    )
    projected = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "The year-end figure at the pace so far, rounded down; null once the year is over."
        ),
    )
    status = serializers.ChoiceField(
        choices=STATUS_VALUES,
        allow_null=True,
        help_text=_(
            "ahead, on_track, at_risk or behind during the year (the rule is in "
            "status_rule); met or not_met once the year is over; null before 15 January or "
            "without a target."
        ),
    )
    status_label = serializers.CharField()
    still_needed = serializers.IntegerField(
        allow_null=True, help_text=_("Target − achieved, never below 0; null without a target.")
    )
    needed_per_month = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Still needed ÷ the months left in the year, rounded up; null without a target "
            "and once the year is over."
        ),
    )
    confirmed_ahead = serializers.IntegerField(
        help_text=_(
            "Confirmed plans dated after the “as of” day and within the year (the office's "
            "and its units'), one each: what is planned beside the projection, never part "
            "of achieved (the rule is in planned_rule)."
        )
    )
    planned_ahead = serializers.IntegerField(
        help_text=_("The same for plans not yet confirmed by a supervisor.")
    )


class UnitProgressSerializer(serializers.Serializer):
    office = serializers.CharField(source="office.code")
    name = serializers.CharField(source="office.name")
    figures = FigureSerializer(many=True)


class OfficeProgressSerializer(UnitProgressSerializer):
    units = UnitProgressSerializer(many=True)


class MonthSeriesSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    months = serializers.ListField(child=serializers.IntegerField(), min_length=12, max_length=12)
    last_year = serializers.ListField(
        child=serializers.IntegerField(), min_length=12, max_length=12
    )


class ProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    office = serializers.SerializerMethodField()
    indicators = FigureSerializer(many=True, source="figures")
    offices = OfficeProgressSerializer(many=True, source="rows")
    months = serializers.SerializerMethodField()
    status_rule = serializers.SerializerMethodField()
    planned_rule = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_office(self, data) -> str | None:
        return data.office.code if data.office else None

    @extend_schema_field(MonthSeriesSerializer(many=True))
    def get_months(self, data) -> list[dict]:
        return [
            {
                "indicator": f.indicator.code,
                "months": data.monthly.get(f.indicator.pk, [0] * 12),
                "last_year": data.monthly_last_year.get(f.indicator.pk, [0] * 12),
            }
            for f in data.figures
        ]

    def get_status_rule(self, data) -> str:
        return f"{STATUS_RULE} {ARITHMETIC_RULE}"

    def get_planned_rule(self, data) -> str:
        return str(PLANNED_RULE)
