"""Evidence files: what is accepted, who may add them, who may download them."""

import io
import struct
import zipfile
import zlib

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from activities.evidence import (
    MAX_EVIDENCE_BYTES,
    EvidenceForm,
    evidence_add,
    validate_evidence_upload,
)
from activities.models import Evidence, Status
from activities.tests.factories import ActivityFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder that pytest removes."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 300 + b"This program cannot be run in DOS mode."


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def activity(office_a, indicator, staff_a):
    return ActivityFactory(
        lead_office=office_a, indicator=indicator, created_by=staff_a, status=Status.DRAFT
    )


def _upload_url(activity) -> str:
    return reverse("activities:evidence-upload", args=[activity.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", PNG, "image/png"),
        ("PHOTO.PNG", PNG, "image/png"),
        ("minutes.pdf", PDF, "application/pdf"),
        (
            "note.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("photo.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
    ],
)
def test_accepted_files(name, content, content_type):
    assert validate_evidence_upload(_upload(name, content)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", EXE, "is not a PDF file"),  # a program renamed
        ("report.pdf", DOCX, "is not a PDF file"),  # a zip renamed
        ("photo.png", PDF, "is not a PNG file"),
        ("archive.docx", _zip({"evil.exe": EXE}), "is not a DOCX file"),  # a zip, not Word's
        ("sheet.docx", _zip({"[Content_Types].xml": b"", "xl/workbook.xml": b""}), "DOCX"),
        ("setup.exe", EXE, "not a type of file we accept"),
        ("notes.txt", b"hello", "not a type of file we accept"),
        ("no-extension", PDF, "not a type of file we accept"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_files_say_why(name, content, reason):
    with pytest.raises(ValidationError) as exc:
        validate_evidence_upload(_upload(name, content))
    assert reason in exc.value.messages[0]
    assert name in exc.value.messages[0]


class _Unreadable(SimpleUploadedFile):
    def read(self, *args):
        raise AssertionError("read before the size check")


def test_size_is_checked_before_the_file_is_read():
    upload = _Unreadable("big.pdf", PDF)
    upload.size = MAX_EVIDENCE_BYTES + 1
    with pytest.raises(ValidationError) as exc:
        validate_evidence_upload(upload)
    assert "at most 10.0\xa0MB" in exc.value.messages[0]


# --- upload ----------------------------------------------------------------------------------


def test_staff_upload_several_files_at_once(client_staff_a, activity, staff_a, media_root):
    response = client_staff_a.post(
        _upload_url(activity),
        {"file": [_upload("會議照片.png", PNG), _upload("minutes.pdf", PDF)]},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    files = list(activity.evidence.order_by("pk"))
    assert [(e.original_name, e.content_type, e.size) for e in files] == [
        ("會議照片.png", "image/png", len(PNG)),
        ("minutes.pdf", "application/pdf", len(PDF)),
    ]
    assert all(e.uploaded_by == staff_a for e in files)
    assert files[0].file.read() == PNG
    # stored under a name of our choosing, in the activity's folder
    assert files[0].file.name.startswith(f"evidence/{activity.pk}/")
    assert files[0].file.name.endswith(".png") and "會議" not in files[0].file.name
    assert (media_root / files[0].file.name).is_file()
    assert _messages(response) == ["Added 2 files: 會議照片.png, minutes.pdf."]


def test_good_files_are_kept_and_each_refused_one_is_named(client_staff_a, activity):
    response = client_staff_a.post(
        _upload_url(activity),
        {"file": [_upload("photo.png", PNG), _upload("invoice.pdf", EXE)]},
    )

    assert [e.original_name for e in activity.evidence.all()] == ["photo.png"]
    messages = _messages(response)
    assert any("invoice.pdf" in m and "is not a PDF file" in m for m in messages)
    assert "Added 1 file: photo.png." in messages


def test_a_file_over_10_mb_is_refused(client_staff_a, activity):
    big = _upload("scan.pdf", PDF + b"\x00" * (11 * 1024 * 1024))

    response = client_staff_a.post(_upload_url(activity), {"file": big})

    assert not Evidence.objects.exists()
    assert _messages(response) == ["“scan.pdf” is 11.0\xa0MB; files can be at most 10.0\xa0MB."]


def test_a_renamed_program_is_refused(client_staff_a, activity, media_root):
    response = client_staff_a.post(_upload_url(activity), {"file": _upload("report.pdf", EXE)})

    assert response.status_code == 400  # nothing kept: the activity's page with the reason
    assert not Evidence.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
    assert "The content of “report.pdf” is not a PDF file" in _messages(response)[0]


def test_no_file_chosen(client_staff_a, activity):
    response = client_staff_a.post(_upload_url(activity), {})
    assert response.status_code == 400
    assert _messages(response) == ["Choose at least one file to upload."]


def test_bureau_viewer_cannot_upload(client_bureau, activity):
    response = client_bureau.post(_upload_url(activity), {"file": _upload("photo.png", PNG)})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_staff_of_another_office_cannot_upload_or_even_see(client_staff_b, activity):
    response = client_staff_b.post(_upload_url(activity), {"file": _upload("photo.png", PNG)})
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_anonymous_upload_goes_to_sign_in(client, activity):
    response = client.post(_upload_url(activity), {"file": _upload("photo.png", PNG)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Evidence.objects.exists()


def test_a_removed_activity_gets_no_evidence(client_staff_a, activity, staff_a):
    activity.removed_at = timezone.now()
    activity.removed_by = staff_a
    activity.removal_reason = "Logged twice"
    activity.save()

    response = client_staff_a.post(
        _upload_url(activity), {"file": [_upload("photo.png", PNG), _upload("a.pdf", PDF)]}
    )

    assert not Evidence.objects.exists()
    assert _messages(response) == [
        "This activity has been removed; evidence can no longer be added."
    ]


def test_staff_may_add_evidence_to_a_verified_activity(client_staff_a, activity):
    activity.status = Status.VERIFIED
    activity.counted_since = timezone.now()
    activity.save()
    client_staff_a.post(_upload_url(activity), {"file": _upload("photo.png", PNG)})
    assert activity.evidence.count() == 1


def test_service_refuses_those_who_cannot_write(activity, bureau_viewer, staff_b):
    for user in (bureau_viewer, staff_b):
        with pytest.raises(PermissionDenied):
            evidence_add(user=user, activity=activity, upload=_upload("photo.png", PNG))
    assert not Evidence.objects.exists()


# --- download --------------------------------------------------------------------------------


@pytest.fixture
def evidence(activity, staff_a):
    return evidence_add(user=staff_a, activity=activity, upload=_upload("會議照片.png", PNG))


def _download_url(evidence) -> str:
    return reverse("activities:evidence-download", args=[evidence.activity_id, evidence.pk])


@pytest.mark.parametrize("persona", ["client_staff_a", "client_bureau"])
def test_download_for_those_who_may_see_the_activity(request, persona, evidence):
    response = request.getfixturevalue(persona).get(_download_url(evidence))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E6%9C%83%E8%AD%B0%E7%85%A7%E7%89%87.png"
        in (response["Content-Disposition"])
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_of_another_office_cannot_download(client_staff_b, evidence):
    assert client_staff_b.get(_download_url(evidence)).status_code == 404


def test_evidence_is_only_found_under_its_own_activity(
    client_staff_a, evidence, office_a, indicator, staff_a
):
    other = ActivityFactory(lead_office=office_a, indicator=indicator, created_by=staff_a)
    url = reverse("activities:evidence-download", args=[other.pk, evidence.pk])
    assert client_staff_a.get(url).status_code == 404


def test_anonymous_download_goes_to_sign_in(client, evidence):
    response = client.get(_download_url(evidence))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- the partial on the activity page ---------------------------------------------------------


def test_partial_lists_files_and_offers_the_upload_form(rf, evidence, activity):
    html = render_to_string(
        "activities/_evidence.html",
        {
            "activity": activity,
            "evidence": [evidence],
            "can_upload": True,
            "evidence_form": EvidenceForm(),
        },
    )
    assert "會議照片.png" in html
    assert _download_url(evidence) in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="file"' in html and "multiple" in html
    assert 'accept=".jpg,.jpeg,.png' in html
    assert "up to 10 MB each" in html


def test_partial_has_no_form_for_readers(evidence, activity):
    html = render_to_string(
        "activities/_evidence.html",
        {"activity": activity, "evidence": [evidence], "can_upload": False},
    )
    assert "會議照片.png" in html
    assert "<form" not in html
