"""Batch printing: all sign-in sheets of next week in one PDF; a month's records of an estate as a zip.

Small batches render in the request; larger ones in a Celery task (records.tasks.run_batch, started
by actions.start_batch_job) that updates BatchJob.done/total so the page can show progress. The task
re-applies the requesting user's visibility, so a job never prints what its user could not open.
"""

import io
import logging
import zipfile

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison import access

from . import documents, meetings_forms, pdf, signoff
from .models import BatchJob, SignoffRequest, WorkContactSheet, WorkPlan
from .plans import month_bounds

log = logging.getLogger(__name__)
MAX_MEETINGS = 200


def inline_limit():
    return int(getattr(settings, "RECORDS_INLINE_BATCH", 10))


def batch_timeout():
    return float(getattr(settings, "PDF_BATCH_TIMEOUT", 200))


def _progress(job, done, total=None):
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    BatchJob.objects.filter(pk=job.pk).update(**fields)


def run_job(job_id, *, now=None):
    """Render a batch job. Claimed with a conditional UPDATE so two workers never render it twice."""
    now = now or timezone.now()
    if BatchJob.objects.filter(pk=job_id, status=BatchJob.Status.QUEUED).update(status=BatchJob.Status.RUNNING) != 1:
        return False
    job = BatchJob.objects.select_related("requested_by", "estate").get(pk=job_id)
    try:
        with translation.override(job.params.get("lang") or settings.LANGUAGE_CODE):
            if job.kind == "signin_next_week":
                data, name, ctype = _signin_batch(job)
            elif job.kind == "month_archive":
                data, name, ctype = _month_archive(job, now)
            else:
                raise pdf.PDFError(_("Unknown print job."))
    except pdf.PDFError as exc:
        BatchJob.objects.filter(pk=job.pk).update(
            status=BatchJob.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        return False
    except Exception:
        log.exception("batch job %s failed", job_id)
        BatchJob.objects.filter(pk=job.pk).update(
            status=BatchJob.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The print job failed. Please try again.")[:300],
        )
        return False
    BatchJob.objects.filter(pk=job.pk).update(
        status=BatchJob.Status.DONE, result=data, filename=name, content_type=ctype, finished_at=timezone.now()
    )
    return True


def _signin_batch(job):
    user = job.requested_by
    ids = job.params.get("meeting_ids", [])[:MAX_MEETINGS]
    meetings = list(meetings_forms.visible_meetings(user).filter(pk__in=ids).order_by("starts_at", "pk"))
    total = len(meetings) + 1
    _progress(job, 0, total)
    sheets = []
    for i, m in enumerate(meetings, 1):
        sheets.append(meetings_forms.signin_sheet(m, user=user))
        if i % 5 == 0:
            _progress(job, i)
    _progress(job, len(meetings))
    data = pdf.render_pdf(
        "records/pdf/signin_sheet.html",
        {"sheets": sheets, "form_code": documents.FORM_CODES["signin"]},
        timeout=batch_timeout(),
    )
    _progress(job, total)
    return data, documents.filename("signin", _("next week")), pdf.PDF_MIME


def month_archive_parts(user, estate, year, month):
    """[(filename, callable -> bytes)] for the estate's records of the month, as `user` may see them."""
    first, after, start, end = month_bounds(year, month)
    parts = []
    for plan in access.scope(WorkPlan.objects.filter(estate=estate, year=year, month=month), user, committee=None):
        ctx = {"plan": plan, "items": plan.items.filter(removed=False), **documents.header(estate, "plan", str(plan))}
        parts.append(
            (
                documents.filename("plan", f"{year}-{month:02d}"),
                lambda ctx=ctx: pdf.render_pdf("records/pdf/work_plan.html", ctx, timeout=batch_timeout()),
            )
        )
    meetings = meetings_forms.visible_meetings(user).filter(estate=estate, starts_at__gte=start, starts_at__lt=end)
    for m in meetings.select_related("minutes"):
        day = timezone.localdate(m.starts_at).isoformat()
        if m.is_held:
            parts.append(
                (documents.filename("signin", day, m.title), lambda m=m: meetings_forms.signin_pdf([m], recorded=True))
            )
        minutes = getattr(m, "minutes", None)  # None: no minutes written
        if minutes is not None and minutes.is_final:
            parts.append(
                (documents.filename("minutes", day, m.title), lambda mi=minutes: meetings_forms.minutes_pdf(mi))
            )
    sheets = access.scope(
        WorkContactSheet.objects.filter(estate=estate, issued_on__gte=first, issued_on__lt=after), user
    )
    for s in sheets.select_related("estate__company", "committee", "created_by"):
        parts.append((documents.filename("contact", s.number), lambda s=s: documents.contact_pdf(s)))
    groups = meetings_forms.callback_groups_for_month(user, estate, year, month)
    if groups:
        parts.append(
            (
                documents.filename("callback", f"{year}-{month:02d}"),
                lambda: meetings_forms.callbacks_pdf(estate, groups, period=f"{year}-{month:02d}"),
            )
        )
    signed = access.scope(
        SignoffRequest.objects.filter(
            estate=estate, status=SignoffRequest.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
        ),
        user,
    )
    for req in signed:
        parts.append(
            (
                documents.filename("signed", req.public_code, req.title[:40]),
                lambda req=req: bytes(
                    signoff.issue_signed_pdf(req, render=documents.signed_pdf, now=timezone.now()).pdf
                ),
            )
        )
    return parts


def _month_archive(job, now):
    year, month = job.params["year"], job.params["month"]
    estate = job.estate
    if not access.visible_estates(job.requested_by).filter(pk=estate.pk).exists():
        raise pdf.PDFError(_("You may not print this estate's records."))
    parts = month_archive_parts(job.requested_by, estate, year, month)
    _progress(job, 0, len(parts) or 1)
    buf = io.BytesIO()
    seen = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, make) in enumerate(parts, 1):
            base, n = name, 2
            while name in seen:
                name = base.replace(".pdf", f"-{n}.pdf")
                n += 1
            seen.add(name)
            zf.writestr(name, make())
            _progress(job, i)
        if not parts:
            zf.writestr("README.txt", _("No records for this month.") + "\n")
    _progress(job, len(parts) or 1)
    return buf.getvalue(), f"{estate.name}-{year}-{month:02d}.zip", "application/zip"
