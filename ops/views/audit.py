"""The audit trail and the sign-in lock-outs, for bureau admins. Both are read-only but for
lifting a lock-out; nothing on the trail can be changed or deleted from the site."""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AuditEvent, Kind
from audit.services import record
from common.web import querystring_without

from ..access import require_can_see_audit_trail
from ..filters import AuditEventFilter

PER_PAGE = 50


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    require_can_see_audit_trail(request.user)
    events = AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.for_list())
    status = 400 if events.is_bound and not events.is_valid() else 200
    page = Paginator(events.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/event_list.html",
        {"filter": events, "page": page, "querystring": querystring_without(request, "page")},
        status=status,
    )


def locked_out_attempts():
    """Lock-outs in force: attempts at or past the limit whose cool-off has not ended."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.order_by("-attempt_time")


@login_required
@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    require_can_see_audit_trail(request.user)
    cool_off = get_cool_off()
    attempts = [
        (attempt, attempt.attempt_time + cool_off if cool_off else None)
        for attempt in locked_out_attempts()
    ]
    return render(
        request,
        "audit/lockouts.html",
        {"attempts": attempts, "failure_limit": settings.AXES_FAILURE_LIMIT},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lockout_lift(request: HttpRequest, pk: int) -> HttpResponse:
    require_can_see_audit_trail(request.user)
    attempt = get_object_or_404(locked_out_attempts(), pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            reset(ip=attempt.ip_address, username=attempt.username)
            record(
                Kind.LOCKOUT_LIFTED,
                f"{attempt.username} from {attempt.ip_address}",
                request=request,
                subject_username=attempt.username or "",
                details={"ip_address": attempt.ip_address},
            )
        messages.success(
            request,
            _("%(username)s can sign in again from %(address)s.")
            % {"username": attempt.username, "address": attempt.ip_address},
        )
        return redirect("audit:lockouts")
    return render(request, "audit/lockout_lift.html", {"attempt": attempt})
