"""The records' writes that pages start: work contact sheets, the work plan's items and note, print jobs,
the annual work plan's items, and the committee members' answers to a meeting's final minutes
(respond_to_minutes).

Each checks its rule (the user runs the estate: liaison.access.manages_estate; a plan only while it
is editable), writes the audit row in its transaction and enqueues after commit. Sign-off has its own
module of actions (signoff.py: start, sign, new_version, cancel), and so has the work plan's flow
(plans.py: generate, submit, decide).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from followups import actions as followups_actions
from followups.models import Source
from liaison import access, people
from liaison import photos as liaison_photos
from liaison.models import CommitteeMember, audit
from liaison.notify import acted_on, notify

from . import contact_scan, documents, pdf, signoff, tasks
from .models import AnnualPlanItem, BatchJob, MinutesResponse, MinutesResponsePhoto, SignoffRequest, WorkContactSheet

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
                contact_scan.refresh_clock(sheet)
                sheet.save()
                audit(sheet, "contact.created", actor=by, now=now, changes={"subject": sheet.subject})
                _open_issue(sheet, by=by, now=now)
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
    linked = WorkContactSheet.objects.filter(pk=form.instance.pk).values_list("issue_id", flat=True).first()
    sheet = form.save(commit=False)
    if sheet.issue_id is None and linked:
        sheet.issue_id = linked  # an issue once opened or linked stays linked (a blank field does not undo it)
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
        contact_scan.refresh_clock(sheet)
        sheet.save()
        _open_issue(sheet, by=by, now=now)
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


def _received_at(sheet, now):
    """When a received sheet came in: its date (the start of that day) when earlier than today, else now."""
    if sheet.issued_on < timezone.localdate(now):
        return timezone.make_aware(datetime.datetime.combine(sheet.issued_on, datetime.time()))
    return now


def _open_issue(sheet, *, by, now):
    """A sheet received from a committee (PF-09-R05) is an issue raised by it: unless the form linked an
    existing one, open an issue (source: contact sheet, so the contact-sheet deadline policy sets its reply
    and callback deadlines) and link it. Drafts and sheets sent to a committee open nothing."""
    if (
        sheet.direction != WorkContactSheet.Direction.FROM_COMMITTEE
        or sheet.status == WorkContactSheet.Status.DRAFT
        or sheet.issue_id
    ):
        return None
    description = sheet.content.strip()
    if sheet.support_requested.strip():
        description += "\n\n" + str(_("Support requested")) + ": " + sheet.support_requested.strip()
    issue = followups_actions.raise_issue(
        estate=sheet.estate,
        committee=sheet.committee,
        raised_by=sheet.committee.name,
        raised_at=_received_at(sheet, now),
        description=description,
        source=Source.CONTACT_SHEET,
        source_ref=sheet.number,
        title=sheet.subject,
        actor=by,
        now=now,
    )
    sheet.issue = issue
    WorkContactSheet.objects.filter(pk=sheet.pk).update(issue=issue)
    audit(sheet, "contact.issue_opened", actor=by, now=now, changes={"issue": issue.pk})
    return issue


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


# --- the annual work plan's items (§4.1.1) ------------------------------------------------------------------


def _require_annual_editable(plan, user):
    _require_manager(user, plan.estate)
    if not plan.editable:
        raise ValidationError(_("A submitted or approved plan cannot be changed."))


def _bump(plan):
    plan.version += 1
    plan.save(update_fields=["version"])


def add_annual_item(plan, form, *, by, now):
    """Add the item of a valid AnnualPlanItemForm to the annual plan."""
    _require_annual_editable(plan, by)
    with transaction.atomic(durable=True):
        item = form.save(commit=False)
        item.plan = plan
        item.origin = AnnualPlanItem.Origin.MANUAL
        item.save()
        _bump(plan)
        audit(
            plan,
            "annual_plan.item_added",
            actor=by,
            now=now,
            changes={"month": item.month, "kind": item.kind.code, "topic": item.topic},
        )
    return item


def edit_annual_item(plan, form, *, by, now):
    """Save the changes of a valid AnnualPlanItemForm bound to one of the plan's items."""
    _require_annual_editable(plan, by)
    if form.instance.plan_id != plan.pk:
        raise PermissionDenied
    changed = {f: form.cleaned_data[f] for f in form.changed_data}
    with transaction.atomic(durable=True):
        item = form.save()
        _bump(plan)
        audit(
            plan,
            "annual_plan.item_changed",
            actor=by,
            now=now,
            changes={"item": item.pk, **{k: getattr(v, "pk", v) for k, v in changed.items()}},
        )
    return item


def toggle_annual_item(plan, item, *, by, now):
    """Remove an item from the annual plan, or put a removed one back (kept, so a regenerate skips it)."""
    _require_annual_editable(plan, by)
    if item.plan_id != plan.pk:
        raise PermissionDenied
    with transaction.atomic(durable=True):
        item.removed = not item.removed
        item.save(update_fields=["removed"])
        _bump(plan)
        audit(
            plan,
            "annual_plan.item_removed" if item.removed else "annual_plan.item_restored",
            actor=by,
            now=now,
            changes={"item": item.pk, "topic": item.topic},
        )
    return item


def set_annual_note(plan, form, *, by, now):
    """Save the annual plan's note from a valid AnnualPlanForm."""
    _require_annual_editable(plan, by)
    with transaction.atomic(durable=True):
        plan = form.save(commit=False)
        plan.version += 1
        plan.save(update_fields=["note", "version"])
        audit(plan, "annual_plan.note", actor=by, now=now, changes={"note": plan.note[:200]})
    return plan


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


