"""Signing in, and the page of a sign-in locked out."""

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with labels in Hong Kong wording from our own catalogue."""

    username = UsernameField(
        label=_("Username"),
        max_length=150,  # the user model's: a longer one is refused before it is looked up
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LoginView(auth_views.LoginView):
    """Sign-in that opens the pages in the user's preferred language, unless the person
    has just chosen one on the sign-in page itself."""

    redirect_authenticated_user = True
    authentication_form = SignInForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.get_user().language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response

    def form_invalid(self, form):
        """A refused sign-in comes back with its errors and 400, not 200."""
        return self.render_to_response(self.get_context_data(form=form), status=400)


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
