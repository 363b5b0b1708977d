"""What each form prints: context builders and renderers (HTML fragment + PDF)."""

import io
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import pades, pdf
from .models import Signature
from .signoff import tally, verify_url

log = logging.getLogger(__name__)

FORM_CODES = {
    "plan": "AM-02-R04",
    "annual": "",
    "signin": "AM-02-R02",
    "minutes": "AM-02-R03",
    "contact": "PF-09-R05",
    "callback": "CS-01-R01",
}


def header(estate, form, docref=""):
    return {
        "company_name": estate.company.name,
        "estate_name": estate.name,
        "form_code": FORM_CODES[form],
        "docref": docref,
    }


# --- PF-09-R05 work contact sheet ----------------------------------------------------------------------


def contact_context(sheet):
    return {"sheet": sheet, **header(sheet.estate, "contact", sheet.number)}


def contact_fragment(sheet):
    return render_to_string("records/pdf/_contact_body.html", contact_context(sheet))


def contact_pdf(sheet):
    return frozen_pdf(sheet.estate, "contact", contact_fragment(sheet), docref=sheet.number)


def frozen_pdf(estate, form, fragment, *, docref=""):
    """A document from a frozen HTML fragment: what signers see and sign (version PDF)."""
    ctx = {"fragment": fragment, **header(estate, form, docref)}
    return pdf.render_pdf("records/pdf/frozen.html", ctx)


# --- signed PDF: the frozen document (or a certificate for an uploaded file) + signatures + QR ---------


def signed_pdf(req, version, sigs):
    form = "contact" if req.source == req.Source.CONTACT_SHEET else "minutes"
    ctx = {
        "req": req,
        "version": version,
        "fragment": version.html,
        "is_upload": req.source == req.Source.REPORT,
        "signatures": sigs,
        "outstanding": [s for s in req.signers.all() if s.pk not in {x.signer_id for x in sigs}],
        "tally": tally(req, sigs),
        "verify_url": verify_url(req),
        "qr": pdf.qr_data_uri(verify_url(req)),
        "printed_at": timezone.now(),
        "Decision": Signature.Decision,
        **header(req.estate, form, f"{req.public_code} v{version.number}"),
    }
    if req.source == req.Source.REPORT:
        ctx["form_code"] = ""
    data = pdf.render_pdf("records/pdf/signed.html", ctx)
    if req.source == req.Source.REPORT:
        data = with_report(bytes(version.pdf), data)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Sign-off record %(code)s, version %(n)s") % {"code": req.public_code, "n": version.number}
    try:
        return pades.sign_pdf(data, reason=reason, location=req.estate.name)
    except Exception:  # a missing or unreadable company certificate: a message, not a 500
        log.exception("PAdES signing failed for sign-off %s", req.pk)
        raise pdf.PDFError(
            _("The signed PDF could not be sealed with the company's certificate. Tell the administrator.")
        )


def with_report(report: bytes, signature_page: bytes) -> bytes:
    """The uploaded report with its signature page after it, as one document (pypdf). A report pypdf cannot
    read (damaged, encrypted) is left out: the signature page alone names it by its SHA-256, as before."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(report))
        if reader.is_encrypted or not reader.pages:
            raise ValueError("encrypted or without pages")
        writer = PdfWriter()
        writer.append(reader)
        writer.append(PdfReader(io.BytesIO(signature_page)))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception as exc:  # noqa: BLE001 - any unreadable upload: the certificate page stands alone
        log.warning("report PDF not merged with its signature page: %s: %s", type(exc).__name__, exc)
        return signature_page


def filename(kind, *parts):
    label = {
        "plan": _("Monthly work plan"),
        "annual": _("Annual work plan"),
        "signin": _("Meeting sign-in sheet"),
        "minutes": _("Meeting minutes"),
        "contact": _("Work contact sheet"),
        "callback": _("Callback record"),
        "signed": _("Signed"),
    }[kind]
    safe = [str(p).replace("/", "-").replace("\\", "-") for p in parts if p]
    return "-".join([FORM_CODES.get(kind, ""), str(label), *safe]).strip("-") + ".pdf"
