"""WeChat as a channel (issue 16, item 5): a member binds their WeChat from the profile page with a QR
code carrying a one-time ticket; the official account's callback stores the openid; template messages
go to bound members only. wechatpy runs against a local fake of the WeChat API on 127.0.0.1."""

import datetime
import hashlib
import time

import pytest
from django.utils import timezone

from liaison import actions, delivery
from liaison.models import AuditEntry, Delivery, NotificationPreference, WeChatBinding, WeChatBindTicket
from liaison.notify import notify

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)


def signed(token="callback-token", nonce="n0nce"):
    timestamp = str(int(time.time()))
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def scan_event(openid, ticket, event="SCAN"):
    key = ticket if event == "SCAN" else f"qrscene_{ticket}"
    event_name = "SCAN" if event == "SCAN" else "subscribe"
    return (
        f"<xml><ToUserName><![CDATA[gh_liaison]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>1764000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event_name}]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey><Ticket><![CDATA[gQ{ticket}]]></Ticket></xml>"
    )


def callback(client, body, query=None):
    return client.post(f"/wechat/callback/?{query or signed()}", data=body, content_type="text/xml")


def test_member_binds_wechat_by_scanning_the_qr_code(client_for, chair_a, client, wechat_api):
    c = client_for(chair_a)
    assert 'id="wechat-bind"' in c.get("/account/").content.decode()
    page = c.post("/account/wechat/bind/").content.decode()
    ticket = WeChatBindTicket.objects.get(user=chair_a)
    assert 'id="wechat-qr"' in page and 'src="data:image/svg+xml;base64,' in page
    assert wechat_api.qrcodes == [
        {"expire_seconds": 600, "action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": ticket.ticket}}}
    ]
    c.logout()
    r = callback(client, scan_event("oCHAIR-openid", ticket.ticket))
    assert r.status_code == 200 and r.content == b"success"
    assert WeChatBinding.objects.get(user=chair_a).openid == "oCHAIR-openid"
    assert AuditEntry.objects.filter(action="wechat.bound", object_id=str(chair_a.pk)).exists()
    page = client_for(chair_a).get("/account/").content.decode()
    assert 'id="wechat-bound"' in page and "已绑定微信" in page


def test_a_ticket_binds_once_and_not_after_it_expired(chair_a, member_a, client, wechat_api):
    first = actions.start_wechat_binding(chair_a, now=timezone.now())
    assert callback(client, scan_event("oFIRST", first.ticket, event="subscribe")).status_code == 200  # new follower
    callback(client, scan_event("oSOMEONE-ELSE", first.ticket))  # the same code scanned again by another person
    assert list(WeChatBinding.objects.values_list("user__username", "openid")) == [("chair_a", "oFIRST")]
    late = actions.start_wechat_binding(member_a, now=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))  # expired
    callback(client, scan_event("oLATE", late.ticket))
    assert not WeChatBinding.objects.filter(user=member_a).exists()


def test_a_forged_callback_binds_nothing(chair_a, client, wechat_api):
    row = actions.start_wechat_binding(chair_a, now=timezone.now())
    assert callback(client, scan_event("oEVIL", row.ticket), query=signed(token="guess")).status_code == 403
    assert callback(client, scan_event("oEVIL", row.ticket), query="nonce=1").status_code == 403
    assert not WeChatBinding.objects.exists()
    # WeChat's check of the server address: the echo, signed
    assert client.get(f"/wechat/callback/?{signed()}&echostr=abc123").content == b"abc123"


def test_bind_page_says_so_when_wechat_is_unreachable(client_for, chair_a, settings, wechat_api):
    settings.LIAISON_WECHAT_API_BASE = "http://127.0.0.1:9/cgi-bin/"  # nothing listens there
    r = client_for(chair_a).post("/account/wechat/bind/", follow=True)
    assert r.status_code == 200 and "微信二维码暂时无法生成" in r.content.decode()
    assert not WeChatBindTicket.objects.exists()


def test_template_messages_reach_bound_members_only(chair_a, member_a, director_a, wechat_api, settings):
    settings.SITE_URL = "https://liaison.example.com"
    WeChatBinding.objects.create(user=chair_a, openid="oCHAIR")
    WeChatBinding.objects.create(user=member_a, openid="oMEMBER")
    NotificationPreference.objects.create(user=member_a, category="meeting", wechat=False)  # turned off
    notify(
        [chair_a, member_a, director_a],
        kind="meeting.notice",
        key="wx1",
        subject="12月1日例会：物业费调整",
        url="/meetings/9/",
        now=NOW,
    )
    assert list(
        Delivery.objects.filter(channel="wechat").values_list("notification__recipient__username", flat=True)
    ) == ["chair_a"]
    delivery.deliver_pending(now=NOW)
    assert wechat_api.templates == [
        {
            "touser": "oCHAIR",
            "template_id": "LIAISON_WX_MEETING",
            "url": "https://liaison.example.com/meetings/9/",
            "data": {
                "thing1": {"value": "12月1日例会：物业费调整"},
                "thing2": {"value": ""},
                "time3": {"value": "11月24日 10:00"},
            },
        }
    ]
    d = Delivery.objects.get(channel="wechat")
    assert d.status == "sent" and d.provider_message_id == "1000"


def test_an_unfollowed_account_fails_at_once_and_a_busy_api_is_retried(chair_a, member_a, wechat_api):
    WeChatBinding.objects.create(user=chair_a, openid="oCHAIR")
    WeChatBinding.objects.create(user=member_a, openid="oMEMBER")
    chair_a.email = member_a.email = ""
    chair_a.save()
    member_a.save()
    notify([chair_a], kind="issue.reply", key="wx2", subject="回复", now=NOW)
    notify([member_a], kind="issue.reply", key="wx3", subject="回复", now=NOW + datetime.timedelta(seconds=1))
    wechat_api.fail_next(43004)  # the chair unfollowed the official account
    wechat_api.fail_next(-1)  # system busy
    result = delivery.deliver_pending(now=NOW + datetime.timedelta(seconds=2))
    assert result["failed"] == 1 and result["retry"] == 1
    assert "43004" in Delivery.objects.get(notification__recipient=chair_a).last_error
    delivery.deliver_pending(now=NOW + datetime.timedelta(minutes=5))
    assert [t["touser"] for t in wechat_api.templates] == ["oMEMBER"]


def test_member_unbinds(client_for, chair_a, wechat_api):
    WeChatBinding.objects.create(user=chair_a, openid="oCHAIR")
    c = client_for(chair_a)
    assert c.post("/account/wechat/unbind/").status_code == 302
    assert not WeChatBinding.objects.exists()
    notify([chair_a], kind="meeting.notice", key="wx4", subject="会议", now=NOW)
    assert not Delivery.objects.filter(channel="wechat").exists()


def test_no_wechat_message_is_queued_while_wechat_is_not_set_up(chair_a, settings):
    settings.LIAISON_WECHAT_APP_ID = ""
    WeChatBinding.objects.create(user=chair_a, openid="oCHAIR")
    notify([chair_a], kind="meeting.notice", key="wx5", subject="会议", now=NOW)
    assert not Delivery.objects.filter(channel="wechat").exists()
