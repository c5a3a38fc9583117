"""What every signed-in request does for the person's sessions and two-step sign-in
(docs/security.md, "Sessions and deactivation" and "Two-step sign-in")."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import twofactor
from .sessions import session_touch


class SessionActivityMiddleware:
    """Keeps the session's last activity for the Sessions page: written at most once a
    minute, after the view (which has read the session and the user already), so that
    most requests cost no query of their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session_touch(request)
        return response


# Where a bureau admin who must enrol may still go: the enrolment itself, signing out,
# the language switch.
ENROL_ALLOWED = frozenset(
    {
        "accounts:two_factor_enrol",
        "accounts:logout",
        "accounts:set_language",
        "healthz",
    }
)


class TwoFactorRequiredMiddleware:
    """Where KPI_REQUIRE_2FA_FOR_ADMINS is on, a bureau admin whose session was not signed
    in with a second factor is sent to enrol before anything else (or, if they have an
    authenticator already, signed out to sign in again with it). Costs nothing to anyone
    else: the setting, then the session, is read first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.KPI_REQUIRE_2FA_FOR_ADMINS:
            return None
        if SESSION_KEY not in request.session or twofactor.is_verified(request):
            return None
        user = request.user
        if not (user.is_authenticated and twofactor.required_for(user)):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ENROL_ALLOWED:
            return None
        message = _("Bureau admins use two-step sign-in. Set it up to continue.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        if twofactor.has_two_factor(user):
            logout(request)
            messages.info(request, _("Sign in again, with a code from your authenticator app."))
            return redirect(settings.LOGIN_URL)
        return redirect("accounts:two_factor_enrol")  # whose page says why
