"""Published reports, and the request that publishes one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from offices.models import (
    Office,
)
from reports.models import PublishedReport, ReportFormat

from .fields import CodeField, DayField


class PublishedReportSerializer(serializers.ModelSerializer):
    office = CodeField(read_only=True, allow_null=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = PublishedReport
        fields = [
            "id",
            "kind",
            "date_from",
            "date_to",
            "as_of",
            "office",
            "format",
            "language",
            "purpose",
            "state",
            "error",
            "requested_by",
            "requested_at",
            "completed_at",
            "filename",
            "size",
            "sha256",
            "activity_count",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, report) -> str | None:
        if not report.is_done:
            return None
        from django.urls import reverse

        url = reverse("api:report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    """A report to publish. The rules on dates are the Reports page's (reports.forms)."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    period = serializers.ChoiceField(
        choices=["year", "q1", "q2", "q3", "q4", "h1", "h2", "custom"], default="year"
    )
    date_from = DayField(required=False, help_text=_("Only with period “custom”."))
    date_to = DayField(required=False, help_text=_("Only with period “custom”."))
    office = CodeField(
        queryset=Office.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("An office's code; all offices when left out."),
    )
    format = serializers.ChoiceField(choices=ReportFormat.choices, default=ReportFormat.XLSX)
    language = serializers.ChoiceField(
        choices=["en", "zh-hant", "zh-hans"],
        required=False,
        help_text=_("Of the file's labels; the request's language by default."),
    )
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True)
