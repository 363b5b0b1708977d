"""Every change to a meeting's agenda, materials, photos and invitees is an action (meetings.actions):
it bumps the meeting's version (a page loaded before it is told), leaves an audit row, is refused while
the agenda is closed (awaiting approval, cancelled) and for another estate's director. The pages call
the same actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.models import AuditEntry, Role
from meetings import actions
from meetings.models import AgendaItem, Invitation, Material, Meeting, Photo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 plan", content_type="application/pdf")


@pytest.fixture
def draft(make_meeting, now):
    return make_meeting(starts_at=now + datetime.timedelta(days=10), now=now, title="例会")


@pytest.fixture
def item(draft, director_a, now):
    return actions.add_agenda_item(draft, actor=director_a, now=now, title="电梯维修", cause="故障频发")


def version(meeting):
    return Meeting.objects.values_list("version", flat=True).get(pk=meeting.pk)


def audited(obj, action):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action, estate=obj.meeting.estate
    ).exists()


def close_agenda(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    meeting.refresh_from_db()


def test_adding_and_editing_an_agenda_item(draft, director_a, now):
    before = version(draft)
    item = actions.add_agenda_item(draft, actor=director_a, now=now, title="电梯维修")
    assert version(draft) == before + 1 and item.order == 1 and audited(item, "agenda_item_added")
    actions.update_agenda_item(item, actor=director_a, now=now, title="电梯更新", necessity="安全")
    item.refresh_from_db()
    assert (item.title, item.necessity) == ("电梯更新", "安全")
    assert version(draft) == before + 2
    entry = AuditEntry.objects.get(object_id=str(item.pk), action="agenda_item_edited")
    assert sorted(entry.changes["fields"]) == ["necessity", "title"]


def test_deleting_an_agenda_item_and_not_once_sent(draft, item, director_a, now):
    before, pk = version(draft), item.pk
    actions.delete_agenda_item(item, actor=director_a, now=now)
    assert not AgendaItem.objects.filter(pk=pk).exists()
    assert version(draft) == before + 1
    assert AuditEntry.objects.filter(object_id=str(pk), action="agenda_item_deleted").exists()
    kept = actions.add_agenda_item(draft, actor=director_a, now=now, title="绿化")
    actions.send_meeting(draft, actor=director_a, now=now)
    kept.meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.delete_agenda_item(kept, actor=director_a, now=now)
    assert AgendaItem.objects.filter(pk=kept.pk).exists()


def test_materials_upload_and_delete(draft, director_a, now, settings):
    before = version(draft)
    mat = actions.upload_material(draft, actor=director_a, now=now, file=pdf())
    assert (mat.original_name, mat.content_type, mat.uploaded_by) == ("plan.pdf", "application/pdf", director_a)
    assert version(draft) == before + 1 and audited(mat, "material_uploaded")
    stored = mat.file.name
    assert mat.file.storage.exists(stored)
    with pytest.raises(ValidationError):  # judged by content, not by name
        actions.upload_material(
            draft, actor=director_a, now=now, file=SimpleUploadedFile("x.pdf", b"<html><script></script></html>")
        )
    pk = mat.pk
    actions.delete_material(mat, actor=director_a, now=now)
    assert not Material.objects.filter(pk=pk).exists()
    assert version(draft) == before + 2
    assert AuditEntry.objects.filter(object_id=str(pk), action="material_deleted").exists()


def test_a_material_file_is_kept_when_its_delete_rolls_back(draft, director_a, now, django_capture_on_commit_callbacks):
    mat = actions.upload_material(draft, actor=director_a, now=now, file=pdf())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.delete_material(mat, actor=director_a, now=now)
    assert mat.file.storage.exists(mat.file.name)  # removed only after commit
    for callback in callbacks:
        callback()
    assert not mat.file.storage.exists(mat.file.name)


def test_photos(draft, director_a, now):
    before = version(draft)
    photo = actions.upload_photo(
        draft, actor=director_a, now=now, image=SimpleUploadedFile("p.png", PNG), caption=" 现场 "
    )
    assert (photo.caption, photo.content_type) == ("现场", "image/png")
    assert version(draft) == before + 1 and audited(photo, "photo_uploaded")
    with pytest.raises(ValidationError):
        actions.upload_photo(draft, actor=director_a, now=now, image=SimpleUploadedFile("p.jpg", b"%PDF-1.4"))
    assert Photo.objects.filter(meeting=draft).count() == 1


def test_inviting_and_removing_an_invitee(draft, director_a, now):
    before = version(draft)
    inv = actions.invite(draft, actor=director_a, now=now, name="街道办 王科长", unit="街道办")
    assert version(draft) == before + 1 and audited(inv, "invited")
    pk = inv.pk
    actions.remove_invitation(inv, actor=director_a, now=now)
    assert not Invitation.objects.filter(pk=pk).exists()
    assert version(draft) == before + 2
    assert AuditEntry.objects.filter(object_id=str(pk), action="uninvited").exists()


def test_an_invitee_who_signed_in_stays(make_meeting, director_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(minutes=30), now=now - datetime.timedelta(days=8), send=True)
    inv = actions.invite(m, actor=director_a, now=now, name="派出所 李警官")
    actions.sign_in_invitee(m, inv, actor=director_a, now=now)
    before = version(m)
    with pytest.raises(ValidationError):
        actions.remove_invitation(inv, actor=director_a, now=now)
    assert Invitation.objects.filter(pk=inv.pk).exists() and version(m) == before


def test_agenda_and_materials_are_closed_while_cancelled_or_awaiting_approval(
    draft, item, special_topic, director_a, now
):
    mat = actions.upload_material(draft, actor=director_a, now=now, file=pdf())
    close_agenda(draft)
    item.meeting.refresh_from_db()
    mat.meeting.refresh_from_db()
    before = version(draft)
    for call in (
        lambda: actions.add_agenda_item(draft, actor=director_a, now=now, title="新议题"),
        lambda: actions.update_agenda_item(item, actor=director_a, now=now, title="改"),
        lambda: actions.delete_agenda_item(item, actor=director_a, now=now),
        lambda: actions.upload_material(draft, actor=director_a, now=now, file=pdf()),
        lambda: actions.delete_material(mat, actor=director_a, now=now),
    ):
        with pytest.raises(ValidationError) as e:
            call()
        assert "会议待批示或已取消时不能修改议程。" in str(e.value)
    assert version(draft) == before
    item.refresh_from_db()
    assert item.title == "电梯维修" and Material.objects.filter(pk=mat.pk).exists()

    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    special_topic.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.add_agenda_item(special_topic, actor=director_a, now=now, title="背着领导加的议题")


def test_another_estates_director_is_refused(draft, item, director_a, director_b, now):
    mat = actions.upload_material(draft, actor=director_a, now=now, file=pdf())
    photo = actions.upload_photo(draft, actor=director_a, now=now, image=SimpleUploadedFile("p.png", PNG))
    inv = actions.invite(draft, actor=director_a, now=now, name="王科长")
    before, audits = version(draft), AuditEntry.objects.count()
    for call in (
        lambda: actions.add_agenda_item(draft, actor=director_b, now=now, title="x"),
        lambda: actions.update_agenda_item(item, actor=director_b, now=now, title="x"),
        lambda: actions.delete_agenda_item(item, actor=director_b, now=now),
        lambda: actions.upload_material(draft, actor=director_b, now=now, file=pdf()),
        lambda: actions.delete_material(mat, actor=director_b, now=now),
        lambda: actions.upload_photo(draft, actor=director_b, now=now, image=SimpleUploadedFile("p.png", PNG)),
        lambda: actions.invite(draft, actor=director_b, now=now, name="x"),
        lambda: actions.remove_invitation(inv, actor=director_b, now=now),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert version(draft) == before and AuditEntry.objects.count() == audits
    assert Photo.objects.filter(pk=photo.pk).exists() and Invitation.objects.filter(pk=inv.pk).exists()


def test_the_pages_call_the_actions(draft, item, director_a, client_for):
    c = client_for(director_a)
    before = version(draft)
    r = c.post(
        f"/meetings/agenda/{item.pk}/edit/",
        {"order": 1, "title": "电梯更新", "cause": "故障频发"},
    )
    assert r.status_code == 302
    assert version(draft) == before + 1
    assert AuditEntry.objects.filter(object_id=str(item.pk), action="agenda_item_edited").exists()
    c.post(f"/meetings/{draft.pk}/materials/", {"file": pdf()})
    c.post(f"/meetings/{draft.pk}/photos/", {"image": SimpleUploadedFile("p.png", PNG), "caption": "现场"})
    inv = actions.invite(draft, actor=director_a, now=draft.created_at, name="王科长")
    inv_pk = inv.pk
    c.post(f"/meetings/invitations/{inv_pk}/remove/")
    c.post(f"/meetings/materials/{draft.materials.get().pk}/delete/")
    c.post(f"/meetings/agenda/{item.pk}/delete/")
    assert version(draft) == before + 7
    assert not draft.agenda_items.exists() and not draft.materials.exists() and draft.photos.count() == 1
    assert not Invitation.objects.filter(pk=inv_pk).exists()


def test_a_closed_agenda_is_said_on_the_page(draft, item, director_a, client_for):
    close_agenda(draft)
    c = client_for(director_a)
    r = c.get(f"/meetings/agenda/{item.pk}/edit/", follow=True)
    assert "会议待批示或已取消时不能修改议程。" in r.content.decode()
    r = c.post(f"/meetings/agenda/{item.pk}/delete/", follow=True)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_a_committee_member_may_not_change_the_agenda(draft, item, chair_a, director_a, now, client_for):
    actions.send_meeting(draft, actor=director_a, now=now)
    c = client_for(chair_a)
    assert c.post(f"/meetings/agenda/{item.pk}/delete/").status_code == 403
    assert c.post(f"/meetings/{draft.pk}/materials/", {"file": "not a file"}).status_code == 403
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# --- approving: a leader power (liaison.access.has_leader_powers) -------------------------------------


def test_an_administrator_may_approve_a_meeting_as_a_work_plan(special_topic, director_a, now, client_for):
    """The administrator role (not a superuser) approves a special-topic meeting, as it may approve a
    work plan: one rule, liaison.access.has_leader_powers."""
    admin = UserFactory(username="admin2", name="系统管理员", role=Role.ADMIN)
    assert not admin.is_superuser
    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    c = client_for(admin)
    page = c.get("/meetings/approvals/")
    assert page.status_code == 200 and special_topic.title in page.content.decode()
    assert 'id="nav-approvals"' in page.content.decode()
    detail = c.get(f"/meetings/{special_topic.pk}/").content.decode()
    assert 'id="approval-box"' in detail
    special_topic.refresh_from_db()
    actions.approve_meeting(special_topic, actor=admin, instruction="同意，注意安全", now=now)
    special_topic.refresh_from_db()
    assert special_topic.approved_at == now and special_topic.approver == admin


def test_a_director_may_not_approve(special_topic, director_a, now, client_for):
    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    special_topic.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.approve_meeting(special_topic, actor=director_a, instruction="自己批", now=now)
    assert client_for(director_a).get("/meetings/approvals/").status_code == 403
