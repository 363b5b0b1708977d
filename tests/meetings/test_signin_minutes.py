"""Sign-in (AM-02-R02), QR self sign-in, minutes (AM-02-R03) with the 3-day deadline, resolutions, issues."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from followups.meeting_issues import raise_meeting_issue
from liaison.models import Notification
from meetings import actions, jobs
from meetings.models import AgendaItem, Attendance, Meeting

from .conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_setup(make_meeting, chair_a, member_a, now):
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now, send=True)
    AgendaItem.objects.create(meeting=m, title="车库照明")
    return m


def test_staff_ticks_and_walk_in_make_the_meeting_held(held_setup, chair_a):
    m = held_setup
    inv = m.invitations.get(user=chair_a)
    with pytest.raises(ValidationError):  # too early: more than an hour before
        actions.sign_in_invitee(m, inv, actor=m.organizer, now=sh(2026, 3, 12, 13))
    at = sh(2026, 3, 12, 14, 55)
    actions.sign_in_invitee(m, inv, actor=m.organizer, now=at)
    actions.sign_in_invitee(m, inv, actor=m.organizer, now=at)  # ticking twice: one line
    actions.add_walk_in(m, actor=m.organizer, name="业主王五", unit="3栋101", phone="13900001111", now=at)
    m.refresh_from_db()
    assert m.status == Meeting.Status.HELD and m.attendance_recorded_at == at
    assert m.minutes_due_at == sh(2026, 3, 16, 0, 0)
    assert list(m.attendances.values_list("name", flat=True)) == [chair_a.name, "业主王五"]
    with pytest.raises(ValidationError):
        actions.add_walk_in(m, actor=m.organizer, name=" ", unit="", phone="", now=at)


def test_qr_sign_in_checks_name_phone_and_time(held_setup, oc_a):
    m = held_setup
    from liaison.models import CommitteeMember

    member = CommitteeMember.objects.create(
        committee=oc_a, name="赵六", phone="13812345678", term_start=datetime.date(2025, 1, 1)
    )
    actions.invite_committee_members(m)
    assert m.invitations.filter(member=member).exists()
    with pytest.raises(ValidationError):  # the day before
        actions.qr_sign_in(m, name="赵六", phone="13812345678", now=sh(2026, 3, 11, 15))
    with pytest.raises(ValidationError):  # wrong phone
        actions.qr_sign_in(m, name="赵六", phone="13800000000", now=sh(2026, 3, 12, 15))
    with pytest.raises(ValidationError):  # not invited
        actions.qr_sign_in(m, name="路人", phone="13812345678", now=sh(2026, 3, 12, 15))
    att = actions.qr_sign_in(m, name="赵 六", phone="138-1234-5678", now=sh(2026, 3, 12, 15, 2))
    assert att.method == Attendance.Method.QR
    assert actions.qr_sign_in(m, name="赵六", phone="13812345678", now=sh(2026, 3, 12, 15, 5)).pk == att.pk
    with pytest.raises(ValidationError):  # long after the end
        actions.qr_sign_in(m, name="赵六", phone="13812345678", now=sh(2026, 3, 12, 19))


def test_public_checkin_page(held_setup, client, oc_a, settings):
    m = held_setup
    from liaison.models import CommitteeMember

    CommitteeMember.objects.create(
        committee=oc_a, name="赵六", phone="13812345678", term_start=datetime.date(2025, 1, 1)
    )
    actions.invite_committee_members(m)
    assert client.get("/meetings/checkin/wrong-token/").status_code == 404
    # outside the window: closed message, nothing recorded
    r = client.post(f"/meetings/checkin/{m.checkin_token}/", {"name": "赵六", "phone": "13812345678"})
    assert r.status_code == 200 and not m.attendances.exists()
    m.starts_at = m.starts_at.replace(year=2020)  # keep it simple: move the meeting to now
    from django.utils import timezone

    Meeting.objects.filter(pk=m.pk).update(
        starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1)
    )
    r = client.post(f"/meetings/checkin/{m.checkin_token}/", {"name": "赵六", "phone": "13812345678"})
    assert r.status_code == 200 and 'id="checkin-done"' in r.content.decode()
    assert m.attendances.get().method == "qr"


def test_minutes_resolutions_issue_and_distribution(held_setup, chair_a, director_a):
    m = held_setup
    at = sh(2026, 3, 12, 15)
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=at)
    m.refresh_from_db()
    item = m.agenda_items.get()
    with pytest.raises(ValidationError):
        actions.save_minutes(m, actor=director_a, now=at, host_name="", recorder_name="")
    actions.save_minutes(
        m,
        actor=director_a,
        now=at,
        host_name="王主任",
        recorder_name="李主管",
        recorder=director_a,
        discussions={item.pk: "业委会同意先做方案"},
    )
    with pytest.raises(ValidationError) as e:
        actions.add_resolution(m, actor=director_a, now=at, text="做方案", owner_name="", action="", due_date=None)
    assert set(e.value.message_dict) >= {"owner_name", "action", "due_date"}
    r = actions.add_resolution(
        m,
        actor=director_a,
        now=at,
        text="做方案",
        owner_name="赵工",
        action="两周内报方案",
        due_date=datetime.date(2026, 3, 26),
    )
    issue = raise_meeting_issue(
        m, actor=director_a, now=at, raised_by="张喆", description="2栋门禁常坏", answer_on_spot=""
    )
    answered = raise_meeting_issue(
        m, actor=director_a, now=at, raised_by="张喆", description="垃圾清运时间？", answer_on_spot="每天早7点"
    )
    assert issue.meeting_id == m.pk and answered.status == "closed"
    actions.finalise_minutes(m, actor=director_a, now=sh(2026, 3, 14, 10))
    m.refresh_from_db()
    assert m.minutes.distributed_at == sh(2026, 3, 14, 10) and m.minutes_closed_at is not None
    assert m.minutes_breach_at is None
    assert Notification.objects.filter(recipient=chair_a, kind="minutes.distributed").count() == 1
    assert m.agenda_items.get().discussion == "业委会同意先做方案"
    with pytest.raises(ValidationError):  # final: no more changes
        actions.add_resolution(
            m, actor=director_a, now=at, text="x", owner_name="x", action="x", due_date=datetime.date(2026, 4, 1)
        )
    # resolution tracked to completion; overdue notice goes once
    assert jobs.scan_resolutions(sh(2026, 3, 27, 9))["overdue"] == 1
    assert jobs.scan_resolutions(sh(2026, 3, 28, 9))["overdue"] == 0
    overdue = Notification.objects.filter(kind="resolution.overdue").first().subject
    assert "日" in overdue and not re.search(r"\d{4}-\d{2}-\d{2}", overdue), overdue
    actions.complete_resolution(r, actor=director_a, now=sh(2026, 3, 28, 9), note="方案已报")
    r.refresh_from_db()
    assert r.status == "done"


def test_minutes_reminder_then_breach_recorded_once(held_setup, chair_a, director_a):
    m = held_setup
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=sh(2026, 3, 12, 15))
    assert jobs.scan_minutes(sh(2026, 3, 13, 9)) == {"reminded": 0, "breached": 0}
    assert jobs.scan_minutes(sh(2026, 3, 15, 9)) == {"reminded": 1, "breached": 0}
    assert jobs.scan_minutes(sh(2026, 3, 15, 10)) == {"reminded": 0, "breached": 0}
    assert Notification.objects.filter(kind="minutes.due", recipient=director_a).count() == 1
    # the day as people write it, in the reader's language (not 2026-03-15)
    subject = Notification.objects.get(kind="minutes.due", recipient=director_a).subject
    assert re.search(r"须于 3月1[45]日 前分发", subject) and "2026-03" not in subject, subject
    # days of downtime: the breach is recorded once, at the first run after the deadline
    assert jobs.scan_minutes(sh(2026, 3, 20, 9)) == {"reminded": 0, "breached": 1}
    assert jobs.scan_minutes(sh(2026, 3, 21, 9)) == {"reminded": 0, "breached": 0}
    m.refresh_from_db()
    assert m.minutes_breach_at == sh(2026, 3, 20, 9)
    assert Notification.objects.filter(kind="minutes.overdue", recipient=director_a).count() == 1
