"""Evidence files: what may be uploaded, and adding them to an activity.

A file is accepted when three things agree: its size (10 MB at most, checked before a byte
is read), its extension (an allowlist) and its content (the first bytes, sniffed with
`filetype`). The name alone proves nothing: a program renamed `report.pdf` is refused.
The stored file gets a random name; the uploader's name is kept for the download only.

The sizes are enforced while the request is read (`EvidenceUploadHandler`): of each file
at most MAX_EVIDENCE_BYTES is kept and the rest only counted, and a request larger than
MAX_EVIDENCE_REQUEST_BYTES keeps nothing at all. So a 200 MB upload is refused, with the
size it had, without being written to a temporary file first.
"""

from __future__ import annotations

import io
import os
import tempfile
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import can_write, write_refused
from .models import Activity, Evidence

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # also a database constraint on Evidence.size
# One upload, every file together (the request's body): also the reverse proxy's limit
# (client_max_body_size in docker/nginx/kpi-tracker.conf), so nothing larger reaches us.
MAX_EVIDENCE_REQUEST_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192

# Office 97-2003 files are OLE compound files; this is their signature.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_KINDS = {"doc", "xls", "ppt"}


@dataclass(frozen=True)
class AllowedType:
    content_type: str
    sniffed: frozenset[str]  # what `filetype` may report for such a file
    ooxml_folder: str = ""  # Office Open XML: the package folder that must exist
    ole: bool = False  # Office 97-2003: an OLE compound file


def _ooxml(content_type: str, folder: str, kind: str) -> AllowedType:
    # An Office Open XML file is a zip: filetype reports the document kind, or plain "zip"
    # when the parts are not in the usual order. A zip is only accepted under these names.
    return AllowedType(content_type, frozenset({kind, "zip"}), ooxml_folder=folder)


def _ole(content_type: str) -> AllowedType:
    return AllowedType(content_type, frozenset(OLE_KINDS), ole=True)


ALLOWED_TYPES: dict[str, AllowedType] = {
    "jpg": AllowedType("image/jpeg", frozenset({"jpg"})),
    "jpeg": AllowedType("image/jpeg", frozenset({"jpg"})),
    "png": AllowedType("image/png", frozenset({"png", "apng"})),
    "gif": AllowedType("image/gif", frozenset({"gif"})),
    "webp": AllowedType("image/webp", frozenset({"webp"})),
    "heic": AllowedType("image/heic", frozenset({"heic"})),
    "heif": AllowedType("image/heif", frozenset({"heic"})),
    "pdf": AllowedType("application/pdf", frozenset({"pdf"})),
    "docx": _ooxml(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/", "docx"
    ),
    "xlsx": _ooxml(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/", "xlsx"
    ),
    "pptx": _ooxml(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ppt/",
        "pptx",
    ),
    "doc": _ole("application/msword"),
    "xls": _ole("application/vnd.ms-excel"),
    "ppt": _ole("application/vnd.ms-powerpoint"),
}

# For the file picker's `accept` and the hint next to it.
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in ALLOWED_TYPES)
ALLOWED_EXTENSIONS_TEXT = ", ".join(extension.upper() for extension in ALLOWED_TYPES)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceForm(forms.Form):
    """Renders the file picker (label, hint, `multiple`, `accept`). The upload view reads
    `request.FILES.getlist("file")` and checks each file with `validate_evidence_upload`."""

    file = forms.FileField(
        label=gettext_lazy("Add evidence files"),
        help_text=gettext_lazy(
            "Photos (JPEG, PNG, GIF, WebP, HEIC), PDF and Office documents (Word, Excel, "
            "PowerPoint), up to 10 MB each and 50 MB together. You can choose several files "
            "at once."
        ),
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


def clean_filename(name: str) -> str:
    """The name to show and to offer on download: no folders, no control characters."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 254 - len(extension)]}{dot}{extension}" if dot else name[:255]
    return name or "file"


def _extension(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _is_ooxml_package(upload: UploadedFile, folder: str) -> bool:
    """A real Office Open XML package: a zip with [Content_Types].xml and the folder of its
    kind (word/, xl/, ppt/). Only the zip's directory is read, nothing is decompressed."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
    except Exception:  # a damaged directory: BadZipFile to NotImplementedError ("version")
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)


def _too_big(upload: UploadedFile) -> ValidationError | None:
    if upload.size is not None and upload.size <= MAX_EVIDENCE_BYTES:
        return None
    return ValidationError(
        _("“%(name)s” is %(size)s; files can be at most %(limit)s.")
        % {
            "name": clean_filename(upload.name or ""),
            "size": filesizeformat(upload.size or 0),
            "limit": filesizeformat(MAX_EVIDENCE_BYTES),
        },
        code="too_big",
    )


