"""Found in review: the leader's approval and the notice rule; edits while awaiting approval."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import actions
from meetings.models import Meeting, MeetingKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting(director_a, oc_a, leader):
    now = timezone.now()
    kind = MeetingKind.objects.get(code="special_topic")
    m = actions.create_meeting(
        actor=director_a,
        now=now,
        estate=oc_a.estate,
        committee=oc_a,
        kind=kind,
        title="停车场改造专题会",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="会议室",
    )
    actions.add_agenda_item(m, actor=director_a, now=now, title="方案", cause="车位不足")
    actions.submit_for_approval(m, actor=director_a, now=now)
    m.refresh_from_db()
    assert m.status == Meeting.Status.AWAITING_APPROVAL
    return m


def test_late_approval_needs_a_written_reason_that_counts_as_an_override(awaiting, leader, settings):
    settings.MEETINGS_APPROVAL_SENDS = True  # the approval sends the notice at once
    eight_days_later = timezone.now() + datetime.timedelta(days=8)
    with pytest.raises(ValidationError) as exc:
        actions.approve_meeting(awaiting, actor=leader, instruction="同意", now=eight_days_later)
    assert "override_reason" in exc.value.message_dict
    awaiting.refresh_from_db()
    assert awaiting.status == Meeting.Status.AWAITING_APPROVAL and awaiting.sent_at is None

    actions.approve_meeting(
        awaiting, actor=leader, instruction="同意", override_reason="业主急需，特事特办", now=eight_days_later
    )
    awaiting.refresh_from_db()
    assert awaiting.sent_at is not None
    assert awaiting.notice_override and awaiting.notice_override_reason == "业主急需，特事特办"
    assert awaiting.notice_override_by == leader


def test_timely_approval_needs_no_reason(awaiting, leader, settings):
    settings.MEETINGS_APPROVAL_SENDS = True
    actions.approve_meeting(awaiting, actor=leader, instruction="同意", now=timezone.now())
    awaiting.refresh_from_db()
    assert awaiting.sent_at is not None and not awaiting.notice_override


def test_by_default_approval_leaves_the_sending_to_the_director(awaiting, leader, director_a):
    """Approved eight days on (the notice can no longer be kept): no reason asked of the leader, nothing
    sent; the director, sending, is the one asked for the override."""
    later = timezone.now() + datetime.timedelta(days=8)
    actions.approve_meeting(awaiting, actor=leader, instruction="先征求业主意见再发", now=later)
    awaiting.refresh_from_db()
    assert awaiting.status == Meeting.Status.DRAFT and awaiting.sent_at is None and awaiting.approved_at == later
    with pytest.raises(ValidationError) as exc:
        actions.send_meeting(awaiting, actor=director_a, now=later)
    assert "override_reason" in exc.value.message_dict
    actions.send_meeting(awaiting, actor=director_a, now=later, override_reason="业主急需")
    awaiting.refresh_from_db()
    assert awaiting.sent_at == later and awaiting.notice_override_by == director_a


def test_no_edit_while_awaiting_approval(awaiting, director_a, client):
    with pytest.raises(ValidationError):
        actions.update_meeting(awaiting, actor=director_a, now=timezone.now(), title="改过的标题")
    client.force_login(director_a)
    r = client.get(f"/meetings/{awaiting.pk}/edit/", follow=True)
    assert "会议正在等待领导审批" in r.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.title == "停车场改造专题会"


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/?month=9999-12",
        "/meetings/?month=0001-01",
        "/records/estates/{estate}/callbacks/?year=9999&month=12",
        "/records/estates/{estate}/callbacks/?year=1&month=1&format=pdf",
        "/api/meetings/?starts_after=0001-01-01T00:00:00",
        "/api/issues/?raised_after=0001-01-01T00:00:00",
    ],
)
def test_far_dates_never_500(client, director_a, estate_a, url):
    client.force_login(director_a)
    r = client.get(url.format(estate=estate_a.pk))
    assert r.status_code in (200, 400), r.status_code
    if url.startswith("/api/"):
        assert r.status_code == 400 and "2000" in r.content.decode()
