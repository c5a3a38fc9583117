"""A plan's pages: plan one, edit it, see it, confirm, cancel, log what happened. Thin:
the form cleans, planning.services decides, planning.calendar reads; every "may this
person" is asked of planning.access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.merge import three_way
from common.web import apply_errors, form_status
from offices.models import Counterpart

from .. import access, services
from .. import calendar as selectors
from ..forms import CancelForm, PlanForm, initial_from_values
from ..models import PlanStatus
from ..warnings import Proposal, plan_warnings


def _saved_message(request: HttpRequest, saved: services.PlanSaved, text: str) -> None:
    messages.success(request, text)
    if saved.warnings:
        messages.warning(
            request,
            ngettext(
                "A warning applies to this plan: see it below.",
                "%(count)d warnings apply to this plan: see them below.",
                len(saved.warnings),
            )
            % {"count": len(saved.warnings)},
        )


def _form_page(request, form, *, plan=None, warnings=(), changed=None, status=None):
    context = {
        "form": form,
        "plan": plan,
        # A confirmed plan whose date, place, office or indicator this person changes goes
        # back to "planned": the supervisor confirmed what it was.
        "reconfirm": plan is not None
        and plan.status == PlanStatus.CONFIRMED
        and not access.can_confirm_for_office(request.user, plan.lead_office),
        "creating": plan is None,
        "warnings": selectors.shown_warnings(request.user, list(warnings)),
        "changed": changed,
    }
    return render(
        request,
        "planning/plan_form.html",
        context,
        status=status or (400 if warnings else form_status(form)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    access.require_can_plan(request.user)
    if request.method == "GET":
        initial = {"starts_on": timezone.localdate()}
        if request.user.office_id:
            initial["lead_office"] = request.user.office_id
        return _form_page(request, PlanForm(initial=initial, user=request.user))
    form = PlanForm(request.POST, user=request.user)
    warnings = []
    if form.is_valid():
        try:
            saved = services.plan_create(user=request.user, **form.service_kwargs())
        except services.WarningsNeedReason as exc:
            warnings = exc.warnings
            form.ask_reason = True
            apply_errors(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _saved_message(request, saved, _("Planned “%(title)s”.") % {"title": saved.plan.title})
            return redirect("planning:detail", pk=saved.plan.pk)
    return _form_page(request, form, warnings=warnings)


def _initial_from(plan) -> dict:
    return initial_from_values(selectors.plan_values(plan), version=plan.version)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a plan still ahead. A save on a version someone changed since is refused, and
    the form comes back merged (common/merge.py): the latest value of each field the person
    did not touch, their own changes kept, and the fields both changed named with the other
    value, for the person to check."""
    plan = access.get_plan_in_full(request.user, pk)
    access.require_change(request.user, plan)
    if request.method == "GET":
        return _form_page(
            request, PlanForm(initial=_initial_from(plan), user=request.user), plan=plan
        )
    form = PlanForm(request.POST, user=request.user)
    warnings = []
    if form.is_valid():
        kwargs = form.service_kwargs()
        version = form.cleaned_data["version"] or 0
        try:
            saved = services.plan_update(user=request.user, plan=plan, version=version, **kwargs)
        except services.PlanChanged as exc:
            return _merged(request, form, exc.plan, version)
        except services.WarningsNeedReason as exc:
            warnings = exc.warnings
            form.ask_reason = True
            apply_errors(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _saved_message(request, saved, _("Changes saved."))
            return redirect("planning:detail", pk=plan.pk)
    return _form_page(request, form, plan=plan, warnings=warnings)


def _merged(request, form, plan, base_version: int) -> HttpResponse:
    """The form again after a stale save, merged three ways; nothing was saved."""
    plan = access.get_plan_in_full(request.user, plan.pk)
    if not access.can_change(request.user, plan):
        raise PermissionDenied(access.change_refused(plan))
    theirs = selectors.plan_values(plan)
    merge = three_way(selectors.plan_values_at(plan, base_version), form.values(), theirs)
    merged = PlanForm(
        initial=initial_from_values(
            merge.values,
            version=plan.version,
            warning_reason=form.cleaned_data.get("warning_reason", ""),
        ),
        user=request.user,
    )
    changed = {
        "by": plan.updated_by,
        "at": plan.updated_at,
        "taken": [merged[name].label for name in sorted(merge.theirs_changed - merge.conflicts)],
        "conflicts": [
            {"label": merged[name].label, "theirs": _shown(merged, name, theirs[name])}
            for name in sorted(merge.conflicts)
        ],
    }
    return _form_page(request, merged, plan=plan, changed=changed, status=409)


def _shown(form: PlanForm, name: str, value) -> str:
    """A value as the form offers it, for the person to read."""
    field = form.fields[name]
    if hasattr(field, "queryset"):
        ids = value if isinstance(value, frozenset) else {value}
        objects = list(field.queryset.filter(pk__in=[i for i in ids if i is not None]))
        return ", ".join(field.label_from_instance(o) for o in objects) or "—"
    if hasattr(field, "choices"):
        return str(dict(field.choices).get(value, value))
    return str(value) if value not in (None, "") else "—"


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about a plan, for those who see it in full (404 for the rest: the
    calendar shows them its summary)."""
    user = request.user
    plan = access.get_plan_in_full(user, pk)
    plan = (
        type(plan)
        .objects.select_related(
            "lead_office", "indicator", "region", "confirmed_by", "created_by", "activity"
        )
        .prefetch_related(
            Prefetch("counterparts", queryset=Counterpart.objects.order_by("pk")),
            "participating_offices",
            "attendees__office",
        )
        .get(pk=plan.pk)
    )
    today = timezone.localdate()
    warnings = plan_warnings(user, Proposal.of(plan)) if plan.is_open else []
    can_change = access.can_change(user, plan)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "warnings": selectors.shown_warnings(user, warnings),
            "conflicts": selectors.plan_conflicts(user, plan),
            "history": selectors.plan_history(plan),
            "can_change": can_change,
            "can_confirm": access.can_confirm(user, plan),
            "can_log": access.can_log_what_happened(user, plan, today=today),
            "log_refused": access.log_refused(plan, today=today) if can_change else "",
        },
    )


@login_required
@require_POST
def plan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_in_full(request.user, pk)
    if not access.can_confirm(request.user, plan):
        raise PermissionDenied(access.confirm_refused(plan))
    services.plan_confirm(user=request.user, plan=plan)
    messages.success(request, _("The plan is confirmed."))
    return redirect("planning:detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_in_full(request.user, pk)
    access.require_change(request.user, plan)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_cancel(
                user=request.user,
                plan=plan,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The plan is cancelled."))
            return redirect("planning:detail", pk=plan.pk)
    return render(
        request,
        "planning/plan_cancel.html",
        {"plan": plan, "form": form},
        status=form_status(form),
    )


@login_required
@require_POST
def plan_log(request: HttpRequest, pk: int) -> HttpResponse:
    """What happened, in one step: a draft activity made from the plan, to check and
    submit."""
    plan = access.get_plan_in_full(request.user, pk)
    try:
        activity = services.plan_log_activity(user=request.user, plan=plan)
    except ValidationError as exc:
        # What the activity needs and the plan lacks (a counterpart, a closed month...):
        # said on the plan's page, and nothing is saved.
        messages.error(
            request,
            _("What happened could not be logged from this plan: %(reasons)s")
            % {"reasons": " ".join(exc.messages)},
        )
        return redirect("planning:detail", pk=plan.pk)
    messages.success(request, _("Draft activity created from the plan: check it and submit."))
    return redirect("activities:edit", pk=activity.pk)
