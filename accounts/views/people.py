"""People, without the Django admin (docs/guide-bureau-admin.md, "People"): the roster
(bureau admins everyone, supervisors their office's, read-only), adding and inviting a
person, changing a role or office, deactivating and reactivating."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from common.web import apply_errors, form_status, querystring_without

from .. import services
from ..access import (
    can_manage_people,
    get_person_for_user,
    require_can_manage_people,
    require_can_see_people,
)
from ..invitations import invitation_days
from ..models import Role, User
from ..reminders import default_site_url
from ..roster import RosterFilter, roster

logger = logging.getLogger(__name__)

PER_PAGE = 50
SEEN_SALT = "accounts.people.seen"


def _offices():
    return User._meta.get_field("office").related_model.objects  # no import upward


def _office_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=gettext_lazy("Office or unit"),
        queryset=_offices().none(),
        required=False,
        empty_label=gettext_lazy("None (bureau roles)"),
        help_text=gettext_lazy(
            "Office staff and supervisors belong to an office or a liaison unit; bureau "
            "viewers and admins to none."
        ),
        **kwargs,
    )


def _open_offices(also=None):
    offices = _offices().filter(is_active=True)
    if also is not None:
        offices = offices | _offices().filter(pk=also)
    return offices.select_related("parent").order_by("sort_order", "code")


class PersonForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("Given name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Family name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        help_text=gettext_lazy("The invitation, and later the reminders, are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        required=False,
        validators=[User.username_validator],
        help_text=gettext_lazy(
            "What the person signs in with. Leave it empty to use the part of the e-mail "
            "address before the @ (with a number added if it is taken)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    office = _office_field()
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=settings.LANGUAGES,
        initial="en",
        help_text=gettext_lazy("The invitation and reminders are written in it."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = _open_offices()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    office = _office_field()
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = _open_offices(also=person.office_id)

    def seen_values(self) -> dict | None:
        """What the form was opened with; None when that copy is missing or altered."""
        try:
            return signing.loads(self.cleaned_data.get("seen") or "", salt=SEEN_SALT)
        except signing.BadSignature:
            return None


def _seen(values: dict) -> str:
    return signing.dumps(values, salt=SEEN_SALT)


def _site_url(request: HttpRequest) -> str:
    """Where the invitation's link points: DJANGO_SITE_URL, else this site's address."""
    return default_site_url() or request.build_absolute_uri("/").rstrip("/")


def _not_sent(form: forms.Form) -> None:
    logger.exception("Invitation e-mail not sent")
    form.add_error(
        None,
        _(
            "The invitation e-mail could not be sent, so nothing was saved. Try again in a "
            "few minutes; if it keeps failing, tell the system administrator."
        ),
    )


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_can_see_people(user)
    people = RosterFilter(request.GET or None, queryset=roster(user), user=user)
    status = 400 if people.is_bound and not people.is_valid() else 200
    page = Paginator(people.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "filter": people,
            "page": page,
            "querystring": querystring_without(request, "page"),
            "can_manage": can_manage_people(user),
            "scope_office": None if user.is_bureau_admin else user.office,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    require_can_manage_people(request.user)
    form = PersonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                person = services.person_invite(
                    by=request.user, site_url=_site_url(request), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except (SMTPException, OSError):
                _not_sent(form)
                status = 503
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is added as %(username)s. The invitation went to %(email)s; "
                        "its link works for %(days)d days."
                    )
                    % {
                        "name": person.get_full_name(),
                        "username": person.get_username(),
                        "email": person.email,
                        "days": invitation_days(),
                    },
                )
                return redirect("accounts:person", pk=person.pk)
    return render(
        request,
        "accounts/person_add.html",
        {"form": form, "days": invitation_days()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's page: their details, and the role and office form."""
    person = get_person_for_user(request.user, pk, manage=True)
    changed = None
    status = 200
    if request.method == "POST":
        form = RoleForm(request.POST, person=person)
        if form.is_valid():
            try:
                services.person_change_role(
                    person_id=person.pk,
                    by=request.user,
                    role=form.cleaned_data["role"],
                    office=form.cleaned_data["office"],
                    seen=form.seen_values(),
                )
            except services.PersonChanged as exc:
                person.refresh_from_db()
                changed = exc.changes
                form = RoleForm(initial={**exc.values, "seen": _seen(exc.latest)}, person=person)
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("The role and office of %(name)s are saved.")
                    % {"name": person.get_full_name() or person.get_username()},
                )
                return redirect("accounts:person", pk=person.pk)
        else:
            status = form_status(form)
    else:
        form = RoleForm(
            initial={
                **services.role_and_office(person),
                "seen": _seen(services.role_and_office(person)),
            },
            person=person,
        )
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "form": form,
            "changed": changed,
            "invitation_pending": services.invitation_pending(person),
            "is_self": person.pk == request.user.pk,
        },
        status=status,
    )


def _confirm(request: HttpRequest, pk: int, *, template: str, action, done: str) -> HttpResponse:
    """A confirmation page, and the action once confirmed: back to the person's page with
    what happened, or with the refusal."""
    person = get_person_for_user(request.user, pk, manage=True)
    if request.method == "POST":
        try:
            action(person)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, done % {"name": person.get_full_name() or person.get_username()}
            )
        return redirect("accounts:person", pk=person.pk)
    return render(
        request,
        template,
        {
            "person": person,
            "invitation_pending": services.invitation_pending(person),
            "active_tokens": person.api_tokens.not_revoked().count(),
            "is_self": person.pk == request.user.pk,
            "days": invitation_days(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    def send(person: User) -> None:
        try:
            services.invitation_resend(
                person_id=person.pk, by=request.user, site_url=_site_url(request)
            )
        except (SMTPException, OSError):
            logger.exception("Invitation e-mail not sent")
            raise ValidationError(
                _("The invitation e-mail could not be sent. Try again in a few minutes.")
            ) from None

    return _confirm(
        request,
        pk,
        template="accounts/person_invite.html",
        action=send,
        done=_("A new invitation is on its way to %(name)s; earlier links no longer work."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(
        request,
        pk,
        template="accounts/person_deactivate.html",
        action=lambda person: services.user_deactivate(user=person, by=request.user),
        done=_(
            "%(name)s is deactivated: signed out everywhere, API tokens revoked, and "
            "cannot sign in."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(
        request,
        pk,
        template="accounts/person_reactivate.html",
        action=lambda person: services.user_reactivate(user=person, by=request.user),
        done=_("%(name)s can sign in again."),
    )
