"""Scheduling from where the need shows (a cadence row, a calendar day), taking a submission back from
the leader, and a moved meeting asking everyone again."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison.models import Notification
from meetings import actions
from meetings.models import Invitation, Meeting

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_a_cadence_row_short_of_meetings_schedules_one_prefilled(
    client_for, director_a, estate_a, oc_a, rules_a, kinds
):
    client = client_for(director_a)
    html = client.get(reverse("meetings:cadence")).content.decode()
    rule = rules_a["oc_monthly"]
    link = f"{reverse('meetings:create')}?estate={estate_a.pk}&amp;for_rule={rule.pk}"
    assert link in html
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert re.search(rf'<option value="{oc_a.pk}"[^>]*\bselected\b', form)
    first_kind = rule.kinds.order_by("pk").first()
    assert re.search(rf'<option value="{first_kind.pk}"[^>]*\bselected\b', form)
    assert f'value="{rule.name}"' in form


def test_a_calendar_day_schedules_a_meeting_that_day(client_for, director_a, estate_a):
    client = client_for(director_a)
    form = client.get(reverse("meetings:create") + f"?estate={estate_a.pk}&date=2027-01-12").content.decode()
    assert 'value="2027-01-12T09:00"' in form and 'value="2027-01-12T11:00"' in form
    # nonsense is ignored, not an error
    assert (
        client.get(reverse("meetings:create") + f"?estate={estate_a.pk}&date=0001-13-99&for_rule=x").status_code == 200
    )


def test_withdrawn_from_approval_it_is_a_draft_and_the_leader_is_told(special_topic, director_a, leader, now):
    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    actions.withdraw_submission(special_topic, actor=director_a, now=now + datetime.timedelta(hours=1))
    special_topic.refresh_from_db()
    assert special_topic.status == Meeting.Status.DRAFT and special_topic.approval_requested_at is None
    assert Notification.objects.filter(recipient=leader, kind="meeting.withdrawn").exists()
    with pytest.raises(ValidationError):  # not awaiting approval anymore
        actions.withdraw_submission(special_topic, actor=director_a, now=now)
    with pytest.raises(ValidationError):  # nor can the leader approve what was taken back
        actions.approve_meeting(special_topic, actor=leader, instruction="同意", now=now)


def test_a_moved_meeting_asks_everyone_again(make_meeting, director_a, chair_a, now):
    m = make_meeting(starts_at=sh(2026, 3, 20, 15), now=now, send=True)
    inv = m.invitations.get(user=chair_a)
    actions.respond(inv, user=chair_a, response=Invitation.Response.DECLINED, now=now)
    new_start = sh(2026, 3, 21, 15)
    actions.update_meeting(
        m,
        actor=director_a,
        now=now,
        reason="场地冲突",
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=2),
    )
    inv.refresh_from_db()
    assert inv.response == Invitation.Response.PENDING and inv.responded_at is None
    assert m.invitations.get(user=director_a).response == Invitation.Response.ACCEPTED  # the organiser
    assert Notification.objects.filter(recipient=chair_a, kind="meeting.rescheduled").exists()


def test_the_leaders_approval_request_is_read_once_decided(special_topic, director_a, leader, now):
    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    asked = Notification.objects.get(recipient=leader, kind="meeting.approval_requested")
    assert asked.read_at is None
    actions.approve_meeting(special_topic, actor=leader, instruction="同意", now=now)
    asked.refresh_from_db()
    assert asked.read_at is not None
    # the director is told of the approval, the leader not of their own decision
    assert Notification.objects.filter(recipient=director_a, kind="meeting.approved").exists()
    assert not Notification.objects.filter(recipient=leader, kind="meeting.approved").exists()


def test_materials_may_be_added_while_awaiting_approval_and_the_leader_is_told(special_topic, director_a, leader, now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    special_topic.refresh_from_db()
    pdf = SimpleUploadedFile(
        "电梯检测报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    actions.upload_material(special_topic, actor=director_a, now=now, file=pdf)
    told = Notification.objects.get(recipient=leader, kind="meeting.changed_for_approver")
    assert "电梯检测报告.pdf" in told.body or "电梯检测报告.pdf" in str(told.texts)
    special_topic.refresh_from_db()
    assert special_topic.status == Meeting.Status.AWAITING_APPROVAL  # still with the leader
    with pytest.raises(ValidationError):  # the agenda itself stays as the leader reads it
        actions.add_agenda_item(special_topic, actor=director_a, now=now, title="临时增加的议题")


def test_a_change_after_approval_goes_back_to_the_leader(special_topic, director_a, leader, now, client_for):
    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    actions.approve_meeting(special_topic, actor=leader, instruction="同意", now=now)
    special_topic.refresh_from_db()
    assert special_topic.approved_at is not None
    later = now + datetime.timedelta(hours=1)
    actions.add_agenda_item(special_topic, actor=director_a, now=later, title="增加：电梯采购方式")
    special_topic.refresh_from_db()
    assert special_topic.status == Meeting.Status.AWAITING_APPROVAL and special_topic.approved_at is None
    told = Notification.objects.filter(recipient=leader, kind="meeting.changed_for_approver").get()
    assert "电梯采购方式" in told.body or "电梯采购方式" in str(told.texts)
    # the approval box says what changed since it went back to the leader; the director's page does not
    page = client_for(leader).get(f"/meetings/{special_topic.pk}/").content.decode()
    box = page.split('id="changes-told"', 1)[1].split("</div>", 1)[0]
    assert "提交您审批后的改动" in box and "增加：电梯采购方式" in box and director_a.display_name in box
    assert 'id="changes-told"' not in client_for(director_a).get(f"/meetings/{special_topic.pk}/").content.decode()
    with pytest.raises(ValidationError):  # not sendable until approved again
        actions.send_meeting(special_topic, actor=director_a, now=later)
    actions.approve_meeting(special_topic, actor=leader, instruction="同意修改", now=later)
    actions.send_meeting(special_topic, actor=director_a, now=later)
    special_topic.refresh_from_db()
    assert special_topic.sent_at == later
