"""Online sign-off (§4.1.7): request, password re-entry, decisions, frozen versions voiding signatures,
completion rule, daily reminders exactly once, signed PDF + verification, and scoping."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from liaison.models import AuditEntry, Notification
from records import documents, signoff
from records.models import Signature, SignoffRequest

from . import factories as f

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime.datetime(2026, 11, 24, 10, 0))


def start(sheet, members, by, *, rule=SignoffRequest.Rule.ALL, now=NOW):
    fragment = documents.contact_fragment(sheet)
    data = documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number)
    return signoff.start(
        committee=sheet.committee,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=members,
        by=by,
        now=now,
        pdf=data,
        html=fragment,
        contact_sheet=sheet,
        rule=rule,
    )


def member(user):
    return user.memberships.get(ended_on__isnull=True)


@pytest.fixture
def sheet(oc_a, director_a):
    return f.contact_sheet(oc_a, by=director_a)


@pytest.fixture
def req(sheet, chair_a, member_a, director_a):
    return start(sheet, [member(chair_a), member(member_a)], director_a)


def sign(client, req, user, password, decision="agree", comment="", version=None):
    version = version or req.current_version()
    client.force_login(user)
    return client.post(
        reverse("records:signoff_sign", args=[req.pk]),
        {
            "decision": decision,
            "comment": comment,
            "password": password,
            "version_id": version.pk,
            "version_sha256": version.sha256,
        },
    )


def test_request_notifies_signers_and_freezes_version(req, chair_a, member_a):
    v = req.current_version()
    assert v.number == 1 and v.sha256 == hashlib.sha256(bytes(v.pdf)).hexdigest()
    kinds = set(Notification.objects.filter(recipient__in=[chair_a, member_a]).values_list("kind", flat=True))
    assert kinds == {"signoff.requested"}
    assert Notification.objects.filter(kind="signoff.requested").count() == 2
    assert AuditEntry.objects.filter(action="signoff.requested", object_id=str(req.pk)).exists()


def test_chair_is_required(sheet, member_a, chair_a, director_a):
    with pytest.raises(Exception) as exc:
        start(sheet, [member(member_a)], director_a)
    assert "张喆" in str(exc.value)


def test_wrong_password_records_nothing(client, req, chair_a):
    r = sign(client, req, chair_a, "wrong-password")
    assert r.status_code == 400
    assert "密码不正确" in r.content.decode() or "password is not correct" in r.content.decode()
    assert not Signature.objects.exists()


def test_sign_agree_keeps_who_when_ip_and_hash(client, req, chair_a, password):
    r = sign(client, req, chair_a, password)
    assert r.status_code == 302
    s = Signature.objects.get()
    assert s.signer.user == chair_a and s.ip_address == "127.0.0.1"
    assert s.sha256 == req.current_version().sha256
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.OPEN  # the member has not signed yet
    assert [x.name for x in signoff.outstanding(req)] == ["刘堃"]


def test_disagree_needs_a_reason_and_declines_the_request_once_all_decided(client, req, chair_a, member_a, password):
    r = sign(client, req, member_a, password, decision="disagree")
    assert r.status_code == 400 and not Signature.objects.exists()
    r = sign(client, req, member_a, password, decision="disagree", comment="费用测算不清楚")
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.OPEN  # every signer decides (records/signoff.py: evaluate)
    sign(client, req, chair_a, password)
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.DECLINED


def test_all_agree_completes_and_notifies(client, req, chair_a, member_a, director_a, password):
    sign(client, req, chair_a, password, decision="comments", comment="建议补充报价单")
    sign(client, req, member_a, password)
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.COMPLETED and req.completed_at
    assert Notification.objects.filter(kind="signoff.completed", recipient=director_a).count() == 1


def test_majority_rule(sheet, chair_a, member_a, secretary_a, director_a, rf, password):
    req = start(
        sheet,
        [member(chair_a), member(member_a), member(secretary_a)],
        director_a,
        rule=SignoffRequest.Rule.MAJORITY,
    )
    v = req.current_version()
    request = rf.post("/")
    request.META["REMOTE_ADDR"] = "10.0.0.8"
    for user, decision in [(chair_a, "agree"), (member_a, "decline")]:
        signoff.sign(
            req,
            request=request,
            user=user,
            password=password,
            decision=decision,
            comment="理由",
            version_id=v.pk,
            version_sha256=v.sha256,
            now=NOW,
        )
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.OPEN  # 1 of 3 agreed; 2 of 3 still possible
    signoff.sign(
        req,
        request=request,
        user=secretary_a,
        password=password,
        decision="agree",
        comment="",
        version_id=v.pk,
        version_sha256=v.sha256,
        now=NOW,
    )
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.COMPLETED


def test_edit_after_signing_makes_new_version_and_voids_signatures(
    client, req, sheet, chair_a, member_a, director_a, password
):
    sign(client, req, chair_a, password)
    old = req.current_version()
    client.force_login(director_a)
    data = {
        "committee": sheet.committee.pk,
        "direction": "to",
        "number": sheet.number,
        "issued_on": "2026-11-20",
        "subject": sheet.subject,
        "content": "改为分两期实施。",
        "support_requested": "",
        "reply_by": "",
        "reply": "",
        "replied_on": "",
        "replied_by_name": "",
        "status": "sent",
    }
    assert "frozen-warning" in client.get(reverse("records:contact_edit", args=[sheet.pk])).content.decode()
    r = client.post(reverse("records:contact_edit", args=[sheet.pk]), data)
    assert r.status_code == 302
    req.refresh_from_db()
    new = req.current_version()
    assert new.number == 2 and new.sha256 != old.sha256 and "分两期" in new.html
    sig = Signature.objects.get()
    assert sig.voided_at is not None and "2" in sig.void_reason
    assert [s.name for s in signoff.outstanding(req)] == ["张喆", "刘堃"]
    page = client.get(req.get_absolute_url()).content.decode()
    assert "voided" in page and "作废" in page
    # signers are asked again, once
    assert Notification.objects.filter(kind="signoff.requested", recipient=chair_a).count() == 2


def test_signing_a_stale_version_is_refused(client, req, sheet, chair_a, director_a, password):
    stale = req.current_version()
    sheet.content = "新内容"
    sheet.save()
    from records.actions import refreeze_contact

    refreeze_contact(sheet, by=director_a, now=NOW)
    r = sign(client, req, chair_a, password, version=stale)
    assert r.status_code == 400 and not Signature.objects.exists()
    assert "修改" in r.content.decode() or "changed" in r.content.decode()


def test_reminders_once_a_day_per_outstanding_signer(req, chair_a, member_a, rf, password):
    v = req.current_version()
    request = rf.post("/")
    signoff.sign(
        req,
        request=request,
        user=chair_a,
        password=password,
        decision="agree",
        comment="",
        version_id=v.pk,
        version_sha256=v.sha256,
        now=NOW,
    )
    assert signoff.send_reminders(NOW + datetime.timedelta(hours=2)) == 0  # not before tomorrow 09:00
    day2 = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 30))
    assert signoff.send_reminders(day2) == 1
    assert signoff.send_reminders(day2 + datetime.timedelta(minutes=5)) == 0  # same day: nothing again
    reminders = Notification.objects.filter(kind="signoff.reminder")
    assert list(reminders.values_list("recipient__username", flat=True)) == ["member_a"]
    assert signoff.send_reminders(day2 + datetime.timedelta(days=1)) == 1  # next day: one more
    assert reminders.count() == 2


def test_director_sees_outstanding_and_signer_sees_home_panel(client, req, chair_a, director_a):
    client.force_login(director_a)
    page = client.get("/").content.decode()
    assert "signoff-outstanding" in page and "张喆" in page and "刘堃" in page
    client.force_login(chair_a)
    page = client.get("/").content.decode()
    assert "signoff-pending" in page and req.title in page


def test_digest_items(req, chair_a, director_a):
    from records.digest import items

    got = items(director_a, NOW)
    assert len(got) == 1 and got[0]["section"] == "awaiting" and "张喆" in got[0]["text"]
    assert items(chair_a, NOW)[0]["url"] == req.get_absolute_url()


def test_signed_pdf_verifies_and_one_changed_byte_fails(client, req, chair_a, member_a, password, pdftext):
    sign(client, req, chair_a, password)
    sign(client, req, member_a, password)
    r = client.get(reverse("records:signoff_signed_pdf", args=[req.pk]))
    data = b"".join(r.streaming_content) if r.streaming else r.content
    text = pdftext(data)
    assert "张喆" in text and "刘堃" in text and req.public_code in text and "同意" in text
    assert b"/Subtype /Image" in data  # the QR code
    client.logout()
    url = reverse("records:verify_code", args=[req.public_code])
    ok = client.post(url, {"file": SimpleUploadedFile("a.pdf", data, "application/pdf")}).content.decode()
    assert 'data-result="match"' in ok
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    bad = client.post(url, {"file": SimpleUploadedFile("a.pdf", bytes(tampered), "application/pdf")})
    assert 'data-result="nomatch"' in bad.content.decode()
    by_hash = client.post(reverse("records:verify"), {"sha256": hashlib.sha256(data).hexdigest()}).content.decode()
    assert 'data-result="match"' in by_hash
    assert 'data-result="nomatch"' in client.post(reverse("records:verify"), {"sha256": "0" * 64}).content.decode()
    assert "64" in client.post(reverse("records:verify"), {"sha256": "xyz"}).content.decode()


def test_foreign_committee_member_gets_404(client, req, chair_b, director_b):
    for user in (chair_b, director_b):
        client.force_login(user)
        for name in ("records:signoff_detail", "records:signoff_signed_pdf"):
            assert client.get(reverse(name, args=[req.pk])).status_code == 404
        assert client.get(reverse("records:signoff_version_pdf", args=[req.pk, 1])).status_code == 404
        assert client.get(reverse("records:contact_detail", args=[req.contact_sheet_id])).status_code == 404
        assert client.get(reverse("records:contact_pdf", args=[req.contact_sheet_id])).status_code == 404
        assert client.post(reverse("records:signoff_sign", args=[req.pk]), {}).status_code == 404


def test_a_non_signer_of_the_same_committee_cannot_sign(client, req, secretary_a, password):
    assert sign(client, req, secretary_a, password).status_code == 403
    assert not Signature.objects.exists()


def test_uploaded_report_signoff_and_new_version(client, oc_a, chair_a, director_a, password, pdftext):
    from records.pdf import html_to_pdf

    report = html_to_pdf("<p>2026年第三季度工作报告</p>")
    client.force_login(director_a)
    r = client.post(
        reverse("records:signoff_create") + "?source=report",
        {
            "title": "第三季度工作报告",
            "committee": oc_a.pk,
            "members": [str(member(chair_a).pk)],
            "rule": "all",
            "file": SimpleUploadedFile("report.pdf", report, "application/pdf"),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    req = SignoffRequest.objects.get()
    assert bytes(req.current_version().pdf) == report
    sign(client, req, chair_a, password)
    client.force_login(director_a)
    data = (
        b"".join(client.get(reverse("records:signoff_signed_pdf", args=[req.pk])).streaming_content)
        if False
        else client.get(reverse("records:signoff_signed_pdf", args=[req.pk])).content
    )
    assert hashlib.sha256(report).hexdigest() in pdftext(data).replace("\n", "").replace(" ", "")
    r = client.post(
        reverse("records:signoff_upload_version", args=[req.pk]),
        {
            "note": "补充附件",
            "file": SimpleUploadedFile("report2.pdf", html_to_pdf("<p>第二版</p>"), "application/pdf"),
        },
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.current_version().number == 2 and Signature.objects.get().voided_at
    # a non-PDF upload is refused with a message and nothing changes
    client.post(
        reverse("records:signoff_upload_version", args=[req.pk]),
        {"note": "x", "file": SimpleUploadedFile("r.txt", b"hello", "text/plain")},
    )
    assert req.versions.count() == 2


def test_committee_member_cannot_start_a_signoff(client, sheet, chair_a):
    client.force_login(chair_a)
    assert client.get(reverse("records:signoff_create") + f"?source=contact&contact={sheet.pk}").status_code == 403
