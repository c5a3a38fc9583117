"""Dashboards. Thin: the figures come from reports.dashboard."""

from __future__ import annotations

import datetime as dt

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from activities import access as activities_access
from activities import selectors as activities_selectors
from common.web import form_status
from offices.access import get_office_for_user
from offices.models import AS_OF_VALIDATORS
from planning import access as planning_access
from planning.selectors import PLANNED_RULE

from .. import access, progress
from ..dashboard import dashboard, default_as_of

SORTS = {"office", "-office"}

# plotly.js sets inline styles on the charts it draws: the Content Security Policy allows
# them on the pages with charts only (scripts stay our own files everywhere).
charts_csp = csp_update({"style-src": [UNSAFE_INLINE]})


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=AS_OF_VALIDATORS,
    )


def _year_and_date(request: HttpRequest) -> tuple[PeriodForm, int, dt.date]:
    """This year as of today by default; a past year as of its last day. A value refused
    (an "as of" day still to come, a year out of range) is said on the page, which answers
    400 and shows the figures as of the default instead."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    year = cleaned.get("year") or today.year
    as_of = cleaned.get("as_of") or default_as_of(year, today=today)
    return form, year, as_of


def _context(request, data, form) -> dict:
    return {
        "data": data,
        "form": form,
        "chart_data": data.chart_data(),
        "status_rule": progress.STATUS_RULE,
        "arithmetic_rule": progress.ARITHMETIC_RULE,
        "planned_rule": PLANNED_RULE,
        "year_start": dt.date(data.year, 1, 1),
        "today": timezone.localdate(),
        "years": range(data.year - 1, data.year + 2),
    }


@login_required
@require_GET
@charts_csp
def bureau_dashboard(request: HttpRequest) -> HttpResponse:
    access.require_can_see_bureau_dashboard(request.user)
    form, year, as_of = _year_and_date(request)
    data = dashboard(year=year, as_of=as_of)
    context = _context(request, data, form)
    context["sees_conflicts"] = planning_access.can_see_conflict_board(request.user)
    context["sees_gaps"] = planning_access.can_see_gaps(request.user)
    return render(request, "reports/bureau_dashboard.html", context, status=form_status(form))


@login_required
@require_GET
@charts_csp
def office_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    office = get_office_for_user(request.user, code)
    form, year, as_of = _year_and_date(request)
    data = dashboard(year=year, as_of=as_of, office=office)
    context = _context(request, data, form)
    context["office"] = office
    context["regions_covered"] = office.regions.all()
    today = timezone.localdate()
    context["note_month"] = dt.date(today.year, today.month, 1)
    context["can_write_note"] = planning_access.can_write_note(request.user, office)
    context["can_reply_note"] = planning_access.can_reply_note(request.user)
    if activities_access.has_own_work_at(request.user, office):
        context["work"] = activities_selectors.work_of(request.user)
    return render(request, "reports/office_dashboard.html", context, status=form_status(form))
