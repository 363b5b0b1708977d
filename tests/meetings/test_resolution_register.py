"""The resolution register (issue 19, item 1; seed 004 篇3 七.6–8): every resolution with its owner, action,
due date, status and progress; reminders, overdue mark and escalation exactly once; committee members
see their own committee's register only; minutes need a resolution or the director's reason; overdue
resolutions count in the monthly assessment."""

import datetime
import os
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from liaison.models import AuditEntry, Notification
from meetings import actions, jobs, resolution_scan
from meetings.models import AgendaItem, Resolution, ResolutionEvent

from .conftest import sh

DUE = datetime.date(2026, 3, 26)  # overdue from 27 March 00:00 Shanghai


@pytest.fixture
def held(make_meeting, chair_a, director_a, now):
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now, send=True)
    AgendaItem.objects.create(meeting=m, title="车库照明")
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=sh(2026, 3, 12, 15))
    actions.save_minutes(m, actor=director_a, now=sh(2026, 3, 12, 18), host_name="王主任", recorder_name="李主管")
    m.refresh_from_db()
    return m


@pytest.fixture
def resolution(held, director_a, supervisor_a):
    return actions.add_resolution(
        held,
        actor=director_a,
        now=sh(2026, 3, 12, 18),
        text="车库照明改造方案报业委会",
        owner=supervisor_a,
        owner_name="",
        action="两周内报方案及报价",
        due_date=DUE,
    )


