from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from planning.selectors import PLANNED_RULE

from .. import selectors


@login_required
@require_GET
def office_list(request: HttpRequest) -> HttpResponse:
    """Every office the person may see, with its units rolled up, and the bureau totals:
    the same figures as the bureau's dashboard (reports.selectors.office_figures)."""
    today = timezone.localdate()
    figures = selectors.office_figures(year=today.year, as_of=today, viewer=request.user)
    visible = [o for o in figures.offices if o.parent_id is None and request.user.can_see_office(o)]
    prefetch_related_objects(visible, "regions")
    rows = [
        figures.row(top, units=[o for o in figures.offices if o.parent_id == top.pk])
        for top in visible
    ]
    return render(
        request,
        "offices/office_list.html",
        {
            "indicators": figures.indicators,
            "totals": figures.bureau(),
            "rows": rows,
            "year": today.year,
            "as_of": today,
            "planned_rule": PLANNED_RULE,
        },
    )
