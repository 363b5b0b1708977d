"""The deadline scan called directly with `now`: reminders, overdue marks, escalation up the chain
(assignee → office director → leader), exactly once, catch-up after downtime."""

from io import StringIO

import pytest
from django.core.management import call_command

from followups import actions, digest
from followups.models import DeadlineEvent, Issue
from followups.scan import scan
from liaison.models import AuditEntry, Notification

from .conftest import at

pytestmark = pytest.mark.django_db
L = DeadlineEvent.Level


def kinds_for(user):
    return sorted(
        Notification.objects.filter(recipient=user)
        .exclude(kind__in=["issue.raised", "issue.assigned"])
        .values_list("kind", flat=True)
    )


@pytest.fixture
def assigned(raise_issue, director_a, supervisor_a, dept_a, leader):
    issue = raise_issue(raised_at=at(2026, 3, 2, 10))  # reply and callback due Thu 5 March 10:00
    return actions.assign(issue, assignee=dept_a, actor=director_a, now=at(2026, 3, 2, 11))


def test_reminder_then_overdue_then_escalation_up_the_chain(assigned, director_a, supervisor_a, dept_a, leader):
    assert scan(at(2026, 3, 4, 9))["events"] == 0
    scan(at(2026, 3, 4, 10, 30))  # 24 h before: reminders
    assert kinds_for(dept_a) == ["issue.reminder"]  # the reply is the assignee's
    assert kinds_for(supervisor_a) == ["issue.reminder"]  # the callback is the office's
    scan(at(2026, 3, 5, 10, 30))  # overdue
    issue = Issue.objects.get()
    assert issue.reply_overdue and issue.callback_overdue
    assert kinds_for(dept_a) == ["issue.overdue", "issue.reminder"]
    assert kinds_for(leader) == []
    scan(at(2026, 3, 6, 10, 30))  # 24 h overdue: the office director
    assert kinds_for(director_a).count("issue.escalated") == 1  # one message saying reply and callback
    assert Issue.objects.get().escalation_level == 1
    assert kinds_for(leader) == []
    scan(at(2026, 3, 8, 10, 30))  # 72 h overdue: the leader in charge
    assert kinds_for(leader) == ["issue.escalated"]  # reply and callback in one message
    assert Issue.objects.get().escalation_level == 2
    # every step the scan took is in the history, made by the job
    jobs = (
        AuditEntry.objects.filter(object_id=str(issue.pk), actor__isnull=True)
        .exclude(actor_label="")
        .values_list("action", flat=True)
    )
    assert sorted(set(jobs)) == ["escalated", "overdue", "reminder"]


def test_running_the_scan_again_sends_nothing_twice(assigned, dept_a, director_a):
    first = scan(at(2026, 3, 6, 10, 30))
    before = Notification.objects.count()
    second = scan(at(2026, 3, 6, 10, 30))
    assert first["events"] > 0 and second["events"] == 0
    assert Notification.objects.count() == before
    assert DeadlineEvent.objects.filter(deadline="reply", level=L.DIRECTOR).count() == 1


def test_after_two_days_of_downtime_the_scan_catches_up_exactly_once(assigned, dept_a, director_a, leader):
    # nothing ran since the issue was assigned; now it is two days past the deadlines
    stats = scan(at(2026, 3, 7, 10, 30))
    events = DeadlineEvent.objects.filter(deadline="reply")
    assert sorted(events.values_list("level", flat=True)) == [L.REMINDER, L.OVERDUE, L.DIRECTOR]
    reminder = events.get(level=L.REMINDER)
    assert reminder.skipped  # recorded, not sent: the deadline had already passed
    assert events.get(level=L.OVERDUE).event_at == at(2026, 3, 5, 10)  # the true event time
    assert kinds_for(dept_a) == ["issue.overdue"]
    assert kinds_for(director_a) == ["issue.escalated"]  # callback overdue + both escalations: one message
    assert kinds_for(leader) == []
    assert stats["events"] == 6
    assert scan(at(2026, 3, 7, 10, 31))["events"] == 0
    scan(at(2026, 3, 8, 10, 30))
    assert kinds_for(leader) == ["issue.escalated"]


def test_a_met_deadline_stops_its_events(assigned, dept_a, director_a):
    actions.add_reply(assigned, text="已安排维修", actor=dept_a, now=at(2026, 3, 3, 9))
    actions.record_callback(
        assigned,
        called_at=at(2026, 3, 3, 10),
        method="phone",
        person_reached="张喆",
        result="已告知",
        satisfaction="basic",
        actor=director_a,
        now=at(2026, 3, 3, 10),
    )
    issue = Issue.objects.get()
    assert issue.callback_due_at == at(2026, 3, 6, 10)  # the next callback
    scan(at(2026, 3, 5, 12))
    assert not DeadlineEvent.objects.filter(deadline="reply").exists()
    assert DeadlineEvent.objects.filter(deadline="callback", due_at=at(2026, 3, 6, 10), level=L.REMINDER).exists()
    assert kinds_for(dept_a) == []


def test_a_closed_issue_is_never_scanned(raise_issue):
    raise_issue(answer_on_spot="已答复", raised_at=at(2026, 3, 2, 10))
    assert scan(at(2026, 4, 1))["issues"] == 0


def test_a_scan_with_nothing_due_is_one_query(raise_issue, django_assert_num_queries):
    raise_issue(raised_at=at(2026, 3, 2, 10))
    with django_assert_num_queries(1):
        scan(at(2026, 3, 2, 12))


def test_manage_py_scan_issues_runs_the_same_scan(assigned, dept_a):
    out = StringIO()
    call_command("scan_issues", "--now", "2026-03-05T10:30:00+08:00", stdout=out)
    assert "events: 4" in out.getvalue()
    assert DeadlineEvent.objects.filter(job="manage.py scan_issues").count() == 4
    assert kinds_for(dept_a) == ["issue.overdue"]


def test_digest_sections(assigned, dept_a, director_a, chair_a):
    items = digest.items(dept_a, at(2026, 3, 5, 11))
    assert [i["section"] for i in items] == ["overdue"]  # the reply is the assignee's
    assert items[0]["url"] == assigned.get_absolute_url()
    sections = {i["section"] for i in digest.items(director_a, at(2026, 3, 5, 8))}
    assert sections == {"due_today"}
    assert {i["section"] for i in digest.items(director_a, at(2026, 3, 4, 8))} == {"at_risk"}
    actions.mark_resolved(assigned, resolution="已修复", actor=dept_a, now=at(2026, 3, 5, 12))
    assert [i["section"] for i in digest.items(chair_a, at(2026, 3, 5, 13))] == ["awaiting"]
