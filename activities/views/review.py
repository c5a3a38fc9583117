"""Submitting and reviewing: staff submit one or many; supervisors verify or return from the queue or an activity's page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.web import querystring_without

from .. import access, selectors, services
from ..access import get_activity_for_user
from ..filters import ReviewQueueFilter
from ..forms import (
    ReturnForm,
)
from ..models import Activity
from .activities import activity_page

QUEUE_PER_PAGE = 50


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
    access.require_can_log_activities(request.user)
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
    access.require_can_use_review_queue(user)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ids, action = _selected_ids(request), request.POST.get("action")
        if one := request.POST.get("row"):  # a row's own button: "verify:12" or "return:12"
            action, _sep, pk = one.partition(":")
            ids = [int(pk)] if pk.isdigit() and len(pk) <= 18 else []
        queue_ids = list(
            selectors.review_queue(user=user).filter(pk__in=ids).values_list("pk", flat=True)
        )
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
                if access.verified_by_someone_else(user, a)
            ]
        ):
            messages.error(
                request,
                _("Nothing was verified: %(reasons)s")
                % {"reasons": " ".join(access.four_eyes_reason(a) for a in theirs)},
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
    queue = selectors.review_queue(user=user)
    filters = ReviewQueueFilter(request.GET or None, queryset=queue, user=user)
    rows = filters.qs if filters.is_bound and filters.is_valid() else queue
    page = Paginator(rows, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    for activity in page.object_list:
        activity.someone_else_verifies = access.verified_by_someone_else(user, activity)
    return render(
        request,
        "activities/review_queue.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "waiting": queue.count() if filters.is_bound else page.paginator.count,
            "querystring": querystring_without(request, "page"),
            "four_eyes": settings.KPI_FOUR_EYES,
        },
        status=400 if form.errors or (filters.is_bound and not filters.is_valid()) else 200,
    )


@login_required
@require_POST
def activity_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify or return one activity from its own page."""
    activity = get_activity_for_user(request.user, pk)
    if not access.can_review(request.user, activity):
        raise PermissionDenied(access.review_refused())
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
