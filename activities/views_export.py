"""CSV and XLSX downloads of the activity list: the same query string, the same rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from reports.exports import ActivityExport, render_csv, render_xlsx

RENDERERS = {"csv": render_csv, "xlsx": render_xlsx}


@require_GET
@login_required
def activity_export(request: HttpRequest, fmt: str) -> HttpResponse:
    render = RENDERERS.get(fmt)
    if render is None:
        raise Http404
    return render(ActivityExport.of_list(user=request.user, data=request.GET))
