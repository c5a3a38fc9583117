"""The bureau's gaps: regions nobody has engaged or planned to engage lately, and
counterparts of high level not contacted this year (docs/domain.md, "Planning")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.web import form_status, querystring_without

from .. import access, selectors
from .forms import GapsForm

PER_PAGE = 50


@login_required
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    access.require_see_gaps(request.user)
    today = timezone.localdate()
    default = selectors.gap_months()
    form = GapsForm(request.GET or None, default=default)
    months = (form.cleaned_data.get("months") if form.is_valid() else None) or default
    regions = selectors.region_gaps(today=today, months=months)
    counterparts = Paginator(selectors.counterpart_gaps(year=today.year), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "planning/direction/gaps.html",
        {
            "form": form,
            "months": months,
            "since": selectors.months_back(today, months),
            "today": today,
            "regions": regions,
            "page": counterparts,
            "querystring": querystring_without(request, "page"),
        },
        status=form_status(form),
    )
