"""Group robots: URL checks, payloads per provider, DingTalk signing, timeouts, once per key."""

import base64
import datetime
import hashlib
import hmac
import socket
import time

import pytest
from django.core.exceptions import ValidationError

from liaison import delivery, webhooks
from liaison.models import Delivery, DeliveryAttempt, EstateMute, GroupMessage, Notification, RobotWebhook
from liaison.notify import notify_group
from liaison.webhooks import WebhookURLError, validate_webhook_url

NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)


def resolver(*addresses):
    def resolve(host, port, type=None):
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"


@pytest.mark.parametrize(
    "url,addresses,message",
    [
        ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", ["101.91.0.1"], "https://"),
        ("ftp://example.com/x", ["93.184.216.34"], "https://"),
        ("https://10.1.2.3/hook", ["10.1.2.3"], "内网"),
        ("https://127.0.0.1/hook", ["127.0.0.1"], "内网"),
        ("https://[::1]/hook", ["::1"], "内网"),
        ("https://metadata.internal/hook", ["169.254.169.254"], "内网"),
        ("https://intranet.example.com/hook", ["93.184.216.34", "192.168.1.10"], "内网"),
        ("https://mapped.example.com/hook", ["::ffff:127.0.0.1"], "内网"),
        ("https://user:pw@oapi.dingtalk.com/robot/send", ["47.1.2.3"], "用户名"),
        ("https:///nohost", [], "https://"),
    ],
)
def test_refused_urls(settings, url, addresses, message):
    settings.LIAISON_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(WebhookURLError) as exc:
        validate_webhook_url(url, resolve=resolver(*addresses))
    assert message in str(exc.value)


def test_unresolvable_host_is_refused():
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    with pytest.raises(WebhookURLError, match="无法解析主机名"):
        validate_webhook_url("https://nowhere.invalid/hook", resolve=fail)


def test_public_https_is_accepted_and_pinned():
    parts, addresses = validate_webhook_url(WECOM, resolve=resolver("101.91.0.1"))
    assert parts.hostname == "qyapi.weixin.qq.com" and addresses == [("101.91.0.1", 443)]


def test_administrator_may_allow_private_addresses(settings):
    settings.LIAISON_WEBHOOK_ALLOW_PRIVATE = True
    validate_webhook_url("https://10.1.2.3/hook", resolve=resolver("10.1.2.3"))
    validate_webhook_url("http://127.0.0.1:8080/hook", resolve=resolver("127.0.0.1"))
    with pytest.raises(WebhookURLError):  # plain http to the internet stays refused
        validate_webhook_url("http://example.com/hook", resolve=resolver("93.184.216.34"))


def test_admin_form_refuses_a_loopback_robot(settings, estate_a):
    settings.LIAISON_WEBHOOK_ALLOW_PRIVATE = False
    robot = RobotWebhook(estate=estate_a, name="群", provider="wecom", url="https://127.0.0.1/cgi-bin/webhook/send")
    with pytest.raises(ValidationError) as exc:
        robot.full_clean()
    assert "url" in exc.value.message_dict


def test_admin_page_shows_the_refusal(settings, client_for, admin_user, estate_a):
    settings.LIAISON_WEBHOOK_ALLOW_PRIVATE = False
    r = client_for(admin_user).post(
        "/admin/liaison/robotwebhook/add/",
        {"estate": estate_a.pk, "name": "运营群", "provider": "wecom", "url": "https://127.0.0.1/x", "format": "text"},
    )
    assert r.status_code == 200 and "127.0.0.1" in r.content.decode() and "errorlist" in r.content.decode()
    assert not RobotWebhook.objects.exists()


def test_dingtalk_signature_matches_the_documented_algorithm(estate_a):
    robot = RobotWebhook(
        estate=estate_a,
        provider="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=tok",
        secret="SECabc123",
        format="markdown",
    )
    url, payload = webhooks.build_request(robot, "问题逾期", "3 项", "https://portal/issues/1/", now_s=1700000000.5)
    expected = base64.b64encode(hmac.new(b"SECabc123", b"1700000000500\nSECabc123", hashlib.sha256).digest()).decode()
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["tok"], "timestamp": ["1700000000500"], "sign": [expected]}
    assert payload["msgtype"] == "markdown" and payload["markdown"]["title"] == "问题逾期"
    assert "https://portal/issues/1/" in payload["markdown"]["text"]


def test_payload_shapes(estate_a):
    wecom = RobotWebhook(estate=estate_a, provider="wecom", url=WECOM, format="text")
    assert webhooks.build_request(wecom, "S", "B", "L")[1] == {"msgtype": "text", "text": {"content": "S\nB\nL"}}
    feishu = RobotWebhook(estate=estate_a, provider="feishu", url="https://open.feishu.cn/x", format="text", secret="s")
    _url, payload = webhooks.build_request(feishu, "S", "B", "", now_s=1700000000)
    assert payload["msg_type"] == "text" and payload["content"] == {"text": "S\nB"}
    assert payload["timestamp"] == "1700000000" and payload["sign"] == webhooks.feishu_sign("s", 1700000000)


