"""Accepting an invitation: the new person sets their first password through the link of
their invitation e-mail (accounts.invitations), then signs in as everyone does."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..invitations import invitation_token_generator

PASSWORD_MAX = 256  # far beyond any passphrase; a longer one is refused before it is hashed


class FirstPasswordForm(SetPasswordForm):
    """Django's set-password form, with labels from our own catalogue."""

    new_password1 = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "new-password",
                "autofocus": True,
                "aria-describedby": "password-rules",  # the rules listed above the form
            }
        ),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("The same password again"),
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    error_messages = {"password_mismatch": gettext_lazy("The two passwords are not the same.")}


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation with the invitation's token. As there, the
    token is put in the session and the page shown at a URL without it (so that it does
    not leak in a Referer); a form posted to the URL with the token is read as well.

    The person is not signed in here: they sign in on the sign-in page, as every time
    after, where the rules of signing in apply (lock-outs, two-factor where required)."""

    form_class = FirstPasswordForm
    token_generator = invitation_token_generator
    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("accounts:login")
    title = gettext_lazy("Set your password")

    def dispatch(self, *args, **kwargs):
        token = kwargs.get("token")
        if (
            self.request.method == "POST"
            and token != self.reset_url_token
            and self.token_generator.check_token(self.get_user(kwargs.get("uidb64", "")), token)
        ):
            self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN] = token
            kwargs["token"] = self.reset_url_token
        return super().dispatch(*args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.user if self.validlink else None
        context["password_rules"] = password_validation.password_validators_help_texts()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Sign in with your username, %(username)s, and it.")
            % {"username": form.user.get_username()},
        )
        return response

    def form_invalid(self, form):
        """A refused password comes back with its errors and 400, not 200."""
        return self.render_to_response(self.get_context_data(form=form), status=400)
