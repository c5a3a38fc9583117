"""Bulk import screens: the template, the upload, the preview and the confirmation.

Thin: the `activities.imports` package reads, checks and imports; these only route and
render. Office staff and supervisors import for their office and its units, bureau admins
for the office they choose; bureau viewers get 403, and a preview belongs to its uploader
(404 to others).

If the database connection is lost, the person gets a 503 page that says what became of
their file: the preview and the import are each one transaction, so nothing was kept.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from common.collector import cycles_collected_after
from common.db import is_lock_conflict
from common.exports import render_csv
from common.middleware.database import (
    DATABASE_ERRORS,
    database_errors_as_503,
    database_unavailable,
    lock_conflict,
)
from common.web import form_status, querystring_without
from common.xlsx import render_xlsx
from offices.models import Office

from ..access import require_can_log_activities
from ..imports import services as import_services
from ..imports.columns import COLUMNS
from ..imports.rows import DUPLICATE, INVALID, NEW
from ..imports.services import SUMMARY_ROWS, batch_rows
from ..imports.tables import MAX_ROWS
from ..imports.template import ImportChoices, ImportLists, ImportTemplate
from ..imports.upload import MAX_FILE_BYTES, ImportUploadHandler
from ..models import ImportBatch

logger = logging.getLogger(__name__)


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return f"{obj.name} ({obj.code})"


class ImportUploadForm(forms.Form):
    office = OfficeChoiceField(
        label=gettext_lazy("Office or unit"),
        queryset=Office.objects.none(),
        help_text=gettext_lazy(
            "Rows that give no lead office code are recorded for this office or unit."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Filled-in spreadsheet"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx) or a CSV file made from the template, up to 5 MB and "
            "5,000 rows."
        ),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Office.objects.active()
        if user.is_bureau_admin:
            self.fields["office"].empty_label = _("Choose an office")
        else:
            offices = offices.filter(pk__in=user.office_scope_ids())
            self.fields["office"].empty_label = None
            self.fields["office"].initial = user.office_id
        self.fields["office"].queryset = offices
        self.offices = list(offices)


@csrf_exempt  # checked below, once the upload handler is in place
@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """The upload page. The file's bytes beyond the size limit are counted, not kept: the
    handler has to be set before anything reads the body, CSRF's check included."""
    if request.method == "POST":
        request.upload_handlers = [ImportUploadHandler(request)]
    return _import_start(request)


@csrf_protect
@database_errors_as_503(
    gettext_lazy(
        "The connection to the database was lost while your file was being checked. Nothing "
        "was kept: upload the file again in a minute."
    )
)
def _import_start(request: HttpRequest) -> HttpResponse:
    require_can_log_activities(request.user)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                batch = import_services.import_preview(
                    user=request.user,
                    office=form.cleaned_data["office"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect("activities:import-preview", pk=batch.pk)
    else:
        form = ImportUploadForm(user=request.user)
    return render(
        request,
        "activities/import.html",
        {
            "form": form,
            "show_office": len(form.offices) > 1 or request.user.is_bureau_admin,
            "columns": COLUMNS,
            "max_size": filesizeformat(MAX_FILE_BYTES),
            "max_rows": MAX_ROWS,
        },
        status=form_status(form),
    )


@require_GET
@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    require_can_log_activities(request.user)
    if fmt == "csv":
        return render_csv(ImportTemplate())
    if fmt == "xlsx":
        choices = ImportChoices(user=request.user)
        return render_xlsx(ImportTemplate(choices=choices), ImportLists(user=request.user), choices)
    raise Http404


SHOW_CHOICES = (NEW, DUPLICATE, INVALID)
# Rows of the preview's table per page: a file of 5 000 rows is read a page at a time, and
# the summary above the table says what is wrong with the file as a whole.
PREVIEW_PER_PAGE = 100


@require_GET
@login_required
@cycles_collected_after  # the report of 5 000 rows read back: 100 000 objects
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    require_can_log_activities(request.user)
    batch = get_object_or_404(
        ImportBatch.objects.for_user(request.user)
        .defer("content", "table", "checked")  # the preview's report is all it shows
        .select_related("office"),
        pk=pk,
    )
    show = request.GET.get("show", "")
    show = show if show in SHOW_CHOICES else ""
    counts = batch.report.get("counts", {})
    invalid = batch_rows(batch, status=INVALID)
    page = Paginator(batch_rows(batch, status=show), PREVIEW_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "activities/import_preview.html",
        {
            "batch": batch,
            "report": batch.report,
            "counts": counts,
            "rows": page.object_list,
            "page": page,
            "querystring": querystring_without(request, "page"),
            "show": show,
            "invalid_rows": invalid[:SUMMARY_ROWS],
            "more_invalid": max(len(invalid) - SUMMARY_ROWS, 0),
            "new_count": counts.get(NEW, 0),
        },
    )


@require_POST
@login_required
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_can_log_activities(request.user)
    expected = request.POST.get("expected", "")
    if not (expected.isdigit() and len(expected) <= 9):
        get_object_or_404(
            ImportBatch.objects.for_user(request.user).only("pk"), pk=pk
        )  # others': 404
        raise BadRequest("The number of activities to import is a number.")
    expected = int(expected)
    try:
        outcome = import_services.import_confirm(user=request.user, batch_id=pk, expected=expected)
    except ImportBatch.DoesNotExist as exc:
        raise Http404 from exc
    except DATABASE_ERRORS as exc:
        back_url = reverse("activities:import-preview", args=[pk])
        if is_lock_conflict(exc):
            logger.warning("Import %s lost a lock conflict: %s", pk, exc)
            return lock_conflict(
                request,
                message=_(
                    "Nothing was imported: others were saving at the same moment, so no row "
                    "of this file was saved. Your preview is kept; import it again."
                ),
                back_url=back_url,
            )
        logger.exception("Database unavailable while confirming import %s", pk)
        return database_unavailable(
            request,
            message=_(
                "The connection to the database was lost while the rows were being imported. "
                "Nothing was imported: no row of this file was saved. Your preview is kept; "
                "import it again in a minute."
            ),
            back_url=back_url,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("activities:import-preview", pk=pk)
    if outcome.refused and outcome.duplicates == outcome.refused:
        messages.error(
            request,
            ngettext(
                "Nothing was imported: the row to import was recorded since the preview, by "
                "you or by someone else, and is a duplicate now. The preview below shows the "
                "activity it repeats.",
                "Nothing was imported: the %(count)s rows were recorded since the preview, "
                "by you or by someone else, and are duplicates now. The preview below shows "
                "the activities they repeat.",
                outcome.refused,
            )
            % {"count": intcomma(outcome.refused)},
        )
        return redirect("activities:import-preview", pk=pk)
    if outcome.refused:
        messages.error(
            request,
            ngettext(
                "Nothing was imported: %(count)s row can no longer be imported as it was in "
                "the preview. The preview below now says why; check it and import again.",
                "Nothing was imported: %(count)s rows can no longer be imported as they were "
                "in the preview. The preview below now says why; check it and import again.",
                outcome.refused,
            )
            % {"count": intcomma(outcome.refused)},
        )
        return redirect("activities:import-preview", pk=pk)
    messages.success(
        request,
        ngettext(
            "Imported %(count)s activity as a draft. Check it, then submit it for verification.",
            "Imported %(count)s activities as drafts. Check them, then submit them for "
            "verification.",
            outcome.imported,
        )
        % {"count": intcomma(outcome.imported)},
    )
    return redirect(f"{reverse('activities:list')}?status=draft")
