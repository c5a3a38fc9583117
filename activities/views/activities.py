"""Activity screens: the list, logging, editing, one activity and removing it. Thin: forms clean input, services decide, selectors read."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.keyset import BadCursor, KeysetPage
from common.web import apply_errors, form_status, querystring_without

from .. import access, conflicts, selectors, services
from ..access import get_activity_for_user
from ..counts.keyset import KeysetList
from ..evidence import EvidenceForm
from ..forms import (
    COMMON_FIELDS,
    ActivityForm,
    RemoveForm,
    ReturnForm,
)
from ..models import Activity, Status
from ..periods import period_state

PER_PAGE = 25
# A page number as a keyset list reads it (old links): ASCII digits, at most nine (its
# OFFSET fits the database's integers); anything else is the first page.
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def _period_notes(user) -> list:
    """This month and last month for the user's office: open until when, or closed since."""
    if user.office_id is None:
        return []
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return [period_state(office=user.office, day=day, today=today) for day in (today, last_month)]


# --- the list -------------------------------------------------------------------------


def _keyset_page(request: HttpRequest, rows: KeysetList) -> KeysetPage:
    """The page a cursor names, or a page number (old links: read by OFFSET, past the end
    the last page); a bad cursor gives the first page, and says so."""
    cursor, number = request.GET.get("cursor"), request.GET.get("page")
    if cursor:
        try:
            return rows.page(cursor, PER_PAGE)
        except BadCursor:
            messages.warning(
                request,
                _(
                    "That link to a page of the list no longer works (it may be from "
                    "another sort or an older version): here is the first page."
                ),
            )
    elif number and PAGE_NUMBER.fullmatch(number) and int(number) > 1:
        page = rows.numbered(int(number), PER_PAGE)
        return page if page is not None else rows.page(rows.last_cursor(), PER_PAGE)
    return rows.page(None, PER_PAGE)


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """Paged by number where the roll-up pages the list; otherwise (a search, a sort by
    title, filters it cannot count) by keyset: first, previous, next and last, counted up
    to a cap, with the totals only within it."""
    activity_filter = selectors.activity_list(user=request.user, data=request.GET)
    keyset = selectors.keyset_list(activity_filter, user=request.user)
    cursors = None
    if keyset is None:
        rows = selectors.paged_list(activity_filter, user=request.user)
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        totals, capped = selectors.activity_totals(rows), False
    else:
        page = _keyset_page(request, keyset)
        # A dashboard figure's list counts to the end: its totals equal the figure.
        counted = keyset.totals(exact=activity_filter.drill_down)
        capped = counted.capped
        totals = (
            selectors.activity_totals(counted.groups)
            if counted.groups is not None
            else {"total": counted.count, "by_indicator": {}, "by_status": {}}
        )
        cursors = {"last": keyset.last_cursor() if page.has_next else None}
    indicators = {i.pk: i for i in activity_filter.filters["indicator"].queryset}
    editable_ids = {a.pk for a in page.object_list if access.can_edit(request.user, a)}
    return render(
        request,
        "activities/activity_list.html",
        {
            "filter": activity_filter,
            "page": page,
            "keyset": cursors,
            "totals": totals,
            "count_capped": capped,
            "totals_by_indicator": [
                (indicators[pk], n) for pk, n in totals["by_indicator"].items() if pk in indicators
            ],
            "totals_by_status": [
                (label, totals["by_status"].get(value, 0)) for value, label in Status.choices
            ],
            "editable_ids": editable_ids,
            "querystring": querystring_without(request, "page", "cursor"),
            "export_query": querystring_without(request, "page", "cursor"),
            "periods": _period_notes(request.user),
            "can_log": access.can_log_activities(request.user),
        },
        status=form_status(activity_filter.form),
    )


# --- log and edit ------------------------------------------------------------------------


def _form_context(form, **extra) -> dict:
    indicator_config = {
        str(i.pk): {
            "counterpart_types": i.counterpart_types,
            "counterpart_required": i.counterpart_required,
            "asks_authority_level": i.asks_authority_level,
            "asks_event_name": i.asks_event_name,
            "description": i.description,
        }
        for i in form.fields["indicator"].queryset
    }
    return {"form": form, "indicator_config": indicator_config, **extra}


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    access.require_can_log_activities(request.user)
    if request.method == "POST":
        draft_and_reopen = "draft_and_reopen" in request.POST
        form = ActivityForm(request.POST, user=request.user, closed_month_draft=draft_and_reopen)
        if form.is_valid() and draft_and_reopen:
            try:
                saved = services.activity_draft_and_ask_reopening(
                    user=request.user,
                    reason=form.cleaned_data["reopening_reason"],
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                form.note_closed_period()
                apply_errors(form, exc)
            else:
                messages.success(request, _draft_and_reopening_message(saved))
                return redirect("activities:detail", pk=saved.activity.pk)
        elif form.is_valid():
            try:
                activity = services.activity_create(
                    user=request.user, submit="submit" in request.POST, **form.service_kwargs()
                )
            except ValidationError as exc:
                form.note_closed_period()
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Saved “%(title)s” as %(status)s.")
                    % {"title": activity.title, "status": activity.get_status_display().lower()},
                )
                if "add_another" in request.POST:
                    keep = QueryDict(mutable=True)
                    for name in COMMON_FIELDS:
                        for value in request.POST.getlist(name):
                            keep.appendlist(name, value)
                    for value in request.POST.getlist("partners"):
                        keep.appendlist("partners", value)
                    return redirect(f"{reverse('activities:create')}?{keep.urlencode()}")
                return redirect("activities:detail", pk=activity.pk)
    else:
        initial = {
            name: request.GET.getlist(name) if name == "partners" else request.GET.get(name)
            for name in (*COMMON_FIELDS, "partners")
            if name in request.GET
        }
        if "lead_office" not in initial and request.user.office_id:
            initial["lead_office"] = request.user.office_id
        initial.setdefault("occurred_on", timezone.localdate())
        form = ActivityForm(initial=initial, user=request.user)
    return render(
        request,
        "activities/activity_form.html",
        _form_context(
            form,
            periods=_period_notes(request.user),
            creating=True,
            offer_draft_and_reopen=form.closed_period is not None
            and access.can_ask_reopening(request.user, form.closed_office),
        ),
        status=form_status(form),
    )


