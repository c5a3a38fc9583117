"""The API tokens page: a person's own tokens, creating one, revoking one.

A new token's raw value is in the response to the POST that created it and nowhere else:
not in the session, a message or a redirect. The page is therefore never cached.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.web import apply_errors

from ..tokens import token_create, token_revoke, tokens_of

API_ROOT = "/api/v1/"  # the version's prefix (api/urls.py), which has no page of its own
NO_EXPIRY = "never"
EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365, NO_EXPIRY: None}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy(
            "What the token is for, so that you recognise it later, for example "
            "“Monthly import script”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_in = forms.ChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            ("30", gettext_lazy("In 30 days")),
            ("90", gettext_lazy("In 90 days")),
            ("365", gettext_lazy("In 1 year")),
            (NO_EXPIRY, gettext_lazy("Never")),
        ],
        initial="90",
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "The token stops working at the end of that day (Hong Kong time). A token that "
            "never expires works until you revoke it."
        ),
    )

    def expires_on(self) -> dt.date | None:
        days = EXPIRY_DAYS[self.cleaned_data["expires_in"]]
        return None if days is None else timezone.localdate() + dt.timedelta(days=days)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = raw = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, raw = token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_on=form.expires_on(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
        if created is None:
            status = 400
        else:
            form = TokenForm()  # empty again: the next token needs another name
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": list(tokens_of(request.user)),
            "created": created,
            "raw_token": raw,
            "api_root": request.build_absolute_uri(API_ROOT),
            # a request the token answers for anyone: the regions (the prefix has no page)
            "api_example": request.build_absolute_uri(f"{API_ROOT}regions/"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the person's own tokens, bureau admins included: they revoke other people's
    tokens in the admin."""
    token = get_object_or_404(tokens_of(request.user), pk=pk)
    if request.method == "POST":
        token_revoke(user=request.user, token_id=token.pk)
        messages.success(
            request,
            _("The token “%(name)s” is revoked: requests with it are refused from now on.")
            % {"name": token.name},
        )
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
