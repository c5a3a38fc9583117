"""The person's own sessions: where they are signed in, and ending the others."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..sessions import sessions_end_others, sessions_of


@never_cache
@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    rows = sessions_of(request.user, current_key=request.session.session_key)
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": rows, "others": sum(not row.current for row in rows)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Ask first, then end every session but this one."""
    if request.method == "POST":
        ended = sessions_end_others(user=request.user, request=request)
        messages.success(
            request,
            ngettext(
                "%(count)d other session was signed out.",
                "%(count)d other sessions were signed out.",
                ended,
            )
            % {"count": ended},
        )
        return redirect("accounts:sessions")
    rows = sessions_of(request.user, current_key=request.session.session_key)
    return render(
        request, "accounts/sessions_end.html", {"others": [row for row in rows if not row.current]}
    )
