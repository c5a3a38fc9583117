"""The Reminders page: which reminder e-mails a person gets, and the ones they got."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..models import ReminderPreference
from ..reminders import MONTH_CLOSING, applicable_reminders, recent_digests


class ReminderPreferenceForm(forms.ModelForm):
    """Only the reminders that apply to the person's role are offered; the others keep
    their stored value."""

    class Meta:
        model = ReminderPreference
        fields = ["drafts", "returned", "verification_queue", "month_closing", "plans_to_log"]

    def __init__(self, *args, reminders: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in reminders:
                del self.fields[name]


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    reminders = applicable_reminders(user)
    preference = ReminderPreference.objects.filter(user=user).first() or ReminderPreference(
        user=user
    )
    if request.method == "POST" and not reminders:
        raise PermissionDenied  # the bureau gets no reminders: there is nothing to choose
    form = ReminderPreferenceForm(
        request.POST if request.method == "POST" else None, instance=preference, reminders=reminders
    )
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Your choice of reminders is saved."))
        return redirect("accounts:reminders")
    return render(
        request,
        "accounts/reminders.html",
        {
            "form": form if reminders else None,
            "explains_office_heads": MONTH_CLOSING in reminders,
            "digests": recent_digests(user=user),
        },
    )
