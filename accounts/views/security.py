"""Sign-in and security: one page for the password, two-step sign-in and the sessions,
and the pages that turn two-step sign-in on and off and make new recovery codes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from .. import twofactor
from ..sessions import sessions_of


@never_cache
@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    sessions = sessions_of(user, current_key=request.session.session_key)
    return render(
        request,
        "accounts/security.html",
        {
            "authenticator": twofactor.authenticator_of(user),
            "recovery_codes_left": twofactor.recovery_codes_left(user),
            "two_factor_required": twofactor.required_for(user),
            "other_sessions": sum(not row.current for row in sessions),
        },
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=20,
        help_text=gettext_lazy("The six digits the app shows for KPI Tracker now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then confirm with a code from the app. The
    recovery codes come in the answer to that confirmation and nowhere else."""
    if twofactor.has_two_factor(request.user):
        return redirect("accounts:security")
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.enrolment_confirm(request=request, code=form.cleaned_data["code"])
        if codes is not None:
            return _recovery_codes_page(request, codes, enrolled=True)
        form.add_error(
            "code",
            _(
                "This code does not match. Check that the app shows KPI Tracker and that the "
                "time on your phone is right, then type the code it shows now."
            ),
        )
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "enrolment": twofactor.enrolment_for(request),
            "required": twofactor.required_for(request.user),
        },
        status=400 if form.is_bound else 200,
    )


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, enrolled: bool):
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [twofactor.show_code(code) for code in codes], "enrolled": enrolled},
    )


class DisableForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not twofactor.password_matches(self.user, password):
            raise forms.ValidationError(_("This is not your password."))
        return password


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turning two-step sign-in off asks for the password: a session left open on a
    shared computer is not enough."""
    user = request.user
    if not twofactor.has_two_factor(user):
        if request.method == "POST":
            messages.info(request, _("Two-step sign-in is already off."))
            return redirect("accounts:security")
        return render(request, "accounts/two_factor_disable.html", {"off": True})
    form = DisableForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        twofactor.two_factor_disable(request=request)
        messages.success(
            request, _("Two-step sign-in is off. Signing in asks for your password only.")
        )
        return redirect("accounts:security")
    return render(
        request,
        "accounts/two_factor_disable.html",
        {"form": form, "required": twofactor.required_for(user)},
        status=400 if form.is_bound else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once in the answer to the POST; the old ones stop
    working."""
    user = request.user
    if not twofactor.has_two_factor(user):
        if request.method == "POST":
            messages.info(
                request, _("Turn two-step sign-in on first: recovery codes come with it.")
            )
            return redirect("accounts:security")
        return render(request, "accounts/recovery_codes_new.html", {"off": True})
    if request.method == "POST":
        codes = twofactor.recovery_codes_regenerate(request=request)
        return _recovery_codes_page(request, codes, enrolled=False)
    return render(
        request,
        "accounts/recovery_codes_new.html",
        {"left": twofactor.recovery_codes_left(user)},
    )
