"""Conflicts: the warnings someone saved a plan past, with their reason. One page, scoped by
access: the bureau's board of every conflict, an office's list of those concerning it (its
plans, or plans another office was warned about it). Bureau admins close one with a note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.web import apply_errors, form_status, querystring_without
from offices.models import Office

from .. import access, selectors, services
from ..models import PlanConflict, WarningKind
from .forms import CloseConflictForm, ConflictFilterForm

PER_PAGE = 25
KIND_LABELS = dict(WarningKind.choices)


def _describe(conflicts, user) -> None:
    """What the page shows of each conflict's plan: its title and link only to those who
    see the plan in full (a summary is all another office may know of it)."""
    in_full = selectors.plans_seen_in_full(user, {c.plan_id for c in conflicts})
    for conflict in conflicts:
        conflict.plan_in_full = conflict.plan_id in in_full
        conflict.plan_link = (
            reverse("planning:detail", args=[conflict.plan_id]) if conflict.plan_in_full else None
        )
        conflict.kind_labels = [str(KIND_LABELS.get(kind, kind)) for kind in conflict.kinds]


@login_required
@require_GET
def conflict_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    board = access.can_see_conflict_board(user)
    offices = Office.objects.visible_to(user)
    form = ConflictFilterForm(request.GET or None, offices=offices)
    filters = form.cleaned_data if form.is_valid() else {}
    conflicts = selectors.conflicts_for(
        user,
        state=filters.get("state") or "open",
        office=filters.get("office"),
        kind=filters.get("kind", ""),
    )
    page = Paginator(conflicts, PER_PAGE).get_page(request.GET.get("page"))
    _describe(page.object_list, user)
    return render(
        request,
        "planning/direction/conflict_list.html",
        {
            "board": board,
            "filter_form": form,
            "page": page,
            "querystring": querystring_without(request, "page"),
            "can_close": access.can_close_conflict(user),
        },
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, with a note both offices see, then close."""
    conflict = get_object_or_404(
        access.conflicts_visible(
            request.user,
            PlanConflict.objects.select_related(
                "plan__lead_office", "plan__indicator", "office", "created_by"
            ),
        ),
        pk=pk,
    )
    access.require_close_conflict(request.user)
    if request.method == "POST":
        form = CloseConflictForm(request.POST)
        if form.is_valid():
            try:
                services.conflict_close(
                    user=request.user, conflict=conflict, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The conflict is closed."))
                return redirect("planning:conflicts")
    else:
        form = CloseConflictForm()
    _describe([conflict], request.user)
    return render(
        request,
        "planning/direction/conflict_close.html",
        {"conflict": conflict, "form": form},
        status=form_status(form),
    )
