"""Everything that changes an issue: one function per step, each in one transaction with its audit row
and (for a step a person takes) a new `Issue.version`. The pages and the API call these.

Refusals raise `django.core.exceptions.ValidationError` with a message the views show as it is.
Each function locks the issue row (SELECT … FOR UPDATE) so the scan and a user never interleave.
Who may take a step is checked by the caller (followups.permissions), except where the step itself
depends on it (closing by decision).

`transaction.atomic(durable=True)` marks the steps that are only ever taken on their own (a page or an
API request); the others (raise, classify, assign, reply, coordinate, resolve, callback) also run
inside a larger transaction: the demo data's, the seeders', a meeting's minutes.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison import access, photos
from liaison.models import CommitteeMember, audit
from liaison.notify import acted_on, notify
from liaison.people import committee_users, leaders, office
from liaison.versions import StaleEdit, bump_version

from . import deadlines, permissions
from .models import SATISFIED_ENOUGH, Callback, Issue, IssueAttachment, OutsideBody, Reply, Satisfaction, Urgency

# a clock a little ahead on the client is not "the future"
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


# --- who is told --------------------------------------------------------------------------------------


def _url(issue):
    return issue.get_absolute_url()


def _lock(issue, version=None):
    """The issue re-read under a row lock; with `version` (the one the user's page showed), StaleEdit if
    someone changed it since."""
    locked = (
        Issue.objects.select_for_update(of=("self",)).select_related("estate", "committee", "policy").get(pk=issue.pk)
    )
    if version is not None and locked.version != version:
        raise StaleEdit(locked.version)
    return locked


def _refuse_if_closed(issue, what):
    if issue.status == Issue.Status.CLOSED:
        raise ValidationError(
            _("This issue is closed: %(what)s can no longer be added."), params={"what": what}, code="closed"
        )


def _snapshot(issue):
    return {
        f: getattr(issue, f)
        for f in (
            "status",
            "assignee_id",
            "department_id",
            "triage_due_at",
            "reply_due_at",
            "callback_due_at",
            "resolve_due_at",
            "closed_at",
            "escalation_level",
        )
    }


def _diff(before, issue):
    out = {}
    for f, old in before.items():
        new = getattr(issue, f)
        if old != new:
            out[f] = [old, new]
    return out


def _save(issue, before, action, *, actor=None, job="", now=None, extra=None):
    """Save a step on a locked issue: the version goes up by a conditional UPDATE (on the version read
    under the lock), so a page loaded before this step is told about it."""
    deadlines.refresh_next_check(issue)
    issue.version = bump_version(Issue, issue.pk, issue.version)
    issue.save()
    changes = _diff(before, issue)
    if extra:
        changes.update(extra)
    audit(issue, action, actor=actor, job=job, changes=changes, now=now)
    acted_on(actor, issue, now=now)  # their messages about the issue are read: they are working on it
    return issue


# --- raising ------------------------------------------------------------------------------------------


def raise_issue(
    *,
    estate,
    committee,
    raised_by,
    raised_at,
    description,
    source,
    meeting=None,
    answer_on_spot="",
    category="",
    actor=None,
    now=None,
    title="",
    location="",
    urgency="normal",
    source_ref="",
    attachments=(),
):
    """Record an issue raised by a committee. `raised_by` is a name or a CommitteeMember; `attachments`:
    uploaded files kept with it.

    A non-empty `answer_on_spot` records the answer and closes the issue at once (§4.1.4.4);
    otherwise the deadlines of the matching policy start from `raised_at`.
    """
    now = now or timezone.now()
    errors = {}
    if committee.estate_id != estate.pk:
        errors["committee"] = _("This committee belongs to another estate.")
    if (
        actor is not None
        and actor.is_authenticated
        and actor.is_committee
        and not access.in_committee(actor, committee)
    ):
        errors["committee"] = _("You can raise issues only for your own committee.")
    if raised_at is None:
        errors["raised_at"] = _("Enter when the issue was raised.")
    elif raised_at > now + FUTURE_TOLERANCE:
        errors["raised_at"] = _("The time raised cannot be in the future.")
    if not (description or "").strip():
        errors["description"] = _("Describe the issue.")
    member = raised_by if isinstance(raised_by, CommitteeMember) else None
    name = member.name if member else (raised_by or "").strip()
    if not name:
        errors["raised_by"] = _("Enter who raised the issue.")
    if errors:
        raise ValidationError(errors)
    attachments = [photos.prepare_upload(f) for f in attachments]  # judged before anything is written
    answer_on_spot = (answer_on_spot or "").strip()
    with transaction.atomic():
        issue = Issue(
            estate=estate,
            committee=committee,
            raised_by=name[:100],
            raised_by_member=member,
            raised_at=raised_at,
            source=source,
            source_ref=source_ref,
            title=title,
            description=description.strip(),
            category=category or "",
            location=location,
            urgency=urgency or "normal",
            created=now,
            created_by=actor if (actor is not None and actor.is_authenticated) else None,
        )
        if meeting is not None:
            if any(f.name == "meeting" for f in Issue._meta.get_fields()):
                issue.meeting = meeting
            elif not source_ref:
                issue.source_ref = f"meeting:{meeting.pk}"
        if answer_on_spot:
            issue.answer_on_spot = answer_on_spot
            issue.status = Issue.Status.CLOSED
            issue.close_reason = Issue.CloseReason.ON_THE_SPOT
            issue.replied_at = issue.closed_at = raised_at
            issue.save()
            Reply.objects.create(issue=issue, text=answer_on_spot, replied_at=raised_at, replied_by=issue.created_by)
            audit(
                issue,
                "raised_answered_on_spot",
                actor=actor,
                changes={"status": [None, issue.status], "answer": answer_on_spot},
                now=now,
            )
            for f in attachments:
                _attach(issue, f, actor, now)
            return issue
        issue.policy = deadlines.choose_policy(source=source, category=category, urgency=urgency)
        dues, _known = deadlines.initial_deadlines(issue, issue.policy)
        for field, value in dues.items():
            setattr(issue, field, value)
        issue.first_callback_due_at = issue.callback_due_at
        issue.save()
        deadlines.refresh_next_check(issue)
        issue.save(update_fields=["next_check_at"])
        tell_leader = deadlines.tells_leader_on_raise(issue, issue.policy)
        audit(
            issue,
            "raised",
            actor=actor,
            changes={
                "status": [None, issue.status],
                "policy": str(issue.policy or _("default")),
                **{f: [None, v] for f, v in dues.items() if v},
                **({"leader_told": True} if tell_leader else {}),
            },
            now=now,
        )
        for f in attachments:
            _attach(issue, f, actor, now)
        notify(
            office(estate),
            kind="issue.raised",
            key=f"issue:{issue.pk}:raised",
            subject=_("New issue from %(committee)s: %(headline)s"),
            params={"committee": committee.name, "headline": issue.headline},
            url=_url(issue),
            estate=estate,
            now=now,
            actor=actor,
        )
        if tell_leader:
            # quiet hours are notify()'s business (they hold committee members' mail, not the leader's)
            notify(
                leaders(),
                kind="issue.raised.leader",
                key=f"issue:{issue.pk}:raised:leader",
                subject=_("%(urgency)s issue raised by %(committee)s (%(estate)s): %(headline)s"),
                params={
                    "urgency": Urgency(issue.urgency).label,
                    "committee": committee.name,
                    "estate": estate.name,
                    "headline": issue.headline,
                },
                url=_url(issue),
                about=issue,
                estate=estate,
                now=now,
                actor=actor,
            )
    return issue


# --- classification, assignment, reply ------------------------------------------------------------------


def classify(
    issue,
    *,
    responsibility,
    actor,
    now=None,
    assignee=None,
    department=None,
    outside_reason="",
    reply_text="",
    version=None,
):
    """Take the issue to the leader and departments: within the company's responsibility (assign a
    department and person) or outside it (record the reason given to the committee).

    `version` is the issue's version the user saw; if it was changed since, StaleEdit."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = _lock(issue, version)
        _refuse_if_closed(issue, _("a classification"))
        before = _snapshot(issue)
        if responsibility == Issue.Responsibility.COMPANY:
            if assignee is None:
                raise ValidationError({"assignee": _("Choose the person responsible.")})
            issue.responsibility = responsibility
            _set_assignee(issue, assignee, department or assignee.department, now)
            if issue.status in (Issue.Status.OPEN, Issue.Status.COORDINATING):
                issue.status = Issue.Status.IN_PROGRESS
        elif responsibility == Issue.Responsibility.OUTSIDE:
            reason = (outside_reason or "").strip()
            if not reason:
                raise ValidationError({"outside_reason": _("Record the reason given to the committee.")})
            issue.responsibility = responsibility
            issue.outside_reason = reason
            if assignee is not None:
                _set_assignee(issue, assignee, department or assignee.department, now)
            if issue.status in (Issue.Status.OPEN, Issue.Status.IN_PROGRESS):
                issue.status = Issue.Status.COORDINATING
            # the explanation is the company's reply to the committee
            _add_reply(issue, reason, actor, now, now)
        else:
            raise ValidationError(
                {"responsibility": _("Choose whether the issue is within the company's responsibility.")}
            )
        if not issue.triaged_at:
            issue.triaged_at = now
        _save(issue, before, "classified", actor=actor, now=now, extra={"responsibility": issue.responsibility})
        if issue.assignee_id and before["assignee_id"] != issue.assignee_id:
            _notify_assigned(issue, now, actor)
    return issue


