"""Notifications that do not nag (issue 16, item 8), with explicit `now`:

- nobody is told about what they did themselves (liaison.notify leaves the acting users out);
- one scan tells each person one message per issue (reply and callback overdue at once: one message
  saying both), exactly once across reruns;
- a message about an item turns read when its reader acts on it (signs, answers, replies);
- times print as 12月1日 22:07 / 1 Dec 22:07 in the reader's language, in the inbox and the email.
"""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext_lazy

from followups import actions as issue_actions
from followups.models import DeadlineEvent
from followups.scan import scan
from liaison import delivery
from liaison.models import Delivery, GroupMessage, Notification
from liaison.notify import acted_on, format_when, notify
from meetings import actions as meeting_actions
from meetings.cadence_defaults import ensure_default_kinds
from meetings.models import AgendaItem, Invitation
from records import documents, signoff
from records.models import SignoffRequest
from tests.records import factories as records_factories

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SH)


def messages_of(user, **filters):
    return list(Notification.objects.filter(recipient=user, **filters).order_by("created", "pk"))


def raise_issue(estate, committee, *, actor=None, raised_at=None):
    raised_at = raised_at or at(2026, 3, 2, 10)
    return issue_actions.raise_issue(
        estate=estate,
        committee=committee,
        raised_by="张喆",
        raised_at=raised_at,
        description="地下车库B区渗水",
        source="meeting",
        actor=actor,
        now=raised_at + datetime.timedelta(minutes=1),
    )


# --- the actor is not told ---------------------------------------------------------------------------


def test_the_director_is_not_told_about_the_issue_he_recorded(estate_a, oc_a, director_a, supervisor_a):
    issue = raise_issue(estate_a, oc_a, actor=director_a)
    assert messages_of(director_a) == []  # he recorded it: no "new issue" message for him
    assert [n.kind for n in messages_of(supervisor_a)] == ["issue.raised"]
    assert issue.pk


def test_the_actor_is_left_out_of_a_meeting_message_but_the_others_are_told(
    estate_a, oc_a, director_a, supervisor_a, leader
):
    kinds = ensure_default_kinds()
    now = at(2026, 3, 10, 10)
    meeting = meeting_actions.create_meeting(
        estate=estate_a,
        committee=oc_a,
        kind=kinds["special_topic"],
        title="电梯改造专题会议",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="管理处会议室",
        actor=director_a,
        now=now,
    )
    AgendaItem.objects.create(meeting=meeting, title="使用维修资金更新电梯", cause="故障频发", necessity="安全")
    meeting_actions.submit_for_approval(meeting, actor=director_a, now=now)
    meeting_actions.reject_meeting(
        meeting, actor=leader, comment="请补充业主意见", now=now + datetime.timedelta(hours=1)
    )
    assert messages_of(leader, kind="meeting.rejected") == []  # the leader returned it: he is not told
    assert [n.kind for n in messages_of(leader)] == ["meeting.approval_requested"]
    assert messages_of(director_a, kind="meeting.approval_requested") == []
    assert [n.kind for n in messages_of(director_a)] == ["meeting.rejected"]


def test_the_actor_is_left_out_and_a_job_tells_everyone(director_a, supervisor_a, estate_a):
    now = at(2026, 3, 2, 10)
    notify([director_a, supervisor_a], kind="issue.raised", key="k1", subject="x", actor=director_a, now=now)
    assert [n.recipient for n in Notification.objects.all()] == [supervisor_a]
    # a job's message (no actor) reaches the same person
    notify([director_a], kind="issue.overdue", key="k3", subject="x", now=now)
    assert [n.key for n in messages_of(director_a)] == [f"k3:u{director_a.pk}"]


# --- one message per person and scan -------------------------------------------------------------------


def test_one_message_for_an_issue_overdue_on_reply_and_callback(estate_a, oc_a, director_a, supervisor_a):
    director_a.language = "en"
    director_a.save()
    issue = raise_issue(estate_a, oc_a)  # not assigned: reply and callback are the office's; both due 5 March 10:00
    before = Notification.objects.count()
    stats = scan(at(2026, 3, 5, 10, 30))  # the reminders were missed (downtime); both deadlines are overdue now
    overdue = DeadlineEvent.objects.filter(issue=issue, level=DeadlineEvent.Level.OVERDUE, skipped=False)
    assert sorted(overdue.values_list("deadline", flat=True)) == ["callback", "reply"]
    mine = messages_of(director_a, kind__startswith="issue.")
    mine = [n for n in mine if n.kind != "issue.raised"]
    assert len(mine) == 1, [n.subject for n in mine]  # one message saying both
    n = mine[0]
    assert "Reply" in n.subject and "Callback" in n.subject and "5 Mar 10:00" in n.subject
    assert "答复" in n.text_in("zh-hans")[0] and "回访" in n.text_in("zh-hans")[0]
    assert "3月5日 10:00" in n.text_in("zh-hans")[0]
    assert len(n.body.splitlines()) == 2  # a line per deadline
    assert n.about == issue.get_absolute_url()
    assert [m.kind for m in messages_of(supervisor_a) if m.kind != "issue.raised"] == ["issue.overdue"]
    assert GroupMessage.objects.count() == 1  # the estate's group is told once too
    # exactly once: running the scan again (or later) tells nobody anything new
    assert stats["notified"] == Notification.objects.count() - before
    assert scan(at(2026, 3, 5, 10, 30))["events"] == 0
    assert scan(at(2026, 3, 5, 10, 35))["notified"] == 0
    assert len([m for m in messages_of(director_a) if m.kind != "issue.raised"]) == 1
    assert GroupMessage.objects.count() == 1


