"""Periods: each month's entry window, and reopening a closed month (offices ask, the bureau decides)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.web import apply_errors, form_status

from .. import access, services
from ..forms import (
    ReopeningDecisionForm,
    ReopeningRequestForm,
)
from ..models import PeriodReopening
from ..periods import period_states


def _recent_months(today: dt.date, count: int = 12) -> list[dt.date]:
    months, day = [], today.replace(day=1)
    for _i in range(count):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return months


@login_required
def periods(request: HttpRequest) -> HttpResponse:
    user = request.user
    office = user.office
    states = _period_states_of(user)
    closed = [(f"{s.year}-{s.month:02d}", s.label) for s in states if not s.is_open]
    request_form = None
    if access.can_ask_reopening(user):
        request_form = ReopeningRequestForm(
            request.POST if request.method == "POST" else None,
            user=user,
            closed_months=closed,
            initial={"office": office.pk},
        )
        if request_form.is_bound and request_form.is_valid():
            year, month = (int(part) for part in request_form.cleaned_data["month"].split("-"))
            try:
                services.reopening_request(
                    user=user,
                    office=request_form.cleaned_data["office"],
                    year=year,
                    month=month,
                    reason=request_form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_errors(request_form, exc)
            else:
                messages.success(request, _("Your request was sent to the bureau admins."))
                return redirect("activities:periods")
    elif request.method == "POST":
        access.require_can_ask_reopening(user)
    return _periods_page(
        request, states=states, request_form=request_form, status=form_status(request_form)
    )


def _period_states_of(user) -> list:
    """The last twelve months of the user's office, open or closed; none for the bureau."""
    if not user.office:
        return []
    today = timezone.localdate()
    return period_states(office=user.office, days=_recent_months(today), today=today)


def _periods_page(request: HttpRequest, *, states, request_form=None, status: int = 200):
    user = request.user
    reopenings = PeriodReopening.objects.select_related("office", "requested_by", "decided_by")
    if not user.is_bureau:
        reopenings = reopenings.filter(office_id__in=user.office_scope_ids())
    pending = (
        [r for r in reopenings if r.state == PeriodReopening.State.REQUESTED]
        if access.can_decide_reopening(user)
        else []
    )
    return render(
        request,
        "activities/periods.html",
        {
            "states": states,
            "request_form": request_form,
            "reopenings": reopenings[:50],
            "pending": pending,
            "decision_form": ReopeningDecisionForm(),
            "close_day": settings.KPI_PERIOD_CLOSE_DAY,
        },
        status=status,
    )


@login_required
@require_POST
def reopening_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A refused decision (the form's errors, or the rule's) comes back on the Periods page
    with 400, and nothing is recorded."""
    access.require_can_decide_reopening(request.user)
    reopening = get_object_or_404(PeriodReopening, pk=pk)
    form = ReopeningDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _periods_page(request, states=_period_states_of(request.user), status=400)
    try:
        services.reopening_decide(
            user=request.user,
            reopening_id=reopening.pk,
            grant=form.cleaned_data["decision"] == "grant",
            open_until=form.cleaned_data["open_until"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _periods_page(request, states=_period_states_of(request.user), status=400)
    messages.success(request, _("Decision recorded."))
    return redirect("activities:periods")
