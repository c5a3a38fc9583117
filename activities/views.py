"""Activity screens. Thin: forms clean input, services decide, selectors read."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.web import apply_errors, form_status, querystring_without

from . import conflicts, selectors, services
from .access import get_activity_for_user
from .evidence import EvidenceForm, can_add_evidence
from .forms import (
    COMMON_FIELDS,
    ActivityForm,
    RemoveForm,
    ReopeningDecisionForm,
    ReopeningRequestForm,
    ReturnForm,
)
from .models import Activity, PeriodReopening, Status
from .periods import period_state, period_states

PER_PAGE = 25
QUEUE_PER_PAGE = 50


def _period_notes(user) -> list:
    """This month and last month for the user's office: open until when, or closed since."""
    if user.office_id is None:
        return []
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return [period_state(office=user.office, day=day, today=today) for day in (today, last_month)]


# --- the list -------------------------------------------------------------------------


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    activity_filter = selectors.activity_list(user=request.user, data=request.GET)
    rows = selectors.paged_list(activity_filter, user=request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    totals = selectors.activity_totals(rows)
    indicators = {i.pk: i for i in activity_filter.filters["indicator"].queryset}
    editable_ids = {a.pk for a in page.object_list if services.can_edit(request.user, a)}
    return render(
        request,
        "activities/activity_list.html",
        {
            "filter": activity_filter,
            "page": page,
            "totals": totals,
            "totals_by_indicator": [
                (indicators[pk], n) for pk, n in totals["by_indicator"].items() if pk in indicators
            ],
            "totals_by_status": [
                (label, totals["by_status"].get(value, 0)) for value, label in Status.choices
            ],
            "editable_ids": editable_ids,
            "querystring": querystring_without(request, "page"),
            "export_query": querystring_without(request, "page"),
            "periods": _period_notes(request.user),
            "can_log": services.can_log_activities(request.user),
        },
        status=form_status(activity_filter.form),
    )


# --- log and edit ------------------------------------------------------------------------


def _form_context(form, **extra) -> dict:
    indicator_config = {
        str(i.pk): {
            "counterpart_types": i.counterpart_types,
            "counterpart_required": i.counterpart_required,
            "asks_authority_level": i.asks_authority_level,
            "asks_event_name": i.asks_event_name,
            "description": i.description,
        }
        for i in form.fields["indicator"].queryset
    }
    return {"form": form, "indicator_config": indicator_config, **extra}


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    services.require_can_log_activities(request.user)
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                activity = services.activity_create(
                    user=request.user, submit="submit" in request.POST, **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Saved “%(title)s” as %(status)s.")
                    % {"title": activity.title, "status": activity.get_status_display().lower()},
                )
                if "add_another" in request.POST:
                    keep = QueryDict(mutable=True)
                    for name in COMMON_FIELDS:
                        for value in request.POST.getlist(name):
                            keep.appendlist(name, value)
                    for value in request.POST.getlist("partners"):
                        keep.appendlist("partners", value)
                    return redirect(f"{reverse('activities:create')}?{keep.urlencode()}")
                return redirect("activities:detail", pk=activity.pk)
    else:
        initial = {
            name: request.GET.getlist(name) if name == "partners" else request.GET.get(name)
            for name in (*COMMON_FIELDS, "partners")
            if name in request.GET
        }
        if "lead_office" not in initial and request.user.office_id:
            initial["lead_office"] = request.user.office_id
        initial.setdefault("occurred_on", timezone.localdate())
        form = ActivityForm(initial=initial, user=request.user)
    return render(
        request,
        "activities/activity_form.html",
        _form_context(form, periods=_period_notes(request.user), creating=True),
        status=form_status(form),
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft or returned activity. A save made on a version someone else changed
    since is refused and the form comes back merged (activities/conflicts.py): the latest
    value of every field the person did not touch, their own changes, and a choice for each
    field both changed."""
    activity = get_activity_for_user(request.user, pk, write=True)
    if not services.can_edit(request.user, activity):
        messages.error(request, _locked_message(activity))
        return redirect("activities:detail", pk=activity.pk)
    merge = None
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user, activity=activity)
        if form.is_valid():
            base_version = form.cleaned_data["version"] or 0
            try:
                services.activity_update(
                    user=request.user,
                    activity_id=activity.pk,
                    expected_version=base_version,
                    **form.service_kwargs(),
                )
            except services.ConflictError as exc:
                activity = exc.activity
                merge = conflicts.activity_merge(
                    activity, base_version=base_version, mine=form.values()
                )
                form = ActivityForm(
                    initial=ActivityForm.initial_from_values(
                        merge.values,
                        version=merge.version,
                        confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                    ),
                    user=request.user,
                    activity=activity,
                    conflicts_to_choose=[change.name for change in merge.conflicts],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied:
                messages.error(request, _locked_message(activity))
                return redirect("activities:detail", pk=activity.pk)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("activities:detail", pk=activity.pk)
        elif form.conflict_names:
            # Back with an error before the choices were all made: name them again.
            merge = conflicts.activity_merge(
                activity,
                base_version=None,
                mine=form.values(form.conflict_names),
                until=form.cleaned_data.get("version"),
            )
        if merge is not None:
            form.describe_choices(merge)
    else:
        form = ActivityForm(
            initial=ActivityForm.initial_from(activity), user=request.user, activity=activity
        )
    return render(
        request,
        "activities/activity_form.html",
        _form_context(
            form,
            activity=activity,
            merge=merge,
            refused=merge is not None and not form.is_bound,
            period=period_state(office=activity.lead_office, day=activity.occurred_on),
            creating=False,
        ),
        status=409 if merge is not None and not form.is_bound else form_status(form),
    )


def _locked_message(activity) -> str:
    if activity.is_removed:
        return _("This activity was removed and can no longer be changed.")
    if activity.status == Status.VERIFIED:
        return _(
            "This activity is verified and locked. A supervisor of the office can return it "
            "to you if it needs a change."
        )
    if activity.status == Status.SUBMITTED:
        return _(
            "This activity is submitted and waits for verification. A supervisor can return "
            "it to you if it needs a change."
        )
    return _("You cannot change this activity.")


# --- one activity -----------------------------------------------------------------------


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return activity_page(request, get_activity_for_user(request.user, pk))


def activity_page(request: HttpRequest, activity: Activity, *, status: int = 200) -> HttpResponse:
    """The activity's page, also as the answer to a refused upload of evidence (400, with
    the reasons in the messages)."""
    user = request.user
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "counterparts": activity.counterparts.all(),
            "partners": activity.partners.all(),
            "participating": activity.participating_offices.all(),
            "history": selectors.activity_history(activity),
            "period": period_state(office=activity.lead_office, day=activity.occurred_on),
            "can_edit": services.can_edit(user, activity),
            "can_remove": services.can_remove(user, activity),
            "can_review": services.can_review(user, activity) and not activity.is_removed,
            "can_verify": services.can_verify(user, activity),
            "four_eyes_reason": (
                services.four_eyes_reason(activity)
                if services.verified_by_someone_else(user, activity)
                else ""
            ),
            "locked_message": _locked_message(activity),
            "return_form": ReturnForm(),
            "evidence": activity.evidence.select_related("uploaded_by"),
            "can_upload": can_add_evidence(user, activity),
            "evidence_form": EvidenceForm(),
        },
        status=status,
    )


@login_required
def activity_remove(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, write=True)
    if not services.can_remove(request.user, activity):
        messages.error(request, _locked_message(activity))
        return redirect("activities:detail", pk=activity.pk)
    if request.method == "POST":
        form = RemoveForm(request.POST)
        if form.is_valid():
            try:
                services.activity_remove(
                    user=request.user,
                    activity_id=activity.pk,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.ConflictError:
                form.add_error(
                    None,
                    _(
                        "The activity changed since you opened this page. Check it before removing it."
                    ),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The activity was removed. It stays on record with your reason.")
                )
                return redirect("activities:list")
    else:
        form = RemoveForm(initial={"version": activity.version})
    return render(
        request,
        "activities/activity_remove.html",
        {
            "activity": activity,
            "form": form,
            "period": period_state(office=activity.lead_office, day=activity.occurred_on),
        },
        status=form_status(form),
    )


# --- status changes --------------------------------------------------------------------------


def _selected_ids(request: HttpRequest) -> list[int]:
    """The ticked activities. The page only sends ids: anything else is a malformed request."""
    ids = []
    for value in request.POST.getlist("ids")[:500]:
        if not (value.isdigit() and len(value) <= 18):
            raise BadRequest("An activity id is a number.")
        ids.append(int(value))
    return ids


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def activities_submit(request: HttpRequest) -> HttpResponse:
    services.require_can_log_activities(request.user)
    ids = _selected_ids(request)
    visible = list(
        Activity.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if not visible:
        messages.error(request, _("Choose at least one activity to submit."))
        return _back(request, "activities:list")
    try:
        submitted = services.activities_submit(user=request.user, activity_ids=visible)
    except ValidationError as exc:
        messages.error(
            request, _("Nothing was submitted: %(reasons)s") % {"reasons": " ".join(exc.messages)}
        )
    except PermissionDenied:
        messages.error(
            request, _("Nothing was submitted: you cannot submit some of these activities.")
        )
    else:
        messages.success(
            request, _("%(count)d submitted for verification.") % {"count": len(submitted)}
        )
    return _back(request, "activities:list")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_supervisor or user.is_bureau_admin):
        raise PermissionDenied
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ids = _selected_ids(request)
        queue_ids = list(
            selectors.review_queue(user=user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        action = request.POST.get("action")
        if action not in ("verify", "return"):
            raise BadRequest("Verify or return.")
        if not form.is_valid():
            pass  # the comment comes back with its error, and nothing is done
        elif not queue_ids:
            messages.error(request, _("Choose at least one activity."))
        elif action == "verify" and (
            theirs := [
                a
                for a in selectors.review_queue(user=user).filter(pk__in=queue_ids)
                if services.verified_by_someone_else(user, a)
            ]
        ):
            messages.error(
                request,
                _("Nothing was verified: %(reasons)s")
                % {"reasons": " ".join(services.four_eyes_reason(a) for a in theirs)},
            )
        elif action == "verify":
            try:
                done = services.activities_verify(user=user, activity_ids=queue_ids)
                messages.success(request, _("%(count)d verified.") % {"count": len(done)})
            except ValidationError as exc:
                messages.error(
                    request,
                    _("Nothing was verified: %(reasons)s") % {"reasons": " ".join(exc.messages)},
                )
        elif action == "return":
            try:
                done = services.activities_return(
                    user=user, activity_ids=queue_ids, comment=form.cleaned_data["comment"]
                )
                messages.success(
                    request, _("%(count)d returned to their authors.") % {"count": len(done)}
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
                    form.add_error("comment", exc.error_dict["comment"])
                else:
                    messages.error(
                        request,
                        _("Nothing was returned: %(reasons)s")
                        % {"reasons": " ".join(exc.messages)},
                    )
        if not form.errors:
            return _back(request, "activities:review")
    page = Paginator(selectors.review_queue(user=user), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for activity in page.object_list:
        activity.someone_else_verifies = services.verified_by_someone_else(user, activity)
    return render(
        request,
        "activities/review_queue.html",
        {
            "page": page,
            "form": form,
            "querystring": querystring_without(request, "page"),
            "four_eyes": settings.KPI_FOUR_EYES,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def activity_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify or return one activity from its own page."""
    activity = get_activity_for_user(request.user, pk)
    if not services.can_review(request.user, activity):
        raise PermissionDenied
    action = request.POST.get("action")
    if action not in ("verify", "return"):
        raise BadRequest("Verify or return.")
    form = ReturnForm(request.POST)
    if not form.is_valid():  # a comment longer than the page lets anyone type
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return activity_page(request, activity, status=400)
    try:
        if action == "verify":
            services.activities_verify(user=request.user, activity_ids=[activity.pk])
            messages.success(request, _("Verified."))
        elif action == "return":
            services.activities_return(
                user=request.user,
                activity_ids=[activity.pk],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Returned to the author with your comment."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("activities:detail", pk=activity.pk)


# --- periods --------------------------------------------------------------------------------


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
    if office and not user.is_bureau:
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
        raise PermissionDenied  # offices ask to reopen a month; the bureau decides
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
        if user.is_bureau_admin
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
    if not request.user.is_bureau_admin:
        raise PermissionDenied
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
