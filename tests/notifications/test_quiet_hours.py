"""Quiet hours (issue 16, item 7), with explicit `now`: reminders to committee members wait for the
daytime window (default 08:00–21:00 Asia/Shanghai) and go out together as one email at its start;
the inbox copy is there at once; staff messages (escalations) are not held; deadlines keep counting."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.test import RequestFactory

from followups import actions as issue_actions
from followups.models import DeadlineEvent, Issue
from followups.scan import scan
from liaison import delivery, quiet
from liaison.models import Delivery, Notification
from liaison.notify import acted_on, notify
from records import documents, signoff
from records.models import SignoffRequest
from tests.records import factories as records_factories

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SH)


def to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def signoff_request(oc_a, chair_a, member_a, director_a):
    sheet = records_factories.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    pdf = documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number)
    return signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[u.memberships.get(ended_on__isnull=True) for u in (chair_a, member_a)],
        by=director_a,
        now=at(2026, 11, 24, 10),
        pdf=pdf,
        html=fragment,
        contact_sheet=sheet,
    )


def test_the_window(settings):
    assert quiet.window_start(at(2026, 11, 25, 22, 30)) == at(2026, 11, 26, 8)
    assert quiet.window_start(at(2026, 11, 26, 0, 10)) == at(2026, 11, 26, 8)
    assert quiet.window_start(at(2026, 11, 26, 7, 59)) == at(2026, 11, 26, 8)
    assert quiet.window_start(at(2026, 11, 26, 8, 0)) is None
    assert quiet.window_start(at(2026, 11, 26, 20, 59)) is None
    assert quiet.window_start(at(2026, 11, 26, 21, 0)) == at(2026, 11, 27, 8)
    # UTC input: 14:30 UTC is 22:30 in Shanghai
    assert quiet.window_start(datetime.datetime(2026, 11, 25, 14, 30, tzinfo=datetime.UTC)) == at(2026, 11, 26, 8)
    settings.LIAISON_QUIET_HOURS = "22:00-07:30"
    assert quiet.window_start(at(2026, 11, 25, 21, 30)) is None
    assert quiet.window_start(at(2026, 11, 25, 23, 0)) == at(2026, 11, 26, 7, 30)
    settings.LIAISON_QUIET_HOURS = "off"
    assert quiet.window_start(at(2026, 11, 25, 23, 0)) is None


def test_two_night_reminders_to_a_member_go_out_at_eight_as_one_email(signoff_request, chair_a, member_a):
    mail.outbox.clear()
    delivery.deliver_pending(now=at(2026, 11, 24, 10))  # the "please sign" emails of the day
    mail.outbox.clear()
    # 22:30: the daily reminder (it is late: the beat was down in the morning)
    assert signoff.send_reminders(at(2026, 11, 25, 22, 30)) == 2
    # 23:10: another reminder for the same member
    notify(
        [member_a],
        kind="meeting.reminder",
        key="meeting:9:reminder",
        subject="明天上午例会，请准时参加",
        url="/meetings/9/",
        now=at(2026, 11, 25, 23, 10),
    )
    # the inbox has them at once
    assert Notification.objects.filter(recipient=member_a, kind__endswith=".reminder").count() == 2
    held = Delivery.objects.filter(notification__recipient=member_a, held=True)
    assert held.count() == 2 and set(held.values_list("next_attempt_at", flat=True)) == {at(2026, 11, 26, 8)}
    # nothing is emailed during the night
    for moment in (at(2026, 11, 25, 22, 31), at(2026, 11, 25, 23, 11), at(2026, 11, 26, 7, 59)):
        delivery.deliver_pending(now=moment)
    assert mail.outbox == []
    # 08:00: one email for the member carrying both, one for the chair carrying hers
    delivery.deliver_pending(now=at(2026, 11, 26, 8))
    [email] = to(member_a)
    assert "2" in email.subject
    assert "您的签名" in email.body or "签名" in email.body
    assert "明天上午例会" in email.body
    assert email.extra_headers["Message-ID"].startswith("<liaison.b")
    assert len(to(chair_a)) == 1 and "2" not in to(chair_a)[0].subject  # a single message: its own email
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
    bundled = Delivery.objects.filter(notification__recipient=member_a).exclude(bundle=None)
    assert bundled.count() == 1  # the second rode with the first
    # exactly once
    delivery.deliver_pending(now=at(2026, 11, 26, 8, 1))
    assert len(to(member_a)) == 1


def test_the_bundle_is_in_the_members_language(member_a):
    member_a.language = "en"
    member_a.save()
    for minute, key in ((30, "a"), (40, "b")):
        notify(
            [member_a],
            kind="signoff.reminder",
            key=key,
            subject="Reminder %(key)s, requested %(when)s" if key == "a" else "Reminder %(key)s",
            params={"key": key, "when": at(2026, 11, 20, 9)},
            now=at(2026, 11, 25, 22, minute),
        )
    delivery.deliver_pending(now=at(2026, 11, 26, 8))
    [email] = mail.outbox
    assert email.subject == "2 messages from the liaison portal"
    assert "quiet hours" in email.body and "Reminder a, requested 20 Nov 09:00" in email.body


def test_a_held_reminder_read_before_morning_is_not_emailed(signoff_request, chair_a, member_a, password):
    delivery.deliver_pending(now=at(2026, 11, 24, 10))  # the "please sign" emails of the day
    signoff.send_reminders(at(2026, 11, 25, 22, 30))
    version = signoff_request.current_version()
    signoff.sign(  # the chair signs at 23:00 on her phone: her reminder is read
        signoff_request,
        request=RequestFactory().post("/"),
        user=chair_a,
        password=password,
        decision="agree",
        comment="",
        version_id=version.pk,
        version_sha256=version.sha256,
        now=at(2026, 11, 25, 23),
    )
    mail.outbox.clear()
    delivery.deliver_pending(now=at(2026, 11, 26, 8))
    assert to(chair_a) == []
    assert Delivery.objects.get(notification__recipient=chair_a, held=True).status == Delivery.Status.SKIPPED
    assert len(to(member_a)) == 1


def test_only_what_can_wait_is_held(member_a):
    # a person's action at night (a cancellation, an answer) is not a reminder: it goes at once
    notify([member_a], kind="meeting.cancelled", key="c", subject="会议取消", now=at(2026, 11, 25, 22, 30))
    delivery.deliver_pending(now=at(2026, 11, 25, 22, 30))
    assert len(mail.outbox) == 1


def test_a_staff_escalation_at_half_past_ten_goes_at_once(raise_issue_at, director_a, dept_a):
    issue = raise_issue_at(at(2026, 3, 2, 22, 0))  # reply due 5 March 22:00, escalation 24 h later
    issue_actions.assign(issue, assignee=dept_a, actor=director_a, now=at(2026, 3, 2, 22, 5))
    delivery.deliver_pending(now=at(2026, 3, 2, 22, 5))  # "new issue" and "assigned to you": staff, at once
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    scan(at(2026, 3, 6, 22, 30))
    assert DeadlineEvent.objects.filter(issue=issue, level=DeadlineEvent.Level.DIRECTOR).exists()
    assert not Delivery.objects.filter(held=True).exists()
    delivery.deliver_pending(now=at(2026, 3, 6, 22, 30))
    assert len(to(director_a)) == 1 and "上报" in to(director_a)[0].subject
    # deadlines kept counting through the night: the issue is overdue and escalated as it would be by day
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.reply_overdue and issue.escalation_level == 1


def test_acting_on_an_item_marks_only_that_items_messages(member_a):
    notify([member_a], kind="signoff.reminder", key="x", subject="a", url="/records/signoff/1/", now=at(2026, 1, 5, 9))
    notify([member_a], kind="signoff.reminder", key="y", subject="b", url="/records/signoff/12/", now=at(2026, 1, 5, 9))
    assert acted_on(member_a, "/records/signoff/1/", now=at(2026, 1, 5, 10)) == 1
    assert Notification.objects.get(key=f"y:u{member_a.pk}").read_at is None


@pytest.fixture
def raise_issue_at(estate_a, oc_a):
    def make(raised_at):
        return issue_actions.raise_issue(
            estate=estate_a,
            committee=oc_a,
            raised_by="张喆",
            raised_at=raised_at,
            description="地下车库B区渗水",
            source="meeting",
            now=raised_at + datetime.timedelta(minutes=1),
        )

    return make
