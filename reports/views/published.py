"""A published report: its page (with what changed since), its progress while generated, and its file, checked against its SHA-256 before it is served."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .. import access, services
from ..downloads import ALTERED_MESSAGE, stored_file_response
from ..models import PublishedReport
from ..selectors import report_changes


def _get_published(request: HttpRequest, pk: int) -> PublishedReport:
    access.require_can_see_published(request.user)
    return get_object_or_404(
        PublishedReport.objects.select_related("office", "requested_by"), pk=pk
    )


@require_GET
@login_required
def published_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_published(request, pk)
    changes = report_changes([report]).get(report.pk)
    return render(
        request,
        "reports/published_detail.html",
        {
            "report": report,
            "changes": changes,
            "progress": services.report_progress(report),
        },
    )


@require_GET
@login_required
def published_status(request: HttpRequest, pk: int) -> JsonResponse:
    """For the page's script while a report is generated."""
    report = _get_published(request, pk)
    response = JsonResponse(
        {
            "state": report.state,
            "label": report.get_state_display(),
            "percent": services.report_progress(report),
            "url": reverse("reporting:published", args=[report.pk]),
        }
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
def published_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored file, byte for byte, with its SHA-256 in the Repr-Digest header (RFC 9530)."""
    report = _get_published(request, pk)
    if not report.is_done:
        raise Http404
    try:
        return stored_file_response(report)
    except services.PublishedFileAltered:
        response = render(
            request,
            "reports/published_altered.html",
            {"report": report, "message": ALTERED_MESSAGE},
            status=409,
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