def test_group_message_posted_once_per_key(allow_private, robot_endpoint, make_robot, estate_a):
    make_robot(robot_endpoint.url("/ok"), format="text")
    for _ in range(2):
        notify_group(
            estate_a, kind="issue.overdue", key="issue:9:overdue", subject="问题 #9 逾期", url="/issues/9/", now=NOW
        )
    assert GroupMessage.objects.count() == 1
    assert delivery.deliver_pending(now=NOW)["sent"] == 1
    assert delivery.deliver_pending(now=NOW)["sent"] == 0
    (hit,) = robot_endpoint.hits("/ok")
    assert hit["json"]["msgtype"] == "text" and "问题 #9 逾期" in hit["json"]["text"]["content"]
    assert "/issues/9/" in hit["json"]["text"]["content"] and hit["content_type"].startswith("application/json")
    attempt = DeliveryAttempt.objects.get()
    assert attempt.ok and attempt.channel == "webhook" and "HTTP 200" in attempt.result


def test_signed_dingtalk_reaches_the_endpoint_with_timestamp_and_sign(
    allow_private, robot_endpoint, make_robot, estate_a
):
    make_robot(robot_endpoint.url("/ok", "access_token=t"), provider="dingtalk", secret="SECxyz")
    notify_group(estate_a, kind="cadence.at_risk", key="k", subject="例会临期", now=NOW)
    before = int(time.time() * 1000)
    delivery.deliver_pending(now=NOW)
    (hit,) = robot_endpoint.hits("/ok")
    ts = int(hit["query"]["timestamp"])
    assert before - 1000 <= ts <= int(time.time() * 1000) + 1000
    assert hit["query"]["sign"] == webhooks.dingtalk_sign("SECxyz", ts) and hit["query"]["access_token"] == "t"


def test_robot_kinds_and_estate_mute(allow_private, robot_endpoint, make_robot, estate_a):
    make_robot(robot_endpoint.url("/ok"), kinds="issue")
    notify_group(estate_a, kind="meeting.notice", key="a", subject="会议", now=NOW)  # not a kind it takes
    EstateMute.objects.create(estate=estate_a, channel="webhook", category="")
    notify_group(estate_a, kind="issue.overdue", key="b", subject="逾期", now=NOW)  # the estate muted robots
    assert GroupMessage.objects.count() == 2 and not Delivery.objects.exists()


def test_private_endpoint_refused_at_send_time(settings, robot_endpoint, make_robot, estate_a, admin_user):
    settings.LIAISON_WEBHOOK_ALLOW_PRIVATE = False
    make_robot(robot_endpoint.url("/ok"))
    notify_group(estate_a, kind="issue.overdue", key="p", subject="逾期", now=NOW)
    assert delivery.deliver_pending(now=NOW)["failed"] == 1
    assert robot_endpoint.requests == []  # never contacted
    d = Delivery.objects.get()
    assert d.status == "failed" and d.attempts == 1 and "只允许公网地址" in d.last_error
    assert Notification.objects.filter(recipient=admin_user, kind="delivery.failed").exists()


def test_robot_error_code_counts_as_failure(allow_private, settings, robot_endpoint, make_robot, estate_a):
    settings.LIAISON_DELIVERY_MAX_ATTEMPTS = 2
    make_robot(robot_endpoint.url("/refuse"))
    notify_group(estate_a, kind="issue.overdue", key="r", subject="逾期", now=NOW)
    assert delivery.deliver_pending(now=NOW)["retry"] == 1
    assert delivery.deliver_pending(now=NOW + datetime.timedelta(hours=1))["failed"] == 1
    d = Delivery.objects.get()
    assert d.status == "failed" and "93000" in d.last_error and len(robot_endpoint.hits("/refuse")) == 2


@pytest.mark.parametrize("target", ["silent", "slow"])
def test_a_dead_or_dripping_endpoint_cannot_hang_the_worker(
    allow_private, settings, robot_endpoint, silent_server, make_robot, estate_a, target
):
    settings.LIAISON_WEBHOOK_TIMEOUT = 0.6
    make_robot(silent_server if target == "silent" else robot_endpoint.url("/slow"))
    notify_group(estate_a, kind="issue.overdue", key="t", subject="逾期", now=NOW)
    started = time.monotonic()
    assert delivery.deliver_pending(now=NOW)["retry"] == 1
    assert time.monotonic() - started < 2.5
    assert "timed out" in Delivery.objects.get().last_error
