"""CSV and XLSX downloads of the activity list: the same query string, the same rows.

A database that cannot be reached gets a 503 page before the download starts (a workbook
is made in the view); a CSV, streamed, whose connection is lost is cut short and says so
(`common.exports.render_csv`). Every download is on the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from audit.models import Kind
from audit.services import record
from common.exports import render_csv
from common.middleware.database import database_errors_as_503
from common.xlsx import render_xlsx

from ..exports import ActivityExport
from ..selectors import activity_list as activity_list_for
from .activities import activity_list as activity_list_page

RENDERERS = {"csv": render_csv, "xlsx": render_xlsx}


@require_GET
@login_required
@database_errors_as_503(
    _(
        "The connection to the database was lost, so the download could not be made. "
        "Try again in a minute."
    )
)
def activity_export(request: HttpRequest, fmt: str) -> HttpResponse:
    render = RENDERERS.get(fmt)
    if render is None:
        raise Http404
    activity_filter = activity_list_for(user=request.user, data=request.GET)
    if activity_filter.is_bound and not activity_filter.is_valid():
        # A download of other rows than the ones asked for would mislead: the list page
        # says what was refused (400), and nothing is downloaded.
        return activity_list_page(request)
    export = ActivityExport(activity_filter.qs)
    record(
        Kind.EXPORT,
        f"{export.filename}.{fmt} {request.GET.urlencode()}".strip(),
        details={"format": fmt, "query": request.GET.urlencode()[:1000]},
    )
    return render(export)
