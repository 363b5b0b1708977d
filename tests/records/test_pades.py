"""PDFs that prove themselves (issue 20, item 4): the signed PDF carries the company's PAdES signature
(pyHanko) with a timestamp; pyHanko's validation reports it intact; one changed byte makes both that check
and the public verification page fail; an uploaded report is merged with its signature page (pypdf)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from records import documents, pades, signoff
from records.models import SignoffRequest

from . import factories as f

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime.datetime(2026, 11, 24, 10, 0))


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def sign_all(client, req, users, password):
    for user in users:
        v = req.current_version()
        client.force_login(user)
        r = client.post(
            reverse("records:signoff_sign", args=[req.pk]),
            {"decision": "agree", "password": password, "version_id": v.pk, "version_sha256": v.sha256},
        )
        assert r.status_code == 302


@pytest.fixture
def req(oc_a, director_a, chair_a, member_a):
    sheet = f.contact_sheet(oc_a, by=director_a)
    fragment = documents.contact_fragment(sheet)
    return signoff.start(
        committee=oc_a,
        title=sheet.subject,
        source=SignoffRequest.Source.CONTACT_SHEET,
        members=[u.memberships.get() for u in (chair_a, member_a)],
        by=director_a,
        now=NOW,
        pdf=documents.frozen_pdf(oc_a.estate, "contact", fragment, docref=sheet.number),
        html=fragment,
        contact_sheet=sheet,
    )


def validate(data):
    """pyHanko's own validation (what `pyhanko sign validate --trust ca.pem` runs)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    (sig,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return validate_pdf_signature(sig, ValidationContext(trust_roots=pades.trust_roots(), allow_fetching=False))


def test_signed_pdf_carries_an_intact_timestamped_pades_signature(client, req, chair_a, member_a, password, pdftext):
    sign_all(client, req, [chair_a, member_a], password)
    data = body(client.get(reverse("records:signoff_signed_pdf", args=[req.pk])))
    status = validate(data)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert "document signing" in status.signing_cert.subject.human_friendly
    assert str(status.coverage) == "SignatureCoverageLevel.ENTIRE_FILE"
    assert "张喆" in pdftext(data) and req.public_code in pdftext(data)  # the signature page is still there


def test_one_changed_byte_fails_pades_and_the_verification_page(client, req, chair_a, member_a, password):
    sign_all(client, req, [chair_a, member_a], password)
    data = body(client.get(reverse("records:signoff_signed_pdf", args=[req.pk])))
    url = reverse("records:verify_code", args=[req.public_code])
    client.logout()
    ok = client.post(url, {"file": SimpleUploadedFile("signed.pdf", data, "application/pdf")}).content.decode()
    assert 'data-result="match"' in ok and 'data-result="intact"' in ok
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    tampered = bytes(tampered)
    assert not validate(tampered).intact
    assert not pades.check_pdf(tampered)["intact"]
    bad = client.post(url, {"file": SimpleUploadedFile("signed.pdf", tampered, "application/pdf")}).content.decode()
    assert 'data-result="nomatch"' in bad and 'data-result="broken"' in bad
    assert "文件在签署后被改动过" in bad


def test_uploaded_report_is_merged_with_its_signature_page(client, oc_a, chair_a, director_a, password, pdftext):
    from records.pdf import html_to_pdf

    report = html_to_pdf("<p>2026年第三季度工作报告正文</p><p style='page-break-before: always'>第二页</p>")
    client.force_login(director_a)
    r = client.post(
        reverse("records:signoff_create") + "?source=report",
        {
            "title": "第三季度工作报告",
            "committee": oc_a.pk,
            "members": [str(chair_a.memberships.get().pk)],
            "rule": "all",
            "file": SimpleUploadedFile("report.pdf", report, "application/pdf"),
        },
    )
    assert r.status_code == 302
    req = SignoffRequest.objects.get()
    sign_all(client, req, [chair_a], password)
    client.force_login(director_a)
    data = body(client.get(reverse("records:signoff_signed_pdf", args=[req.pk])))
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 3  # the report's two pages, then its signature page
    text = pdftext(data)
    assert "工作报告正文" in text and "第二页" in text and "张喆" in text
    assert validate(data).intact


def test_unreadable_report_keeps_the_certificate_alone():
    page = documents.with_report(b"%PDF-1.4\nnot really\n%%EOF\n", b"certificate")
    assert page == b"certificate"


def test_demo_pki_is_made_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = pades.ensure_demo_pki("测试物业公司")
    ca = (first / "ca.pem").read_bytes()
    assert pades.ensure_demo_pki() == first and (first / "ca.pem").read_bytes() == ca
    assert oct((first / "signer.key").stat().st_mode & 0o777) == "0o600"
    signed = pades.sign_pdf(documents.pdf.html_to_pdf("<p>测试</p>"))
    check = pades.check_pdf(signed)
    assert check["intact"] and check["trusted"] and "测试物业公司" in check["signer"]


def test_production_certificate_from_the_environment(settings, tmp_path):
    """LIAISON_PADES_KEY / _CERT / _CHAIN name the company's own files; the demo CA is then not used."""
    settings.VAR_DIR = tmp_path / "made"
    made = pades.ensure_demo_pki("正式证书公司")
    settings.VAR_DIR = tmp_path / "unused"
    settings.LIAISON_PADES_KEY = str(made / "signer.key")
    settings.LIAISON_PADES_CERT = str(made / "signer.pem")
    settings.LIAISON_PADES_CHAIN = str(made / "ca.pem")
    check = pades.check_pdf(pades.sign_pdf(documents.pdf.html_to_pdf("<p>x</p>")))
    assert check["intact"] and check["trusted"] and "正式证书公司" in check["signer"]
    assert check["timestamp"] is None  # no TSA configured in production: the signing time only
    assert not (tmp_path / "unused" / "pades").exists()


def test_a_missing_company_certificate_is_a_message_not_a_500(client, req, chair_a, member_a, password, settings):
    sign_all(client, req, [chair_a, member_a], password)
    settings.LIAISON_PADES_KEY = "/nonexistent/key.pem"
    settings.LIAISON_PADES_CERT = "/nonexistent/cert.pem"
    r = client.get(reverse("records:signoff_signed_pdf", args=[req.pk]), follow=True)
    assert r.status_code == 200 and "公司证书" in r.content.decode()
