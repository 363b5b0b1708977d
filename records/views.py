import datetime
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import access, people, ratelimit, uploads
from liaison.formsave import save_with_form
from liaison.models import Committee

from . import actions, documents, meetings_forms, pades, pdf, signoff
from .forms import ContactSheetForm, PaperSignatureForm, ReportVersionForm, SignForm, SignoffForm, VerifyForm
from .models import DocumentVersion, Signature, SignoffRequest, WorkContactSheet


def pdf_or_error(request, make, filename, back):
    """Render a PDF, or return to `back` with the reason when it cannot be made."""
    try:
        data = make()
    except pdf.PDFError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    return pdf.pdf_response(data, filename)


def _require_manager(user, estate):
    if not access.manages_estate(user, estate):
        raise PermissionDenied


# --- index -----------------------------------------------------------------------------------------


@login_required
def index(request):
    user = request.user
    sheets = visible_sheets(user)[:20]
    requests = access.scope(SignoffRequest.objects.select_related("estate", "committee"), user)[:20]
    mine = signoff.pending_for(user)
    return render(
        request,
        "records/index.html",
        {
            "meetings": _recent_meetings(user),
            "estates": access.visible_estates(user) if not user.is_committee else [],
            "month": timezone.localdate(),
            "sheets": sheets,
            "requests": requests,
            "pending": mine,
            "can_manage": access.managed_estates(user).exists(),
        },
    )


def _recent_meetings(user):
    """Meetings of the last 30 and next 14 days, to print their sign-in sheets and minutes."""
    now = timezone.now()
    return list(
        meetings_forms.visible_meetings(user)
        .filter(starts_at__gte=now - datetime.timedelta(days=30), starts_at__lt=now + datetime.timedelta(days=14))
        .exclude(status="cancelled")
        .order_by("-starts_at")[:20]
    )


# --- PF-09-R05 work contact sheets ------------------------------------------------------------------------


def visible_sheets(user):
    """Contact sheets `user` may see; a committee sees a sheet once it has been sent (drafts are internal)."""
    qs = access.scope(
        WorkContactSheet.objects.select_related("estate__company", "committee", "created_by", "issue"), user
    )
    if user.is_committee:
        qs = qs.exclude(status=WorkContactSheet.Status.DRAFT)
    return qs


def _sheet(request, pk):
    try:
        return visible_sheets(request.user).get(pk=pk)
    except (WorkContactSheet.DoesNotExist, ValueError, TypeError):
        raise Http404


