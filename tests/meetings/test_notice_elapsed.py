"""The notice rule as elapsed time (§4.1.4.2 a week, §4.2.1.2 a day for the residents' committee): 7 days
are 7 x 24 hours between the committee being told and the start, whatever the hour of the day; the message
says how much is missing; what was sent short counts in the assessment."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from assessment import metrics
from assessment.months import Month
from liaison.models import Notification
from meetings import actions
from meetings.models import Meeting

from .conftest import sh

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)


@pytest.mark.parametrize("now", [sh(2026, 3, 10, 0, 0), sh(2026, 3, 10, 9, 30), sh(2026, 3, 10, 23, 59)])
def test_a_week_is_seven_times_24_hours_at_any_hour(make_meeting, now):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        make_meeting(kind="special_topic", starts_at=now + WEEK - datetime.timedelta(hours=1), now=now)
    message = e.value.message_dict["starts_at"][0]
    assert "还差 1 小时" in message and "168 小时" in message and "6 天 23 小时" in message
    assert not Meeting.objects.exists()
    m = make_meeting(kind="special_topic", starts_at=now + WEEK, now=now)
    assert not m.notice_override


def test_a_day_for_the_residents_committee_is_24_hours(make_meeting, rc_a, now):
    with translation.override("en"), pytest.raises(ValidationError) as e:
        make_meeting(
            kind="rc_contact", committee=rc_a, starts_at=now + datetime.timedelta(hours=23, minutes=1), now=now
        )
    assert "59 minutes short" in e.value.message_dict["starts_at"][0]
    assert make_meeting(kind="rc_contact", committee=rc_a, starts_at=now + datetime.timedelta(hours=24), now=now)


def test_approved_and_sent_with_less_than_a_week_needs_a_reason_and_counts_as_broken(
    make_meeting, special_topic, director_a, leader, now, settings
):
    """Scheduled ten days ahead, approved when 6 days 1 hour 47 minutes were left, where approval sends
    it: the leader is asked for a reason, and the month's assessment counts the broken notice."""
    settings.MEETINGS_APPROVAL_SENDS = True
    m = special_topic
    actions.submit_for_approval(m, actor=director_a, now=now)
    late = m.starts_at - datetime.timedelta(days=6, hours=1, minutes=47)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        actions.approve_meeting(m, actor=leader, instruction="同意", now=late)
    assert "还差 22 小时 13 分钟" in e.value.message_dict["override_reason"][0]
    m.refresh_from_db()
    assert m.status == Meeting.Status.AWAITING_APPROVAL and m.sent_at is None
    actions.approve_meeting(m, actor=leader, instruction="同意", now=late, override_reason="业主急需")
    m.refresh_from_db()
    assert m.sent_at == late and m.notice_override and m.notice_kept is False
    month = Month(m.starts_at.year, m.starts_at.month)
    assert list(Meeting.objects.filter(metrics.q_notice_breach(month, None))) == [m]


def test_sent_with_the_full_week_is_kept_and_not_counted(make_meeting, now):
    m = make_meeting(kind="special_topic", starts_at=now + WEEK + datetime.timedelta(minutes=1), now=now)
    m.approved_at = now
    m.save(update_fields=["approved_at"])
    actions.send_meeting(m, actor=m.organizer, now=now)
    m.refresh_from_db()
    assert m.notice_kept is True
    month = Month(m.starts_at.year, m.starts_at.month)
    assert not Meeting.objects.filter(metrics.q_notice_breach(month, None)).exists()


def test_moving_a_sent_meeting_judges_the_notice_from_the_move(make_meeting, rc_a, now):
    m = make_meeting(kind="rc_contact", committee=rc_a, starts_at=now + datetime.timedelta(days=5), now=now, send=True)
    assert m.notice_kept is True
    moved_at = now + datetime.timedelta(days=1)
    starts = moved_at + datetime.timedelta(hours=20)
    with pytest.raises(ValidationError):
        actions.update_meeting(
            m, actor=m.organizer, now=moved_at, reason="场地冲突", starts_at=starts, ends_at=starts + WEEK / 84
        )
    actions.update_meeting(
        m,
        actor=m.organizer,
        now=moved_at,
        reason="场地冲突",
        override_reason="社区书记只有这天有空",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    m.refresh_from_db()
    assert m.notice_kept is False and m.notice_override


def test_the_migration_judges_meetings_already_sent_by_the_hours(make_meeting, rc_a, now):
    """Meetings sent under the old rule (calendar dates): one told 18 hours before a 09:00 start on the
    next day was accepted then and is judged not kept now; one told two days ahead stays kept."""
    short = make_meeting(kind="rc_contact", committee=rc_a, starts_at=sh(2026, 3, 20, 9), now=now, title="短")
    fine = make_meeting(kind="rc_contact", committee=rc_a, starts_at=sh(2026, 3, 21, 9), now=now, title="足")
    draft = make_meeting(kind="rc_contact", committee=rc_a, starts_at=sh(2026, 3, 22, 9), now=now, title="未发")
    Meeting.objects.filter(pk=short.pk).update(sent_at=sh(2026, 3, 19, 15), notice_kept=None)
    Meeting.objects.filter(pk=fine.pk).update(sent_at=sh(2026, 3, 19, 9), notice_kept=None)
    migration = importlib.import_module("meetings.migrations.0006_meeting_notice_kept")
    migration.judge(apps, None)
    kept = dict(Meeting.objects.values_list("title", "notice_kept"))
    assert kept == {"短": False, "足": True, "未发": None}
    assert draft.sent_at is None


def test_a_meeting_that_has_begun_is_not_sent_nor_approved(make_meeting, special_topic, director_a, leader, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=2), now=now, title="例会")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        actions.send_meeting(m, actor=director_a, now=m.starts_at + datetime.timedelta(minutes=5))
    assert "已于 2026年3月12日 10:00 开始" in e.value.message_dict["__all__"][0]
    m.refresh_from_db()
    assert m.sent_at is None and m.status == Meeting.Status.DRAFT
    assert not Notification.objects.filter(kind="meeting.invitation").exists()
    actions.submit_for_approval(special_topic, actor=director_a, now=now)
    with pytest.raises(ValidationError):
        actions.approve_meeting(special_topic, actor=leader, instruction="同意", now=special_topic.starts_at)
    special_topic.refresh_from_db()
    assert special_topic.status == Meeting.Status.AWAITING_APPROVAL


def test_coming_up_until_it_ends(make_meeting, director_a, client_for, now):
    """On the meetings page a meeting under way is still 即将召开; once it has ended it is among the past."""
    from django.utils import timezone

    m = make_meeting(starts_at=now + datetime.timedelta(days=2), now=now, title="十二月例会", send=True)
    client = client_for(director_a)

    def listed_as():
        html = client.get("/meetings/").content.decode()
        upcoming = html[html.index('id="upcoming"') : html.index('id="past"')]
        past = html[html.index('id="past"') :]
        return {(True, False): "coming up", (False, True): "past"}.get(
            ("十二月例会" in upcoming, "十二月例会" in past), "both or neither"
        )

    real_now = timezone.now()
    Meeting.objects.filter(pk=m.pk).update(
        starts_at=real_now - datetime.timedelta(minutes=90), ends_at=real_now + datetime.timedelta(minutes=30)
    )
    assert listed_as() == "coming up"  # under way
    Meeting.objects.filter(pk=m.pk).update(ends_at=real_now - datetime.timedelta(minutes=1))
    assert listed_as() == "past"