class EvidenceUploadHandler(FileUploadHandler):
    """Keeps at most MAX_EVIDENCE_BYTES of each uploaded file (in memory, on disk past
    FILE_UPLOAD_MAX_MEMORY_SIZE, as Django's own handlers would) and counts the rest: once
    a file passes the limit, what was kept of it is dropped. A request whose body is
    larger than MAX_EVIDENCE_REQUEST_BYTES keeps nothing of any file, only their sizes.
    Either way the upload view can name each file refused, with its real size. (Django's
    handlers would write the whole of it to a temporary file first.) Installed by the
    upload view before anything reads the body, CSRF's check included."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.body_size = 0
        self.request_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_size = content_length
        self.request_too_large = content_length > MAX_EVIDENCE_REQUEST_BYTES
        return None  # the parser reads the body on, with this handler

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.kept = None
        if not self.request_too_large:
            self.kept = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the request)
                max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
            )
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.kept is not None and self.received > MAX_EVIDENCE_BYTES:
            self.kept.close()  # refused: no byte more is kept, and what was is gone
            self.kept = None
        if self.kept is not None:
            self.kept.write(raw_data)
        return None  # no other handler keeps a copy

    def file_complete(self, file_size: int) -> UploadedFile:
        content = self.kept if self.kept is not None else io.BytesIO()
        content.seek(0)
        return UploadedFile(
            content,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def check_request(self, uploads: list[UploadedFile]) -> None:
        """When the request was too large to keep any file: a ValidationError naming each
        file too big and, unless that says it all (one file), the upload's size."""
        if not self.request_too_large:
            return
        errors = [error for error in map(_too_big, uploads) if error is not None]
        if len(uploads) != 1 or not errors:
            errors.append(
                ValidationError(
                    _(
                        "This upload is %(size)s in all; one upload can carry at most "
                        "%(limit)s. Nothing was saved: upload the files a few at a time."
                    )
                    % {
                        "size": filesizeformat(self.body_size),
                        "limit": filesizeformat(MAX_EVIDENCE_REQUEST_BYTES),
                    },
                    code="request_too_big",
                )
            )
        raise ValidationError(errors)


def validate_evidence_upload(upload: UploadedFile) -> AllowedType:
    """The allowed type of an upload, or a ValidationError that says what is wrong with
    which file and what would be accepted."""
    name = clean_filename(upload.name or "")
    too_big = _too_big(upload)
    if too_big is not None:
        raise too_big
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")

    allowed = ALLOWED_TYPES.get(_extension(name))
    if allowed is None:
        raise ValidationError(
            _("“%(name)s” is not a type of file we accept. Accepted: %(types)s.")
            % {"name": name, "types": ALLOWED_EXTENSIONS_TEXT},
            code="extension",
        )

    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if allowed.ole:
        matches = head.startswith(OLE_SIGNATURE) and (kind is None or kind.extension in OLE_KINDS)
    elif allowed.ooxml_folder:
        matches = (
            kind is not None
            and kind.extension in allowed.sniffed
            and _is_ooxml_package(upload, allowed.ooxml_folder)
        )
    else:
        matches = kind is not None and kind.extension in allowed.sniffed
    if not matches:
        raise ValidationError(
            _(
                "The content of “%(name)s” is not a %(extension)s file. Save it again as "
                "%(extension)s, or upload a photo, PDF or Office document."
            )
            % {"name": name, "extension": _extension(name).upper()},
            code="content",
        )
    return allowed


@transaction.atomic
def evidence_add(*, user, activity: Activity, upload: UploadedFile) -> Evidence:
    if not can_write(user, activity):
        raise PermissionDenied(write_refused())
    if activity.is_removed:
        raise ValidationError(
            _("This activity has been removed; evidence can no longer be added."),
            code="removed",
        )
    allowed = validate_evidence_upload(upload)
    original_name = clean_filename(upload.name or "")
    evidence = Evidence(
        activity=activity,
        original_name=original_name,
        content_type=allowed.content_type,
        size=upload.size,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    evidence.full_clean(exclude=["file", "activity", "uploaded_by"])
    evidence.file.save(f"{uuid.uuid4().hex}.{_extension(original_name)}", upload, save=False)
    try:
        evidence.save()
    except BaseException:
        evidence.file.delete(save=False)
        raise
    return evidence