def _draft_and_reopening_message(saved) -> str:
    """Both things that happened, in one sentence each."""
    reopening = saved.reopening
    period = dt.date(reopening.year, reopening.month, 1)
    values = {
        "title": saved.activity.title,
        "period": date_format(period, "YEAR_MONTH_FORMAT"),
        "office": reopening.office.name,
    }
    saved_text = _("Saved “%(title)s” as a draft.") % values
    if saved.newly_asked:
        asked = _(
            "Your request to reopen %(period)s for %(office)s was sent to the bureau admins; "
            "submit the activity once the month is reopened."
        )
    else:
        asked = _(
            "A request to reopen %(period)s for %(office)s was already waiting for the bureau "
            "admins; submit the activity once the month is reopened."
        )
    return f"{saved_text} {asked % values}"


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft or returned activity. A save made on a version someone else changed
    since is refused and the form comes back merged (activities/conflicts.py): the latest
    value of every field the person did not touch, their own changes, and a choice for each
    field both changed."""
    activity = get_activity_for_user(request.user, pk, write=True)
    if not access.can_edit(request.user, activity):
        messages.error(request, access.locked_reason(activity))
        return redirect("activities:detail", pk=activity.pk)
    merge = None
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user, activity=activity)
        if form.is_valid():
            base_version = form.cleaned_data["version"] or 0
            try:
                services.activity_update(
                    user=request.user,
                    activity_id=activity.pk,
                    expected_version=base_version,
                    **form.service_kwargs(),
                )
            except services.ConflictError as exc:
                activity = exc.activity
                merge = conflicts.activity_merge(
                    activity, base_version=base_version, mine=form.values()
                )
                form = ActivityForm(
                    initial=ActivityForm.initial_from_values(
                        merge.values,
                        version=merge.version,
                        confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                    ),
                    user=request.user,
                    activity=activity,
                    conflicts_to_choose=[change.name for change in merge.conflicts],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied:
                messages.error(request, access.locked_reason(activity))
                return redirect("activities:detail", pk=activity.pk)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("activities:detail", pk=activity.pk)
        elif form.conflict_names:
            # Back with an error before the choices were all made: name them again.
            merge = conflicts.activity_merge(
                activity,
                base_version=None,
                mine=form.values(form.conflict_names),
                until=form.cleaned_data.get("version"),
            )
        if merge is not None:
            form.describe_choices(merge)
    else:
        form = ActivityForm(
            initial=ActivityForm.initial_from(activity), user=request.user, activity=activity
        )
    return render(
        request,
        "activities/activity_form.html",
        _form_context(
            form,
            activity=activity,
            merge=merge,
            refused=merge is not None and not form.is_bound,
            period=period_state(office=activity.lead_office, day=activity.occurred_on),
            creating=False,
        ),
        status=409 if merge is not None and not form.is_bound else form_status(form),
    )


# --- one activity -----------------------------------------------------------------------


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return activity_page(request, get_activity_for_user(request.user, pk))


def activity_page(request: HttpRequest, activity: Activity, *, status: int = 200) -> HttpResponse:
    """The activity's page, also as the answer to a refused upload of evidence (400, with
    the reasons in the messages)."""
    user = request.user
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "counterparts": activity.counterparts.all(),
            "partners": activity.partners.all(),
            "participating": activity.participating_offices.all(),
            "history": selectors.activity_history(activity),
            "period": period_state(office=activity.lead_office, day=activity.occurred_on),
            "can_edit": access.can_edit(user, activity),
            "can_remove": access.can_remove(user, activity),
            "can_review": access.can_review(user, activity) and not activity.is_removed,
            "can_verify": access.can_verify(user, activity),
            "four_eyes_reason": (
                access.four_eyes_reason(activity)
                if access.verified_by_someone_else(user, activity)
                else ""
            ),
            "locked_message": access.locked_reason(activity),
            "return_form": ReturnForm(),
            "evidence": activity.evidence.select_related("uploaded_by"),
            "can_upload": access.can_add_evidence(user, activity),
            "evidence_form": EvidenceForm(),
        },
        status=status,
    )


@login_required
def activity_remove(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, write=True)
    if not access.can_remove(request.user, activity):
        messages.error(request, access.locked_reason(activity))
        return redirect("activities:detail", pk=activity.pk)
    if request.method == "POST":
        form = RemoveForm(request.POST)
        if form.is_valid():
            try:
                services.activity_remove(
                    user=request.user,
                    activity_id=activity.pk,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.ConflictError:
                form.add_error(
                    None,
                    _(
                        "The activity changed since you opened this page. Check it before removing it."
                    ),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The activity was removed. It stays on record with your reason.")
                )
                return redirect("activities:list")
    else:
        form = RemoveForm(initial={"version": activity.version})
    return render(
        request,
        "activities/activity_remove.html",
        {
            "activity": activity,
            "form": form,
            "period": period_state(office=activity.lead_office, day=activity.occurred_on),
        },
        status=form_status(form),
    )


# --- status changes --------------------------------------------------------------------------
