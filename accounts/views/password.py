"""Changing one's own password, and setting a new one by e-mail: Django's own views, with
our pages, 400 for a refused form, the e-mail in the person's language, and the other
sessions ended (docs/security.md, "Passwords")."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext

from ..passwords import reset_email_allowed
from ..sessions import session_renamed, sessions_end_all

PASSWORD_RULES = gettext_lazy(
    "At least 10 characters; not a common password, not only digits, and not like your "
    "name or username."
)


def _our_labels(form) -> None:
    """Django's password fields, with our wording (the rules of docs/security.md)."""
    labels = {
        "old_password": gettext_lazy("Current password"),
        "new_password1": gettext_lazy("New password"),
        "new_password2": gettext_lazy("New password again"),
    }
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].help_text = PASSWORD_RULES if name == "new_password1" else ""


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _our_labels(self)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _our_labels(self)


class RefusedFormStatus:
    """A refused form is shown again with 400 (docs/security.md, "Bad input")."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(RefusedFormStatus, auth_views.PasswordChangeView):
    """The person stays signed in here (Django puts the new password's hash in this
    session); every other session of theirs is ended."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        old_key = self.request.session.session_key
        form.user._audit_how = "changed"
        response = super().form_valid(form)  # saves, and gives this session a new key
        kept = self.request.session.session_key
        session_renamed(old_key, kept)
        ended = sessions_end_all(user=form.user, keep_key=kept)
        if ended:
            messages.info(
                self.request,
                ngettext(
                    "%(count)d other session was signed out.",
                    "%(count)d other sessions were signed out.",
                    ended,
                )
                % {"count": ended},
            )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, whose e-mail is written in the person's own language and links to
    the site's address (KPI_SITE_URL, as the reminders do) when one is set; a few an hour
    at most for an account (`passwords.reset_email_allowed`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = gettext_lazy("E-mail address")
        self.fields["email"].help_text = gettext_lazy("The address your account has.")

    def get_users(self, email):
        return (user for user in super().get_users(email) if reset_email_allowed(user))

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(context["user"].language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)

    def save(self, domain_override=None, use_https=False, **kwargs):
        if settings.KPI_SITE_URL:
            site = urlsplit(settings.KPI_SITE_URL)
            domain_override, use_https = site.netloc, site.scheme == "https"
        return super().save(domain_override=domain_override, use_https=use_https, **kwargs)


class PasswordResetView(RefusedFormStatus, auth_views.PasswordResetView):
    """The same answer whether or not the address is known: nobody learns from it who has
    an account."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(RefusedFormStatus, auth_views.PasswordResetConfirmView):
    """The link of the e-mail. A new password ends every session of the person; the
    sign-in afterwards asks for the two-step code as always."""

    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if request.method == "POST" and not self.validlink:
            response.status_code = 400  # a password sent to a link that does not work
        return response

    def form_valid(self, form):
        """Django's, but for the token: taken from the session before the password is
        saved, as a person signed in on this browser is signed out by the save (their
        session's hash no longer matches) and the session emptied."""
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        form.user._audit_how = "reset by e-mail"
        form.save()
        sessions_end_all(user=form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
