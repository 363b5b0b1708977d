"""The issue's life as plain functions: raise, answer on the spot, classify, reply, callbacks, close,
and the refusals a user would meet."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from followups import actions
from followups.models import Callback, Issue
from liaison.models import AuditEntry, Notification
from liaison.versions import StaleEdit

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # the messages are asserted in English; the Chinese catalogue is checked in test_views
    with translation.override("en"):
        yield


def test_answered_on_the_spot_closes_at_once(raise_issue, director_a):
    issue = raise_issue(answer_on_spot="公示时间为每月5日前。", actor=director_a)
    assert issue.status == Issue.Status.CLOSED
    assert issue.close_reason == Issue.CloseReason.ON_THE_SPOT
    assert issue.replies.get().text == "公示时间为每月5日前。"
    assert issue.callback_due_at is None and issue.next_check_at is None


def test_raise_sets_3_day_reply_and_callback_and_tells_the_office(raise_issue, director_a, supervisor_a):
    issue = raise_issue(raised_at=at(2026, 3, 2, 10))
    assert issue.reply_due_at == at(2026, 3, 5, 10)
    assert issue.callback_due_at == issue.first_callback_due_at == at(2026, 3, 5, 10)
    assert issue.next_check_at == at(2026, 3, 4, 10)  # the reminder 24 h before
    assert {n.recipient for n in Notification.objects.filter(kind="issue.raised")} == {director_a, supervisor_a}
    assert AuditEntry.objects.filter(object_id=str(issue.pk), action="raised").exists()


def test_raised_at_in_the_future_is_refused(raise_issue):
    with pytest.raises(ValidationError) as e:
        raise_issue(raised_at=at(2026, 3, 3, 10), now=at(2026, 3, 2, 10))
    assert "future" in str(e.value.message_dict["raised_at"])
    assert not Issue.objects.exists()


def test_raising_for_another_estates_committee_is_refused(raise_issue, oc_b):
    with pytest.raises(ValidationError) as e:
        raise_issue(committee=oc_b)
    assert "another estate" in str(e.value.message_dict["committee"])


def test_committee_member_cannot_raise_for_another_committee(raise_issue, member_a, rc_a):
    with pytest.raises(ValidationError):
        raise_issue(committee=rc_a, actor=member_a)
    assert raise_issue(actor=member_a).pk


def test_company_classification_assigns_and_notifies(raise_issue, director_a, dept_a):
    issue = raise_issue()
    issue = actions.classify(
        issue, responsibility="company", assignee=dept_a, actor=director_a, now=at(2026, 9, 30, 11)
    )
    assert issue.status == Issue.Status.IN_PROGRESS and issue.assignee == dept_a
    assert issue.triaged_at == at(2026, 9, 30, 11)
    assert Notification.objects.filter(recipient=dept_a, kind="issue.assigned").exists()
    entry = AuditEntry.objects.filter(object_id=str(issue.pk), action="classified").get()
    assert entry.changes["status"] == ["open", "in_progress"]


def test_outside_classification_needs_a_reason_and_counts_as_the_reply(raise_issue, director_a, chair_a):
    issue = raise_issue()
    with pytest.raises(ValidationError):
        actions.classify(issue, responsibility="outside", actor=director_a, now=at(2026, 9, 30, 11))
    issue = actions.classify(
        issue,
        responsibility="outside",
        outside_reason="属市政道路，由街道办负责",
        actor=director_a,
        now=at(2026, 9, 30, 11),
    )
    assert issue.status == Issue.Status.COORDINATING
    assert issue.replied_at == at(2026, 9, 30, 11)
    assert Notification.objects.filter(recipient=chair_a, kind="issue.reply").exists()
    actions.add_outside_body(
        issue, kind="street", name="粤海街道办", action="电话反映", actor=director_a, now=at(2026, 9, 30, 12)
    )
    assert issue.outside_bodies.get().name == "粤海街道办"


def test_unresolved_callback_makes_the_next_one_due(raise_issue, director_a):
    issue = raise_issue(raised_at=at(2026, 3, 2, 10))
    actions.record_callback(
        issue,
        called_at=at(2026, 3, 4, 9),
        method="phone",
        person_reached="张喆",
        result="正在维修",
        satisfaction="basic",
        actor=director_a,
        now=at(2026, 3, 4, 9),
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.OPEN
    assert issue.callback_due_at == at(2026, 3, 7, 9)  # every 3 days until closed
    assert issue.first_callback_at == at(2026, 3, 4, 9)
    assert issue.callbacks.get().on_time


def test_unsatisfied_callback_reopens_work_and_satisfied_one_closes(raise_issue, director_a, dept_a):
    issue = raise_issue(raised_at=at(2026, 3, 2, 10))
    actions.assign(issue, assignee=dept_a, actor=director_a, now=at(2026, 3, 2, 11))
    actions.mark_resolved(issue, resolution="已堵漏", actor=dept_a, now=at(2026, 3, 3, 10))
    actions.record_callback(
        issue,
        called_at=at(2026, 3, 3, 15),
        method="visit",
        person_reached="张喆",
        result="仍在渗水",
        satisfaction="unsatisfied",
        actor=director_a,
        now=at(2026, 3, 3, 15),
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_PROGRESS and issue.resolved_at is None
    assert Notification.objects.filter(recipient=dept_a, kind="issue.reopened").exists()
    actions.mark_resolved(issue, resolution="更换防水层", actor=dept_a, now=at(2026, 3, 5, 10))
    actions.record_callback(
        issue,
        called_at=at(2026, 3, 5, 16),
        method="phone",
        person_reached="张喆",
        result="已不渗水",
        satisfaction="satisfied",
        next_step="雨季再回访",
        actor=director_a,
        now=at(2026, 3, 5, 16),
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CLOSED and issue.close_reason == Issue.CloseReason.CALLBACK
    assert issue.satisfaction == "satisfied" and issue.callback_due_at is None


def test_reply_and_callback_on_a_closed_issue_are_refused(raise_issue, director_a):
    issue = raise_issue(answer_on_spot="已当场答复")
    with pytest.raises(ValidationError, match="closed"):
        actions.add_reply(issue, text="补充", actor=director_a, now=at(2026, 9, 30, 12))
    with pytest.raises(ValidationError, match="closed"):
        actions.record_callback(
            issue,
            called_at=at(2026, 9, 30, 12),
            method="phone",
            person_reached="张喆",
            result="x",
            satisfaction="satisfied",
            actor=director_a,
            now=at(2026, 9, 30, 12),
        )
    assert not Callback.objects.exists() and issue.replies.count() == 1


def test_callback_dated_before_the_issue_is_refused(raise_issue, director_a):
    issue = raise_issue(raised_at=at(2026, 9, 30, 10))
    with pytest.raises(ValidationError) as e:
        actions.record_callback(
            issue,
            called_at=at(2026, 9, 29, 10),
            method="phone",
            person_reached="张喆",
            result="x",
            satisfaction="satisfied",
            actor=director_a,
            now=at(2026, 9, 30, 12),
        )
    assert "before the issue" in str(e.value.message_dict["called_at"])
    assert not Callback.objects.exists()


def test_closing_without_the_required_callback_is_refused(raise_issue, director_a, director_b, supervisor_a, dept_a):
    issue = raise_issue()
    actions.mark_resolved(issue, resolution="已处理", actor=dept_a, now=at(2026, 9, 30, 12))
    with pytest.raises(ValidationError, match="satisfied"):
        actions.close_issue(issue, actor=director_a, now=at(2026, 9, 30, 13))
    # a supervisor cannot close by decision; a director can, and the decision is recorded
    with pytest.raises(ValidationError, match="director"):
        actions.close_issue(issue, actor=supervisor_a, decision="无需回访", now=at(2026, 9, 30, 13))
    with pytest.raises(ValidationError, match="director"):  # another estate's director neither
        actions.close_issue(issue, actor=director_b, decision="无需回访", now=at(2026, 9, 30, 13))
    issue = actions.close_issue(issue, actor=director_a, decision="业委会已书面确认，免回访", now=at(2026, 9, 30, 13))
    assert issue.close_reason == Issue.CloseReason.DECISION and issue.close_decision


def test_committee_confirms_or_disputes_a_resolution(raise_issue, director_a, dept_a, chair_a):
    issue = raise_issue()
    with pytest.raises(ValidationError, match="not reported"):
        actions.confirm_resolution(issue, user=chair_a, satisfaction="satisfied", now=at(2026, 9, 30, 11))
    actions.mark_resolved(issue, resolution="已处理", actor=dept_a, now=at(2026, 9, 30, 12))
    with pytest.raises(ValidationError):
        actions.confirm_resolution(issue, user=chair_a, satisfaction="unsatisfied", now=at(2026, 9, 30, 13))
    issue = actions.confirm_resolution(
        issue, user=chair_a, satisfaction="unsatisfied", comment="还在漏", now=at(2026, 9, 30, 13)
    )
    assert issue.status == Issue.Status.IN_PROGRESS and issue.resolved_at is None  # work reopens
    actions.mark_resolved(issue, resolution="再次处理", actor=dept_a, now=at(2026, 10, 1, 12))
    issue = actions.confirm_resolution(issue, user=chair_a, satisfaction="basic", now=at(2026, 10, 1, 13))
    assert issue.status == Issue.Status.CLOSED and issue.close_reason == Issue.CloseReason.CONFIRMED
    assert issue.callbacks.filter(method="online").count() == 2


def test_bulk_assign_is_all_or_nothing(raise_issue, director_a, dept_a):
    a = raise_issue()
    b = raise_issue(answer_on_spot="已答复")
    with pytest.raises(ValidationError):
        actions.bulk_assign([a, b], assignee=dept_a, actor=director_a, now=at(2026, 9, 30, 12))
    a.refresh_from_db()
    assert a.assignee is None


def pdf(name="现场.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def test_a_file_attached_is_a_step_with_its_history(raise_issue, director_a, dept_a):
    issue = raise_issue()
    seen = Issue.objects.get(pk=issue.pk).version  # the version a page loaded now shows
    att = actions.attach_file(issue, file=pdf(), actor=director_a, now=at(2026, 9, 30, 11))
    assert att.name == "现场.pdf" and att.uploaded_by == director_a and issue.attachments.get() == att
    entry = AuditEntry.objects.get(object_id=str(issue.pk), action="attached")
    assert entry.changes["file"] == "现场.pdf" and entry.actor == director_a
    # a step sent from the page loaded before the file was added is told about it
    with pytest.raises(StaleEdit):
        actions.classify(issue, responsibility="company", assignee=dept_a, actor=director_a, version=seen)


def test_no_file_is_added_to_a_closed_issue(raise_issue, director_a):
    issue = raise_issue(answer_on_spot="已答复")
    with pytest.raises(ValidationError, match="closed"):
        actions.attach_file(issue, file=pdf(), actor=director_a, now=at(2026, 9, 30, 11))
    assert not issue.attachments.exists()


def test_a_file_raised_with_the_issue_is_kept_with_it(raise_issue, director_a):
    issue = raise_issue(attachments=[pdf("照片.pdf")], actor=director_a)
    assert issue.attachments.get().name == "照片.pdf"
    closed = raise_issue(attachments=[pdf("当场.pdf")], answer_on_spot="已答复", actor=director_a)
    assert closed.attachments.get().name == "当场.pdf"  # answered on the spot: recorded with it
