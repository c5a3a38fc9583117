from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from activities.models import Activity
from reports import selectors

from .access import get_office_for_user
from .models import Office

RECENT_ACTIVITIES = 10


@login_required
def office_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    offices = list(
        Office.objects.visible_to(request.user)
        .filter(parent__isnull=True)
        .prefetch_related(
            Prefetch("units", queryset=Office.objects.order_by("sort_order")), "regions"
        )
    )
    overview = selectors.offices_overview(offices=offices, year=today.year, as_of=today)
    return render(
        request,
        "offices/office_list.html",
        {"overview": overview, "year": today.year, "as_of": today},
    )


@login_required
def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An office's page: who it is, its figures this year, and its activities."""
    office = get_office_for_user(request.user, code)
    today = timezone.localdate()
    progress = selectors.office_progress(office=office, year=today.year, as_of=today)
    involved = Activity.objects.not_removed().involving_offices(office.scope_ids())
    recent = list(
        involved.select_related("lead_office", "indicator", "region", "reviewed_by").order_by(
            "-occurred_on", "-pk"
        )[:RECENT_ACTIVITIES]
    )
    return render(
        request,
        "offices/office_detail.html",
        {
            "office": office,
            "units": office.units.order_by("sort_order") if not office.is_unit else [],
            "regions": office.regions.all(),
            "progress": progress,
            "year": today.year,
            "as_of": today,
            "recent": recent,
            "activity_count": involved.count(),
        },
    )