@login_required
def contact_list(request):
    qs = visible_sheets(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(subject__icontains=q)
    return render(
        request,
        "records/contact_list.html",
        {
            "sheets": qs[:200],
            "q": q,
            "now": timezone.now(),
            "can_create": access.managed_estates(request.user).exists(),
        },
    )


@login_required
def contact_create(request):
    if not access.managed_estates(request.user).exists():
        raise PermissionDenied
    initial = {}
    committee_id = request.GET.get("committee")
    if committee_id:
        committee = access.get_visible(Committee.objects.all(), request.user, committee_id, committee="pk")
        initial["committee"] = committee.pk
    form = ContactSheetForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved, sheet = save_with_form(form, actions.create_contact_sheet, form, by=request.user, now=timezone.now())
        if saved:
            messages.success(request, _("Work contact sheet %(number)s saved.") % {"number": sheet.number})
            return redirect(sheet)
    return render(request, "records/contact_form.html", {"form": form})


@login_required
def contact_detail(request, pk):
    sheet = _sheet(request, pk)
    reqs = sheet.signoff_requests.all()
    return render(
        request,
        "records/contact_detail.html",
        {
            "sheet": sheet,
            "overdue": sheet.reply_overdue(timezone.now()),
            "fragment": documents.contact_fragment(sheet),
            "requests": reqs,
            "can_manage": access.manages_estate(request.user, sheet.estate),
        },
    )


@login_required
def contact_edit(request, pk):
    sheet = _sheet(request, pk)
    _require_manager(request.user, sheet.estate)
    signed = (
        sheet.signoff_requests.exclude(status=SignoffRequest.Status.CANCELLED)
        .filter(versions__signatures__voided_at__isnull=True)
        .exists()
    )
    form = ContactSheetForm(request.POST if request.method == "POST" else None, instance=sheet, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved, sheet = save_with_form(form, actions.edit_contact_sheet, form, by=request.user, now=timezone.now())
        if saved:
            messages.success(request, _("Saved."))
            return redirect(sheet)
    return render(request, "records/contact_form.html", {"form": form, "sheet": sheet, "signed": signed})


@login_required
def contact_pdf(request, pk):
    sheet = _sheet(request, pk)
    return pdf_or_error(
        request, lambda: documents.contact_pdf(sheet), documents.filename("contact", sheet.number), sheet
    )


# --- sign-off -----------------------------------------------------------------------------------------------


def _request(request, pk):
    return access.get_visible(SignoffRequest.objects.select_related("estate__company", "committee"), request.user, pk)


@login_required
def signoff_create(request):
    user = request.user
    source = request.GET.get("source", "contact")
    committee, sheet, minutes, title = None, None, None, ""
    if source == "contact":
        sheet = _sheet(request, request.GET.get("contact"))
        _require_manager(user, sheet.estate)
        committee, title = sheet.committee, f"{_('Work contact sheet')} {sheet.number} {sheet.subject}"
    elif source == "minutes":
        minutes = meetings_forms.get_minutes(request, request.GET.get("minutes"))
        if not minutes.is_final:
            messages.error(request, _("Only finalised minutes can be sent for signatures."))
            return redirect("records:index")
        committee = minutes.meeting.committee
        _require_manager(user, minutes.meeting.estate)
        title = f"{_('Meeting minutes')} {minutes.meeting.title}"
    elif source == "report":
        if not access.managed_estates(user).exists():
            raise PermissionDenied
    else:
        raise Http404
    form = SignoffForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        user=user,
        committee=committee,
        upload=source == "report",
        initial={"title": title},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        committee = committee or d["committee"]
        _require_manager(user, committee.estate)
        now = timezone.now()
        try:
            if source == "contact":
                fragment = documents.contact_fragment(sheet)
                data = documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number)
                extra = {"html": fragment, "contact_sheet": sheet, "source": SignoffRequest.Source.CONTACT_SHEET}
            elif source == "minutes":
                fragment = meetings_forms.minutes_fragment(minutes)
                data = documents.frozen_pdf(committee.estate, "minutes", fragment, docref=minutes.meeting.pk)
                extra = {"html": fragment, "minutes_id": minutes.pk, "source": SignoffRequest.Source.MINUTES}
            else:
                f = d["file"]
                f.seek(0)
                data = f.read()
                extra = {"filename": f.name[:200], "source": SignoffRequest.Source.REPORT}
        except pdf.PDFError as exc:
            messages.error(request, str(exc))
            return render(request, "records/signoff_form.html", {"form": form, "source": source})
        req = signoff.start(
            committee=committee,
            title=d["title"],
            members=d["member_objs"],
            by=user,
            now=now,
            pdf=data,
            message=d["message"],
            rule=d["rule"],
            **extra,
        )
        messages.success(request, _("Sent for signatures to %(n)s signers.") % {"n": req.signers.count()})
        return redirect(req)
    return render(request, "records/signoff_form.html", {"form": form, "source": source})


@login_required
def signoff_detail(request, pk):
    req = _request(request, pk)
    user = request.user
    version = req.current_version()
    signer = req.signers.filter(user=user).first()
    mine = signoff.valid_signatures(req, version).filter(signer=signer).first() if signer else None
    form = None
    if signer and not mine and req.status == SignoffRequest.Status.OPEN:
        form = SignForm(
            initial={"version_id": version.pk, "version_sha256": version.sha256}, can_sms=_can_sms(request.user)
        )
    return render(request, "records/signoff_detail.html", _detail_ctx(request, req, version, signer, mine, form))


def _can_sms(user):
    return bool(people.mobile_number(user))


def _detail_ctx(request, req, version, signer, mine, form):
    return {
        "req": req,
        "version": version,
        "versions": req.versions.order_by("-number"),
        "signers": req.signers.all(),
        "signatures": Signature.objects.filter(signer__request=req)
        .select_related("signer", "version")
        .order_by("-version__number", "signed_at"),
        "outstanding": signoff.outstanding(req),
        "tally": signoff.tally(req) if version else None,
        "signer": signer,
        "mine": mine,
        "form": form,
        "can_manage": access.manages_estate(request.user, req.estate),
        "can_record_paper": req.status == SignoffRequest.Status.OPEN
        and access.directs_estate(request.user, req.estate),
        "verify_url": signoff.verify_url(req),
        "report_form": ReportVersionForm() if req.source == SignoffRequest.Source.REPORT else None,
        "sms_last4": (people.mobile_number(request.user) or "")[-4:] if form is not None else "",
    }


@login_required
@require_POST
def signoff_sign(request, pk):
    req = _request(request, pk)
    signer = req.signers.filter(user=request.user).first()
    if signer is None:
        raise PermissionDenied
    version = req.current_version()
    form = SignForm(request.POST, can_sms=_can_sms(request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            signoff.sign(
                req,
                request=request,
                user=request.user,
                password=d["password"],
                code=d.get("code", ""),
                decision=d["decision"],
                comment=d["comment"],
                version_id=d["version_id"],
                version_sha256=d["version_sha256"],
                now=timezone.now(),
            )
        except signoff.SignError as exc:
            # a refused code next to its field (where the signer types the next one)
            form.add_error("code" if exc.code == "code" and "code" in form.fields else None, str(exc))
            if exc.code == "stale":
                form = SignForm(
                    initial={
                        "version_id": version.pk,
                        "version_sha256": version.sha256,
                        "decision": d["decision"],
                        "comment": d["comment"],
                    }
                )
                form.is_bound = False
                messages.error(request, str(exc))
        else:
            messages.success(request, _("Your signature was recorded."))
            return redirect(req)
    req.refresh_from_db()
    return render(
        request, "records/signoff_detail.html", _detail_ctx(request, req, version, signer, None, form), status=400
    )


@login_required
@require_POST
def signoff_code(request, pk):
    """Send the signer a code by SMS (the sign form's "Send me a code" button posts the whole form here,
    so the decision and comments typed are kept on the page that comes back)."""
    req = _request(request, pk)
    signer = req.signers.filter(user=request.user).first()
    if signer is None:
        raise PermissionDenied
    version = req.current_version()
    initial = {
        "version_id": version.pk,
        "version_sha256": version.sha256,
        "decision": request.POST.get("decision", ""),
        "comment": request.POST.get("comment", ""),
    }
    form = SignForm(initial=initial, can_sms=_can_sms(request.user))
    try:
        last4 = signoff.ask_code(req, request=request, user=request.user, now=timezone.now())
    except signoff.SignError as exc:
        messages.error(request, str(exc))
        return render(
            request, "records/signoff_detail.html", _detail_ctx(request, req, version, signer, None, form), status=400
        )
    messages.success(
        request,
        _("A 6-digit code was sent by SMS to your number ending in %(last4)s. It is valid for 10 minutes.")
        % {"last4": last4},
    )
    return render(request, "records/signoff_detail.html", _detail_ctx(request, req, version, signer, None, form))


@login_required
def signoff_paper(request, pk):
    """The director records a member's signature on paper: the scan or photo of the signed page."""
    req = _request(request, pk)
    if not access.directs_estate(request.user, req.estate):
        raise PermissionDenied
    if req.status != SignoffRequest.Status.OPEN:
        messages.error(request, _("This document is no longer waiting for signatures."))
        return redirect(req)
    version = req.current_version()
    signers = list(signoff.outstanding(req))
    initial = {"version_id": version.pk, "version_sha256": version.sha256, "signer": request.GET.get("signer", "")}
    form = PaperSignatureForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        signers=signers,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sig = signoff.record_paper(
                req,
                by=request.user,
                signer_id=d["signer"],
                decision=d["decision"],
                comment=d["comment"],
                scan=d["scan"],
                version_id=d["version_id"],
                version_sha256=d["version_sha256"],
                now=timezone.now(),
            )
        except signoff.SignError as exc:
            form.add_error({"scan": "scan", "signer": "signer"}.get(exc.code), str(exc))
        else:
            messages.success(request, _("The paper signature of %(name)s was recorded.") % {"name": sig.signer.name})
            return redirect(req)
    title = _("Record a signature on paper: %(title)s") % {"title": req.title}
    return render(request, "liaison/form.html", {"form": form, "title": title, "back": req})


@login_required
def signoff_scan(request, pk, sig_pk):
    """The scan of a paper signature, as a download (uploads are never served inline)."""
    req = _request(request, pk)
    try:
        sig = Signature.objects.get(pk=sig_pk, signer__request=req, method=Signature.Method.PAPER)
    except (Signature.DoesNotExist, ValueError):
        raise Http404
    if not sig.scan:
        raise Http404
    return uploads.attachment_response(sig.scan, sig.scan_name or None)


@login_required
def signoff_version_pdf(request, pk, number):
    req = _request(request, pk)
    try:
        version = req.versions.get(number=number)
    except DocumentVersion.DoesNotExist:
        raise Http404
    name = version.filename or documents.filename("contact" if req.contact_sheet_id else "minutes", f"v{number}")
    return pdf.pdf_response(bytes(version.pdf), name)


@login_required
def signoff_signed_pdf(request, pk):
    req = _request(request, pk)
    if not signoff.valid_signatures(req).exists():
        messages.error(request, _("Nobody has signed this version yet."))
        return redirect(req)
    try:
        issued = signoff.issue_signed_pdf(req, render=documents.signed_pdf, now=timezone.now())
    except pdf.PDFError as exc:
        messages.error(request, str(exc))
        return redirect(req)
    return pdf.pdf_response(
        bytes(issued.pdf), documents.filename("signed", req.public_code, f"v{issued.version.number}")
    )


@login_required
@require_POST
def signoff_refresh(request, pk):
    """Re-freeze the source (contact sheet / minutes): a new version when it changed."""
    req = _request(request, pk)
    _require_manager(request.user, req.estate)
    now = timezone.now()
    try:
        if req.contact_sheet_id:
            sheet = req.contact_sheet
            fragment = documents.contact_fragment(sheet)
            data = documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number)
        elif req.minutes_id:
            minutes = meetings_forms.get_minutes(request, req.minutes_id)
            fragment = meetings_forms.minutes_fragment(minutes)
            data = documents.frozen_pdf(req.estate, "minutes", fragment, docref=minutes.meeting_id)
        else:
            raise Http404
    except pdf.PDFError as exc:
        messages.error(request, str(exc))
        return redirect(req)
    v = signoff.new_version(req, pdf=data, html=fragment, by=request.user, now=now, note=_("Updated from the source"))
    messages.info(
        request,
        _("Version %(n)s made; earlier signatures are void.") % {"n": v.number}
        if v
        else _("The document has not changed."),
    )
    return redirect(req)


@login_required
@require_POST
def signoff_upload_version(request, pk):
    req = _request(request, pk)
    _require_manager(request.user, req.estate)
    if req.source != SignoffRequest.Source.REPORT:
        raise Http404
    form = ReportVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect(req)
    f = form.cleaned_data["file"]
    f.seek(0)
    v = signoff.new_version(
        req, pdf=f.read(), filename=f.name[:200], by=request.user, now=timezone.now(), note=form.cleaned_data["note"]
    )
    messages.info(
        request,
        _("Version %(n)s made; earlier signatures are void.") % {"n": v.number}
        if v
        else _("The document has not changed."),
    )
    return redirect(req)


@login_required
@require_POST
def signoff_cancel(request, pk):
    req = _request(request, pk)
    _require_manager(request.user, req.estate)
    signoff.cancel(req, by=request.user, now=timezone.now(), reason=request.POST.get("reason", "")[:200])
    messages.info(request, _("The sign-off request was withdrawn."))
    return redirect(req)


@login_required
def signoff_list(request):
    qs = access.scope(SignoffRequest.objects.select_related("estate", "committee"), request.user)
    status = request.GET.get("status", "")
    if status in SignoffRequest.Status.values:
        qs = qs.filter(status=status)
    shown = list(qs[:200])
    waiting = signoff.waiting_by_request([r for r in shown if r.status == SignoffRequest.Status.OPEN])
    counts = signoff.counts_by_request(shown)
    labels = Signature.Decision.choices
    rows = [
        (r, waiting.get(r.pk, []), [(v, label, counts[r.pk][v]) for v, label in labels if counts[r.pk].get(v)])
        for r in shown
    ]
    return render(
        request,
        "records/signoff_list.html",
        {"rows": rows, "status": status, "statuses": SignoffRequest.Status.choices},
    )


# --- public verification ------------------------------------------------------------------------------------


def verify(request, code=None):
    """Public: does this PDF (or SHA-256) match a signed record? No login; reveals only what the PDF shows."""
    req = None
    if code is not None:
        req = SignoffRequest.objects.filter(public_code=code.upper()).first()
        if req is None:
            raise Http404
    result, checked, digest, seal = None, False, "", None
    form = VerifyForm(request.POST if request.method == "POST" else None, request.FILES or None)
    limit, window = ratelimit.parse(settings.VERIFY_RATE)
    if request.method == "POST" and not ratelimit.allow(
        "verify", ratelimit.client_ip(request), limit=limit, window=window
    ):
        # what was typed stays in the form (an uploaded file cannot be offered again by a browser)
        form = VerifyForm(initial={"sha256": request.POST.get("sha256", "")[:200]})
        ctx = {"form": form, "req": req, "limited": True}
        return render(request, "records/verify.html", ctx, status=429)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data.get("file")
        if f:
            h = hashlib.sha256()
            for chunk in f.chunks():
                h.update(chunk)
            digest = h.hexdigest()
            f.seek(0)
            seal = pades.check_pdf(f.read())  # the PDF's own PAdES signature, whatever the portal knows
        else:
            digest = form.cleaned_data["sha256"]
        result = signoff.verify(digest, code=req.public_code if req else None)
        checked = True
    ctx = {"form": form, "req": req, "result": result, "checked": checked, "digest": digest, "seal": seal}
    if result:
        ctx["signatures"] = (
            signoff.valid_signatures(result["request"], result["version"]).select_related("signer")
            if result["version"].superseded_at is None
            else result["version"].signatures.select_related("signer")
        )
        ctx["current"] = result["request"].current_version()
    return render(request, "records/verify.html", ctx, status=200)


def verify_url_for(req):
    return reverse("records:verify_code", args=[req.public_code])
