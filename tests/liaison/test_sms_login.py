"""Sign in without a password (issue 16 item 6): a member types their mobile number on 用短信登录, gets a
one-time link by SMS (the locmem backend keeps it), and opening it signs them in once, within 15 minutes,
landing on their pending sign-off request. The answer never tells whether a number has an account; asks
are limited per number and per address; wrong, used and expired links are refused with a clear page."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison import otp
from liaison.models import AuditEntry, Notification, SmsChallenge
from liaison.sms import console

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
OTHER = "13987654321"


@pytest.fixture(autouse=True)
def _locmem_sms(eager_celery, settings):
    settings.LIAISON_SMS_BACKEND = "locmem"
    settings.SITE_URL = "http://testserver"
    console.reset()
    yield
    console.reset()


@pytest.fixture
def member(member_a):
    member_a.phone = PHONE
    member_a.save(update_fields=["phone"])
    return member_a


def ask(client, phone, ip="198.51.100.7", callbacks=None):
    return client.post(reverse("sms_login"), {"phone": phone}, REMOTE_ADDR=ip)


def sent_link():
    assert console.outbox, "no SMS was sent"
    text = console.outbox[-1]["text"]
    return re.search(r"http://testserver(/l/[\w-]+/)", text).group(1)


def test_the_login_page_offers_sign_in_by_sms(client):
    page = client.get(reverse("login")).content.decode()
    assert "用短信登录" in page and reverse("sms_login") in page


def test_a_member_signs_in_by_link_and_lands_on_their_pending_sign_off(
    client, member, django_capture_on_commit_callbacks
):
    Notification.objects.create(
        recipient=member,
        kind="signoff.requested",
        key="k1",
        subject="请签署：十一月工作联系函",
        url="/records/signoff/7/",
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = ask(client, "+86 138-1234-5678")
    assert r.status_code == 200
    assert "如果该号码属于" in r.content.decode()
    assert len(console.outbox) == 1 and console.outbox[0]["phone"] == PHONE
    assert console.outbox[0]["template"] == "SMS_LIAISON_LOGIN"
    assert "15分钟内仅可使用一次" in console.outbox[0]["text"]
    link = sent_link()
    # only a hash of the token is stored
    token = link.split("/")[2]
    assert not SmsChallenge.objects.filter(secret_hash__contains=token).exists()
    assert SmsChallenge.objects.get().secret_hash == otp.token_digest(token)

    opened = client.get(link)  # a chat app's preview opens links: that must not use it up
    assert opened.status_code == 200 and "_auth_user_id" not in client.session
    r = client.post(link)
    assert r.status_code == 302 and r["Location"] == "/records/signoff/7/"
    assert int(client.session["_auth_user_id"]) == member.pk
    assert AuditEntry.objects.filter(action="otp.link_used", actor=member).count() == 1


def test_without_a_pending_item_the_link_opens_the_home_page(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, PHONE)
    r = client.post(sent_link())
    assert r["Location"] == reverse("home")


def test_an_unknown_number_gets_the_same_answer_and_no_sms(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask(client, PHONE, ip="198.51.100.1")
        unknown = ask(client, OTHER, ip="198.51.100.2")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(known) == strip(unknown)
    assert [m["phone"] for m in console.outbox] == [PHONE]
    assert SmsChallenge.objects.count() == 1


def test_a_number_that_is_not_a_mainland_mobile_is_refused_on_the_form(client, member):
    r = ask(client, "12345")
    assert r.status_code == 400
    page = r.content.decode()
    assert "中国大陆手机号" in page or "11 位" in page
    assert 'value="12345"' in page  # the input is kept
    assert not console.outbox


def test_a_used_link_is_refused_and_counted(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, PHONE)
    link = sent_link()
    client.post(link)
    client.logout()
    r = client.post(link)
    assert r.status_code == 400
    assert "已使用" in r.content.decode() and "_auth_user_id" not in client.session
    assert SmsChallenge.objects.get().attempts == 1
    assert AuditEntry.objects.filter(action="otp.link_refused").count() == 1


def test_an_expired_link_is_refused(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, PHONE)
    later = timezone.now() + datetime.timedelta(minutes=15, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        r = client.post(sent_link())
    assert r.status_code == 400 and "已过期" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert SmsChallenge.objects.get().used_at is None


def test_open_link_rule_with_explicit_now(member, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        otp.request_link(PHONE, ip="198.51.100.7", now=now)
    token = sent_link().split("/")[2]
    with pytest.raises(otp.OtpError) as exc:
        otp.open_link(token, ip="198.51.100.7", now=now + otp.LINK_TTL)
    assert exc.value.code == "expired"
    assert otp.open_link(token, ip="198.51.100.7", now=now + otp.LINK_TTL - datetime.timedelta(seconds=1)) == member


def test_a_made_up_link_is_refused_and_too_many_block_the_address(client, member, settings):
    settings.OTP_OPEN_RATE = "3/900"
    for _i in range(3):
        r = client.post(reverse("sms_login_open", args=["madeup-token"]), REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 400 and "无效" in r.content.decode()
    r = client.post(reverse("sms_login_open", args=["another"]), REMOTE_ADDR="203.0.113.9")
    assert "次数过多" in r.content.decode()


def test_asks_are_limited_per_number(client, member, settings, django_capture_on_commit_callbacks):
    settings.OTP_PHONE_RATE = "3/900"
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            assert ask(client, PHONE, ip=f"198.51.100.{i + 1}").status_code == 200
        r = ask(client, PHONE, ip="198.51.100.99")
    assert r.status_code == 400 and "请求过多" in r.content.decode()
    assert len(console.outbox) == 3
    # an unknown number is limited the same way: the limit tells nothing about accounts
    for i in range(3):
        ask(client, OTHER, ip=f"198.51.100.{i + 10}")
    assert "请求过多" in ask(client, OTHER, ip="198.51.100.98").content.decode()


def test_asks_are_limited_per_address(client, member, settings, django_capture_on_commit_callbacks):
    settings.OTP_IP_RATE = "2/900"
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "13900000001", ip="198.51.100.50")
        ask(client, "13900000002", ip="198.51.100.50")
        r = ask(client, PHONE, ip="198.51.100.50")
        assert "请求过多" in r.content.decode()
        assert not console.outbox  # the member's number was not reached from the blocked address
        ask(client, PHONE, ip="198.51.100.51")
    assert len(console.outbox) == 1


def test_the_link_signs_in_only_the_member_it_was_sent_to(client, member, chair_a, django_capture_on_commit_callbacks):
    chair_a.phone = OTHER
    chair_a.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, PHONE)
    client.post(sent_link())
    assert int(client.session["_auth_user_id"]) == member.pk != chair_a.pk


def test_an_inactive_account_gets_no_link(client, member, django_capture_on_commit_callbacks):
    member.is_active = False
    member.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        r = ask(client, PHONE)
    assert r.status_code == 200 and not console.outbox


def test_the_number_on_the_committee_seat_works_too(client, member_a, django_capture_on_commit_callbacks):
    seat = member_a.memberships.get()
    seat.phone = OTHER
    seat.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, OTHER)
    assert console.outbox and console.outbox[0]["phone"] == OTHER


def test_english_interface(client, member, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("sms_login"), {"phone": PHONE}, HTTP_ACCEPT_LANGUAGE="en")
    assert "If this number belongs to a committee member" in r.content.decode()


def test_the_seeded_templates_are_valid_and_fit_one_segment(settings):
    from liaison.models import SmsTemplate
    from liaison.models.notifications import SMS_SEGMENT, sms_fixed_length

    for category, value in (("login", "x" * 45), ("code", "123456")):
        template = SmsTemplate.objects.get(category=category)
        template.full_clean()  # the admin's own check: known variables, room for the values
        assert sms_fixed_length(template.text, "物业联络平台") + len(value) <= SMS_SEGMENT


def test_a_provider_timeout_is_retried_and_the_page_answers(client, member, django_capture_on_commit_callbacks):
    from liaison.sms import SmsError
    from liaison.sms.console import LocmemProvider

    real = LocmemProvider.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise SmsError("timeout")
        return real(self, *args, **kwargs)

    with mock.patch.object(LocmemProvider, "send", flaky), django_capture_on_commit_callbacks(execute=True):
        r = ask(client, PHONE)
    assert r.status_code == 200 and "如果该号码属于" in r.content.decode()
    assert len(calls) == 2 and len(console.outbox) == 1


def test_a_used_or_expired_link_is_not_sent_late(member, django_capture_on_commit_callbacks):
    now = timezone.now()
    with mock.patch.object(otp, "_enqueue"), django_capture_on_commit_callbacks(execute=True):
        otp.request_link(PHONE, ip="198.51.100.7", now=now)
    challenge = SmsChallenge.objects.get()
    assert otp.send_challenge(challenge.pk, {"link": "x"}, now=now + otp.LINK_TTL) is False
    assert not console.outbox
