"""The daily digest: 08:00 Asia/Shanghai, directors and leaders, once per user per day."""

import datetime
import sys
import types

import pytest
from celery.schedules import crontab
from django.core import mail

from liaison import delivery, digest
from liaison.beat import SCHEDULE
from liaison.models import DigestRun, Notification

# 2026-11-24 08:00 in Shanghai is 00:00 UTC
EIGHT_AM = datetime.datetime(2026, 11, 24, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sources(monkeypatch):
    """Two fake app digests and one app without a digest module."""
    calls = []

    def meetings_items(user, now):
        calls.append(("meetings", user.username))
        return [
            {"section": "due_today", "text": "业委会例会今日召开", "url": "/meetings/5/"},
            {"section": "at_risk", "text": "本季度专题会议尚未安排 (50%)", "url": "/meetings/cadence/"},
        ]

    def followups_items(user, now):
        calls.append(("followups", user.username))
        if user.username == "leader":
            return []
        return [
            {"section": "overdue", "text": "问题 #3 回复逾期", "url": "/issues/3/"},
            {"section": "bogus", "text": "ignored"},
            {"section": "awaiting", "text": "外链被去掉", "url": "https://evil.example/"},
        ]

    monkeypatch.setitem(sys.modules, "fake_meetings_digest", types.SimpleNamespace(items=meetings_items))
    monkeypatch.setitem(sys.modules, "fake_followups_digest", types.SimpleNamespace(items=followups_items))
    monkeypatch.setattr(
        digest, "SOURCES", ["fake_meetings_digest", "fake_followups_digest", "no_such_app_at_all.digest"]
    )
    return calls


def test_digest_goes_to_directors_and_leaders_once_a_day(sources, director_a, leader, supervisor_a, chair_a):
    assert digest.send_digests(EIGHT_AM) == 2
    assert digest.send_digests(EIGHT_AM + datetime.timedelta(hours=2)) == 0  # catch-up run: already done
    assert set(Notification.objects.filter(kind="digest").values_list("recipient__username", flat=True)) == {
        "director_a",
        "leader",
    }
    assert len(sources) == 4  # each source asked once per user, not again by the second run
    assert digest.send_digests(EIGHT_AM + datetime.timedelta(days=1)) == 2  # the next day


def test_nothing_before_eight_shanghai_time(sources, director_a):
    assert digest.send_digests(EIGHT_AM - datetime.timedelta(minutes=1)) == 0
    assert not DigestRun.objects.exists()


def test_digest_content_sections_and_links(sources, director_a, client_for):
    digest.send_digests(EIGHT_AM)
    n = Notification.objects.get(recipient=director_a, kind="digest")
    assert n.subject == "2026年11月24日 每日摘要：4 项"
    assert [s["key"] for s in n.data["sections"]] == ["due_today", "overdue", "at_risk", "awaiting"]
    assert "【今日到期】" in n.body and "本季度专题会议尚未安排 (50%)" in n.body
    page = client_for(director_a).get(n.url).content.decode()
    assert '<a href="/meetings/5/">业委会例会今日召开</a>' in page and "evil.example" not in page
    delivery.deliver_pending(now=EIGHT_AM)
    (email,) = mail.outbox
    assert "http://127.0.0.1:8000/issues/3/" in email.body and "逾期" in email.body


def test_empty_digest_sends_nothing(monkeypatch, director_a):
    monkeypatch.setattr(digest, "SOURCES", ["no_such_app_at_all.digest"])
    assert digest.send_digests(EIGHT_AM) == 0
    assert not Notification.objects.exists()
    assert DigestRun.objects.get().items == 0  # recorded, so later runs cost nothing


def test_a_broken_source_does_not_stop_the_others(monkeypatch, sources, director_a):
    def broken(user, now):
        raise RuntimeError("bug in an app")

    monkeypatch.setitem(sys.modules, "broken_digest", types.SimpleNamespace(items=broken))
    monkeypatch.setattr(digest, "SOURCES", ["broken_digest", *digest.SOURCES])
    assert digest.send_digests(EIGHT_AM) == 1
    assert "业委会例会今日召开" in Notification.objects.get().body


def test_digest_in_english_for_english_users(sources, director_a):
    director_a.language = "en"
    director_a.save()
    digest.send_digests(EIGHT_AM)
    n = Notification.objects.get()
    assert n.subject.startswith("Daily digest for") and "[Due today]" in n.body


def test_beat_runs_the_digest_at_eight():
    job = SCHEDULE["daily-digest"]
    assert job["task"] == "liaison.tasks.send_digests"
    assert job["schedule"] == crontab(minute="*/15", hour="8-11")
