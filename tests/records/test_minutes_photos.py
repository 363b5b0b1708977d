"""Photos on a member's answer to the minutes (issue 16 item 2): a member objects with two phone photos
(a HEIC and a PNG named .jpg); they are kept without location, shown as thumbnails to the director and to
the member; another member of the committee, another estate's people cannot fetch them; a text file named
.jpg is refused with the comment kept."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from records.models import MinutesResponse, MinutesResponsePhoto
from tests.followups.test_photos import GPS_IFD, heic_photo, png_named_jpg

from . import factories as f

pytestmark = pytest.mark.django_db
OBJECTION = "第三项：会上定的是七日内完成，纪要写成了十日内。"


@pytest.fixture
def meeting(estate_a, oc_a, director_a, chair_a, member_a):
    return f.meeting(estate_a, oc_a, organizer=director_a)


@pytest.fixture
def minutes(meeting, director_a):
    mi = f.minutes(meeting)
    mi.finalised_at = mi.distributed_at = timezone.now() - datetime.timedelta(hours=3)
    mi.finalised_by = director_a
    mi.save()
    return mi


def _answer(client, meeting, **data):
    return client.post(reverse("records:minutes_respond", args=[meeting.pk]), data)


def _image(response):
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_an_objection_with_two_photos_shows_them_to_the_director_without_location(
    client_for, meeting, minutes, member_a, director_a
):
    r = _answer(
        client_for(member_a), meeting, answer="objected", comment=OBJECTION, photos=[heic_photo(), png_named_jpg()]
    )
    assert r.status_code == 302
    heic, png = MinutesResponsePhoto.objects.order_by("id")
    assert heic.response.user == member_a and (heic.name, png.name) == ("IMG_0001.jpg", "截图.png")

    director = client_for(director_a)
    html = director.get(reverse("records:minutes_html", args=[meeting.pk])).content.decode()
    objected = html.split('id="answers-objected"', 1)[1].split("</section>", 1)[0]
    for p in (heic, png):
        assert reverse("records:minutes_answer_thumbnail", args=[p.pk]) in objected
        original = director.get(reverse("records:minutes_answer_photo", args=[p.pk]))
        assert original["Content-Disposition"].startswith("inline")
        assert not _image(original).getexif().get_ifd(GPS_IFD)
        thumb = director.get(reverse("records:minutes_answer_thumbnail", args=[p.pk]))
        assert thumb["Content-Type"] == "image/jpeg" and max(_image(thumb).size) <= 480

    # the member sees their own photos with their answer
    mine = client_for(member_a).get(reverse("records:minutes_html", args=[meeting.pk])).content.decode()
    assert reverse("records:minutes_answer_thumbnail", args=[heic.pk]) in mine.split('id="my-answer"', 1)[1]


def test_only_the_company_and_the_member_who_answered_fetch_the_photos(
    client_for, meeting, minutes, member_a, chair_a, chair_b, director_b
):
    _answer(client_for(member_a), meeting, answer="objected", comment=OBJECTION, photos=[heic_photo()])
    photo = MinutesResponsePhoto.objects.get()
    for user in (chair_a, chair_b, director_b):  # another member of the committee, another estate
        c = client_for(user)
        for name in ("records:minutes_answer_photo", "records:minutes_answer_thumbnail"):
            assert c.get(reverse(name, args=[photo.pk])).status_code == 404, (user, name)


def test_a_text_file_named_jpg_is_refused_and_the_comment_kept(client_for, meeting, minutes, member_a):
    fake = SimpleUploadedFile("现场.jpg", "这不是照片".encode(), content_type="image/jpeg")
    r = _answer(client_for(member_a), meeting, answer="objected", comment=OBJECTION, photos=[fake])
    assert r.status_code == 400
    html = r.content.decode()
    assert "“现场.jpg”不是照片" in html and OBJECTION in html and 'id="files-again"' in html
    assert not MinutesResponse.objects.exists() and not MinutesResponsePhoto.objects.exists()