# --- the members' answers to a meeting's final minutes ---------------------------------------------------------

# Answers are taken, and may be changed, for this many days after the minutes were distributed: seed 004
# 篇3 七.7 gives three days to distribute them; two weeks more (two weekends: the members are volunteers)
# lets every member read them, and the director still knows before the next monthly meeting (§4.1.1,
# seed 002 第八条) whether the record stands. After that the answers stand as given (an objection stays on
# record; a new matter is an issue to raise). Setting RECORDS_MINUTES_ANSWER_DAYS overrides it.
MINUTES_ANSWER_DAYS = 14
COMMENT_MAX = 2000


def minutes_answers_close_at(minutes):
    """When answers to these (final) minutes close; None while they are not final."""
    start = minutes.distributed_at or minutes.finalised_at
    if start is None:
        return None
    return start + datetime.timedelta(days=getattr(settings, "RECORDS_MINUTES_ANSWER_DAYS", MINUTES_ANSWER_DAYS))


def minutes_open_to_answers(minutes, now):
    closes = minutes_answers_close_at(minutes)
    return closes is not None and now < closes


def minutes_answers(minutes):
    """Who confirmed, who objected (and what), who has not answered: the committee's active members,
    each once (a member without a portal account cannot answer here and is listed as such)."""
    meeting = minutes.meeting
    responses = list(
        MinutesResponse.objects.filter(minutes=minutes).select_related("member", "user").order_by("answered_at", "pk")
    )
    answered = {r.user_id for r in responses}
    members = CommitteeMember.objects.filter(committee_id=meeting.committee_id, ended_on__isnull=True).order_by(
        "role", "name"
    )
    return {
        "confirmed": [r for r in responses if not r.objected],
        "objected": [r for r in responses if r.objected],
        "unanswered": [m for m in members if m.user_id is None or m.user_id not in answered],
    }


def respond_to_minutes(minutes, *, user, answer, comment="", now, photos=()):
    """A committee member confirms the meeting's final minutes, or objects with a comment. One answer per
    member, changed in place while the minutes are open to answers (minutes_answers_close_at); each
    change is audited. `photos` (uploaded or liaison.photos-prepared files) are added to the answer. An objection is told to the estate's directors and whoever distributed the
    minutes (never to the member themselves)."""
    meeting = minutes.meeting
    if not access.in_committee(user, meeting.committee_id):
        raise PermissionDenied
    member = CommitteeMember.objects.filter(committee_id=meeting.committee_id, user=user, ended_on__isnull=True).first()
    if member is None:  # in_committee said yes: a membership ended meanwhile
        raise PermissionDenied
    if not minutes.is_final:
        raise ValidationError(_("These minutes are not final yet: they can be confirmed once distributed."))
    closes = minutes_answers_close_at(minutes)
    if now >= closes:
        raise ValidationError(
            _("Answers to these minutes closed on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(closes), "DATETIME_FORMAT")}
        )
    comment = (comment or "").strip()
    if answer not in MinutesResponse.Answer.values:
        raise ValidationError({"answer": _("Choose whether you confirm the minutes or object to them.")})
    if answer == MinutesResponse.Answer.OBJECTED and not comment:
        raise ValidationError({"comment": _("Write what you object to: an objection needs a comment.")})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("At most %(n)s characters.") % {"n": COMMENT_MAX}})
    prepared = [liaison_photos.prepare_upload(f, photos_only=True) for f in photos]  # judged before writing
    with transaction.atomic(durable=True):
        response = MinutesResponse.objects.select_for_update().filter(minutes=minutes, user=user).first()
        before = None
        if response is None:
            try:
                with transaction.atomic():
                    response = MinutesResponse.objects.create(
                        minutes=minutes,
                        member=member,
                        user=user,
                        answer=answer,
                        comment=comment,
                        answered_at=now,
                        created_at=now,
                    )
            except IntegrityError:  # the same member's other tab answered a moment ago
                raise ValidationError(_("You answered these minutes meanwhile. Reload the page to see your answer."))
        elif response.answer == answer and response.comment == comment and not prepared:
            return response  # nothing changed
        else:
            before = response.answer
            response.answer, response.comment, response.answered_at = answer, comment, now
            response.member = member
            response.version += 1
            response.save(update_fields=["answer", "comment", "answered_at", "member", "version"])
        added = [up.fill(MinutesResponsePhoto(response=response, uploaded_at=now)) for up in prepared]
        MinutesResponsePhoto.objects.bulk_create(added)
        audit(
            minutes,
            f"minutes.{answer}",
            actor=user,
            estate=meeting.estate,
            now=now,
            changes={
                "meeting": meeting.pk,
                "member": member.name,
                "answer": [before, answer] if before else answer,
                "comment": comment[:300],
                **({"photos": [p.name for p in added]} if added else {}),
            },
        )
        acted_on(user, meeting, now=now)  # the "minutes distributed" message is read once answered
        if answer == MinutesResponse.Answer.OBJECTED:
            notify(
                [*people.directors(meeting.estate), minutes.finalised_by],
                kind="meeting.minutes_objection",
                key=f"minutes:{minutes.pk}:objection:{user.pk}:v{response.version}",
                subject=_("%(name)s objects to the minutes of “%(title)s”"),
                body=_("%(name)s (%(committee)s): %(comment)s"),
                params={
                    "name": member.name,
                    "title": meeting.title,
                    "committee": meeting.committee.name,
                    "comment": comment[:300],
                },
                url=reverse("records:minutes_html", args=[meeting.pk]) + "#minutes-answers",
                estate=meeting.estate,
                now=now,
                actor=user,
            )
    return response
