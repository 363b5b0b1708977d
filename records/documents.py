"""What each form prints: context builders and renderers (HTML fragment + PDF)."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pdf
from .models import Signature
from .signoff import tally, verify_url

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
    return pdf.render_pdf("records/pdf/signed.html", ctx)


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
