"""Evidence files: what may be uploaded, and adding them to an activity.

A file is accepted when three things agree: its size (10 MB at most, checked before a byte
is read), its extension (an allowlist) and its content (the first bytes, sniffed with
`filetype`). The name alone proves nothing: a program renamed `report.pdf` is refused.
The stored file gets a random name; the uploader's name is kept for the download only.
"""

from __future__ import annotations

import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Activity, Evidence
from .services import can_write_for_office

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # also a database constraint on Evidence.size
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
            "PowerPoint), up to 10 MB each. You can choose several files at once."
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


def validate_evidence_upload(upload: UploadedFile) -> AllowedType:
    """The allowed type of an upload, or a ValidationError that says what is wrong with
    which file and what would be accepted."""
    name = clean_filename(upload.name or "")
    if upload.size is None or upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size or 0),
                "limit": filesizeformat(MAX_EVIDENCE_BYTES),
            },
            code="too_big",
        )
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


def can_add_evidence(user, activity: Activity) -> bool:
    """Those who may write for the lead office, while the activity is not removed.
    Evidence does not change a count, so it may be added whatever the status or period."""
    return not activity.is_removed and can_write_for_office(user, activity.lead_office)


@transaction.atomic
def evidence_add(*, user, activity: Activity, upload: UploadedFile) -> Evidence:
    if not can_write_for_office(user, activity.lead_office):
        raise PermissionDenied
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
