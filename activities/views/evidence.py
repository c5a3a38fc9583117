"""Evidence files of an activity: upload (several at once) and download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from ..access import get_activity_for_user
from ..evidence import EvidenceUploadHandler, evidence_add
from .activities import activity_page


@csrf_exempt  # checked below, once the upload handler is in place
@require_POST
@login_required
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The sizes are enforced while the body is read, so the handler has to be set before
    anything reads it, CSRF's check included."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    return _evidence_upload(request, pk, handler)


@csrf_protect
def _evidence_upload(request: HttpRequest, pk: int, handler: EvidenceUploadHandler) -> HttpResponse:
    """Each file is checked on its own: the good ones are kept, each refused one is named
    with the reason; an upload too large in all keeps none. PermissionDenied (403) for
    those who may see but not write; 400, on the activity's page, when no file was kept."""
    activity = get_activity_for_user(request.user, pk, write=True)
    uploads = request.FILES.getlist("file")
    try:
        handler.check_request(uploads)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return activity_page(request, activity, status=400)
    if not uploads:
        messages.error(request, _("Choose at least one file to upload."))
        return activity_page(request, activity, status=400)

    added = []
    for upload in uploads:
        try:
            added.append(evidence_add(user=request.user, activity=activity, upload=upload))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            if getattr(exc, "code", None) == "removed":
                break  # the same for every file: say it once
    if added:
        messages.success(
            request,
            ngettext(
                "Added %(count)d file: %(names)s.",
                "Added %(count)d files: %(names)s.",
                len(added),
            )
            % {"count": len(added), "names": ", ".join(e.original_name for e in added)},
        )
        return redirect("activities:detail", pk=activity.pk)
    return activity_page(request, activity, status=400)


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    activity = get_activity_for_user(request.user, pk)
    evidence = get_object_or_404(activity.evidence, pk=evidence_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
