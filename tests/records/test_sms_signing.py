"""Signing without a password (issue 16 item 6): on the sign-off page a member asks for a 6-digit code by
SMS (the locmem backend keeps it), types it instead of the password, and the signature records the method
"sms" with the last 4 digits of the number; the signed PDF prints it. Codes last 10 minutes, die after 5
wrong tries, are limited per number and per address, and sign only the request they were sent for."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison import otp
from liaison.models import AuditEntry, SmsChallenge
from liaison.sms import console
from records import documents, signoff
from records.models import Signature, SignoffRequest

from . import factories as f

pytestmark = pytest.mark.django_db
# the SMS leaves from a task that checks the code against the real clock: the rules get this explicit now
NOW = timezone.now().replace(microsecond=0)
PHONE = "13812345678"
CHAIR_PHONE = "13700001111"


@pytest.fixture(autouse=True)
def _locmem_sms(eager_celery, settings):
    settings.LIAISON_SMS_BACKEND = "locmem"
    console.reset()
    yield
    console.reset()


@pytest.fixture
def signers(chair_a, member_a):
    member_a.phone = PHONE
    member_a.save(update_fields=["phone"])
    chair_a.phone = CHAIR_PHONE
    chair_a.save(update_fields=["phone"])
    return chair_a, member_a


@pytest.fixture
def req(oc_a, director_a, signers):
    chair, member = signers
    sheet = f.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    return signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[chair.memberships.get(), member.memberships.get()],
        by=director_a,
        now=NOW,
        pdf=documents.frozen_pdf(oc_a.estate, "contact", fragment, docref=sheet.number),
        html=fragment,
        contact_sheet=sheet,
    )


def ask_code(client, req, capture, ip="198.51.100.7", **data):
    with capture(execute=True):
        return client.post(reverse("records:signoff_code", args=[req.pk]), data, REMOTE_ADDR=ip)


def last_code(phone=PHONE):
    texts = [m["text"] for m in console.outbox if m["phone"] == phone]
    assert texts, f"no SMS to {phone}"
    return re.search(r"验证码(\d{6})", texts[-1]).group(1)


def sign(client, req, code, decision="agree", comment=""):
    v = req.current_version()
    return client.post(
        reverse("records:signoff_sign", args=[req.pk]),
        {"decision": decision, "comment": comment, "code": code, "version_id": v.pk, "version_sha256": v.sha256},
    )


def test_a_member_signs_with_a_code_and_the_pdf_prints_the_method(
    client, req, signers, django_capture_on_commit_callbacks, pdftext
):
    _chair, member = signers
    client.force_login(member)
    page = client.get(req.get_absolute_url()).content.decode()
    assert "发送短信验证码" in page and "5678" in page
    r = ask_code(client, req, django_capture_on_commit_callbacks, decision="comments", comment="请补充附件")
    assert r.status_code == 200
    body = r.content.decode()
    assert "尾号为 5678" in body and "请补充附件" in body  # the typed comments are kept
    assert console.outbox[0]["template"] == "SMS_LIAISON_CODE" and console.outbox[0]["phone"] == PHONE
    code = last_code()
    assert code not in "".join(SmsChallenge.objects.values_list("secret_hash", flat=True))
    r = sign(client, req, code, decision="comments", comment="请补充附件")
    assert r.status_code == 302
    sig = Signature.objects.get(signer__user=member)
    assert sig.method == "sms" and sig.phone_last4 == "5678" and sig.decision == "comments"
    audit = AuditEntry.objects.get(action="signoff.signed", actor=member)
    assert audit.changes["method"] == "sms" and audit.changes["phone"] == "****5678"
    page = client.get(req.get_absolute_url()).content.decode()
    assert "短信验证码签署（手机尾号 5678）" in page
    signed = client.get(reverse("records:signoff_signed_pdf", args=[req.pk]))
    text = "".join(pdftext(b"".join(signed.streaming_content) if signed.streaming else signed.content).split())
    assert "短信验证码签署（手机尾号5678）" in text


def test_five_wrong_codes_kill_it_and_a_new_code_is_needed(client, req, signers, django_capture_on_commit_callbacks):
    _chair, member = signers
    client.force_login(member)
    ask_code(client, req, django_capture_on_commit_callbacks)
    good = last_code()
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    for i in range(4):
        r = sign(client, req, wrong)
        assert r.status_code == 400 and f"还可尝试 {4 - i} 次" in r.content.decode()
    r = sign(client, req, wrong)
    assert "错误次数过多" in r.content.decode()
    r = sign(client, req, good)  # the right code, too late
    assert r.status_code == 400 and "错误次数过多" in r.content.decode()
    assert not Signature.objects.exists()
    assert AuditEntry.objects.filter(action="otp.code_refused").count() == 5
    ask_code(client, req, django_capture_on_commit_callbacks)
    assert sign(client, req, last_code()).status_code == 302
    assert Signature.objects.get().method == "sms"


def test_an_expired_code_signs_nothing(req, signers, rf, django_capture_on_commit_callbacks):
    _chair, member = signers
    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    with django_capture_on_commit_callbacks(execute=True):
        assert signoff.ask_code(req, request=request, user=member, now=NOW) == "5678"
    code = last_code()
    v = req.current_version()
    args = dict(request=request, user=member, password="", decision="agree", comment="", code=code)
    with pytest.raises(signoff.SignError, match="已过期"):
        signoff.sign(req, **args, version_id=v.pk, version_sha256=v.sha256, now=NOW + otp.CODE_TTL)
    sig = signoff.sign(
        req, **args, version_id=v.pk, version_sha256=v.sha256, now=NOW + otp.CODE_TTL - datetime.timedelta(seconds=1)
    )
    assert sig.method == Signature.Method.SMS


def test_a_code_works_once_and_a_new_one_replaces_the_old(req, signers, rf, django_capture_on_commit_callbacks):
    _chair, member = signers
    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    target = otp.signing_target(req.pk)
    with django_capture_on_commit_callbacks(execute=True):
        signoff.ask_code(req, request=request, user=member, now=NOW)
    first = last_code()
    with django_capture_on_commit_callbacks(execute=True):
        signoff.ask_code(req, request=request, user=member, now=NOW)
    second = last_code()
    if first != second:
        with pytest.raises(otp.OtpError):
            otp.check_code(member, target, first, now=NOW)
    challenge = otp.check_code(member, target, second, now=NOW)
    assert otp.use_code(challenge, now=NOW) is True
    with pytest.raises(otp.OtpError) as exc:
        otp.check_code(member, target, second, now=NOW)
    assert exc.value.code == "invalid"


def test_a_stale_version_does_not_spend_the_code(req, signers, director_a, rf, django_capture_on_commit_callbacks):
    _chair, member = signers
    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    with django_capture_on_commit_callbacks(execute=True):
        signoff.ask_code(req, request=request, user=member, now=NOW)
    code = last_code()
    old = req.current_version()
    signoff.new_version(req, pdf=b"%PDF-1.4 changed", by=director_a, now=NOW)
    args = dict(request=request, user=member, password="", decision="agree", comment="", code=code, now=NOW)
    with pytest.raises(signoff.SignError) as exc:
        signoff.sign(req, **args, version_id=old.pk, version_sha256=old.sha256)
    assert exc.value.code == "stale"
    v = req.current_version()
    assert signoff.sign(req, **args, version_id=v.pk, version_sha256=v.sha256).method == "sms"


def test_asking_is_limited_per_number(client, req, signers, settings, django_capture_on_commit_callbacks):
    settings.OTP_PHONE_RATE = "2/900"
    _chair, member = signers
    client.force_login(member)
    ask_code(client, req, django_capture_on_commit_callbacks, ip="198.51.100.1")
    ask_code(client, req, django_capture_on_commit_callbacks, ip="198.51.100.2")
    r = ask_code(client, req, django_capture_on_commit_callbacks, ip="198.51.100.3")
    assert r.status_code == 400 and "验证码请求过多" in r.content.decode()
    assert len(console.outbox) == 2


def test_asking_is_limited_per_address(client, req, signers, settings, django_capture_on_commit_callbacks):
    settings.OTP_IP_RATE = "1/900"
    chair, member = signers
    client.force_login(chair)
    ask_code(client, req, django_capture_on_commit_callbacks, ip="198.51.100.9")
    client.force_login(member)
    r = ask_code(client, req, django_capture_on_commit_callbacks, ip="198.51.100.9")
    assert "验证码请求过多" in r.content.decode()
    assert [m["phone"] for m in console.outbox] == [CHAIR_PHONE]


def test_another_members_code_cannot_sign(client, req, signers, django_capture_on_commit_callbacks):
    chair, member = signers
    client.force_login(chair)
    ask_code(client, req, django_capture_on_commit_callbacks)
    chairs_code = last_code(CHAIR_PHONE)
    client.force_login(member)
    r = sign(client, req, chairs_code)
    assert r.status_code == 400 and "请先获取验证码" in r.content.decode()
    assert not Signature.objects.exists()


def test_a_code_for_one_request_does_not_sign_another(
    client, req, signers, oc_a, director_a, django_capture_on_commit_callbacks
):
    chair, member = signers
    other = signoff.start(
        committee=oc_a,
        title="另一份报告",
        source=SignoffRequest.Source.REPORT,
        members=[chair.memberships.get(), member.memberships.get()],
        by=director_a,
        now=NOW,
        pdf=b"%PDF-1.4 other",
    )
    client.force_login(member)
    ask_code(client, req, django_capture_on_commit_callbacks)
    r = sign(client, other, last_code())
    assert r.status_code == 400 and not Signature.objects.exists()


def test_a_member_of_another_estate_cannot_ask_for_a_code(client, req, chair_b, django_capture_on_commit_callbacks):
    chair_b.phone = "13600002222"
    chair_b.save(update_fields=["phone"])
    client.force_login(chair_b)
    r = ask_code(client, req, django_capture_on_commit_callbacks)
    assert r.status_code in (403, 404) and not console.outbox


def test_without_a_number_the_password_is_the_way(client, req, signers, password):
    chair, _member = signers
    chair.phone = ""
    chair.save(update_fields=["phone"])
    chair.memberships.update(phone="")
    client.force_login(chair)
    page = client.get(req.get_absolute_url()).content.decode()
    assert "发送短信验证码" not in page
    v = req.current_version()
    url = reverse("records:signoff_sign", args=[req.pk])
    data = {"decision": "agree", "version_id": v.pk, "version_sha256": v.sha256}
    assert client.post(url, {**data, "code": "123456"}).status_code == 400  # no code field: password needed
    assert client.post(url, {**data, "password": password}).status_code == 302
    assert Signature.objects.get().method == "online"


def test_neither_password_nor_code_is_refused_with_the_choice_kept(client, req, signers):
    _chair, member = signers
    client.force_login(member)
    r = sign(client, req, "", decision="disagree", comment="费用不清")
    assert r.status_code == 400
    body = r.content.decode()
    assert "请输入密码，或短信收到的验证码" in body and "费用不清" in body
    assert not Signature.objects.exists()