def _set_assignee(issue, assignee, department, now):
    issue.assignee = assignee
    issue.department = department
    issue.assigned_at = now


def _notify_assigned(issue, now, actor):
    notify(
        [issue.assignee],
        kind="issue.assigned",
        key=f"issue:{issue.pk}:assigned:{issue.assignee_id}:{now:%Y%m%dT%H%M%S}",
        subject=_("Issue assigned to you: %(headline)s (%(estate)s)"),
        params={"headline": issue.headline, "estate": issue.estate.name},
        url=_url(issue),
        estate=issue.estate,
        now=now,
        actor=actor,
    )


def assign(issue, *, assignee, department=None, actor, now=None):
    """(Re)assign the person responsible; an unclassified issue becomes the company's to work on."""
    now = now or timezone.now()
    with transaction.atomic():
        return _assign(issue, assignee, department, actor, now)


def _assign(issue, assignee, department, actor, now):
    if assignee is None:
        raise ValidationError({"assignee": _("Choose the person responsible.")})
    issue = _lock(issue)
    _refuse_if_closed(issue, _("an assignment"))
    before = _snapshot(issue)
    _set_assignee(issue, assignee, department or assignee.department, now)
    if not issue.responsibility:
        issue.responsibility = Issue.Responsibility.COMPANY
    if issue.status == Issue.Status.OPEN:
        issue.status = Issue.Status.IN_PROGRESS
    if not issue.triaged_at:
        issue.triaged_at = now
    _save(issue, before, "assigned", actor=actor, now=now)
    if before["assignee_id"] != issue.assignee_id:
        _notify_assigned(issue, now, actor)
    return issue


