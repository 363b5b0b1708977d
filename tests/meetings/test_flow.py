"""Notice rule and override, approval, sending, rescheduling and cancelling (actions with explicit now)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.models import AuditEntry, Notification
from meetings import actions
from meetings.models import Dispatch, Meeting

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_special_topic_needs_seven_days(make_meeting, now):
    with pytest.raises(ValidationError) as e:
        make_meeting(kind="special_topic", starts_at=now + datetime.timedelta(days=6), now=now)
    assert "§4.1.4.2" in str(e.value.message_dict["starts_at"])
    assert not Meeting.objects.exists()  # nothing half-written


def test_override_needs_reason_and_is_recorded(make_meeting, now, director_a):
    m = make_meeting(
        kind="special_topic",
        starts_at=now + datetime.timedelta(days=2),
        now=now,
        override_reason="台风过后地库进水，须紧急商议",
    )
    assert m.notice_override and m.notice_override_by == director_a
    assert m.notice_days_required == 7
    assert AuditEntry.objects.filter(object_type="meetings.meeting", object_id=str(m.pk), action="created").exists()


def test_rc_meeting_one_day_ahead(make_meeting, rc_a, now):
    with pytest.raises(ValidationError):
        make_meeting(kind="rc_contact", committee=rc_a, starts_at=now + datetime.timedelta(hours=3), now=now)
    with pytest.raises(ValidationError):  # tomorrow, but 23 hours ahead
        make_meeting(kind="rc_contact", committee=rc_a, starts_at=sh(2026, 3, 11, 9), now=now)
    m = make_meeting(kind="rc_contact", committee=rc_a, starts_at=sh(2026, 3, 11, 10), now=now)
    assert not m.notice_override


def test_end_before_start_refused(kinds, estate_a, oc_a, director_a, now):
    with pytest.raises(ValidationError) as e:
        actions.create_meeting(
            estate=estate_a,
            committee=oc_a,
            kind=kinds["oc_routine"],
            title="x",
            starts_at=now + datetime.timedelta(days=1),
            ends_at=now + datetime.timedelta(days=1),
            place="p",
            actor=director_a,
            now=now,
        )
    assert "ends_at" in e.value.message_dict


def test_kind_must_fit_committee(kinds, estate_a, rc_a, director_a, now):
    with pytest.raises(ValidationError) as e:
        actions.create_meeting(
            estate=estate_a,
            committee=rc_a,
            kind=kinds["director_chair"],
            title="x",
            starts_at=now + datetime.timedelta(days=3),
            ends_at=now + datetime.timedelta(days=3, hours=1),
            place="p",
            actor=director_a,
            now=now,
        )
    assert "kind" in e.value.message_dict


def test_director_of_other_estate_cannot_schedule(kinds, estate_a, oc_a, director_b, now):
    with pytest.raises(PermissionDenied):
        actions.create_meeting(
            estate=estate_a,
            committee=oc_a,
            kind=kinds["oc_routine"],
            title="x",
            starts_at=now + datetime.timedelta(days=3),
            ends_at=now + datetime.timedelta(days=3, hours=1),
            place="p",
            actor=director_b,
            now=now,
        )


def test_approval_flow_sends_nothing_before_approval(special_topic, director_a, leader, chair_a, now):
    # the chair was invited on creation (member fixture runs before? ensure invitation exists)
    m = special_topic
    with pytest.raises(ValidationError):
        actions.send_meeting(m, actor=director_a, now=now)  # needs approval first
    actions.submit_for_approval(m, actor=director_a, now=now)
    m.refresh_from_db()
    assert m.status == Meeting.Status.AWAITING_APPROVAL
    assert Notification.objects.filter(recipient=leader, kind="meeting.approval_requested").count() == 1
    assert not Notification.objects.filter(kind="meeting.invitation").exists()
    assert not Dispatch.objects.exists()

    # a director cannot approve; the leader must write an instruction
    with pytest.raises(PermissionDenied):
        actions.approve_meeting(m, actor=director_a, instruction="同意", now=now)
    with pytest.raises(ValidationError):
        actions.approve_meeting(m, actor=leader, instruction="  ", now=now)

    later = now + datetime.timedelta(hours=2)
    actions.approve_meeting(m, actor=leader, instruction="同意召开，注意做好业主解释工作", now=later)
    m.refresh_from_db()
    # approved, not sent: the director acts on the instruction, then sends
    assert m.status == Meeting.Status.DRAFT and m.sent_at is None
    assert m.approved_at == later and m.approver == leader
    assert not Dispatch.objects.filter(meeting=m).exists()
    sent_at = later + datetime.timedelta(hours=1)
    actions.send_meeting(m, actor=director_a, now=sent_at)
    m.refresh_from_db()
    assert m.status == Meeting.Status.CONFIRMED and m.sent_at == sent_at
    assert m.approved_at < m.starts_at
    d = Dispatch.objects.get(meeting=m, kind=Dispatch.Kind.INVITATION)
    assert any(r["name"] == chair_a.name for r in d.recipients)
    assert Notification.objects.filter(recipient=director_a, kind="meeting.approved").exists()
    # a second approval is refused (no double send)
    with pytest.raises(ValidationError):
        actions.approve_meeting(m, actor=leader, instruction="同意", now=later)


def test_rejection_returns_to_director_with_comment(special_topic, director_a, leader, now):
    m = special_topic
    actions.submit_for_approval(m, actor=director_a, now=now)
    with pytest.raises(ValidationError):
        actions.reject_meeting(m, actor=leader, comment="", now=now)
    actions.reject_meeting(m, actor=leader, comment="请补充业主意见调查结果", now=now)
    m.refresh_from_db()
    assert m.status == Meeting.Status.REJECTED and m.rejection_comment == "请补充业主意见调查结果"
    n = Notification.objects.get(recipient=director_a, kind="meeting.rejected")
    assert "请补充业主意见调查结果" in n.body
    # resubmitting is allowed
    actions.submit_for_approval(m, actor=director_a, now=now + datetime.timedelta(hours=1))
    m.refresh_from_db()
    assert m.status == Meeting.Status.AWAITING_APPROVAL


def test_send_notifies_invitees_and_emails_secretariat(
    make_meeting, oc_a, chair_a, now, django_capture_on_commit_callbacks
):
    oc_a.secretariat_email = "oc-office@example.com"
    oc_a.save()
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now)
    from meetings import jobs

    with django_capture_on_commit_callbacks(execute=False):
        actions.send_meeting(m, actor=m.organizer, now=now)
    assert Notification.objects.filter(recipient=chair_a, kind="meeting.invitation").count() == 1
    d = Dispatch.objects.get(meeting=m)
    assert d.secretariat_email == "oc-office@example.com"
    assert jobs.email_secretariat(d.pk, now=now) is True
    assert jobs.email_secretariat(d.pk, now=now) is False  # sent once
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["oc-office@example.com"]
    assert "例会" in mail.outbox[0].subject


def test_invitee_accepts_and_declines(make_meeting, chair_a, member_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True)
    inv = m.invitations.get(user=chair_a)
    actions.respond(inv, user=chair_a, response="accepted", now=now)
    inv.refresh_from_db()
    assert inv.response == "accepted"
    with pytest.raises(PermissionDenied):
        actions.respond(inv, user=member_a, response="declined", now=now)


def test_reschedule_keeps_reason_bumps_sequence_and_tells_invitees(make_meeting, director_a, chair_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True)
    new_start = now + datetime.timedelta(days=4)
    with pytest.raises(ValidationError) as e:
        actions.update_meeting(
            m, actor=director_a, now=now, starts_at=new_start, ends_at=new_start + datetime.timedelta(hours=1)
        )
    assert "reason" in e.value.message_dict
    actions.update_meeting(
        m,
        actor=director_a,
        now=now,
        reason="业委会主任出差",
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=1),
    )
    m.refresh_from_db()
    assert m.sequence == 1 and m.starts_at == new_start
    assert m.changes.get().reason == "业委会主任出差"
    assert Notification.objects.filter(recipient=chair_a, kind="meeting.rescheduled").exists()


def test_cancel_needs_reason(make_meeting, director_a, chair_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True)
    with pytest.raises(ValidationError):
        actions.cancel_meeting(m, actor=director_a, reason=" ", now=now)
    actions.cancel_meeting(m, actor=director_a, reason="台风预警", now=now)
    m.refresh_from_db()
    assert m.status == Meeting.Status.CANCELLED and m.cancel_reason == "台风预警" and m.sequence == 1
    assert Notification.objects.filter(recipient=chair_a, kind="meeting.cancelled").exists()


def test_overlap_detection(make_meeting, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now)
    from meetings import rules

    clash = rules.overlapping(
        Meeting.objects.all(),
        starts_at=m.starts_at + datetime.timedelta(minutes=30),
        ends_at=m.ends_at + datetime.timedelta(hours=1),
        committee=m.committee,
        organizer=None,
    )
    assert list(clash) == [m]
    after = rules.overlapping(
        Meeting.objects.all(),
        starts_at=m.ends_at,
        ends_at=m.ends_at + datetime.timedelta(hours=1),
        committee=m.committee,
        organizer=None,
    )
    assert not after.exists()


def test_invitee_without_account_gets_email(make_meeting, oc_a, now):
    from liaison.models import CommitteeMember
    from meetings import jobs

    CommitteeMember.objects.create(
        committee=oc_a, name="钱七", email="qian@example.com", phone="13811112222", term_start=datetime.date(2025, 1, 1)
    )
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True)
    d = Dispatch.objects.get(meeting=m)
    assert d.secretariat_emailed_at is None  # something to email
    assert jobs.retry_secretariat_email(now) == 1
    assert mail.outbox[-1].bcc == ["qian@example.com"]
    assert jobs.retry_secretariat_email(now) == 0
