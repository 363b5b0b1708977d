"""SMS as a channel (issue 16, item 5): one provider interface, Alibaba Cloud and Tencent Cloud through
their SDKs against local fakes on 127.0.0.1, pre-approved templates per category within one 70-character
segment, mainland mobiles only, the member's choice, retries with backoff, quiet hours."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from liaison import delivery
from liaison.models import CommitteeMember, Delivery, EstateMute, NotificationPreference, SmsTemplate
from liaison.notify import notify
from liaison.phones import mainland_mobile, normalize_mobile

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def wants_sms(user, *categories, phone="13812345678"):
    user.phone = phone
    user.save()
    for category in categories:
        NotificationPreference.objects.update_or_create(user=user, category=category, defaults={"sms": True})
    return user


def meeting_notice(users, key="m1", subject="12月1日例会：物业费调整", now=NOW, **kwargs):
    return notify(users, kind="meeting.notice", key=key, subject=subject, url="/meetings/9/", now=now, **kwargs)


# --- the numbers -----------------------------------------------------------------------------------------


def test_mainland_mobile_numbers():
    assert normalize_mobile("+86 138 1234 5678") == "13812345678"
    assert normalize_mobile("0086-138-1234-5678") == "13812345678"
    assert mainland_mobile("8613812345678") == "13812345678"
    for bad in ("12812345678", "1381234567", "138123456789", "02161234567", "+852 9123 4567", "abc"):
        assert mainland_mobile(bad) is None, bad


def test_member_form_stores_a_plus86_number_and_refuses_a_landline(client_for, director_a, oc_a):
    c = client_for(director_a)
    form = {"name": "周梅", "role": "member", "phone": "0571-88886666", "email": "", "term_start": "2026-01-01"}
    r = c.post(f"/committees/{oc_a.pk}/members/new/", form)
    page = r.content.decode()
    assert r.status_code == 200 and "请输入中国大陆手机号" in page and 'value="0571-88886666"' in page
    assert not CommitteeMember.objects.filter(name="周梅").exists()
    r = c.post(f"/committees/{oc_a.pk}/members/new/", {**form, "phone": "+86 139 0000 1111"})
    assert r.status_code == 302
    assert CommitteeMember.objects.get(name="周梅").phone == "13900001111"


# --- who gets an SMS ---------------------------------------------------------------------------------------


def test_only_members_who_asked_for_sms_and_have_a_mobile_get_one(chair_a, member_a, director_a, locmem_sms):
    wants_sms(chair_a, "meeting")
    wants_sms(member_a, "issue")  # SMS for issues only
    director_a.phone = ""
    NotificationPreference.objects.create(user=director_a, category="meeting", sms=True)  # no number
    meeting_notice([chair_a, member_a, director_a])
    assert list(Delivery.objects.filter(channel="sms").values_list("notification__recipient__username", flat=True)) == [
        "chair_a"
    ]
    delivery.deliver_pending(now=NOW)
    (sms,) = locmem_sms
    assert sms["phone"] == "13812345678" and sms["template"] == "SMS_LIAISON_MEETING"
    assert sms["text"] == "【翠湖物业】您有一条会议消息：12月1日例会：物业费调整。请登录联络平台查看。"


def test_the_number_on_the_committee_seat_is_used_when_the_account_has_none(chair_a, locmem_sms):
    wants_sms(chair_a, "meeting", phone="")
    CommitteeMember.objects.filter(user=chair_a).update(phone="13700007777")
    meeting_notice([chair_a])
    delivery.deliver_pending(now=NOW)
    assert [s["phone"] for s in locmem_sms] == ["13700007777"]


def test_an_estate_can_mute_sms(chair_a, estate_a, locmem_sms):
    wants_sms(chair_a, "meeting")
    EstateMute.objects.create(estate=estate_a, channel="sms", category="")
    meeting_notice([chair_a], estate=estate_a)
    assert not Delivery.objects.filter(channel="sms").exists()


def test_inbox_only_messages_send_no_sms(chair_a, locmem_sms):
    wants_sms(chair_a, "meeting")
    meeting_notice([chair_a], email=False)
    assert not Delivery.objects.exists()


def test_member_chooses_sms_on_the_preferences_page(client_for, chair_a):
    chair_a.phone = "13812345678"
    chair_a.save()
    c = client_for(chair_a)
    page = c.get("/inbox/preferences/").content.decode()
    assert "短信将发送至 13812345678" in page and 'name="sms"' in page
    assert c.post("/inbox/preferences/", {"email": ["meeting"], "sms": ["signoff", "meeting"]}).status_code == 302
    on = set(NotificationPreference.objects.filter(user=chair_a, sms=True).values_list("category", flat=True))
    assert on == {"signoff", "meeting"}


# --- the templates: one segment ------------------------------------------------------------------------------


def test_a_long_subject_is_shortened_to_fit_one_segment(chair_a, locmem_sms):
    wants_sms(chair_a, "meeting")
    meeting_notice(
        [chair_a], subject="关于翠湖花园二期地下车库渗水、电梯更换、外墙维修及公共维修资金使用的专题会议通知"
    )
    delivery.deliver_pending(now=NOW)
    (sms,) = locmem_sms
    assert len(sms["text"]) <= 70 and sms["text"].endswith("…。请登录联络平台查看。")
    assert sms["text"].startswith("【翠湖物业】您有一条会议消息：关于翠湖花园二期")


def test_a_template_too_long_for_one_segment_is_refused_in_the_admin(settings):
    settings.LIAISON_SMS_SIGN_NAME = "翠湖物业"
    t = SmsTemplate.objects.get(category="meeting")
    t.text = "尊敬的业主委员会委员您好，" * 5 + "${subject}"
    with pytest.raises(ValidationError) as err:
        t.full_clean()
    assert "70" in str(err.value)
    t.text = "会议：${subject}，地点${estate}"
    with pytest.raises(ValidationError):
        t.full_clean()  # ${estate} is in the text but not among the variables
    t.variables = "subject, estate"
    t.full_clean()


def test_each_category_has_a_seeded_template():
    assert set(SmsTemplate.objects.values_list("category", flat=True)) == {
        "meeting",
        "cadence",
        "issue",
        "signoff",
        "digest",
        "other",
        "login",  # the one-time sign-in link (liaison.otp)
        "code",  # the signing code
    }


# --- the providers, through their SDKs -------------------------------------------------------------------------


def test_alibaba_cloud_receives_exactly_the_message(chair_a, member_a, aliyun_sms):
    wants_sms(chair_a, "meeting")
    wants_sms(member_a, "meeting", phone="13900001111")
    SmsTemplate.objects.filter(category="meeting").update(template_code="SMS_465930123")
    meeting_notice([chair_a, member_a])
    assert delivery.deliver_pending(now=NOW)["sent"] == 4  # two emails, two SMS
    assert [(s["phone"], s["template"], s["sign"], s["params"]) for s in aliyun_sms.sent] == [
        ("13812345678", "SMS_465930123", "翠湖物业", {"subject": "12月1日例会：物业费调整"}),
        ("13900001111", "SMS_465930123", "翠湖物业", {"subject": "12月1日例会：物业费调整"}),
    ]
    for d, sent in zip(Delivery.objects.filter(channel="sms").order_by("pk"), aliyun_sms.sent, strict=True):
        assert d.status == "sent" and d.provider_message_id == sent["id"]
        assert sent["out_id"] == f"liaison-d{d.pk}"


def test_tencent_cloud_receives_exactly_the_message(chair_a, tencent_sms):
    wants_sms(chair_a, "meeting")
    SmsTemplate.objects.filter(category="meeting").update(template_code="1987654", variables="subject")
    meeting_notice([chair_a])
    delivery.deliver_pending(now=NOW)
    (sent,) = tencent_sms.sent
    assert (sent["phone"], sent["template"], sent["params"], sent["app_id"]) == (
        "+8613812345678",
        "1987654",
        ["12月1日例会：物业费调整"],
        "1400000001",
    )
    d = Delivery.objects.get(channel="sms")
    assert d.status == "sent" and d.provider_message_id == sent["id"] and sent["out_id"] == f"liaison-d{d.pk}"


def test_provider_refusal_and_timeout_are_retried_with_backoff(settings, chair_a, aliyun_sms):
    settings.LIAISON_DELIVERY_BACKOFF_SECONDS = 60
    wants_sms(chair_a, "meeting")
    chair_a.email = ""
    chair_a.save()
    with transaction.atomic():
        meeting_notice([chair_a])
        assert aliyun_sms.requests == []  # storing the message contacts nobody: the page is not held up
    aliyun_sms.fail_next(1)  # throttled
    aliyun_sms.hang_next(1, seconds=2.5)  # then silent beyond the 1 s timeout
    assert delivery.deliver_pending(now=NOW)["retry"] == 1
    d = Delivery.objects.get()
    assert d.status == "pending" and "BUSINESS_LIMIT_CONTROL" in d.last_error
    assert d.next_attempt_at >= NOW + datetime.timedelta(seconds=60)
    assert delivery.deliver_pending(now=NOW + datetime.timedelta(seconds=61))["retry"] == 1
    d.refresh_from_db()
    assert "timed out" in d.last_error and d.next_attempt_at >= NOW + datetime.timedelta(seconds=61 + 120)
    assert delivery.deliver_pending(now=NOW + datetime.timedelta(seconds=200))["sent"] == 1
    assert len(aliyun_sms.sent) == 1 and Delivery.objects.get().attempts == 3


def test_an_unapproved_template_fails_at_once_for_the_administrators(chair_a, tencent_sms, admin_user):
    wants_sms(chair_a, "meeting")
    tencent_sms.fail_next(1, code="FailedOperation.TemplateIncorrectOrUnapproved")
    meeting_notice([chair_a])
    delivery.deliver_pending(now=NOW)
    d = Delivery.objects.get(channel="sms")
    assert d.status == "failed" and d.attempts == 1 and "TemplateIncorrectOrUnapproved" in d.last_error
    assert admin_user.notifications.filter(kind="delivery.failed").exists()


# --- quiet hours -----------------------------------------------------------------------------------------------


def test_a_night_reminder_sms_waits_for_eight_and_is_dropped_if_read(chair_a, member_a, locmem_sms):
    wants_sms(chair_a, "meeting")
    wants_sms(member_a, "meeting", phone="13900001111")
    night = datetime.datetime(2026, 11, 24, 22, 30, tzinfo=SH)
    notify(
        [chair_a, member_a], kind="meeting.reminder", key="r1", subject="明天上午例会", url="/meetings/9/", now=night
    )
    sms = Delivery.objects.filter(channel="sms")
    assert {d.next_attempt_at for d in sms} == {datetime.datetime(2026, 11, 25, 8, 0, tzinfo=SH)}
    assert delivery.deliver_pending(now=night)["sent"] == 0 and locmem_sms == []
    member_a.notifications.update(read_at=night + datetime.timedelta(minutes=5))  # read in the portal
    delivery.deliver_pending(now=datetime.datetime(2026, 11, 25, 8, 0, tzinfo=SH))
    assert [s["phone"] for s in locmem_sms] == ["13812345678"]
    assert Delivery.objects.get(channel="sms", notification__recipient=member_a).status == "skipped"


# --- the director sees whether the last message reached each member --------------------------------------------


def test_director_sees_whether_each_members_last_message_reached_them(
    client_for, director_a, chair_a, member_a, oc_a, aliyun_sms
):
    wants_sms(chair_a, "meeting")
    chair_a.email = ""
    chair_a.save()
    meeting_notice([chair_a, member_a])
    aliyun_sms.fail_next(1, code="isv.MOBILE_NUMBER_ILLEGAL")
    delivery.deliver_pending(now=NOW)
    page = client_for(director_a).get(f"/committees/{oc_a.pk}/").content.decode()
    chair_row = page.split("张喆")[-1].split("</tr>")[0]
    member_row = page.split("刘堃")[-1].split("</tr>")[0]
    assert "短信" in chair_row and "失败" in chair_row
    assert "邮件" in member_row and "已发送" in member_row
    # the members themselves do not see it
    assert "最近消息" not in client_for(chair_a).get(f"/committees/{oc_a.pk}/").content.decode()
