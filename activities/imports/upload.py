"""The uploaded file, before a row of it is read: at most 5 MB, named .xlsx or .csv and with
content that agrees (sniffed, never trusted from the name).

The size is known before a byte is parsed, and no more than 5 MB of an upload is ever kept
(`ImportUploadHandler`). A workbook's zip directory is read before anything is unpacked and
refused if it would unpack to more than 50 MB (a zip bomb): Python's zipfile never inflates
an entry beyond the size its directory declares, so that sum is a real bound (a directory
that lies gets the entry cut short, and its checksum fails). The XML inside is read later
(`tables`), through defusedxml.
"""

from __future__ import annotations

import io
import os
import tempfile
import unicodedata
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import MAX_IMPORT_FILE_BYTES, ImportBatch

MAX_FILE_BYTES = MAX_IMPORT_FILE_BYTES  # 5 MB
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
SNIFF_BYTES = 8192
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported: nothing in it is."""


def _file_name(upload: UploadedFile) -> str:
    name = os.path.basename((upload.name or "").replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-255:] or "file"


def _extension(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


class ImportUploadHandler(FileUploadHandler):
    """Keeps at most the first MAX_FILE_BYTES + 1 bytes of an uploaded file and counts the
    rest, so `check_upload` refuses a larger file by its real size while a 2 GB upload
    costs neither memory nor disk. (Django's own handlers would keep all of it, on disk
    past FILE_UPLOAD_MAX_MEMORY_SIZE.) Installed by the upload view before the body is read.
    """

    limit = MAX_FILE_BYTES + 1

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the request)
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        self.received = 0
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.limit - self.received
        if room > 0:
            self.file.write(raw_data[:room])
        self.received += len(raw_data)
        return None  # no other handler keeps a copy

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.seek(0)
        return UploadedFile(
            self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def check_upload(upload: UploadedFile) -> tuple[str, str, bytes]:
    """(name, format, content) of an upload that may be read, or an ImportFileError.
    The size is checked before a byte is read, the type from the content."""
    name = _file_name(upload)
    if upload.size is None or upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("“%(name)s” is %(size)s; a file to import can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size or 0),
                "limit": filesizeformat(MAX_FILE_BYTES),
            },
            code="too_big",
        )
    if upload.size == 0:
        raise ImportFileError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    extension = _extension(name)
    if extension == "xls":
        raise ImportFileError(
            _(
                "“%(name)s” is in the old Excel 97–2003 format. Open it in Excel and save it as "
                "Excel Workbook (.xlsx)."
            )
            % {"name": name},
            code="xls",
        )
    if extension not in ImportBatch.Format.values:
        raise ImportFileError(
            _("“%(name)s” is not an Excel workbook (.xlsx) or a CSV file (.csv).") % {"name": name},
            code="extension",
        )
    upload.seek(0)
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("“%(name)s” is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(MAX_FILE_BYTES)},
            code="too_big",
        )
    if extension == "xlsx":
        _check_workbook(name, content)
    else:
        _check_csv(name, content)
    return name, extension, content


def _not_what_it_says(name: str, kind) -> ImportFileError:
    return ImportFileError(
        _(
            "The content of “%(name)s” is not what its name says: it is a %(kind)s file. "
            "Upload the filled template as .xlsx or .csv."
        )
        % {"name": name, "kind": kind.extension.upper()},
        code="content",
    )


def broken_workbook(name: str) -> ImportFileError:
    return ImportFileError(
        _(
            "“%(name)s” could not be read: the file is damaged or not a real Excel workbook. "
            "Open it in Excel, save it again as .xlsx, and upload that."
        )
        % {"name": name},
        code="broken",
    )


def _check_workbook(name: str, content: bytes) -> None:
    head = content[:SNIFF_BYTES]
    if head.startswith(OLE_SIGNATURE):
        raise ImportFileError(
            _(
                "“%(name)s” is protected with a password or in the old .xls format. Remove the "
                "password and save it as Excel Workbook (.xlsx)."
            )
            % {"name": name},
            code="ole",
        )
    kind = filetype.guess(head)
    if kind is not None and kind.extension not in ("xlsx", "zip"):
        raise _not_what_it_says(name, kind)
    if not head.startswith(ZIP_SIGNATURE):
        raise broken_workbook(name)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
    except Exception as exc:  # a damaged directory: BadZipFile to NotImplementedError
        raise broken_workbook(name) from exc
    if (
        len(entries) > MAX_ZIP_ENTRIES
        or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES
    ):
        raise ImportFileError(
            _(
                "“%(name)s” would unpack to more than %(limit)s, which no sheet of 5,000 rows "
                "needs. Copy the rows into the template and upload that."
            )
            % {"name": name, "limit": filesizeformat(MAX_UNCOMPRESSED_BYTES)},
            code="zip_bomb",
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError(
            _("“%(name)s” is a zip file but not an Excel workbook.") % {"name": name},
            code="content",
        )


def _check_csv(name: str, content: bytes) -> None:
    head = content[:SNIFF_BYTES]
    kind = filetype.guess(head)
    if kind is not None:
        if kind.extension in ("xlsx", "zip"):
            raise ImportFileError(
                _("“%(name)s” is an Excel workbook, not a CSV file: name it .xlsx.")
                % {"name": name},
                code="content",
            )
        raise _not_what_it_says(name, kind)
    if b"\x00" in head and not head.startswith(UTF16_BOMS):
        raise ImportFileError(
            _("“%(name)s” is not a text file, so it cannot be a CSV file.") % {"name": name},
            code="content",
        )
