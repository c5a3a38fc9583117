"""Signing in (the password, then a code where the person uses two-step sign-in), and
the page of a sign-in locked out."""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .. import twofactor
from ..models import User

# In the session between the password and the code: who, through which backend, since
# when, and where to go afterwards. The code must follow within PENDING_SECONDS.
PENDING_KEY = "kpi_2fa_pending"
PENDING_SECONDS = 5 * 60


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with labels in Hong Kong wording from our own catalogue."""

    username = UsernameField(
        label=gettext_lazy("Username"),
        max_length=150,  # the user model's: a longer one is refused before it is looked up
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LoginView(auth_views.LoginView):
    """Sign-in that opens the pages in the user's preferred language, unless the person
    has just chosen one on the sign-in page itself."""

    redirect_authenticated_user = True
    authentication_form = SignInForm

    def form_valid(self, form):
        """The password is right. With two-step sign-in on, the person is not signed in
        yet: the code comes next, on its own page."""
        user = form.get_user()
        if twofactor.has_two_factor(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "hash": user.get_session_auth_hash(),
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_code")
        response = super().form_valid(form)
        return _with_language(self.request, response, user)

    def form_invalid(self, form):
        """A refused sign-in comes back with its errors and 400, not 200."""
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _with_language(request: HttpRequest, response: HttpResponse, user: User) -> HttpResponse:
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The six digits your authenticator app shows for KPI Tracker now, or one of "
            "your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )


def _pending_user(request: HttpRequest) -> tuple[User, dict] | None:
    """The person who gave the right password a moment ago, if they still may sign in:
    within PENDING_SECONDS, still active, password unchanged since."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(
        user.get_session_auth_hash(), pending.get("hash", "")
    ):
        del request.session[PENDING_KEY]
        return None
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in. A wrong code counts as a failed sign-in for the
    lock-out (django-axes: the same limit, username and address, as wrong passwords) and
    on the audit trail; the device's own growing wait applies too (accounts/twofactor.py).
    Without a sign-in under way (or signed in already) it is the sign-in page's to say."""
    found = None if request.user.is_authenticated else _pending_user(request)
    if found is None:
        if PENDING_KEY not in request.session and request.method == "POST":
            messages.info(request, _("Sign in again: the code is asked right after the password."))
        return redirect(settings.LOGIN_URL)
    user, pending = found
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        del request.session[PENDING_KEY]
        return get_lockout_response(request, None, credentials)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check = twofactor.code_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            twofactor.signed_in_with(request, check)
            if check.recovery:
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code: it no longer works. Recovery "
                        "codes left: %(left)d. Make new ones under Sign-in and security."
                    )
                    % {"left": left},
                )
            response = redirect(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
            return _with_language(request, response, user)
        if check.wait_seconds:
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes: wait %(seconds)d second, then try again.",
                    "Too many wrong codes: wait %(seconds)d seconds, then try again.",
                    check.wait_seconds,
                )
                % {"seconds": check.wait_seconds},
            )
            return _code_page(request, form, user, status=429)
        form.add_error("code", _("This code is not right. Check the time on your phone."))
        user_login_failed.send(sender=twofactor.CODE_STEP, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            # Locked now: django-axes' middleware answers with the locked-out page.
            del request.session[PENDING_KEY]
    return _code_page(request, form, user, status=400 if form.is_bound else 200)


def _code_page(request, form, user, *, status: int) -> HttpResponse:
    return render(
        request,
        "registration/login_code.html",
        {"form": form, "username": user.get_username()},
        status=status,
    )


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): our page, 429."""
    cool_off = get_cool_off(request)
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        },
        status=429,
    )