def _kinds(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_resolution_carries_its_estate_committee_and_due_moment(resolution, held):
    assert resolution.estate_id == held.estate_id and resolution.committee_id == held.committee_id
    assert resolution.due_at == sh(2026, 3, 27, 0, 0)
    # the first thing the scan has to do: the reminder, two days before the due moment
    assert resolution.next_check_at == sh(2026, 3, 25, 0, 0)


def test_reminder_overdue_and_escalation_each_once(resolution, supervisor_a, director_a, leader):
    assert jobs.scan_resolutions(sh(2026, 3, 24, 23)) == {"reminded": 0, "overdue": 0, "escalated": 0, "skipped": 0}
    assert jobs.scan_resolutions(sh(2026, 3, 25, 9))["reminded"] == 1
    assert jobs.scan_resolutions(sh(2026, 3, 25, 10))["reminded"] == 0
    assert _kinds(supervisor_a) == ["resolution.reminder"]
    assert jobs.scan_resolutions(sh(2026, 3, 26, 23, 59))["overdue"] == 0  # the due day is not over
    assert jobs.scan_resolutions(sh(2026, 3, 27, 0, 5))["overdue"] == 1
    assert jobs.scan_resolutions(sh(2026, 3, 27, 9))["overdue"] == 0
    resolution.refresh_from_db()
    assert resolution.overdue_notified_at == sh(2026, 3, 27, 0, 0)
    assert _kinds(supervisor_a) == ["resolution.reminder", "resolution.overdue"]
    assert "resolution.overdue" in _kinds(director_a)  # the organiser
    assert _kinds(leader) == []
    # 72 hours overdue: the leader in charge, once
    assert jobs.scan_resolutions(sh(2026, 3, 29, 23))["escalated"] == 0
    assert jobs.scan_resolutions(sh(2026, 3, 30, 0, 1))["escalated"] == 1
    assert jobs.scan_resolutions(sh(2026, 4, 5, 9)) == {"reminded": 0, "overdue": 0, "escalated": 0, "skipped": 0}
    assert _kinds(leader) == ["resolution.escalated"]
    resolution.refresh_from_db()
    assert resolution.escalated_at == sh(2026, 3, 30, 0, 0) and resolution.next_check_at is None
    assert AuditEntry.objects.filter(action="resolution_escalated", object_id=resolution.pk).count() == 1


def test_after_downtime_the_late_reminder_is_skipped_and_the_rest_caught_up(resolution, supervisor_a, leader):
    stats = jobs.scan_resolutions(sh(2026, 4, 2, 9))
    assert stats == {"reminded": 0, "overdue": 1, "escalated": 1, "skipped": 1}
    assert _kinds(supervisor_a) == ["resolution.overdue"]
    assert _kinds(leader) == ["resolution.escalated"]


def test_closed_resolution_is_not_chased_and_a_new_due_date_is_reminded_again(resolution, director_a, supervisor_a):
    jobs.scan_resolutions(sh(2026, 3, 25, 9))
    actions.update_resolution(
        resolution,
        actor=director_a,
        now=sh(2026, 3, 25, 10),
        owner=supervisor_a,
        owner_name="",
        action="延至四月报方案",
        due_date=datetime.date(2026, 4, 10),
    )
    resolution.refresh_from_db()
    assert resolution.next_check_at == sh(2026, 4, 9, 0, 0)
    assert jobs.scan_resolutions(sh(2026, 3, 28, 9))["overdue"] == 0  # the old date no longer counts
    assert jobs.scan_resolutions(sh(2026, 4, 9, 9))["reminded"] == 1
    actions.complete_resolution(resolution, actor=supervisor_a, now=sh(2026, 4, 9, 12), note="方案已报业委会")
    assert jobs.scan_resolutions(sh(2026, 4, 20, 9))["overdue"] == 0
    assert _kinds(supervisor_a) == ["resolution.reminder", "resolution.reminder"]


def test_progress_notes_are_rows_with_history_and_closing_needs_the_result(resolution, supervisor_a, chair_a):
    note = actions.add_resolution_note(
        resolution, actor=supervisor_a, now=sh(2026, 3, 14, 9), text="已请两家单位报价", status="in_progress"
    )
    resolution.refresh_from_db()
    assert resolution.status == "in_progress" and note.author == supervisor_a
    assert AuditEntry.objects.filter(action="resolution_progress", object_id=resolution.pk).count() == 1
    with pytest.raises(ValidationError) as e:
        actions.add_resolution_note(resolution, actor=supervisor_a, now=sh(2026, 3, 14, 9), text="  ")
    assert "text" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        actions.complete_resolution(resolution, actor=supervisor_a, now=sh(2026, 3, 20, 9), note=" ")
    assert "note" in e.value.message_dict
    with pytest.raises(PermissionDenied):  # the committee reads the register, it does not write it
        actions.add_resolution_note(resolution, actor=chair_a, now=sh(2026, 3, 14, 9), text="催办")
    actions.complete_resolution(resolution, actor=supervisor_a, now=sh(2026, 3, 20, 9), note="方案已报")
    resolution.refresh_from_db()
    assert resolution.status == "done" and resolution.completion_note == "方案已报"


def test_register_page_filters_and_overdue_mark(client_for, director_a, resolution, held, settings):
    other = actions.add_resolution(
        held,
        actor=director_a,
        now=sh(2026, 3, 12, 18),
        text="绿化补种",
        owner_name="赵工",
        action="四月底前补种",
        due_date=datetime.date(2026, 12, 30),
    )
    c = client_for(director_a)
    page = c.get(reverse("meetings:resolutions")).content.decode()
    assert "车库照明改造方案报业委会" in page and "绿化补种" in page
    assert 'id="nav-resolutions"' in page
    # the real clock is past 26 March 2026: the first is overdue, the second is not
    page = c.get(reverse("meetings:resolutions"), {"overdue": "on"}).content.decode()
    assert "车库照明改造方案报业委会" in page and "绿化补种" not in page
    assert "row-overdue" in page
    actions.complete_resolution(other, actor=director_a, now=sh(2026, 3, 20, 9), note="已补种")
    page = c.get(reverse("meetings:resolutions"), {"status": "done"}).content.decode()
    assert "绿化补种" in page and "车库照明改造方案报业委会" not in page
    page = c.get(reverse("meetings:resolutions"), {"status": "nonsense"})
    assert page.status_code == 200  # a bad value is a message on the field, not an error page


def test_committee_member_sees_own_register_only(client_for, chair_a, chair_b, resolution):
    c = client_for(chair_a)
    page = c.get(reverse("meetings:resolutions")).content.decode()
    assert "车库照明改造方案报业委会" in page and 'id="nav-resolutions"' in page
    detail = c.get(resolution.get_absolute_url())
    assert detail.status_code == 200 and 'id="note-form"' not in detail.content.decode()
    b = client_for(chair_b)
    assert "车库照明改造方案报业委会" not in b.get(reverse("meetings:resolutions")).content.decode()
    assert b.get(resolution.get_absolute_url()).status_code == 404
    assert b.post(reverse("meetings:resolution_note", args=[resolution.pk]), {"text": "x"}).status_code == 404
    assert Resolution.objects.visible_to(chair_b).count() == 0


def test_note_and_close_forms_keep_the_input_on_refusal(client_for, supervisor_a, resolution):
    c = client_for(supervisor_a)
    r = c.post(reverse("meetings:resolution_done", args=[resolution.pk]), {"note": ""})
    assert r.status_code == 400
    r = c.post(reverse("meetings:resolution_note", args=[resolution.pk]), {"text": "已询价", "status": "done"})
    assert r.status_code == 400 and "已询价" in r.content.decode()
    resolution.refresh_from_db()
    assert resolution.status == "open" and not resolution.notes.exists()
    r = c.post(reverse("meetings:resolution_note", args=[resolution.pk]), {"text": "已询价", "status": "in_progress"})
    assert r.status_code == 302
    assert "已询价" in c.get(resolution.get_absolute_url()).content.decode()


def test_minutes_page_refuses_a_resolution_without_owner_or_due_date_and_keeps_it(client_for, director_a, held):
    c = client_for(director_a)
    data = {
        "version": held.minutes.version,
        "host_name": "王主任",
        "recorder_name": "李主管",
        "summary": "",
        "resolution-TOTAL_FORMS": "1",
        "resolution-INITIAL_FORMS": "0",
        "resolution-0-text": "外墙清洗",
        "resolution-0-owner_name": "",
        "resolution-0-action": "五月前完成",
        "resolution-0-due_date": "",
    }
    r = c.post(reverse("meetings:minutes", args=[held.pk]), data)
    body = r.content.decode()
    assert r.status_code == 400 and "外墙清洗" in body and "五月前完成" in body
    assert "Every resolution names a person responsible." in body or "责任人" in body
    assert not held.resolutions.exists()


def test_minutes_without_resolution_need_the_directors_reason(held, director_a, supervisor_a):
    held.minutes.recorder = supervisor_a
    held.minutes.save()
    with pytest.raises(ValidationError) as e:
        actions.finalise_minutes(held, actor=supervisor_a, now=sh(2026, 3, 13, 9), no_resolution_reason="通报会")
    assert "no_resolution_reason" in e.value.message_dict
    with pytest.raises(ValidationError):
        actions.finalise_minutes(held, actor=director_a, now=sh(2026, 3, 13, 9))
    minutes = actions.finalise_minutes(
        held, actor=director_a, now=sh(2026, 3, 13, 9), no_resolution_reason="本次为情况通报"
    )
    assert minutes.is_final and minutes.no_resolution_reason == "本次为情况通报"


def test_minutes_with_a_resolution_finalise_without_reason(held, director_a, resolution):
    assert actions.finalise_minutes(held, actor=director_a, now=sh(2026, 3, 13, 9)).is_final


def test_assessment_counts_open_overdue_resolutions_at_the_months_end(held, director_a, resolution, estate_a):
    from assessment import metrics
    from assessment.months import Month

    # by hand: March ends 1 April 00:00; `resolution` was due 26 March and is open -> 1
    late_closed = actions.add_resolution(
        held, actor=director_a, now=sh(2026, 3, 12, 18), text="A", owner_name="甲", action="a", due_date=DUE
    )
    actions.complete_resolution(late_closed, actor=director_a, now=sh(2026, 3, 30, 9), note="done")
    actions.add_resolution(
        held,
        actor=director_a,
        now=sh(2026, 3, 12, 18),
        text="B",
        owner_name="乙",
        action="b",
        due_date=datetime.date(2026, 4, 15),
    )
    march = Month(2026, 3)
    later = sh(2026, 5, 1)
    cells = metrics.family_counts(metrics.FAMILIES["resolutions"], march, later, [estate_a.pk])
    assert sum(c["resolution_overdue"] for c in cells.values()) == 1
    records = metrics.records_for("resolution_overdue", march, later, estate_ids=[estate_a.pk])
    assert [r.pk for r in records] == [resolution.pk]
    # closed in April: it still was overdue at March's end; April counts B (due 15 April, open)
    actions.complete_resolution(resolution, actor=director_a, now=sh(2026, 4, 2, 9), note="done")
    assert (
        sum(
            c["resolution_overdue"]
            for c in metrics.family_counts(metrics.FAMILIES["resolutions"], march, later, None).values()
        )
        == 1
    )
    april = metrics.family_counts(metrics.FAMILIES["resolutions"], Month(2026, 4), later, None)
    assert sum(c["resolution_overdue"] for c in april.values()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_send_each_once_on_postgresql(make_meeting, chair_a, director_a, supervisor_a, leader, now):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now, send=True)
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=sh(2026, 3, 12, 15))
    actions.save_minutes(m, actor=director_a, now=sh(2026, 3, 12, 18), host_name="王", recorder_name="李")
    m.refresh_from_db()
    for i in range(5):
        actions.add_resolution(
            m,
            actor=director_a,
            now=sh(2026, 3, 12, 18),
            text=f"决议{i}",
            owner=supervisor_a,
            owner_name="",
            action="x",
            due_date=DUE,
        )
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            for at in (sh(2026, 3, 25, 9), sh(2026, 3, 27, 9), sh(2026, 3, 31, 9)):
                resolution_scan.scan(at)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert ResolutionEvent.objects.count() == 15
    assert Notification.objects.filter(recipient=supervisor_a, kind="resolution.reminder").count() == 5
    assert Notification.objects.filter(recipient=supervisor_a, kind="resolution.overdue").count() == 5
    assert Notification.objects.filter(recipient=leader, kind="resolution.escalated").count() == 5
