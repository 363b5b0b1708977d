"""No lost reminder (issue 16, item 9): a worker killed between sending and marking. The reconcile step
(the delivery loop, once the claim expired) resends an interrupted SMS only when the provider's status
query, by the message's own id, says it was not sent, and an interrupted email once with the same
Message-ID. Each message arrives once; a repeat carries the first one's Message-ID."""

import collections
import datetime
from unittest import mock

import pytest
from django.core import mail

from liaison import delivery
from liaison.models import Delivery, NotificationPreference
from liaison.notify import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)
LATER = NOW + delivery.CLAIM_TIMEOUT + datetime.timedelta(minutes=1)


class Killed(BaseException):
    """The worker's process dies (SIGKILL): nothing after this line runs, no handler catches it."""


def kill_before_marking(victims):
    """A mark_sent that dies, after the send went out, for the deliveries in `victims` (ids)."""
    real = delivery.mark_sent

    def mark(d, result, started, group=None):
        if d.pk in victims:
            victims.discard(d.pk)
            raise Killed
        return real(d, result, started, group=group)

    return mock.patch("liaison.delivery.mark_sent", side_effect=mark)


def run_until_killed(now):
    try:
        delivery.deliver_pending(now=now)
    except Killed:
        return True
    return False


def message_ids(outbox):
    return [m.extra_headers["Message-ID"] for m in outbox]


def test_fifty_emails_a_kill_mid_batch_all_arrive_once_by_message_id(estate_a):
    users = [UserFactory(username=f"u{i}", email=f"u{i}@example.com") for i in range(50)]
    notify(users, kind="issue.overdue", key="kill", subject="问题已逾期", estate=estate_a, now=NOW)
    rows = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    with kill_before_marking({rows[17], rows[33]}):
        assert run_until_killed(NOW)  # dies after the 18th email went out
        assert run_until_killed(NOW)  # restarted; dies again after the 34th
        assert not run_until_killed(NOW)  # restarted: the rest go out
    assert len(mail.outbox) == 50 and Delivery.objects.filter(status="sending").count() == 2
    result = delivery.deliver_pending(now=LATER)  # the claims expired: reconcile
    assert result["resent"] == 2 and result["sent"] == 2
    delivery.deliver_pending(now=LATER + datetime.timedelta(hours=1))  # nothing more
    ids = message_ids(mail.outbox)
    assert len(ids) == 52 and len(set(ids)) == 50  # 50 messages, two of them twice …
    repeats = [mid for mid, n in collections.Counter(ids).items() if n > 1]
    first = {mid: m for m, mid in zip(mail.outbox, ids, strict=True) if mid in repeats}
    for mid in repeats:  # … the repeat carrying the first one's Message-ID, to the same person
        copies = [m for m in mail.outbox if m.extra_headers["Message-ID"] == mid]
        assert [c.to for c in copies] == [first[mid].to] * 2
    assert {m.to[0] for m in mail.outbox} == {u.email for u in users}  # 0 lost
    assert Delivery.objects.filter(status="sent").count() == 50


def test_a_held_bundle_interrupted_is_sent_again_as_the_same_bundle(chair_a):
    import zoneinfo

    sh = zoneinfo.ZoneInfo("Asia/Shanghai")
    for i, minute in enumerate((30, 40)):
        notify(
            [chair_a],
            kind="meeting.reminder",
            key=f"b{i}",
            subject=f"提醒{i}",
            now=datetime.datetime(2026, 11, 24, 22, minute, tzinfo=sh),
        )
    morning = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=sh)
    lead = Delivery.objects.order_by("pk").first()
    with kill_before_marking({lead.pk}):
        assert run_until_killed(morning)
    delivery.deliver_pending(now=morning + delivery.CLAIM_TIMEOUT + datetime.timedelta(minutes=1))
    assert message_ids(mail.outbox) == [f"<liaison.b{lead.pk}@localhost>"] * 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def wants_sms(user, phone):
    user.phone, user.email = phone, ""
    user.save()
    NotificationPreference.objects.create(user=user, category="issue", sms=True)


