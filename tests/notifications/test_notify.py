"""notify(): one inbox message per recipient and key, email only where wanted, in each user's language."""

import datetime

from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext_lazy

from liaison import delivery
from liaison.models import Delivery, EstateMute, Notification, NotificationPreference
from liaison.notify import notify

NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)


def test_same_key_twice_stores_and_emails_once(director_a, supervisor_a, estate_a):
    for _ in range(2):
        notify(
            [director_a, supervisor_a, director_a],
            kind="issue.overdue",
            key="issue:7:overdue",
            subject="问题 #7 已逾期",
            body="请尽快处理",
            url="/issues/7/",
            estate=estate_a,
            now=NOW,
        )
    assert Notification.objects.filter(recipient=director_a).count() == 1
    assert Notification.objects.filter(recipient=supervisor_a).count() == 1
    assert delivery.deliver_pending(now=NOW)["sent"] == 2
    assert delivery.deliver_pending(now=NOW + datetime.timedelta(hours=1))["sent"] == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([director_a.email, supervisor_a.email])
    assert "http://" in mail.outbox[0].body and "/issues/7/" in mail.outbox[0].body


def test_inactive_users_and_users_without_email(director_a, supervisor_a):
    supervisor_a.is_active = False
    supervisor_a.save()
    director_a.email = ""
    director_a.save()
    created = notify([director_a, supervisor_a], kind="meeting.notice", key="m1", subject="会议通知", now=NOW)
    assert [n.recipient for n in created] == [director_a]  # inbox only: no address to email
    assert not Delivery.objects.exists()


def test_email_false_keeps_the_message_in_the_inbox_only(director_a):
    notify([director_a], kind="meeting.notice", key="m2", subject="会议通知", email=False, now=NOW)
    assert Notification.objects.filter(recipient=director_a).exists()
    assert not Delivery.objects.exists()


def test_user_turning_email_off_for_a_kind(director_a, supervisor_a):
    NotificationPreference.objects.create(user=director_a, category="issue", email=False)
    notify([director_a, supervisor_a], kind="issue.reminder", key="i1", subject="提醒", now=NOW)
    notify([director_a], kind="meeting.notice", key="m3", subject="会议", now=NOW)
    emailed = set(Delivery.objects.values_list("notification__recipient__username", "notification__kind"))
    assert emailed == {("supervisor_a", "issue.reminder"), ("director_a", "meeting.notice")}
    assert Notification.objects.filter(recipient=director_a, kind="issue.reminder").exists()  # inbox always on


def test_estate_muting_email_for_one_kind(director_a, estate_a, estate_b):
    EstateMute.objects.create(estate=estate_a, channel="email", category="cadence")
    notify([director_a], kind="cadence.at_risk", key="c1", subject="a", estate=estate_a, now=NOW)
    notify([director_a], kind="cadence.at_risk", key="c2", subject="b", estate=estate_b, now=NOW)
    notify([director_a], kind="meeting.notice", key="c3", subject="c", estate=estate_a, now=NOW)
    assert set(Delivery.objects.values_list("notification__key", flat=True)) == {
        f"c2:u{director_a.pk}",
        f"c3:u{director_a.pk}",
    }


def test_email_in_each_users_language(director_a, supervisor_a):
    director_a.language = "en"
    director_a.save()
    supervisor_a.language = "zh-hans"
    supervisor_a.save()
    notify(
        [director_a, supervisor_a],
        kind="meeting.notice",
        key="lang",
        subject=gettext_lazy("Daily digest for %(date)s: %(count)s items"),
        params={"date": "2026-11-24", "count": 3},
        url="/meetings/1/",
        now=NOW,
    )
    delivery.deliver_pending(now=NOW)
    by_to = {m.to[0]: m for m in mail.outbox}
    en, zh = by_to[director_a.email], by_to[supervisor_a.email]
    assert en.subject == "Daily digest for 2026-11-24: 3 items"
    assert en.body.startswith("Dear 王主任,") and "Open in the portal:" in en.body
    assert zh.subject == "2026-11-24 每日摘要：3 项"
    assert zh.body.startswith("李主管，您好：") and "在平台中打开：" in zh.body
    html = zh.alternatives[0][0] if isinstance(zh.alternatives[0], tuple) else zh.alternatives[0].content
    assert "李主管" in html and "/meetings/1/" in html


def test_stable_message_id_per_notification(director_a):
    (n,) = notify([director_a], kind="meeting.notice", key="mid", subject="会议", now=NOW)
    delivery.deliver_pending(now=NOW)
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<liaison.n{n.pk}@localhost>"


def test_notify_uses_now_for_created(director_a):
    (n,) = notify([director_a], kind="meeting.notice", key="t", subject="x", now=NOW)
    assert n.created == NOW and n.created < timezone.now()
