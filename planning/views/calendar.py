"""The calendar: a month, a week, and the list of plans, with the same filters. Every
signed-in person sees every plan planning.access lets them see; others' plans as a
summary only."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.web import form_status, querystring_without

from .. import access
from .. import calendar as selectors
from ..forms import CalendarFilterForm, parse_day
from ..selectors import cancellations_by_reason

PER_PAGE = 50


def _filters(request: HttpRequest) -> CalendarFilterForm:
    return CalendarFilterForm(
        request.GET or None, counterparts=selectors.filter_counterparts(request.user)
    )


def _context(request: HttpRequest, form: CalendarFilterForm, view: str, **extra) -> dict:
    return {
        "filter_form": form,
        "filtered": bool(form.filters),
        "view": view,
        "today": timezone.localdate(),
        "can_plan": access.can_plan(request.user),
        # The filters, for the links between views and to the previous and next period.
        "filter_query": querystring_without(request, "month", "week", "page", "when"),
        **extra,
    }


@login_required
@require_GET
def calendar_month(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    day = parse_day(request.GET.get("month")) or today
    first, last, grid_start, grid_end = selectors.month_bounds(day)
    form = _filters(request)
    plans = selectors.calendar_plans(request.user, form.filters).overlapping(grid_start, grid_end)
    days = selectors.days_with_plans(plans, grid_start, grid_end, month=first.month, today=today)
    return render(
        request,
        "planning/calendar_month.html",
        _context(
            request,
            form,
            "month",
            first=first,
            weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
            weekdays=[d.date for d in days[:7]],
            any_plans=any(d.plans and d.in_month for d in days),
            previous=selectors.shift_month(first, -1),
            next=selectors.shift_month(first, 1),
        ),
        status=form_status(form),
    )


@login_required
@require_GET
def calendar_week(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    monday, sunday = selectors.week_bounds(parse_day(request.GET.get("week")) or today)
    form = _filters(request)
    plans = selectors.calendar_plans(request.user, form.filters).overlapping(monday, sunday)
    days = selectors.days_with_plans(plans, monday, sunday, month=None, today=today)
    return render(
        request,
        "planning/calendar_week.html",
        _context(
            request,
            form,
            "week",
            monday=monday,
            sunday=sunday,
            days=days,
            any_plans=any(d.plans for d in days),
            previous=monday - dt.timedelta(days=7),
            next=monday + dt.timedelta(days=7),
        ),
        status=form_status(form),
    )


WHEN = {"upcoming", "past", "all"}


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    """Every plan matching the filters, by date: those still to come by default."""
    today = timezone.localdate()
    when = request.GET.get("when") if request.GET.get("when") in WHEN else "upcoming"
    form = _filters(request)
    plans = selectors.calendar_plans(request.user, form.filters)
    if when == "upcoming":
        plans = plans.filter(ends_on__gte=today)
    elif when == "past":
        plans = plans.filter(ends_on__lt=today).reverse()
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/calendar_list.html",
        _context(
            request,
            form,
            "list",
            page=page,
            when=when,
            querystring=querystring_without(request, "page"),
            cancellations=cancellations_by_reason(request.user, year=today.year),
        ),
        status=form_status(form),
    )
