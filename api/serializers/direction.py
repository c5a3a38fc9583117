"""The bureau's direction over the API: the conflicts recorded when a plan went ahead past
its warnings, and the offices' monthly progress notes with the bureau's replies."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from offices.models import Indicator, Office
from planning.models import PlanConflict, ProgressNote

from .fields import CodeField, version_field


class PlanConflictSerializer(serializers.ModelSerializer):
    """A warning someone saved a plan past, with their reason."""

    plan = serializers.PrimaryKeyRelatedField(read_only=True)
    lead_office = serializers.CharField(
        source="plan.lead_office.code", read_only=True, help_text=_("The plan's office (code).")
    )
    office = CodeField(read_only=True, help_text=_("The other office concerned (code)."))
    other_plans = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    other_activities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    is_open = serializers.SerializerMethodField(
        help_text=_("Not closed, and the plan still ahead (planned or confirmed).")
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PlanConflict
        fields = [
            "id",
            "plan",
            "lead_office",
            "office",
            "kinds",
            "message",
            "reason",
            "other_plans",
            "other_activities",
            "is_open",
            "created_by",
            "created_at",
            "closed_at",
            "closed_by",
            "closed_how",
            "closing_note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_open(self, conflict: PlanConflict) -> bool:
        return not conflict.is_closed and conflict.plan.is_open


class ConflictCloseSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, help_text=_("What the offices should do, or why it is closed.")
    )


class ProgressNoteSerializer(serializers.ModelSerializer):
    """An office's note on one indicator for one month, and the bureau's reply."""

    office = CodeField(read_only=True)
    indicator = CodeField(read_only=True)
    written_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    replied_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ProgressNote
        fields = [
            "id",
            "office",
            "indicator",
            "year",
            "month",
            "text",
            "written_by",
            "written_at",
            "reply",
            "replied_by",
            "replied_at",
            "version",
        ]
        read_only_fields = fields


def _refuse_unknown(serializer: serializers.Serializer) -> None:
    """A key that is neither written nor read is a mistake (a typo would look saved)."""
    known = set(serializer.fields) | set(ProgressNoteSerializer.Meta.fields)
    unknown = sorted(set(serializer.initial_data) - known)
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})


class NoteCreateSerializer(serializers.Serializer):
    office = CodeField(queryset=Office.objects.none())
    indicator = CodeField(queryset=Indicator.objects.filter(is_active=True))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    text = serializers.CharField(max_length=2000)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Office.objects.active()
        if user is not None:  # None only when the schema is generated
            offices = offices.filter(pk__in=user.office_scope_ids())
        self.fields["office"].queryset = offices

    def validate(self, attrs: dict) -> dict:
        _refuse_unknown(self)
        return attrs


class NoteUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    version = version_field()

    def validate(self, attrs: dict) -> dict:
        _refuse_unknown(self)
        return attrs


class NoteReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000)
    version = version_field()
