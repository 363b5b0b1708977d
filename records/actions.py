"""The records' writes that pages start: work contact sheets, the work plan's items and note, print jobs.

Each checks its rule (the user runs the estate: liaison.access.manages_estate; a plan only while it
is editable), writes the audit row in its transaction and enqueues after commit. Sign-off has its own
module of actions (signoff.py: start, sign, new_version, cancel), and so has the work plan's flow
(plans.py: generate, submit, decide).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from liaison import access
from liaison.models import audit

from . import documents, pdf, signoff, tasks
from .models import BatchJob, SignoffRequest, WorkContactSheet

NUMBER_ATTEMPTS = 5  # two directors numbering sheets of one estate at the same moment


def _require_manager(user, estate):
    if not access.manages_estate(user, estate):
        raise PermissionDenied


def _next_number(estate, day):
    prefix = f"{day.year}-"
    used = WorkContactSheet.objects.filter(estate=estate, number__startswith=prefix).count()
    return f"{prefix}{used + 1:03d}"


# --- PF-09-R05 work contact sheets ------------------------------------------------------------------------


def create_contact_sheet(form, *, by, now):
    """Save a new sheet from a valid ContactSheetForm; numbered `<year>-NNN` in its estate when the
    number is left blank. A number already used in the estate is refused (on the form's field)."""
    sheet = form.save(commit=False)
    sheet.estate = sheet.committee.estate
    _require_manager(by, sheet.estate)
    sheet.created_by = by
    auto = not sheet.number
    for _attempt in range(NUMBER_ATTEMPTS):
        if auto:
            sheet.number = _next_number(sheet.estate, sheet.issued_on)
        try:
            with transaction.atomic(durable=True):
                sheet.save()
                audit(sheet, "contact.created", actor=by, now=now, changes={"subject": sheet.subject})
            return sheet
        except IntegrityError:
            sheet.pk = None
            if not auto:
                break
    raise ValidationError({"number": _("This number is already used in this estate.")})


def edit_contact_sheet(form, *, by, now):
    """Save a valid ContactSheetForm of an existing sheet; a change after it was sent for sign-off
    makes a new version of each request's document (voiding the signatures). The document is rendered
    first: when it cannot be made, nothing is saved and the form says why."""
    _require_manager(by, form.instance.estate)
    sheet = form.save(commit=False)
    sheet.estate = sheet.committee.estate
    _require_manager(by, sheet.estate)
    sheet.updated_at = now
    document = None
    if _open_requests(sheet):
        try:
            document = _contact_document(sheet)
        except pdf.PDFError as exc:
            raise ValidationError(str(exc))
    with transaction.atomic(durable=True):
        sheet.save()
        audit(
            sheet,
            "contact.edited",
            actor=by,
            now=now,
            changes={f: str(form.cleaned_data.get(f))[:200] for f in form.changed_data},
        )
        note = ", ".join(str(form.fields[f].label) for f in form.changed_data)
        refreeze_contact(sheet, by=by, now=now, note=note, document=document)
    return sheet


def _open_requests(sheet):
    return list(sheet.signoff_requests.exclude(status=SignoffRequest.Status.CANCELLED))


def _contact_document(sheet):
    """(HTML fragment, PDF) of the sheet as signers see it."""
    fragment = documents.contact_fragment(sheet)
    return fragment, documents.frozen_pdf(sheet.estate, "contact", fragment, docref=sheet.number)


def refreeze_contact(sheet, *, by, now, note="", document=None):
    """A new version of each sign-off request's document (voiding signatures) when the sheet's content
    changed; `document` is the sheet rendered already (`_contact_document`)."""
    reqs = _open_requests(sheet)
    if not reqs:
        return
    fragment, data = document or _contact_document(sheet)
    for req in reqs:
        signoff.new_version(req, pdf=data, html=fragment, title=None, by=by, now=now, note=note)


# --- AM-02-R04 the work plan's own items --------------------------------------------------------------------


def _require_editable(plan, user):
    _require_manager(user, plan.estate)
    if not plan.editable:
        raise ValidationError(_("A submitted or approved plan cannot be changed."))


def add_plan_item(plan, form, *, by, now):
    """Add the activity of a valid WorkPlanItemForm to the plan."""
    _require_editable(plan, by)
    with transaction.atomic(durable=True):
        item = form.save(commit=False)
        item.plan = plan
        item.save()
        audit(plan, "plan.item_added", actor=by, now=now, changes={"activity": item.activity})
    return item


def set_plan_note(plan, form, *, by, now):
    """Save the plan's note from a valid WorkPlanForm."""
    _require_editable(plan, by)
    with transaction.atomic(durable=True):
        form.save()
        audit(plan, "plan.note", actor=by, now=now, changes={"note": plan.note[:200]})
    return plan


def toggle_plan_item(plan, item, *, by, now):
    """Remove an activity from the plan, or put a removed one back (kept, so a regenerate skips it)."""
    _require_editable(plan, by)
    with transaction.atomic(durable=True):
        item.removed = not item.removed
        item.save(update_fields=["removed"])
        audit(
            plan,
            "plan.item_removed" if item.removed else "plan.item_restored",
            actor=by,
            now=now,
            changes={"activity": item.activity},
        )
    return item


# --- batch printing -------------------------------------------------------------------------------------------


def start_batch_job(user, kind, params, *, estate=None, total=0):
    """A print job for records.tasks.run_batch (in the language of the request), enqueued once the job
    row is committed. The task re-applies the user's visibility, so a job never prints what its user
    could not open."""
    if user.is_committee:
        raise PermissionDenied
    with transaction.atomic(durable=True):
        job = BatchJob.objects.create(
            kind=kind,
            params={**params, "lang": translation.get_language()},
            requested_by=user,
            estate=estate,
            total=total,
        )
        transaction.on_commit(lambda: tasks.enqueue_batch(job.pk))
    return job
