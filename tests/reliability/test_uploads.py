"""Uploads: size limit, type decided by content (an HTML page renamed .png is refused), and downloads
served as attachments that a browser never sniffs or renders as a page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from .world import PDF, PNG

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HOSTILE = [
    ("page.png", HTML),  # an HTML page renamed .png
    ("page.pdf", HTML),
    ("note.txt", b"hello <script>alert(1)</script>"),  # text that a browser would run as a page
    ("logo.png", SVG),
    ("logo.svg", SVG),
    ("report.pdf", PNG),  # the name does not match the content
    ("run.exe", b"MZ\x90\x00" + b"\x00" * 100),
]


@pytest.fixture
def director(world, personas):
    client = Client()
    client.force_login(personas["director_a"])
    return client


def _uploads(world):
    """(url, form field, model, queryset filter) of each upload form that takes any file type."""
    from followups.models import IssueAttachment
    from meetings.models import Material, Photo

    return [
        (reverse("meetings:material_upload", args=[world.draft.pk]), "file", Material, {"meeting": world.draft}),
        (reverse("followups:attach", args=[world.issue.pk]), "file", IssueAttachment, {"issue": world.issue}),
        (reverse("meetings:photo_upload", args=[world.held.pk]), "image", Photo, {"meeting": world.held}),
    ]


@pytest.mark.parametrize("name,data", HOSTILE, ids=[n for n, _ in HOSTILE])
def test_files_are_judged_by_content_not_by_name(name, data, world, director):
    for url, field, model, where in _uploads(world):
        before = model.objects.filter(**where).count()
        r = director.post(url, {field: SimpleUploadedFile(name, data, content_type="image/png")}, follow=True)
        assert r.status_code in (200, 400), url
        assert model.objects.filter(**where).count() == before, f"{url} accepted {name}"
        assert "不是可接受的文件" in r.content.decode(), f"{url}: the user is told why"


def test_a_good_file_is_accepted(world, director):
    """Control: the same forms take a real PNG and PDF."""
    for url, field, model, where in _uploads(world):
        before = model.objects.filter(**where).count()
        director.post(url, {field: SimpleUploadedFile("ok.png", PNG, content_type="image/png")})
        assert model.objects.filter(**where).count() == before + 1, url
    from meetings.models import Material

    director.post(
        reverse("meetings:material_upload", args=[world.draft.pk]),
        {"file": SimpleUploadedFile("议程.pdf", PDF, content_type="application/pdf")},
    )
    assert Material.objects.filter(meeting=world.draft, original_name="议程.pdf").exists()


def test_size_limit(world, director, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = PNG + b"\x00" * 2048
    for url, field, model, where in _uploads(world):
        before = model.objects.filter(**where).count()
        r = director.post(url, {field: SimpleUploadedFile("big.png", big, content_type="image/png")}, follow=True)
        assert model.objects.filter(**where).count() == before, f"{url} accepted a file over the limit"
        body = r.content.decode()
        assert "文件过大" in body and "MB" in body, f"{url}: the message names the limit"


def test_downloads_are_attachments_never_sniffed_or_rendered(world, director):
    from meetings.models import Material

    # even a stored file whose content is HTML (e.g. from before the check existed) is served safely
    legacy = Material(meeting=world.draft, original_name="旧.html", content_type="text/html", size=len(HTML))
    from django.core.files.base import ContentFile

    legacy.file.save("legacy", ContentFile(HTML), save=True)
    urls = [
        reverse("meetings:material", args=[world.material.pk]),
        reverse("meetings:material", args=[legacy.pk]),
        reverse("meetings:photo", args=[world.photo.pk]),
        reverse("followups:attachment", args=[world.attachment.pk]) + "?download=1",
    ]
    # an issue's photo opens in the browser (issue 16: tap a thumbnail, see the picture), still sandboxed
    inline = [
        reverse("followups:attachment", args=[world.attachment.pk]),
        reverse("followups:attachment_thumbnail", args=[world.attachment.pk]),
    ]
    for url in urls + inline:
        r = director.get(url)
        assert r.status_code == 200, url
        assert r["Content-Disposition"].startswith("inline" if url in inline else "attachment"), url
        assert r["X-Content-Type-Options"] == "nosniff", url
        assert "sandbox" in r["Content-Security-Policy"], url
        assert "html" not in r["Content-Type"], f"{url} served as {r['Content-Type']}"