def test_a_single_event_keeps_its_own_key_and_subject(estate_a, oc_a, dept_a, director_a):
    issue = raise_issue(estate_a, oc_a)
    issue = issue_actions.assign(issue, assignee=dept_a, actor=director_a, now=at(2026, 3, 2, 11))
    scan(at(2026, 3, 4, 10, 30))  # reminders: the reply is dept_a's
    reminder = DeadlineEvent.objects.get(issue=issue, deadline="reply", level=DeadlineEvent.Level.REMINDER)
    [n] = messages_of(dept_a, kind="issue.reminder")
    assert n.key == f"{reminder.key}:u{dept_a.pk}"
    assert n.subject.startswith("提醒：") and "3月5日 10:00" in n.subject


# --- read when acted on --------------------------------------------------------------------------------


def _start_signoff(oc_a, chair_a, member_a, director_a, now):
    sheet = records_factories.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    pdf = documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number)
    members = [u.memberships.get(ended_on__isnull=True) for u in (chair_a, member_a)]
    return signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=members,
        by=director_a,
        now=now,
        pdf=pdf,
        html=fragment,
        contact_sheet=sheet,
    )


def test_signing_marks_the_please_sign_message_read(oc_a, chair_a, member_a, director_a, password):
    now = at(2026, 11, 24, 10)
    req = _start_signoff(oc_a, chair_a, member_a, director_a, now)
    [ask] = messages_of(chair_a, kind="signoff.requested")
    assert ask.read_at is None and ask.about == req.get_absolute_url()
    version = req.current_version()
    signoff.sign(
        req,
        request=RequestFactory().post("/"),
        user=chair_a,
        password=password,
        decision="agree",
        comment="",
        version_id=version.pk,
        version_sha256=version.sha256,
        now=now + datetime.timedelta(hours=1),
    )
    ask.refresh_from_db()
    assert ask.read_at == now + datetime.timedelta(hours=1)
    # the member who has not signed still has it unread
    assert messages_of(member_a, kind="signoff.requested")[0].read_at is None


def test_answering_an_invitation_marks_the_invitation_read(estate_a, oc_a, chair_a, director_a):
    kinds = ensure_default_kinds()
    now = at(2026, 3, 10, 10)
    meeting = meeting_actions.create_meeting(
        estate=estate_a,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="例会",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="管理处会议室",
        actor=director_a,
        now=now,
    )
    meeting_actions.send_meeting(meeting, actor=director_a, now=now)
    [invitation_message] = messages_of(chair_a, kind="meeting.invitation")
    assert invitation_message.read_at is None
    invitation = Invitation.objects.get(meeting=meeting, user=chair_a)
    later = now + datetime.timedelta(hours=3)
    meeting_actions.respond(invitation, user=chair_a, response=Invitation.Response.ACCEPTED, now=later)
    invitation_message.refresh_from_db()
    assert invitation_message.read_at == later


def test_replying_to_an_issue_marks_the_assignees_messages_about_it_read(estate_a, oc_a, dept_a, director_a):
    issue = raise_issue(estate_a, oc_a)
    issue = issue_actions.assign(issue, assignee=dept_a, actor=director_a, now=at(2026, 3, 2, 11))
    scan(at(2026, 3, 4, 10, 30))
    assert {n.kind for n in messages_of(dept_a, read_at__isnull=True)} == {"issue.assigned", "issue.reminder"}
    issue_actions.add_reply(issue, text="已安排维修", actor=dept_a, now=at(2026, 3, 4, 11))
    assert messages_of(dept_a, read_at__isnull=True) == []
    # someone else's messages about the issue stay as they were
    assert acted_on(None, issue) == 0


# --- times in the reader's language ---------------------------------------------------------------------


def test_times_print_in_the_readers_language(director_a, supervisor_a, client):
    director_a.language = "en"
    director_a.save()
    due = datetime.datetime(2026, 12, 1, 14, 7, tzinfo=datetime.UTC)  # 22:07 in Shanghai
    now = at(2026, 11, 30, 10)
    notify(
        [director_a, supervisor_a],
        kind="issue.overdue",
        key="times",
        subject=gettext_lazy("Reminder: %(deadline)s of “%(headline)s” (%(estate)s) is due %(due)s"),
        params={"deadline": gettext_lazy("Reply"), "headline": "渗水", "estate": "翠湖花园", "due": due},
        url="/issues/1/",
        now=now,
    )
    en = Notification.objects.get(recipient=director_a)
    zh = Notification.objects.get(recipient=supervisor_a)
    assert "1 Dec 22:07" in en.subject and "2026-12-01" not in en.subject
    assert "12月1日 22:07" in zh.subject
    assert "12月1日 22:07" in en.text_in("zh-hans")[0] and "1 Dec 22:07" in zh.text_in("en")[0]
    # another year prints the year
    assert format_when(due, now=at(2027, 1, 3, 9)) == "2026年12月1日 22:07"
    # the inbox shows the reader's language: the English director reads English…
    client.force_login(director_a)
    page = client.get(reverse("inbox")).content.decode()
    assert "1 Dec 22:07" in page and "12月1日" not in page
    # …and a message stored in Chinese turns English when he switches his interface to English
    client.force_login(supervisor_a)
    assert "12月1日 22:07" in client.get(reverse("inbox")).content.decode()
    supervisor_a.language = "en"
    supervisor_a.save()
    assert "1 Dec 22:07" in client.get(reverse("inbox_detail", args=[zh.pk])).content.decode()
    # the email goes out in the recipient's language at send time
    assert delivery.deliver_pending(now=now)["sent"] == 2
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "1 Dec 22:07" in subjects[director_a.email]
    assert "1 Dec 22:07" in subjects[supervisor_a.email]  # she chose English before it was sent
    assert "Dear" in next(m.body for m in mail.outbox if m.to[0] == director_a.email)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2
