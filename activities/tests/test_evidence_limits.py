"""Evidence uploads are capped while the body is read: a file over 10 MB, or an upload over
50 MB in all, is refused with its size and nothing is saved, and a 200 MB upload is never
written to a temporary file on the way.

The bodies are generated as they are read (`StreamedUpload`), as a browser sends them,
so that a 200 MB upload costs the test no memory. Temporary files are watched where
Python and Django make them (`temporary_files`).
"""

from __future__ import annotations

import tempfile
from collections import deque

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files import temp as django_temp
from django.core.files.uploadhandler import StopFutureHandlers
from django.test import Client
from django.urls import reverse

from activities.evidence import MAX_EVIDENCE_BYTES, EvidenceUploadHandler
from activities.models import Evidence, Status
from activities.tests.factories import ActivityFactory
from activities.tests.test_evidence import PNG

MB = 1024 * 1024
CSRF_TOKEN = "evidencelimits0123456789abcdefgh"  # 32 characters: an unmasked secret


class StreamedUpload:
    """A multipart/form-data body of `fields` and `files` (name, size: the PNG signature,
    then zeros), produced as it is read."""

    BOUNDARY = "----StreamedUploadBoundary7MA4YWxk"

    def __init__(self, fields: dict[str, str], files: list[tuple[str, int]]) -> None:
        parts: list[bytes | int] = []
        for name, value in fields.items():
            parts.append(
                f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for filename, size in files:
            parts.append(
                f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
                + PNG
            )
            parts += [size - len(PNG), b"\r\n"]
        parts.append(f"--{self.BOUNDARY}--\r\n".encode())
        self.length = sum(part if isinstance(part, int) else len(part) for part in parts)
        self.read_so_far = 0
        self._parts = deque(parts)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.BOUNDARY}"

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.read_so_far
        out = bytearray()
        while len(out) < size and self._parts:
            part, wanted = self._parts[0], size - len(out)
            taken = min(wanted, part if isinstance(part, int) else len(part))
            out += bytes(taken) if isinstance(part, int) else part[:taken]
            rest = part - taken if isinstance(part, int) else part[taken:]
            if rest:
                self._parts[0] = rest
            else:
                self._parts.popleft()
        self.read_so_far += len(out)
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        line = bytearray()
        while (size < 0 or len(line) < size) and not line.endswith(b"\n"):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return bytes(line)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def temporary_files(monkeypatch) -> list[str]:
    """The temporary files made while the test runs: by Python's tempfile (also when a
    SpooledTemporaryFile spills to disk) and by Django's upload handlers."""
    made: list[str] = []

    def watch(module, name: str) -> None:
        original = getattr(module, name)

        def watched(*args, **kwargs):
            made.append(f"{module.__name__}.{name}")
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, watched)

    for module, name in [
        (tempfile, "TemporaryFile"),
        (tempfile, "NamedTemporaryFile"),
        (tempfile, "mkstemp"),
        (django_temp, "NamedTemporaryFile"),
    ]:
        watch(module, name)
    return made


@pytest.fixture
def activity(office_a, indicator, staff_a):
    return ActivityFactory(
        lead_office=office_a, indicator=indicator, created_by=staff_a, status=Status.DRAFT
    )


@pytest.fixture
def browser(staff_a) -> Client:
    """Staff of office A, with CSRF checked as the site checks it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
    return client


def _send(client: Client, activity, body: StreamedUpload):
    return client.generic(
        "POST",
        reverse("activities:evidence-upload", args=[activity.pk]),
        CONTENT_LENGTH=str(body.length),
        CONTENT_TYPE=body.content_type,
        **{"wsgi.input": body},
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _nothing_saved(media_root) -> bool:
    stored = list(media_root.rglob("*.*")) if media_root.exists() else []
    return not Evidence.objects.exists() and not stored


def test_a_200_mb_file_is_refused_without_being_written_to_disk(
    browser, activity, temporary_files, media_root
):
    body = StreamedUpload({"csrfmiddlewaretoken": CSRF_TOKEN}, [("scan.png", 200 * MB)])

    response = _send(browser, activity, body)

    assert response.status_code == 400  # the activity's page, with the reason
    assert _messages(response) == ["“scan.png” is 200.0\xa0MB; files can be at most 10.0\xa0MB."]
    assert "“scan.png” is 200.0\xa0MB" in response.content.decode()  # on the page
    assert _nothing_saved(media_root)
    assert temporary_files == []
    assert body.read_so_far == body.length  # read to the end: the browser gets the answer


def test_files_over_50_mb_together_are_all_refused_without_being_written_to_disk(
    browser, activity, temporary_files, media_root
):
    files = [(f"photo-{n}.png", 9 * MB) for n in range(6)]  # each within 10 MB
    body = StreamedUpload({"csrfmiddlewaretoken": CSRF_TOKEN}, files)

    response = _send(browser, activity, body)

    assert response.status_code == 400
    assert _messages(response) == [
        "This upload is 54.0\xa0MB in all; one upload can carry at most 50.0\xa0MB. Nothing "
        "was saved: upload the files a few at a time."
    ]
    assert _nothing_saved(media_root)
    assert temporary_files == []


def test_a_file_over_10_mb_is_refused_and_the_others_kept(browser, activity, media_root):
    body = StreamedUpload(
        {"csrfmiddlewaretoken": CSRF_TOKEN}, [("scan.png", 12 * MB), ("photo.png", 3 * MB)]
    )

    response = _send(browser, activity, body)

    assert response.status_code == 302
    assert "“scan.png” is 12.0\xa0MB; files can be at most 10.0\xa0MB." in _messages(response)
    kept = activity.evidence.get()
    assert (kept.original_name, kept.size) == ("photo.png", 3 * MB)
    assert kept.file.read(len(PNG)) == PNG


def test_a_file_at_the_limit_is_kept_whole(browser, activity, temporary_files):
    """Also shows that the watch on temporary files sees one: a file this large spills to
    disk while it is read, as with Django's own handlers."""
    body = StreamedUpload({"csrfmiddlewaretoken": CSRF_TOKEN}, [("scan.png", MAX_EVIDENCE_BYTES)])

    response = _send(browser, activity, body)

    assert response.status_code == 302
    assert activity.evidence.get().size == MAX_EVIDENCE_BYTES
    assert temporary_files  # spilled: the watch works


def test_the_handler_drops_what_it_kept_once_a_file_passes_the_limit():
    handler = EvidenceUploadHandler()
    handler.handle_raw_input(None, {}, 20 * MB, b"boundary")
    with pytest.raises(StopFutureHandlers):  # no other handler keeps a copy
        handler.new_file("file", "scan.png", "image/png", None)
    kept = handler.kept
    chunk = bytes(MB)
    for start in range(0, 11 * MB, MB):
        handler.receive_data_chunk(chunk, start)

    assert kept.closed
    upload = handler.file_complete(11 * MB)
    assert upload.size == 11 * MB
    assert upload.read() == b""


def test_the_upload_still_needs_its_csrf_token(browser, activity, media_root):
    response = _send(browser, activity, StreamedUpload({}, [("photo.png", MB)]))

    assert response.status_code == 403
    assert _nothing_saved(media_root)
