"""Cross-estate access: a committee member or director of estate B gets 404 on estate A's meetings,
also by guessing ids of agenda items, materials, photos, invitations and attendance lines."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import actions
from meetings.models import AgendaItem, Attendance, Invitation, Material

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def sent(make_meeting, chair_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True)
    AgendaItem.objects.create(meeting=m, title="议题")
    Material.objects.create(
        meeting=m,
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        original_name="a.pdf",
        content_type="application/pdf",
    )
    actions.add_walk_in(m, actor=m.organizer, name="王五", unit="3-101", phone="13900000000", now=m.starts_at)
    return m


def _urls(m):
    item = m.agenda_items.first()
    mat = m.materials.first()
    inv = m.invitations.first()
    att = Attendance.objects.filter(meeting=m).first()
    return {
        "get": [
            f"/meetings/{m.pk}/",
            f"/meetings/{m.pk}/edit/",
            f"/meetings/{m.pk}/signin/",
            f"/meetings/{m.pk}/minutes/",
            f"/meetings/materials/{mat.pk}/",
            f"/meetings/agenda/{item.pk}/edit/",
            f"/meetings/{m.pk}/agenda/new/",
        ],
        "post": [
            f"/meetings/{m.pk}/cancel/",
            f"/meetings/{m.pk}/send/",
            f"/meetings/{m.pk}/approve/",
            f"/meetings/invitations/{inv.pk}/respond/",
            f"/meetings/invitations/{inv.pk}/remove/",
            f"/meetings/attendance/{att.pk}/remove/",
            f"/meetings/{m.pk}/signin/{inv.pk}/",
            f"/meetings/agenda/{item.pk}/delete/",
            f"/meetings/materials/{mat.pk}/delete/",
            f"/meetings/{m.pk}/minutes/finalise/",
        ],
    }


@pytest.mark.parametrize("who", ["chair_b", "director_b"])
def test_other_estate_gets_404_everywhere(sent, who, request, client_for):
    c = client_for(request.getfixturevalue(who))
    urls = _urls(sent)
    for url in urls["get"]:
        assert c.get(url).status_code == 404, url
    for url in urls["post"]:
        assert c.post(url, {"reason": "x", "instruction": "x", "response": "declined"}).status_code == 404, url
    sent.refresh_from_db()
    assert sent.status == "held"  # nothing changed
    assert Invitation.objects.filter(meeting=sent).count() >= 1


def test_other_estate_list_and_feed_do_not_show_it(sent, chair_b, director_b, client_for):
    for user in (chair_b, director_b):
        c = client_for(user)
        body = c.get("/meetings/").content.decode()
        assert sent.title not in body
        r = c.get(f"/meetings/?estate={sent.estate_id}")  # the id is refused on the filter
        assert r.status_code == 200 and sent.title not in r.content.decode()


def test_committee_member_sees_own_sent_meeting_but_not_drafts(
    make_meeting, chair_a, rc_member_a, rc_a, now, client_for
):
    draft = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, title="草稿会议")
    sent = make_meeting(starts_at=now + datetime.timedelta(days=4), now=now, title="已发送会议", send=True)
    c = client_for(chair_a)
    assert c.get(f"/meetings/{draft.pk}/").status_code == 404
    r = c.get(f"/meetings/{sent.pk}/")
    assert r.status_code == 200 and "已发送会议" in r.content.decode()
    # a member of the residents' committee of the same estate does not see the OC's meeting
    assert client_for(rc_member_a).get(f"/meetings/{sent.pk}/").status_code == 404


def test_committee_member_cannot_manage(make_meeting, chair_a, now, client_for):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True)
    c = client_for(chair_a)
    assert c.get(f"/meetings/{m.pk}/edit/").status_code == 403
    assert c.post(f"/meetings/{m.pk}/cancel/", {"reason": "x"}).status_code == 403
    m.refresh_from_db()
    assert m.status == "confirmed"


def test_material_download_is_an_attachment_for_own_estate(sent, director_a, chair_a, client_for):
    mat = sent.materials.first()
    r = client_for(chair_a).get(f"/meetings/materials/{mat.pk}/")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"


def test_upload_checked_by_content(make_meeting, director_a, now, client_for):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now)
    c = client_for(director_a)
    bad = SimpleUploadedFile("agenda.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    r = c.post(f"/meetings/{m.pk}/materials/", {"file": bad}, follow=True)
    assert not m.materials.exists()
    assert "not an accepted file" in r.content.decode() or "不是" in r.content.decode()
    good = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    c.post(f"/meetings/{m.pk}/materials/", {"file": good})
    assert m.materials.get().original_name == "plan.pdf"
    photo_bad = SimpleUploadedFile("p.jpg", b"%PDF-1.4", content_type="image/jpeg")
    c.post(f"/meetings/{m.pk}/photos/", {"image": photo_bad})
    assert not m.photos.exists()
    c.post(f"/meetings/{m.pk}/photos/", {"image": SimpleUploadedFile("p.png", PNG), "caption": "现场"})
    assert m.photos.get().caption == "现场"