@pytest.mark.parametrize("provider", ["aliyun_sms", "tencent_sms"])
def test_an_sms_that_left_before_the_kill_is_not_sent_again(request, provider, chair_a, member_a):
    fake = request.getfixturevalue(provider)
    wants_sms(chair_a, "13812345678")
    wants_sms(member_a, "13900001111")
    notify([chair_a, member_a], kind="issue.overdue", key="s1", subject="问题已逾期", now=NOW)
    first = Delivery.objects.order_by("pk").first()
    with kill_before_marking({first.pk}):
        assert run_until_killed(NOW)  # the chair's SMS reached the provider; the worker died
        delivery.deliver_pending(now=NOW)  # restarted: the member's goes out
    assert len(fake.sent) == 2
    assert delivery.deliver_pending(now=LATER)["reconciled"] == 1
    assert len(fake.sent) == 2  # the provider said it had the chair's: not sent again
    query = [r for r in fake.requests if r["action"] != "SendSms"]
    assert len(query) == 1  # asked once, about the chair's number
    first.refresh_from_db()
    assert first.status == "sent"
    if provider == "tencent_sms":  # its status report names the SerialNo; Alibaba's lists no BizId
        assert first.provider_message_id == fake.sent[0]["id"]
    assert sorted(s["out_id"] for s in fake.sent) == sorted(f"liaison-d{d.pk}" for d in Delivery.objects.all())


@pytest.mark.parametrize("provider", ["aliyun_sms", "tencent_sms"])
def test_an_sms_killed_before_it_left_is_sent_again_once(request, provider, chair_a):
    fake = request.getfixturevalue(provider)
    wants_sms(chair_a, "13812345678")
    notify([chair_a], kind="issue.overdue", key="s2", subject="问题已逾期", now=NOW)
    d = Delivery.objects.get()
    assert delivery.claim(d, NOW)  # claimed, then the worker died before the provider was called
    result = delivery.deliver_pending(now=LATER)
    assert result["resent"] == 1 and result["sent"] == 1
    assert [s["out_id"] for s in fake.sent] == [f"liaison-d{d.pk}"]  # exactly one message, its own id
    d.refresh_from_db()
    assert d.status == "sent" and d.resent


def test_when_the_provider_cannot_be_asked_the_sms_is_neither_resent_nor_lost(aliyun_sms, chair_a, settings):
    settings.LIAISON_DELIVERY_BACKOFF_SECONDS = 60
    wants_sms(chair_a, "13812345678")
    notify([chair_a], kind="issue.overdue", key="s3", subject="问题已逾期", now=NOW)
    d = Delivery.objects.get()
    delivery.claim(d, NOW)
    aliyun_sms.sent.append(
        {"phone": "13812345678", "template": "x", "params": {}, "out_id": f"liaison-d{d.pk}", "id": "9^0", "status": 1}
    )
    settings.LIAISON_SMS_ENDPOINT = "http://127.0.0.1:9"  # the provider is unreachable for a while
    assert delivery.deliver_pending(now=LATER)["retry"] == 1
    d.refresh_from_db()
    assert d.status == "sending" and "could not be asked" in d.last_error
    settings.LIAISON_SMS_ENDPOINT = aliyun_sms.endpoint
    assert delivery.deliver_pending(now=LATER + datetime.timedelta(minutes=2))["reconciled"] == 1
    assert len(aliyun_sms.sent) == 1  # it had left (waiting for its report): not sent again
    assert Delivery.objects.get().status == "sent"


def test_a_robot_post_interrupted_is_still_not_repeated(
    estate_a, robot_endpoint, make_robot, allow_private, admin_user
):
    from liaison.notify import notify_group

    make_robot(robot_endpoint.url("/ok"))
    notify_group(estate_a, kind="issue.overdue", key="g1", subject="逾期", now=NOW)
    d = Delivery.objects.get()
    delivery.claim(d, NOW)
    assert delivery.deliver_pending(now=LATER)["interrupted"] == 1
    assert robot_endpoint.requests == [] and Delivery.objects.get().status == "failed"