def bulk_assign(issues, *, assignee, department=None, actor, now=None):
    """Assign several issues at once: all or nothing. Returns the number assigned."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        for issue in issues:
            _assign(issue, assignee, department, actor, now)
    return len(issues)


def _add_reply(issue, text, actor, replied_at, now):
    reply = Reply.objects.create(issue=issue, text=text, replied_at=replied_at, replied_by=actor, created=now)
    if not issue.replied_at:
        issue.replied_at = replied_at
    notify(
        committee_users(issue.committee),
        kind="issue.reply",
        key=f"issue:{issue.pk}:reply:{reply.pk}",
        subject=_("Reply to your issue: %(headline)s"),
        body=text,
        params={"headline": issue.headline},
        url=_url(issue),
        estate=issue.estate,
        now=now,
        actor=actor,
    )
    return reply


def add_reply(issue, *, text, actor, now=None, replied_at=None):
    now = now or timezone.now()
    replied_at = replied_at or now
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply.")})
    with transaction.atomic():
        issue = _lock(issue)
        _refuse_if_closed(issue, _("a reply"))
        if replied_at < issue.raised_at:
            raise ValidationError({"replied_at": _("A reply cannot be dated before the issue was raised.")})
        if replied_at > now + FUTURE_TOLERANCE:
            raise ValidationError({"replied_at": _("The reply time cannot be in the future.")})
        before = _snapshot(issue)
        first = issue.replied_at is None
        _add_reply(issue, text, actor, replied_at, now)
        _save(
            issue, before, "replied", actor=actor, now=now, extra={"replied_at": [None, replied_at]} if first else None
        )
    return issue


def add_outside_body(issue, *, kind, name, contact="", action, acted_at=None, actor, now=None):
    now = now or timezone.now()
    acted_at = acted_at or now
    with transaction.atomic():
        issue = _lock(issue)
        _refuse_if_closed(issue, _("a coordination record"))
        if acted_at < issue.raised_at:
            raise ValidationError({"acted_at": _("This cannot be dated before the issue was raised.")})
        before = _snapshot(issue)
        body = OutsideBody.objects.create(
            issue=issue, kind=kind, name=name, contact=contact, action=action, acted_at=acted_at, recorded_by=actor
        )
        _save(issue, before, "coordinated", actor=actor, now=now, extra={"body": name, "action": action})
    return body


def _attach(issue, f, actor, now):
    """Store one upload: a photo re-encoded without location metadata, with its thumbnail (liaison.photos);
    `f` is an uploaded file or an already prepared one (the forms prepare them while judging them)."""
    att = photos.prepare_upload(f).fill(IssueAttachment(issue=issue, uploaded_by=actor, uploaded_at=now))
    att.save()
    return att


def attach_files(issue, *, files, actor, now=None):
    """Keep uploaded files and photos with an open issue: all of them or, on a refusal, none."""
    now = now or timezone.now()
    if not files:
        raise ValidationError(_("Choose at least one photo or file."))
    prepared = [photos.prepare_upload(f) for f in files]  # judged before anything is written
    with transaction.atomic(durable=True):
        issue = _lock(issue)
        _refuse_if_closed(issue, _("files"))
        before = _snapshot(issue)
        atts = [_attach(issue, up, actor, now) for up in prepared]
        _save(issue, before, "attached", actor=actor, now=now, extra={"file": "、".join(a.name for a in atts)})
    return atts


def attach_file(issue, *, file, actor, now=None):
    """Keep one uploaded file (judged by liaison.uploads / liaison.photos) with an open issue."""
    return attach_files(issue, files=[file], actor=actor, now=now)[0]


def mark_resolved(issue, *, resolution, actor, now=None):
    """The work is done: the committee is asked to confirm, and the callback confirms satisfaction."""
    now = now or timezone.now()
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Describe how the issue was resolved.")})
    with transaction.atomic():
        issue = _lock(issue)
        _refuse_if_closed(issue, _("a resolution"))
        before = _snapshot(issue)
        issue.status = Issue.Status.RESOLVED
        issue.resolution = resolution
        issue.resolved_at = now
        if not issue.triaged_at:
            issue.triaged_at = now
        if issue.callback_due_at is None:
            issue.callback_due_at = deadlines.next_callback_due(issue, now)
        _save(issue, before, "resolved", actor=actor, now=now)
        notify(
            committee_users(issue.committee),
            kind="issue.reply",
            key=f"issue:{issue.pk}:resolved:{now:%Y%m%dT%H%M%S}",
            subject=_("Resolved, please confirm: %(headline)s"),
            body=resolution,
            params={"headline": issue.headline},
            url=_url(issue),
            estate=issue.estate,
            now=now,
            actor=actor,
        )
    return issue


# --- callbacks and closing ------------------------------------------------------------------------------


def record_callback(
    issue,
    *,
    called_at,
    method,
    person_reached,
    result,
    satisfaction,
    next_step="",
    actor,
    now=None,
    resolved=False,
):
    """Record a callback (CS-01-R01). Satisfied or basically satisfied with the issue resolved → closed;
    unsatisfied → work reopens; otherwise another callback is due after the policy's interval."""
    now = now or timezone.now()
    errors = {}
    if not (person_reached or "").strip():
        errors["person_reached"] = _("Enter the person reached.")
    if not (result or "").strip():
        errors["result"] = _("Enter the result of the callback.")
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = _("Choose the committee's satisfaction.")
    if called_at is None:
        errors["called_at"] = _("Enter when the callback was made.")
    elif called_at > now + FUTURE_TOLERANCE:
        errors["called_at"] = _("The callback time cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        issue = _lock(issue)
        _refuse_if_closed(issue, _("a callback"))
        if called_at < issue.raised_at:
            raise ValidationError(
                {"called_at": _("A callback cannot be dated before the issue was raised (%(raised)s).")},
                params={"raised": timezone.localtime(issue.raised_at).strftime("%Y-%m-%d %H:%M")},
            )
        before = _snapshot(issue)
        due = issue.callback_due_at
        cb = Callback.objects.create(
            issue=issue,
            estate=issue.estate,
            committee=issue.committee,
            called_at=called_at,
            method=method,
            person_reached=person_reached.strip(),
            result=result.strip(),
            satisfaction=satisfaction,
            next_step=(next_step or "").strip(),
            due_at=due,
            on_time=due is None or called_at <= due,
            recorded_by=actor,
            created=now,
        )
        _apply_callback(issue, cb, resolved=resolved, actor=actor, now=now)
        _save(issue, before, "callback", actor=actor, now=now, extra={"satisfaction": satisfaction})
    return cb


def _apply_callback(issue, cb, *, resolved, actor, now, confirmed=False):
    if issue.first_callback_at is None:
        issue.first_callback_at = cb.called_at
    issue.last_callback_at = max(issue.last_callback_at or cb.called_at, cb.called_at)
    issue.satisfaction = cb.satisfaction
    if resolved and cb.satisfaction in SATISFIED_ENOUGH and issue.status != Issue.Status.RESOLVED:
        issue.status = Issue.Status.RESOLVED
        issue.resolved_at = cb.called_at
        if not issue.resolution:
            issue.resolution = cb.result
    if cb.satisfaction in SATISFIED_ENOUGH and issue.status == Issue.Status.RESOLVED:
        issue.status = Issue.Status.CLOSED
        issue.closed_at = max(now, issue.raised_at)
        issue.closed_by = actor
        issue.close_reason = Issue.CloseReason.CONFIRMED if confirmed else Issue.CloseReason.CALLBACK
        issue.callback_due_at = None
        return
    if cb.satisfaction == Satisfaction.UNSATISFIED and issue.status == Issue.Status.RESOLVED:
        # an unsatisfied callback reopens the work
        issue.status = (
            Issue.Status.COORDINATING
            if issue.responsibility == Issue.Responsibility.OUTSIDE
            else Issue.Status.IN_PROGRESS
        )
        issue.resolved_at = None
        if issue.assignee_id:
            notify(
                [issue.assignee],
                kind="issue.reopened",
                key=f"issue:{issue.pk}:reopened:{cb.pk}",
                subject=_("Not satisfied, work reopened: %(headline)s"),
                body=cb.result,
                params={"headline": issue.headline},
                url=_url(issue),
                estate=issue.estate,
                now=now,
                actor=actor,
            )
    issue.callback_due_at = deadlines.next_callback_due(issue, max(cb.called_at, now))


def confirm_resolution(issue, *, user, satisfaction, comment="", now=None):
    """A committee member confirms (satisfied / basically satisfied) or disputes (unsatisfied) a
    resolution online; it is recorded as a callback by online confirmation."""
    now = now or timezone.now()
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied the committee is.")})
    if satisfaction == Satisfaction.UNSATISFIED and not (comment or "").strip():
        raise ValidationError({"comment": _("Say what is still not resolved.")})
    with transaction.atomic(durable=True):
        issue = _lock(issue)
        _refuse_if_closed(issue, _("a confirmation"))
        if issue.status != Issue.Status.RESOLVED:
            raise ValidationError(_("The company has not reported this issue as resolved yet."))
        before = _snapshot(issue)
        due = issue.callback_due_at
        cb = Callback.objects.create(
            issue=issue,
            estate=issue.estate,
            committee=issue.committee,
            called_at=now,
            method=Callback.Method.ONLINE,
            person_reached=user.display_name,
            result=(comment or "").strip() or str(_("Resolution confirmed online by the committee.")),
            satisfaction=satisfaction,
            due_at=due,
            on_time=due is None or now <= due,
            recorded_by=user,
            created=now,
        )
        _apply_callback(issue, cb, resolved=False, actor=user, now=now, confirmed=True)
        action = "confirmed" if satisfaction in SATISFIED_ENOUGH else "disputed"
        _save(issue, before, action, actor=user, now=now, extra={"satisfaction": satisfaction})
        notify(
            office(issue.estate) + ([issue.assignee] if issue.assignee_id else []),
            kind="issue.reply",
            key=f"issue:{issue.pk}:{action}:{cb.pk}",
            subject=_("%(who)s answered on the resolution of %(headline)s: %(satisfaction)s"),
            params={
                "who": user.display_name,
                "headline": issue.headline,
                "satisfaction": Satisfaction(satisfaction).label,
            },
            url=_url(issue),
            estate=issue.estate,
            now=now,
            actor=user,
        )
    return issue


def close_issue(issue, *, actor, decision="", now=None):
    """Close an issue. Allowed after a satisfied or basically satisfied callback on its resolution, or
    by the estate's director or someone with leader powers (permissions.can_decide_close) with a
    recorded decision."""
    now = now or timezone.now()
    decision = (decision or "").strip()
    with transaction.atomic(durable=True):
        issue = _lock(issue)
        if issue.status == Issue.Status.CLOSED:
            raise ValidationError(_("This issue is already closed."))
        before = _snapshot(issue)
        ok_callback = (
            issue.status == Issue.Status.RESOLVED
            and issue.callbacks.filter(satisfaction__in=SATISFIED_ENOUGH, called_at__gte=issue.resolved_at).exists()
        )
        if ok_callback:
            issue.close_reason = Issue.CloseReason.CALLBACK
        elif decision:
            if not permissions.can_decide_close(actor, issue):
                raise ValidationError(
                    _("Only an office director or the leader in charge can close an issue by decision.")
                )
            issue.close_reason = Issue.CloseReason.DECISION
            issue.close_decision = decision
        else:
            raise ValidationError(
                _(
                    "The issue cannot be closed yet: it needs a satisfied or basically satisfied callback after "
                    "it was resolved, or a manager's recorded decision."
                )
            )
        issue.status = Issue.Status.CLOSED
        issue.closed_at = max(now, issue.raised_at)
        issue.closed_by = actor
        issue.callback_due_at = None
        _save(issue, before, "closed", actor=actor, now=now, extra={"reason": issue.close_reason})
    return issue


__all__ = [
    "raise_issue",
    "classify",
    "assign",
    "bulk_assign",
    "add_reply",
    "add_outside_body",
    "attach_file",
    "attach_files",
    "mark_resolved",
    "record_callback",
    "confirm_resolution",
    "close_issue",
]
