"""The delivery loop: claim before send, mark after; retries with backoff; giving up visibly."""

import datetime
from unittest import mock

import pytest
from django.core import mail

from liaison import delivery
from liaison.models import Delivery, DeliveryAttempt, Notification
from liaison.notify import notify

NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)


def _about(actual, expected):
    # the wait counts from the end of the attempt: `now` plus the few milliseconds it took
    return expected <= actual < expected + datetime.timedelta(seconds=1)


@pytest.fixture
def one_email(director_a):
    notify([director_a], kind="issue.overdue", key="d1", subject="逾期", now=NOW)
    return Delivery.objects.get()


def test_a_second_claim_of_the_same_row_loses(one_email):
    stale_copy = Delivery.objects.get(pk=one_email.pk)
    assert delivery.claim(one_email, NOW) is True
    assert delivery.claim(stale_copy, NOW) is False  # a duplicated task holding the same row


def test_duplicated_run_after_a_send_sends_nothing(one_email):
    stale_copy = Delivery.objects.get(pk=one_email.pk)
    assert delivery.deliver_one(one_email, NOW) == "sent"
    assert delivery.deliver_one(stale_copy, NOW) is None  # e.g. a redelivered task with an old read
    assert len(mail.outbox) == 1
    d = Delivery.objects.get()
    assert d.status == "sent" and d.attempts == 1
    (attempt,) = DeliveryAttempt.objects.all()
    assert attempt.ok and attempt.channel == "email" and "director_a@example.com" in attempt.result


def test_failure_retries_with_backoff_then_gives_up_and_tells_admins(settings, one_email, admin_user):
    settings.LIAISON_DELIVERY_MAX_ATTEMPTS = 3
    settings.LIAISON_DELIVERY_BACKOFF_SECONDS = 60
    with mock.patch("liaison.delivery.build_email", side_effect=ConnectionRefusedError("smtp down")):
        assert delivery.deliver_pending(now=NOW)["retry"] == 1
        d = Delivery.objects.get()
        assert d.status == "pending" and _about(d.next_attempt_at, NOW + datetime.timedelta(seconds=60))
        assert "smtp down" in d.last_error
        # not due yet: nothing happens
        assert delivery.deliver_pending(now=NOW + datetime.timedelta(seconds=30))["retry"] == 0
        assert delivery.deliver_pending(now=NOW + datetime.timedelta(seconds=61))["retry"] == 1
        assert _about(Delivery.objects.get().next_attempt_at, NOW + datetime.timedelta(seconds=61 + 120))
        assert delivery.deliver_pending(now=NOW + datetime.timedelta(seconds=200))["failed"] == 1
        assert delivery.deliver_pending(now=NOW + datetime.timedelta(days=1)) == {
            "sent": 0,
            "retry": 0,
            "failed": 0,
            "interrupted": 0,
            "more": False,
            "next_retry_at": None,
        }
    d = Delivery.objects.get()
    assert d.status == "failed" and d.attempts == 3 and "smtp down" in d.last_error
    assert DeliveryAttempt.objects.filter(delivery=d, ok=False).count() == 3
    alert = Notification.objects.get(recipient=admin_user, kind="delivery.failed")
    assert "smtp down" in alert.body and alert.url == f"/admin/liaison/delivery/{d.pk}/change/"
    assert not alert.deliveries.exists()  # never through the failing channel
    assert mail.outbox == []


def test_worker_crash_after_claim_is_sent_again_once_with_the_same_message_id(one_email, admin_user):
    # a worker claimed the row (and may have sent it) and died before marking it
    assert delivery.claim(one_email, NOW)
    assert delivery.deliver_pending(now=NOW + datetime.timedelta(minutes=5))["sent"] == 0  # claim still fresh
    result = delivery.deliver_pending(now=NOW + delivery.CLAIM_TIMEOUT)
    assert result["resent"] == 1 and result["sent"] == 1
    (msg,) = mail.outbox
    assert msg.extra_headers["Message-ID"] == f"<liaison.n{one_email.notification_id}@localhost>"
    d = Delivery.objects.get()
    assert d.status == "sent" and d.resent
    # interrupted a second time: not sent a third time, the administrators are told
    Delivery.objects.update(status="sending", claimed_at=NOW)
    result = delivery.deliver_pending(now=NOW + 2 * delivery.CLAIM_TIMEOUT)
    assert result["interrupted"] == 1 and len(mail.outbox) == 1
    d = Delivery.objects.get()
    assert d.status == "failed" and "可能已送达也可能未送达" in d.last_error
    assert Notification.objects.filter(recipient=admin_user, kind="delivery.failed").exists()
    # the administrator decides to send it again
    assert delivery.retry(Delivery.objects.all(), now=NOW + delivery.CLAIM_TIMEOUT) == 1
    assert delivery.deliver_pending(now=NOW + delivery.CLAIM_TIMEOUT)["sent"] == 1
    assert len(mail.outbox) == 2


def test_permanent_error_fails_at_once(one_email, director_a):
    director_a.email = ""
    director_a.save()
    assert delivery.deliver_pending(now=NOW)["failed"] == 1
    d = Delivery.objects.get()
    assert d.status == "failed" and d.attempts == 1 and "no email address" in d.last_error


def test_run_budget_leaves_the_rest_for_the_next_run(director_a, supervisor_a):
    notify([director_a, supervisor_a], kind="meeting.notice", key="b", subject="会议", now=NOW)
    assert delivery.deliver_pending(now=NOW, limit=1) == {
        "sent": 1,
        "retry": 0,
        "failed": 0,
        "interrupted": 0,
        "more": True,
        "next_retry_at": None,
    }
    assert delivery.deliver_pending(now=NOW)["sent"] == 1


def test_admin_lists_failed_deliveries_and_sends_again(client_for, admin_user, one_email):
    Delivery.objects.update(status="failed", last_error="SMTPServerDisconnected: boom", attempts=6)
    c = client_for(admin_user)
    page = c.get("/admin/liaison/delivery/?status__exact=failed")
    assert page.status_code == 200 and "SMTPServerDisconnected: boom" in page.content.decode()
    r = c.post(
        "/admin/liaison/delivery/",
        {"action": "send_again", "_selected_action": [one_email.pk]},
        follow=True,
    )
    assert r.status_code == 200
    d = Delivery.objects.get()
    assert d.status == "pending" and d.attempts == 0
