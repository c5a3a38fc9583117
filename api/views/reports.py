"""Published reports: list, read, download, and (bureau admins) request a new one. The
rules are the Reports page's: reports.services and reports.forms."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports import access as reports_access
from reports import services
from reports.downloads import ALTERED_MESSAGE, stored_file_response
from reports.forms import PublishForm
from reports.models import PublishedReport
from reports.report_files import FORMATS

from .. import serializers
from ..filters import PublishedReportFilter
from ..schema import FORBIDDEN, header

# Every operation here refuses people outside the bureau (see `initial`).
BUREAU_ONLY = {403: FORBIDDEN}


@extend_schema(tags=["reports"])
@extend_schema_view(
    list=extend_schema(responses={200: serializers.PublishedReportSerializer, **BUREAU_ONLY}),
    retrieve=extend_schema(responses={200: serializers.PublishedReportSerializer, **BUREAU_ONLY}),
)
class PublishedReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reports published and kept, newest first. Bureau users only, as on the Reports page."""

    serializer_class = serializers.PublishedReportSerializer
    filterset_class = PublishedReportFilter
    lookup_value_regex = serializers.ID_PATTERN

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reports_access.require_can_see_published(request.user)

    def get_queryset(self):
        return PublishedReport.objects.select_related("office", "requested_by")

    @extend_schema(
        request=serializers.ReportRequestSerializer,
        parameters=[header("Location", codes=[202], description="The report, to follow.")],
        responses={202: serializers.PublishedReportSerializer, **BUREAU_ONLY},
    )
    def create(self, request):
        """Publish a report (bureau admins). It is generated in the background: follow
        its `state` until `done`, then `download`."""
        reports_access.require_can_publish(request.user)
        payload = serializers.ReportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        office = data.get("office")
        form = PublishForm(
            {
                "year": data["year"],
                "period": data["period"],
                "date_from": data.get("date_from") or "",
                "date_to": data.get("date_to") or "",
                "office": office.pk if office else "",
                "format": data["format"],
                "purpose": data.get("purpose", ""),
            },
            user=request.user,
        )
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    (field if field != "__all__" else "non_field_errors"): messages
                    for field, messages in form.errors.items()
                }
            )
        report = services.report_publish(
            user=request.user,
            scope=form.scope,
            fmt=data["format"],
            language=data.get("language") or form.language(),
            purpose=data.get("purpose", ""),
        )
        report.refresh_from_db()
        response = Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = request.build_absolute_uri(
            self.reverse_action("detail", args=[report.pk])
        )
        return response

    @extend_schema(
        parameters=[
            header("Repr-Digest", codes=[200], description="sha-256=:<base64>: (RFC 9530)"),
            header("Content-Disposition", codes=[200], description="attachment; filename=..."),
        ],
        responses={
            (200, *sorted({kind.split(";")[0] for _label, kind in FORMATS.values()})): (
                OpenApiResponse(OpenApiTypes.BINARY, description="The stored file, byte for byte.")
            ),
            **BUREAU_ONLY,
            409: OpenApiResponse(
                serializers.FileAlteredSerializer,
                description="The stored file does not match the SHA-256 recorded when it was "
                "published: it is not served.",
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk: int):
        """The stored file with its SHA-256 in the Repr-Digest header (RFC 9530); 404 while
        it is being generated or if it failed."""
        report = self.get_object()
        if not report.is_done:
            raise Http404
        try:
            return stored_file_response(report)
        except services.PublishedFileAltered:
            return Response(
                {"detail": str(ALTERED_MESSAGE), "code": "file_altered", "sha256": report.sha256},
                status=status.HTTP_409_CONFLICT,
                headers={"Cache-Control": "no-store"},
            )
