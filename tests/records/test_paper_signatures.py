"""Signatures on paper count (issue 20, item 3): the director records a member's wet signature — a scan
or photo of the signed page, judged by content — and it counts in the completion rule and prints with its
method (纸质签名，由 X 于 … 录入) on the sign-off page, the signed PDF and the verification page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from liaison.models import AuditEntry, CommitteeMember
from records import documents, signoff
from records.models import Signature, SignoffRequest
from tests.factories import MemberFactory

from . import factories as f

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime.datetime(2026, 11, 24, 10, 0))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def paper_member(oc_a):
    """A member without a portal account: before issue 20 nobody could ask them to sign."""
    return MemberFactory(committee=oc_a, user=None, name="欧阳燊", role=CommitteeMember.Role.MEMBER)


@pytest.fixture
def req(oc_a, director_a, chair_a, paper_member):
    sheet = f.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    return signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[chair_a.memberships.get(), paper_member],
        by=director_a,
        now=NOW,
        pdf=documents.frozen_pdf(oc_a.estate, "contact", fragment, docref=sheet.number),
        html=fragment,
        contact_sheet=sheet,
    )


def post_paper(client, req, signer, scan, decision="agree", comment=""):
    v = req.current_version()
    return client.post(
        reverse("records:signoff_paper", args=[req.pk]),
        {
            "signer": signer.pk,
            "decision": decision,
            "comment": comment,
            "scan": scan,
            "version_id": v.pk,
            "version_sha256": v.sha256,
        },
    )


def test_member_without_account_is_a_signer_and_is_not_emailed(req, paper_member):
    signer = req.signers.get(member=paper_member)
    assert signer.user is None and signer.next_reminder_at is None
    assert signoff.send_reminders(NOW + datetime.timedelta(days=2)) == 1  # the chair only


def test_completed_signoff_mixing_online_and_paper_signatures(
    client, req, director_a, chair_a, paper_member, password, pdftext
):
    client.force_login(chair_a)
    v = req.current_version()
    r = client.post(
        reverse("records:signoff_sign", args=[req.pk]),
        {"decision": "agree", "password": password, "version_id": v.pk, "version_sha256": v.sha256},
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.OPEN  # the paper signer has not signed yet
    client.force_login(director_a)
    page = client.get(req.get_absolute_url()).content.decode()
    assert "欧阳燊" in page and "录入纸质签名" in page
    signer = req.signers.get(member=paper_member)
    r = post_paper(client, req, signer, SimpleUploadedFile("签字页.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64))
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == SignoffRequest.Status.COMPLETED  # counts in the completion rule
    sig = Signature.objects.get(signer=signer)
    assert (sig.method, sig.recorded_by, sig.scan_type) == ("paper", director_a, "image/jpeg")
    assert AuditEntry.objects.filter(action="signoff.paper_signed", actor=director_a).exists()
    page = client.get(req.get_absolute_url()).content.decode()
    assert "纸质签名，由 王主任 于" in page and "录入" in page and "在线签名" in page
    scan = client.get(reverse("records:signoff_scan", args=[req.pk, sig.pk]))
    assert scan.status_code == 200 and scan["Content-Disposition"].startswith("attachment")
    assert b"".join(scan.streaming_content).startswith(b"\xff\xd8\xff")
    # the signed PDF prints the method
    signed = client.get(reverse("records:signoff_signed_pdf", args=[req.pk]))
    text = "".join(pdftext(b"".join(signed.streaming_content) if signed.streaming else signed.content).split())
    assert "纸质签名，由王主任于" in text and "在线签名" in text
    # and so does the public verification page
    verify = client.post(reverse("records:verify_code", args=[req.public_code]), {"sha256": v.sha256})
    assert "纸质签名，由 王主任 于" in verify.content.decode()


def test_scan_that_is_not_image_or_pdf_refused_input_kept(client, req, director_a, paper_member):
    client.force_login(director_a)
    signer = req.signers.get(member=paper_member)
    html = SimpleUploadedFile("签字页.png", b"<html><script>alert(1)</script></html>")
    r = post_paper(client, req, signer, html, decision="comments", comment="同意，但需公示")
    body = r.content.decode()
    assert r.status_code == 200
    assert "签字页.png" in body and "不是可接受的文件" in body
    assert "同意，但需公示" in body and f'value="{signer.pk}" selected' in body  # input kept
    assert not Signature.objects.filter(signer=signer).exists()
    word = SimpleUploadedFile("签字页.txt", "纯文本".encode())
    body = post_paper(client, req, signer, word).content.decode()
    assert "请上传签字页的扫描件或照片：图片或 PDF" in body
    assert not Signature.objects.exists()


def test_pdf_scan_accepted_and_disagree_needs_reason(client, req, director_a, paper_member):
    client.force_login(director_a)
    signer = req.signers.get(member=paper_member)
    body = post_paper(client, req, signer, SimpleUploadedFile("p.pdf", PDF), decision="disagree").content.decode()
    assert "理由" in body and not Signature.objects.exists()
    r = post_paper(client, req, signer, SimpleUploadedFile("p.pdf", PDF), decision="disagree", comment="不同意")
    assert r.status_code == 302
    req.refresh_from_db()
    assert Signature.objects.get(signer=signer).scan_type == "application/pdf"


def test_only_the_director_records_paper_signatures(client, req, supervisor_a, chair_a, director_b, paper_member):
    signer = req.signers.get(member=paper_member)
    for user, status in ((supervisor_a, 403), (chair_a, 403), (director_b, 404)):
        client.force_login(user)
        assert post_paper(client, req, signer, SimpleUploadedFile("p.png", PNG)).status_code == status
    assert not Signature.objects.exists()
