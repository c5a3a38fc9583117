"""Progress against the targets: the dashboard's figures, from reports.dashboard."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import access as reports_access
from reports.dashboard import dashboard, default_as_of

from .. import serializers
from ..schema import FORBIDDEN, NOT_FOUND


class ProgressView(APIView):
    """Achieved, target, per cent, steady pace, projection and status per indicator, per
    office (with its units) and per month, for a year as of a day: the numbers of the
    bureau's or an office's dashboard, computed by the same code."""

    @extend_schema(
        tags=["progress"],
        parameters=[serializers.ProgressQuerySerializer],
        responses={
            200: serializers.ProgressSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request):
        query = serializers.ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        year = query.validated_data.get("year") or timezone.localdate().year
        as_of = query.validated_data.get("as_of") or default_as_of(year)
        code = query.validated_data.get("office")
        office = reports_access.progress_office(user, code)
        data = dashboard(year=year, as_of=as_of, office=office, notes=False)
        return Response(serializers.ProgressSerializer(data, context={"request": request}).data)
