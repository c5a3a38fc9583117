"""The Reports page: a report made now from the current data (downloaded, not kept), publishing one to keep, and the list of what was published. Thin: figures come from reports.report, rules from reports.services."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.exports import render_csv
from common.xlsx import SPOOL_MAX_BYTES

from .. import access, services
from ..downloads import record_export
from ..forms import PublishedFilterForm, PublishForm, ReportForm
from ..models import PublishedReport
from ..report_files import content_type, counted_activities
from ..selectors import report_changes

PER_PAGE = 20


@require_GET
@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    """The report form; for admins the publish form; for the bureau, the published reports."""
    access.require_can_have_reports(request.user)
    return _index(request, filters=request.GET)


def _index(request: HttpRequest, *, form=None, publish_form=None, filters=None, status=200):
    """The Reports page, also when a form comes back with errors (`filters` is the published
    list's query string, only on the page's own URL)."""
    user = request.user
    context = {"form": form or ReportForm(user=user, auto_id="report-%s")}
    if access.can_publish(user):
        context["publish_form"] = publish_form or PublishForm(user=user, auto_id="publish-%s")
    if access.can_see_all_offices(user):
        context.update(_published_context(request, filters))
    return render(request, "reports/report_index.html", context, status=status)


def _published_context(request: HttpRequest, data) -> dict:
    filters = PublishedFilterForm(data or None)
    reports = PublishedReport.objects.select_related("office", "requested_by")
    if filters.is_valid():
        if filters.cleaned_data["year"]:
            reports = reports.filter(date_from__year=filters.cleaned_data["year"])
        if filters.cleaned_data["kind"]:
            reports = reports.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["format"]:
            reports = reports.filter(format=filters.cleaned_data["format"])
    page = Paginator(reports, PER_PAGE).get_page((data or {}).get("page"))
    changes = report_changes(list(page.object_list))
    for report in page.object_list:
        report.changes = changes.get(report.pk)
    querystring = filters.data.copy() if filters.is_bound else {}
    if querystring:
        querystring.pop("page", None)
    return {
        "filters": filters,
        "page": page,
        "querystring": querystring.urlencode() if querystring else "",
    }


@require_GET
@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    """A report made now from the current data, not kept."""
    access.require_can_have_reports(request.user)
    form = ReportForm(request.GET, user=request.user, auto_id="report-%s")
    if not form.is_valid():
        return _index(request, form=form, status=400)
    scope, fmt = form.scope, form.cleaned_data["format"]
    access.require_may_have_report(request.user, scope.office)

    if fmt == "csv":  # streamed as the rows come: constant memory, visible progress
        record_export(f"report {scope.filename()}.csv", office=scope.office)
        return render_csv(counted_activities(scope))
    # A zip or a PDF is complete only at its end: written first, to disk once it is large.
    fileobj = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115 (closed by the response)
    services.report_write(scope, fmt, fileobj)
    fileobj.seek(0)
    record_export(f"report {scope.filename()}.{fmt}", office=scope.office)
    response = FileResponse(
        fileobj,
        as_attachment=True,
        filename=f"{scope.filename()}.{fmt}",
        content_type=content_type(fmt),
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
@login_required
def report_publish(request: HttpRequest) -> HttpResponse:
    access.require_can_publish(request.user)
    form = PublishForm(request.POST, user=request.user, auto_id="publish-%s")
    if not form.is_valid():
        return _index(request, publish_form=form, status=400)
    report = services.report_publish(
        user=request.user,
        scope=form.scope,
        fmt=form.cleaned_data["format"],
        language=form.language(),
        purpose=form.cleaned_data["purpose"],
    )
    report.refresh_from_db()
    if report.state == PublishedReport.State.DONE:
        messages.success(request, _("The report is published and kept. Its SHA-256 is below."))
    elif report.state == PublishedReport.State.FAILED:
        messages.error(request, _("The report could not be generated. Nothing was kept."))
    else:
        messages.info(
            request, _("The report is being generated. This page shows when it is ready.")
        )
    return redirect("reporting:published", pk=report.pk)
