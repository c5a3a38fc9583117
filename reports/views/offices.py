from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from offices.models import Office

from .. import selectors


@login_required
@require_GET
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
