"""The offices' monthly progress notes: an office's notes by month with the bureau's
replies, writing this (or last) month's note, replying. Thin: the rules are in
planning.access and planning.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.web import apply_errors, form_status, querystring_without
from offices.access import get_office_for_user
from offices.models import Indicator

from .. import access, selectors, services
from ..models import ProgressNote
from .forms import NoteFilterForm, NoteForm, ReplyForm

PER_PAGE = 24


def _stale(error: ValidationError) -> bool:
    """The service refused because the note changed since the form was read."""
    groups = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    return any(e.code == "stale" for group in groups for e in group)


@login_required
@require_GET
def note_list(request: HttpRequest, code: str) -> HttpResponse:
    office = get_office_for_user(request.user, code)
    form = NoteFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    notes = selectors.office_notes(
        request.user,
        office_ids=office.scope_ids(),
        indicator=filters.get("indicator"),
        year=filters.get("year"),
    )
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    months = access.note_months(timezone.localdate())
    for note in page.object_list:
        note.can_edit = (note.year, note.month) in months and access.can_write_note(
            request.user, note.office
        )
    return render(
        request,
        "planning/direction/note_list.html",
        {
            "office": office,
            "filter_form": form,
            "page": page,
            "querystring": querystring_without(request, "page"),
            "can_reply": access.can_reply_note(request.user),
        },
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_write(
    request: HttpRequest, code: str, indicator: int, year: int, month: int
) -> HttpResponse:
    """Write or rewrite an office's note on one indicator for this month or last. A note
    changed by someone else since the form was opened is not overwritten: the page says so,
    shows what is saved now and keeps what was typed (409)."""
    office = get_office_for_user(request.user, code)
    indicator = get_object_or_404(Indicator, pk=indicator)
    if (year, month) not in access.note_months(timezone.localdate()):
        raise Http404
    access.require_write_note(request.user, office)
    note = ProgressNote.objects.filter(
        office=office, indicator=indicator, year=year, month=month
    ).first()
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.note_write(
                    user=request.user,
                    office=office,
                    indicator=indicator,
                    year=year,
                    month=month,
                    text=form.cleaned_data["text"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                if _stale(exc):
                    note = ProgressNote.objects.filter(
                        office=office, indicator=indicator, year=year, month=month
                    ).first()
                    data = request.POST.copy()
                    data["version"] = note.version if note else 0
                    form = NoteForm(data)
                    form.is_valid()
                    status = 409
                apply_errors(form, exc)
            else:
                messages.success(request, _("The note is saved."))
                return redirect("offices:detail", code=office.code)
    else:
        form = NoteForm(
            initial={"text": note.text if note else "", "version": note.version if note else 0}
        )
    return render(
        request,
        "planning/direction/note_form.html",
        {
            "office": office,
            "indicator": indicator,
            "month": dt.date(year, month, 1),
            "note": note,
            "form": form,
            "stale": status == 409,
        },
        status=status if status != 200 else form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The bureau's reply under an office's note; rewriting it replaces the reply."""
    note = get_object_or_404(
        access.notes_visible(
            request.user, ProgressNote.objects.select_related("office", "indicator", "written_by")
        ),
        pk=pk,
    )
    access.require_reply_note(request.user)
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.note_reply(
                    user=request.user,
                    note=note,
                    reply=form.cleaned_data["reply"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                if _stale(exc):
                    note.refresh_from_db()
                    data = request.POST.copy()
                    data["version"] = note.version
                    form = ReplyForm(data)
                    form.is_valid()
                    status = 409
                apply_errors(form, exc)
            else:
                messages.success(request, _("The reply is saved."))
                return redirect("planning:notes", code=note.office.code)
    else:
        form = ReplyForm(initial={"reply": note.reply, "version": note.version})
    return render(
        request,
        "planning/direction/note_reply.html",
        {"note": note, "form": form, "stale": status == 409},
        status=status if status != 200 else form_status(form),
    )
