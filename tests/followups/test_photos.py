"""Photos as people take them (issue 16 item 2): several per issue, HEIC converted to JPEG, a PNG named
.jpg judged by its content, location metadata removed, thumbnails on the issue page, scoped to the estate."""

import io

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from followups.models import Issue, IssueAttachment
from liaison.models import AuditEntry

GPS_IFD = 0x8825


def _exif_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make: kept
    exif[0x0110] = "iPhone 15"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (22.0, 32.0, 10.5), "E", (113.0, 56.0, 3.2)
    return exif


def heic_photo(name="IMG_0001.HEIC"):
    """A photo as an iPhone sends it: HEIC with the place it was taken in its EXIF."""
    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(buf, format="HEIF", exif=_exif_with_gps().tobytes())
    data = buf.getvalue()
    assert data[4:12] == b"ftypheic"
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the test photo carries GPS"
    return SimpleUploadedFile(name, data, content_type="image/heic")


def png_named_jpg(name="截图.jpg"):
    """A PNG that a chat app renamed .jpg, with GPS in its eXIf chunk."""
    buf = io.BytesIO()
    Image.new("RGBA", (300, 200), (200, 60, 60, 255)).save(buf, format="PNG", exif=_exif_with_gps().tobytes())
    data = buf.getvalue()
    assert data.startswith(b"\x89PNG") and Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _raise(client, **extra):
    data = {"title": "车库渗水", "description": "地下车库B区渗水，墙面发霉", "location": "B区", "urgency": "normal"}
    data.update(extra)
    return client.post(reverse("followups:create"), data)


def _image(response):
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_two_photos_from_a_phone_are_shown_as_thumbnails_without_location(client_for, chair_a, oc_a):
    client = client_for(chair_a)
    r = _raise(client, committee=oc_a.pk, photos=[heic_photo(), png_named_jpg()])
    assert r.status_code == 302, r.content.decode()[:2000]
    issue = Issue.objects.get()
    heic, png = issue.attachments.order_by("id")
    assert heic.name == "IMG_0001.jpg" and heic.content_type == "image/jpeg"  # converted
    assert png.name == "截图.png" and png.content_type == "image/png"  # judged by content

    page = client.get(issue.get_absolute_url()).content.decode()
    for att in (heic, png):
        assert reverse("followups:attachment_thumbnail", args=[att.pk]) in page
        assert reverse("followups:attachment", args=[att.pk]) in page
    assert page.count('class="photo-thumb"') == 2

    for att, fmt, size in ((heic, "JPEG", (640, 480)), (png, "PNG", (300, 200))):
        r = client.get(reverse("followups:attachment", args=[att.pk]))
        assert r.status_code == 200
        assert r["Content-Disposition"].startswith("inline")  # opens in the browser, not a forced download
        assert r["X-Content-Type-Options"] == "nosniff"
        original = _image(r)
        assert original.format == fmt and original.size == size
        exif = original.getexif()
        assert not exif.get_ifd(GPS_IFD) and GPS_IFD not in exif, "the place the photo was taken is removed"
        assert exif.get(0x010F) == "Apple"  # which camera is kept
        thumb = client.get(reverse("followups:attachment_thumbnail", args=[att.pk]))
        assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
        small = _image(thumb)
        assert max(small.size) <= 480 and not small.getexif().get_ifd(GPS_IFD)
        saved = client.get(reverse("followups:attachment", args=[att.pk]) + "?download=1")
        assert saved["Content-Disposition"].startswith("attachment")


def test_a_text_file_named_jpg_is_refused_and_the_typed_fields_kept(client_for, chair_a, oc_a):
    client = client_for(chair_a)
    fake = SimpleUploadedFile("现场.jpg", "这不是照片，是一段文字。".encode(), content_type="image/jpeg")
    r = _raise(client, committee=oc_a.pk, photos=[png_named_jpg(), fake])
    assert r.status_code == 200
    page = r.content.decode()
    assert "“现场.jpg”不是照片" in page
    assert "地下车库B区渗水，墙面发霉" in page and 'value="车库渗水"' in page and 'value="B区"' in page
    assert 'id="files-again"' in page  # told to choose the photos again
    assert not Issue.objects.exists() and not IssueAttachment.objects.exists()


def test_a_photo_over_the_size_limit_is_refused_with_the_limit(client_for, chair_a, oc_a, settings):
    photo = heic_photo()
    settings.UPLOAD_MAX_BYTES = photo.size - 1
    r = _raise(client_for(chair_a), committee=oc_a.pk, photos=[photo])
    page = r.content.decode()
    assert r.status_code == 200 and "文件过大" in page and "MB" in page
    assert not Issue.objects.exists()


@pytest.fixture
def issue_with_photo(client_for, chair_a, oc_a):
    assert _raise(client_for(chair_a), committee=oc_a.pk, photos=[heic_photo()]).status_code == 302
    return Issue.objects.get()


def test_another_estates_people_cannot_fetch_the_photo_or_its_thumbnail(
    client_for, issue_with_photo, chair_b, director_b
):
    att = issue_with_photo.attachments.get()
    for user in (chair_b, director_b):
        client = client_for(user)
        for name in ("followups:attachment", "followups:attachment_thumbnail"):
            assert client.get(reverse(name, args=[att.pk])).status_code == 404, (user, name)


def test_photos_added_on_the_issue_page_are_one_step_in_the_history(client_for, director_a, issue_with_photo):
    client = client_for(director_a)
    r = client.post(
        reverse("followups:attach", args=[issue_with_photo.pk]),
        {"photos": [heic_photo("IMG_0002.heic"), png_named_jpg("门禁.jpg")]},
    )
    assert r.status_code == 302
    assert issue_with_photo.attachments.count() == 3
    entry = AuditEntry.objects.filter(object_id=str(issue_with_photo.pk), action="attached").get()
    assert "IMG_0002.jpg" in str(entry.changes) and "门禁.png" in str(entry.changes)
    page = client.get(issue_with_photo.get_absolute_url()).content.decode()
    assert page.count('class="photo-thumb"') == 3


def test_the_issue_page_refuses_an_empty_upload_and_a_document_in_the_photo_box(
    client_for, director_a, issue_with_photo
):
    client = client_for(director_a)
    url = reverse("followups:attach", args=[issue_with_photo.pk])
    assert "请选择至少一张照片或一个文件" in client.post(url, {}).content.decode()
    pdf = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = client.post(url, {"photos": [pdf]})
    assert r.status_code == 400 and "“通知.pdf”不是照片" in r.content.decode()
    pdf.seek(0)
    assert client.post(url, {"file": [pdf]}).status_code == 302  # the same PDF as a file is fine
    assert issue_with_photo.attachments.filter(name="通知.pdf", thumbnail="").exists()


def test_a_photo_taken_sideways_is_stored_upright(client_for, chair_a, oc_a):
    exif = _exif_with_gps()
    exif[0x0112] = 6  # Orientation: the camera was turned, the picture must be rotated 90°
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="JPEG", exif=exif.tobytes())
    sideways = SimpleUploadedFile("IMG_0003.jpg", buf.getvalue(), content_type="image/jpeg")
    client = client_for(chair_a)
    assert _raise(client, committee=oc_a.pk, photos=[sideways]).status_code == 302
    att = IssueAttachment.objects.get()
    stored = _image(client.get(reverse("followups:attachment", args=[att.pk])))
    assert stored.size == (300, 400) and stored.getexif().get(0x0112) is None
    assert (att.width, att.height) == (300, 400)
