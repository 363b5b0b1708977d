"""The meeting flow as do-functions: each checks its rule, changes rows in one transaction, bumps
`Meeting.version` (liaison.versions.bump_version), writes the audit row and the notifications (exactly
once, by key). Pages, the API and tests call these; none reads the clock.

Errors are raised as django ValidationError with a dict {field: message} so forms can show them.

Transactions: the outermost actions use `transaction.atomic(durable=True)`, so calling one inside
another transaction fails loudly. Those the demo data calls inside its own transaction
(`meetings.demo.seed`) keep a plain atomic: create_meeting, send_meeting, submit_for_approval,
sign_in_invitee, save_minutes, add_resolution, finalise_minutes.
"""

import datetime
import logging

from celery import signature
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from liaison import access, ratelimit
from liaison.models import audit
from liaison.notify import acted_on, notify
from liaison.people import leaders
from liaison.uploads import sniff, validate_image, validate_upload
from liaison.versions import StaleEdit, bump_version

from . import carry, resolution_scan, rules, votes
from . import series as series_rule
from .models import (
    AgendaItem,
    Attendance,
    CarryItem,
    Contact,
    ContactAttachment,
    ContactKind,
    Dispatch,
    Invitation,
    Material,
    Meeting,
    MeetingChange,
    MeetingSeries,
    Minutes,
    Photo,
    Resolution,
    VoteRule,
)

S = Meeting.Status

log = logging.getLogger(__name__)

# --- who ---------------------------------------------------------------------------------------------


def visible_meetings(user):
    """Meetings `user` may see (liaison.access.meetings: a committee sees a meeting once sent)."""
    return Meeting.objects.visible_to(user)


def _require_manager(actor, estate):
    if not access.manages_estate(actor, estate):
        raise PermissionDenied


def _url(meeting):
    return reverse("meetings:detail", args=[meeting.pk])


def _params(meeting):
    return {
        "title": meeting.title,
        "estate": meeting.estate.name,
        "committee": meeting.committee.name,
        "when": meeting.starts_at,  # notify() prints it in each reader's language: 12月1日 22:07 / 1 Dec 22:07
        "place": meeting.place,
    }


def invitee_users(meeting):
    return [i.user for i in meeting.invitations.select_related("user") if i.user_id and i.user.is_active]


# --- scheduling --------------------------------------------------------------------------------------


def _check_schedule(*, estate, committee, kind, starts_at, ends_at, now, override_reason, check_notice=True):
    errors = {}
    if committee is not None and committee.estate_id != estate.pk:
        errors["committee"] = _("This committee belongs to another estate.")
    if kind is not None and committee is not None and not kind.allowed_for(committee.kind):
        errors["kind"] = _("A %(kind)s is not held with a %(committee_kind)s.") % {
            "kind": kind.label,
            "committee_kind": committee.get_kind_display(),
        }
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif starts_at and ends_at and ends_at - starts_at > rules.MAX_LENGTH:
        errors["ends_at"] = _("A meeting lasts at most 24 hours; enter a meeting for each day.")
    required = 0
    if kind is not None and committee is not None and starts_at and check_notice:
        required = rules.notice_days_required(kind, committee.kind)
        problem = rules.notice_problem(kind=kind, committee_kind=committee.kind, starts_at=starts_at, now=now)
        if problem and not (override_reason or "").strip():
            errors["starts_at"] = ValidationError(problem, code="notice")
    elif kind is not None and committee is not None:
        required = rules.notice_days_required(kind, committee.kind)
    if errors:
        raise ValidationError(errors)
    return required


def record_past_meeting(*, estate, committee, kind, title, starts_at, ends_at, place, actor, now, notes=""):
    """A meeting entered after it took place (a 19:00 meeting typed in at 22:13). Nobody is invited or
    told and the notice and approval rules are not applied, which the record says: entered afterwards,
    by whom, when. The sign-in sheet lists the committee's members to tick; with its first line the
    meeting is held and counts for the cadence by its real date."""
    _require_manager(actor, estate)
    required = _check_schedule(
        estate=estate,
        committee=committee,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
        override_reason="",
        check_notice=False,
    )
    if ends_at and ends_at > now:
        raise ValidationError(
            {"ends_at": _("This meeting has not ended yet: schedule it and send the notice instead.")}
        )
    with transaction.atomic(durable=True):
        meeting = Meeting.objects.create(
            estate=estate,
            committee=committee,
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            notes=notes,
            organizer=actor,
            notice_days_required=required,
            status=S.CONFIRMED,  # took place as planned; held once its sign-in is recorded
            entered_afterwards_at=now,
            entered_afterwards_by=actor,
            created_at=now,
            updated_at=now,
        )
        invite_committee_members(meeting)  # the rows of the sign-in sheet; nobody is told
        audit(
            meeting,
            "entered_afterwards",
            actor=actor,
            now=now,
            changes={"status": meeting.status, "starts_at": starts_at},
        )
    return meeting


def _apply_override(meeting, *, kind, committee, starts_at, now, override_reason, actor):
    """Record a written override only where the rule is actually broken."""
    problem = rules.notice_problem(kind=kind, committee_kind=committee.kind, starts_at=starts_at, now=now)
    if problem and (override_reason or "").strip():
        meeting.notice_override = True
        meeting.notice_override_reason = override_reason.strip()
        meeting.notice_override_by = actor
        meeting.notice_override_at = now
        return True
    return False


def create_meeting(
    *,
    estate,
    committee,
    kind,
    title,
    starts_at,
    ends_at,
    place,
    actor,
    now,
    notes="",
    override_reason="",
    organizer=None,
    invite_committee=True,
):
    _require_manager(actor, estate)
    return _create(
        estate=estate,
        committee=committee,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        actor=actor,
        now=now,
        notes=notes,
        override_reason=override_reason,
        organizer=organizer,
        invite_committee=invite_committee,
    )


def _create(
    *,
    estate,
    committee,
    kind,
    title,
    starts_at,
    ends_at,
    place,
    actor,
    now,
    notes="",
    override_reason="",
    organizer=None,
    invite_committee=True,
    job="",
    series=None,
    occurrence=None,
):
    """create_meeting once its caller may: a director, or a series' daily job (actor None, `job` says so)."""
    required = _check_schedule(
        estate=estate,
        committee=committee,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
        override_reason=override_reason,
    )
    with transaction.atomic():
        meeting = Meeting(
            estate=estate,
            committee=committee,
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            notes=notes,
            organizer=organizer or actor,
            notice_days_required=required,
            created_at=now,
            updated_at=now,
            series=series,
            occurrence=occurrence,
        )
        _apply_override(
            meeting,
            kind=kind,
            committee=committee,
            starts_at=starts_at,
            now=now,
            override_reason=override_reason,
            actor=actor,
        )
        meeting.save()
        carry.add_agenda_item(meeting, now)  # "上次会议决议及问题落实情况", when the committee has open items
        if invite_committee:
            invite_committee_members(meeting)
        org = meeting.organizer
        if org is not None and not meeting.invitations.filter(user=org).exists():
            Invitation.objects.create(
                meeting=meeting,
                user=org,
                name=org.display_name,
                unit=_staff_unit(org),
                phone=org.phone,
                email=org.email,
                response=Invitation.Response.ACCEPTED,
                responded_at=now,
            )
        audit(
            meeting,
            "created",
            actor=actor,
            job=job,
            now=now,
            changes={
                "status": meeting.status,
                "starts_at": starts_at,
                "notice_override": meeting.notice_override_reason or None,
            },
        )
    return meeting


def invite_committee_members(meeting):
    """Invite every active member of the committee not invited yet (on creation and again when sending,
    so that a member who joined meanwhile is not forgotten)."""
    committee = meeting.committee
    invited = set(meeting.invitations.exclude(member=None).values_list("member_id", flat=True))
    invited_users = set(meeting.invitations.exclude(user=None).values_list("user_id", flat=True))
    for member in committee.active_members().select_related("user"):
        if member.pk in invited or (member.user_id and member.user_id in invited_users):
            continue
        Invitation.objects.create(
            meeting=meeting,
            member=member,
            user=member.user if member.user_id and member.user.is_active else None,
            name=member.name,
            unit=f"{committee.name} {member.get_role_display()}",
            phone=member.phone or (member.user.phone if member.user_id else ""),
            email=member.email or (member.user.email if member.user_id else ""),
        )


def require_agenda_open(meeting, *, materials=False):
    """The agenda, the materials and the invitees change freely until the meeting is held, except while
    the leader reads it for approval (§4.1.4.1: no change behind their back) or once it is cancelled.
    Materials may still be added or removed while it awaits approval: the leader is told (the approval
    page lists them), see _tell_approver."""
    if meeting.status == S.CANCELLED or (meeting.status == S.AWAITING_APPROVAL and not materials):
        raise ValidationError(
            {"__all__": _("The agenda cannot change while the meeting awaits approval or is cancelled.")}
        )


def _tell_approver(meeting, *, actor, now, what):
    """§4.1.4.1: the leader approves what they read. A change to the time, agenda or materials of a
    meeting awaiting approval is told to the leaders; of an approved one not yet sent, it goes back to
    them for approval, saying what changed; once sent, they are told of it."""
    if not meeting.kind.requires_approval:
        return
    if meeting.status == S.AWAITING_APPROVAL:
        subject = _("Changed while awaiting your approval: %(title)s")
    elif meeting.approved_at and not meeting.sent_at:
        Meeting.objects.filter(pk=meeting.pk).update(
            status=S.AWAITING_APPROVAL, approved_at=None, approver=None, approval_requested_at=now
        )
        meeting.status, meeting.approved_at, meeting.approver_id = S.AWAITING_APPROVAL, None, None
        audit(meeting, "approval_reset", actor=actor, now=now, changes={"status": ["approved", S.AWAITING_APPROVAL]})
        subject = _("Changed after your approval, to approve again: %(title)s")
    elif meeting.approved_at:
        subject = _("Changed after your approval: %(title)s")
    else:
        return
    notify(
        leaders(),
        kind="meeting.changed_for_approver",
        key=f"meeting:{meeting.pk}:changed:{now.isoformat()}",
        subject=subject,
        body=_("%(actor)s: %(what)s"),
        params={**_params(meeting), "actor": actor.display_name, "what": what},
        url=_url(meeting),
        estate=meeting.estate,
        now=now,
        actor=actor,
    )


def _bump(meeting):
    """A change to what belongs to the meeting is a change to the meeting: a page loaded before it is told."""
    meeting.version = bump_version(Meeting, meeting.pk)


AGENDA_FIELDS = (
    "order",
    "title",
    "presenter",
    "cause",
    "process",
    "necessity",
    "owners_attitude",
    "support_requested",
)


def add_agenda_item(meeting, *, actor, now, **fields):
    """Add an agenda item; a request to the committee states cause, process, necessity, owners' attitude
    and the support asked (§4.1.4.3). `fields` are AgendaItem fields; without an order it goes last."""
    _require_manager(actor, meeting.estate)
    require_agenda_open(meeting)
    with transaction.atomic(durable=True):
        _bump(meeting)
        item = AgendaItem(meeting=meeting, **fields)
        if not fields.get("order"):
            item.order = meeting.agenda_items.count() + 1
        item.save()
        audit(
            item,
            "agenda_item_added",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"meeting": meeting.pk, "title": item.title},
        )
        _tell_approver(meeting, actor=actor, now=now, what=_("agenda item added: %(item)s") % {"item": item.title})
    return item


def update_agenda_item(item, *, actor, now, **fields):
    """Change an agenda item (`fields`: any of AGENDA_FIELDS)."""
    meeting = item.meeting
    _require_manager(actor, meeting.estate)
    require_agenda_open(meeting)
    unknown = set(fields) - set(AGENDA_FIELDS)
    if unknown:
        raise TypeError(f"not agenda item fields: {sorted(unknown)}")
    with transaction.atomic(durable=True):
        _bump(meeting)
        current = AgendaItem.objects.select_for_update().get(pk=item.pk)
        changed = [k for k, v in fields.items() if getattr(current, k) != v]
        for k, v in fields.items():
            setattr(item, k, v)
        item.save(update_fields=list(fields))
        audit(item, "agenda_item_edited", actor=actor, estate=meeting.estate, now=now, changes={"fields": changed})
        if changed:
            _tell_approver(
                meeting, actor=actor, now=now, what=_("agenda item changed: %(item)s") % {"item": item.title}
            )
    return item


def delete_agenda_item(item, *, actor, now):
    meeting = item.meeting
    _require_manager(actor, meeting.estate)
    require_agenda_open(meeting)
    if meeting.sent_at:
        raise ValidationError({"__all__": _("The agenda has been sent; edit the item instead of deleting it.")})
    with transaction.atomic(durable=True):
        _bump(meeting)
        audit(item, "agenda_item_deleted", actor=actor, estate=meeting.estate, now=now, changes={"title": item.title})
        item.delete()
        _tell_approver(meeting, actor=actor, now=now, what=_("agenda item removed: %(item)s") % {"item": item.title})


# --- materials and photos ----------------------------------------------------------------------------


def _content_type(f):
    """Judged by content, not by name (liaison.uploads)."""
    f.seek(0)
    kind = sniff(f.read(2048), f)
    f.seek(0)
    return kind


def _delete_file_after_commit(fieldfile):
    """The stored file goes once the row is gone for good (a rolled-back delete keeps both)."""
    storage, name = fieldfile.storage, fieldfile.name
    transaction.on_commit(lambda: storage.delete(name))


def upload_material(meeting, *, actor, now, file):
    """Attach a document to the meeting (sent with the invitation to the secretariat)."""
    _require_manager(actor, meeting.estate)
    require_agenda_open(meeting, materials=True)
    validate_upload(file)
    kind = _content_type(file) or "application/octet-stream"
    with transaction.atomic(durable=True):
        _bump(meeting)
        mat = Material.objects.create(
            meeting=meeting,
            file=file,
            original_name=file.name[:200],
            content_type=kind,
            size=file.size,
            uploaded_by=actor,
        )
        audit(
            mat,
            "material_uploaded",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"meeting": meeting.pk, "name": mat.original_name},
        )
        _tell_approver(meeting, actor=actor, now=now, what=_("material added: %(name)s") % {"name": mat.original_name})
    return mat


def delete_material(material, *, actor, now):
    meeting = material.meeting
    _require_manager(actor, meeting.estate)
    require_agenda_open(meeting, materials=True)
    with transaction.atomic(durable=True):
        _bump(meeting)
        audit(
            material,
            "material_deleted",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"name": material.original_name},
        )
        _delete_file_after_commit(material.file)
        material.delete()
        _tell_approver(
            meeting, actor=actor, now=now, what=_("material removed: %(name)s") % {"name": material.original_name}
        )


def upload_photo(meeting, *, actor, now, image, caption=""):
    """A photo taken at the meeting (§4.1.2: camera at every meeting)."""
    _require_manager(actor, meeting.estate)
    validate_image(image)
    kind = _content_type(image)
    with transaction.atomic(durable=True):
        _bump(meeting)
        photo = Photo.objects.create(
            meeting=meeting,
            image=image,
            original_name=image.name[:200],
            content_type=kind,
            caption=(caption or "").strip(),
            uploaded_by=actor,
        )
        audit(photo, "photo_uploaded", actor=actor, estate=meeting.estate, now=now, changes={"meeting": meeting.pk})
    return photo


# --- invitations -------------------------------------------------------------------------------------


def invite(meeting, *, actor, now, user=None, name="", unit="", phone="", email=""):
    """Invite a company staff member (`user`) or another person (by name). Once the meeting has been sent,
    a portal user invited later gets the invitation notice at once."""
    _require_manager(actor, meeting.estate)
    if user is not None and meeting.invitations.filter(user=user).exists():
        raise ValidationError(
            {
                "user": ValidationError(
                    _("%(name)s is already invited.") % {"name": user.display_name}, code="already_invited"
                )
            }
        )
    if user is None and not (name or "").strip():
        raise ValidationError({"name": ValidationError(_("Choose a staff member or enter a name."), code="required")})
    with transaction.atomic(durable=True):
        _bump(meeting)
        inv = Invitation.objects.create(
            meeting=meeting,
            user=user,
            name=user.display_name if user else name.strip(),
            unit=unit or (_staff_unit(user) if user else ""),
            phone=phone or (user.phone if user else ""),
            email=email or (user.email if user else ""),
        )
        audit(
            inv,
            "invited",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"meeting": meeting.pk, "name": inv.name},
        )
        if meeting.sent_at and user:
            notify(
                [user],
                kind="meeting.invitation",
                key=f"meeting:{meeting.pk}:invitation",
                subject=_("Meeting invitation: %(title)s, %(when)s at %(place)s"),
                params=_params(meeting),
                url=_url(meeting),
                estate=meeting.estate,
                now=now,
                actor=actor,
            )
    return inv


def remove_invitation(invitation, *, actor, now):
    """Take someone off the invitation list; not once they have signed in (the sign-in sheet keeps them)."""
    meeting = invitation.meeting
    _require_manager(actor, meeting.estate)
    if invitation.attendances.exists():
        raise ValidationError({"__all__": _("This person has signed in; remove the sign-in first.")})
    with transaction.atomic(durable=True):
        _bump(meeting)
        audit(invitation, "uninvited", actor=actor, estate=meeting.estate, now=now, changes={"name": invitation.name})
        invitation.delete()


def _staff_unit(user):
    dept = user.department.name if user.department_id else ""
    return " ".join(x for x in [dept, str(user.get_role_display())] if x)


def require_editable(meeting):
    """The meeting's time, place, title and notes may change until it is held or cancelled, except while
    the leader reads it for approval."""
    if meeting.status in (S.CANCELLED, S.HELD):
        raise ValidationError({"__all__": _("A held or cancelled meeting can no longer be changed.")})
    if meeting.status == S.AWAITING_APPROVAL:
        # the leader approves what they read (§4.1.4.1): no change behind their back
        raise ValidationError(
            {
                "__all__": _(
                    "The meeting is awaiting the leader's approval: ask for it to be returned before changing it."
                )
            }
        )


def update_meeting(meeting, *, actor, now, reason="", override_reason="", version=None, **fields):
    """Edit a meeting. Once it has been sent, moving its time or place is a reschedule: the reason is
    kept, SEQUENCE goes up (the calendar entry moves), the invitees are told.

    `version` is the meeting's version the editor saw: if it was changed since, StaleEdit."""
    _require_manager(actor, meeting.estate)
    require_editable(meeting)
    if version is not None and meeting.version != version:
        # told first: the rules below may ask for what the editor's older page did not show (a reason)
        raise StaleEdit(meeting.version)
    new = {
        k: fields.get(k, getattr(meeting, k))
        for k in ("committee", "kind", "title", "starts_at", "ends_at", "place", "notes")
    }
    if meeting.sent_at and (new["committee"] != meeting.committee or new["kind"] != meeting.kind):
        raise ValidationError(
            {"kind": _("The committee and kind of a meeting already sent cannot change; cancel it instead.")}
        )
    moved = new["starts_at"] != meeting.starts_at or new["ends_at"] != meeting.ends_at or new["place"] != meeting.place
    time_moved = new["starts_at"] != meeting.starts_at
    if moved and meeting.sent_at and not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for rescheduling: the invitees will see it.")})
    required = _check_schedule(
        estate=meeting.estate,
        committee=new["committee"],
        kind=new["kind"],
        starts_at=new["starts_at"],
        ends_at=new["ends_at"],
        now=now,
        override_reason=override_reason or (meeting.notice_override_reason if not time_moved else ""),
        check_notice=time_moved or new["kind"] != meeting.kind or new["committee"] != meeting.committee,
    )
    with transaction.atomic(durable=True):
        meeting.version = bump_version(Meeting, meeting.pk, version)
        old = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place}
        for k, v in new.items():
            setattr(meeting, k, v.strip() if isinstance(v, str) else v)
        meeting.notice_days_required = required
        if time_moved:
            if not _apply_override(
                meeting,
                kind=meeting.kind,
                committee=meeting.committee,
                starts_at=meeting.starts_at,
                now=now,
                override_reason=override_reason,
                actor=actor,
            ):
                # the new time keeps the rule; an old override no longer applies
                meeting.notice_override = False
        meeting.updated_at = now
        if time_moved and meeting.sent_at:
            # the committee is told of the new time now: the notice is judged from this moment
            meeting.notice_kept = _notice_kept(meeting, told_at=now)
        if moved and meeting.sent_at:
            meeting.sequence = F("sequence") + 1
        meeting.save()
        meeting.refresh_from_db()
        if moved and (reason or "").strip():
            MeetingChange.objects.create(
                meeting=meeting,
                kind=MeetingChange.Kind.RESCHEDULED,
                old_starts_at=old["starts_at"],
                old_ends_at=old["ends_at"],
                new_starts_at=meeting.starts_at,
                new_ends_at=meeting.ends_at,
                old_place=old["place"],
                new_place=meeting.place,
                reason=reason.strip(),
                changed_by=actor,
                changed_at=now,
            )
        audit(
            meeting,
            "rescheduled" if moved and meeting.sent_at else "edited",
            actor=actor,
            now=now,
            changes={"old": old, "starts_at": meeting.starts_at, "place": meeting.place, "reason": reason or None},
        )
        if time_moved:
            _tell_approver(
                meeting,
                actor=actor,
                now=now,
                what=_("new time: %(when)s")
                % {"when": formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")},
            )
        if time_moved and meeting.sent_at:
            # an answer was for the old time: everyone is asked again (the organiser comes anyway)
            meeting.invitations.exclude(user=meeting.organizer_id).exclude(response=Invitation.Response.PENDING).update(
                response=Invitation.Response.PENDING, responded_at=None, response_note=""
            )
        if moved and meeting.sent_at:
            recipients = invitee_users(meeting)
            _dispatch(meeting, Dispatch.Kind.UPDATE, actor=actor, now=now, extra={"reason": reason.strip()})
            notify(
                recipients,
                kind="meeting.rescheduled",
                key=f"meeting:{meeting.pk}:seq{meeting.sequence}:moved",
                subject=_("Meeting moved: %(title)s, now %(when)s at %(place)s"),
                body=_("Reason: %(reason)s"),
                params={**_params(meeting), "reason": reason.strip()},
                url=_url(meeting),
                estate=meeting.estate,
                now=now,
                actor=actor,
            )
    return meeting


def cancel_meeting(meeting, *, actor, reason, now):
    _require_manager(actor, meeting.estate)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    with transaction.atomic(durable=True):
        return _cancel(meeting, actor=actor, reason=reason, now=now)


def _cancel(meeting, *, actor, reason, now):
    if meeting.status in (S.CANCELLED, S.HELD):
        raise ValidationError({"__all__": _("A held or cancelled meeting cannot be cancelled.")})
    changed = Meeting.objects.filter(pk=meeting.pk, status=meeting.status).update(
        status=S.CANCELLED,
        cancelled_at=now,
        cancel_reason=reason.strip(),
        sequence=F("sequence") + 1,
        updated_at=now,
        version=F("version") + 1,
    )
    if changed != 1:
        raise ValidationError({"__all__": _("The meeting was changed meanwhile; reload the page.")})
    old_status = meeting.status
    meeting.refresh_from_db()
    MeetingChange.objects.create(
        meeting=meeting,
        kind=MeetingChange.Kind.CANCELLED,
        old_starts_at=meeting.starts_at,
        old_ends_at=meeting.ends_at,
        old_place=meeting.place,
        reason=reason.strip(),
        changed_by=actor,
        changed_at=now,
    )
    audit(meeting, "cancelled", actor=actor, now=now, changes={"status": [old_status, S.CANCELLED], "reason": reason})
    if meeting.sent_at:
        _dispatch(meeting, Dispatch.Kind.CANCELLATION, actor=actor, now=now, extra={"reason": reason.strip()})
        notify(
            invitee_users(meeting),
            kind="meeting.cancelled",
            key=f"meeting:{meeting.pk}:cancelled",
            subject=_("Meeting cancelled: %(title)s (%(when)s)"),
            body=_("Reason: %(reason)s"),
            params={**_params(meeting), "reason": reason.strip()},
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
    elif old_status == S.AWAITING_APPROVAL:
        notify(
            leaders(),
            kind="meeting.approval_withdrawn",
            key=f"meeting:{meeting.pk}:approval-withdrawn",
            subject=_("Request withdrawn: %(title)s was cancelled before approval"),
            params=_params(meeting),
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
    return meeting


# --- approval (§4.1.4.1) -------------------------------------------------------------------------------


def submit_for_approval(meeting, *, actor, now):
    _require_manager(actor, meeting.estate)
    if not meeting.kind.requires_approval:
        raise ValidationError({"__all__": _("This kind of meeting does not need the leader's approval.")})
    if meeting.status not in (S.DRAFT, S.REJECTED):
        raise ValidationError({"__all__": _("Only a draft or a returned meeting can be submitted for approval.")})
    if not meeting.agenda_items.exists():
        raise ValidationError({"__all__": _("Add at least one agenda item before asking for approval.")})
    with transaction.atomic():
        old = meeting.status
        if (
            Meeting.objects.filter(pk=meeting.pk, status=old).update(
                status=S.AWAITING_APPROVAL, approval_requested_at=now, updated_at=now, version=F("version") + 1
            )
            != 1
        ):
            raise ValidationError({"__all__": _("The meeting was changed meanwhile; reload the page.")})
        meeting.refresh_from_db()
        audit(meeting, "approval_requested", actor=actor, now=now, changes={"status": [old, meeting.status]})
        notify(
            leaders(),
            kind="meeting.approval_requested",
            key=f"meeting:{meeting.pk}:approval:{now.timestamp():.0f}",
            subject=_("Approval requested: special-topic meeting “%(title)s” at %(estate)s on %(when)s"),
            body=_(
                "%(actor)s asks for your approval and instruction (领导批示) before the meeting is sent to %(committee)s."
            ),
            params={**_params(meeting), "actor": actor.display_name},
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
    return meeting


def withdraw_submission(meeting, *, actor, now):
    """The director takes a meeting back from the leader's approval (to change it, or not to hold it):
    it is a draft again, and the leaders are told it no longer waits for them."""
    _require_manager(actor, meeting.estate)
    with transaction.atomic(durable=True):
        if (
            Meeting.objects.filter(pk=meeting.pk, status=S.AWAITING_APPROVAL).update(
                status=S.DRAFT, approval_requested_at=None, updated_at=now, version=F("version") + 1
            )
            != 1
        ):
            raise ValidationError({"__all__": _("This meeting is not awaiting approval (anymore).")})
        meeting.refresh_from_db()
        audit(meeting, "withdrawn", actor=actor, now=now, changes={"status": [S.AWAITING_APPROVAL, S.DRAFT]})
        notify(
            leaders(),
            kind="meeting.withdrawn",
            key=f"meeting:{meeting.pk}:withdrawn:{now.isoformat()}",
            subject=_("Withdrawn from approval: %(title)s"),
            body=_("%(actor)s took the meeting back to change it; it no longer awaits your approval."),
            params={**_params(meeting), "actor": actor.display_name},
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
    return meeting


def approval_sends():
    """Whether the leader's approval sends the meeting at once (MEETINGS_APPROVAL_SENDS). By default it
    does not: the instruction may need acting on first, and the director sends when ready."""
    return getattr(settings, "MEETINGS_APPROVAL_SENDS", False)


def approve_meeting(meeting, *, actor, instruction, now, override_reason=""):
    """The leader approves with an instruction. The director then sends it (send_meeting, where the
    notice rule is judged); with MEETINGS_APPROVAL_SENDS the approval sends it at once, and when the
    notice rule can no longer be kept (§4.1.4.2: a week ahead) the leader must give a written reason,
    recorded as the meeting's notice override (it counts against the month's assessment)."""
    sends = approval_sends()
    if not access.has_leader_powers(actor):
        raise PermissionDenied
    if not (instruction or "").strip():
        raise ValidationError({"instruction": _("Write your instruction (领导批示).")})
    _require_not_begun(meeting, now)
    override = {}
    problem = sends and rules.notice_problem(
        kind=meeting.kind, committee_kind=meeting.committee.kind, starts_at=meeting.starts_at, now=now
    )
    if problem and not meeting.notice_override:
        if not (override_reason or "").strip():
            raise ValidationError({"override_reason": problem})
        override = {
            "notice_override": True,
            "notice_override_reason": override_reason.strip(),
            "notice_override_by": actor,
            "notice_override_at": now,
        }
    with transaction.atomic(durable=True):
        if (
            Meeting.objects.filter(pk=meeting.pk, status=S.AWAITING_APPROVAL).update(
                approved_at=now,
                approver=actor,
                approval_instruction=instruction.strip(),
                updated_at=now,
                status=S.DRAFT,
                version=F("version") + 1,
                **override,
            )
            != 1
        ):
            raise ValidationError({"__all__": _("This meeting is not awaiting approval (anymore).")})
        meeting.refresh_from_db()
        audit(
            meeting,
            "approved",
            actor=actor,
            now=now,
            changes={
                "status": [S.AWAITING_APPROVAL, "approved"],
                "instruction": instruction.strip(),
                **({"notice_override_reason": override["notice_override_reason"]} if override else {}),
            },
        )
        acted_on(actor, meeting, now=now)  # the "approval requested" message is read
        notify(
            [meeting.organizer],
            kind="meeting.approved",
            key=f"meeting:{meeting.pk}:approved:{now.isoformat()}",
            subject=_("Approved: %(title)s — the notice has been sent to %(committee)s")
            if sends
            else _("Approved: %(title)s — send it to %(committee)s when ready"),
            body=_("Instruction from %(leader)s: %(instruction)s"),
            params={**_params(meeting), "leader": actor.display_name, "instruction": instruction.strip()},
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
        if sends:
            _send(meeting, actor=actor, now=now)
    return meeting


def reject_meeting(meeting, *, actor, comment, now):
    if not access.has_leader_powers(actor):
        raise PermissionDenied
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change: the director will see your comment.")})
    with transaction.atomic(durable=True):
        if (
            Meeting.objects.filter(pk=meeting.pk, status=S.AWAITING_APPROVAL).update(
                status=S.REJECTED,
                rejected_at=now,
                rejected_by=actor,
                rejection_comment=comment.strip(),
                updated_at=now,
                version=F("version") + 1,
            )
            != 1
        ):
            raise ValidationError({"__all__": _("This meeting is not awaiting approval (anymore).")})
        meeting.refresh_from_db()
        audit(
            meeting,
            "rejected",
            actor=actor,
            now=now,
            changes={"status": [S.AWAITING_APPROVAL, S.REJECTED], "comment": comment},
        )
        acted_on(actor, meeting, now=now)
        notify(
            [meeting.organizer],
            kind="meeting.rejected",
            key=f"meeting:{meeting.pk}:rejected:{now.timestamp():.0f}",
            subject=_("Returned by %(leader)s: %(title)s"),
            body=_("Comment: %(comment)s"),
            params={**_params(meeting), "leader": actor.display_name, "comment": comment.strip()},
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
    return meeting


# --- sending -----------------------------------------------------------------------------------------


def _dispatch(meeting, kind, *, actor, now, extra=None):
    invites = list(meeting.invitations.all())
    recipients = [
        {"name": i.name, "unit": i.unit, "email": i.email, "user_id": i.user_id, "portal": bool(i.user_id)}
        for i in invites
    ]
    content = {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "place": meeting.place,
        "agenda": [a.title for a in meeting.agenda_items.all()],
        "materials": [m.original_name for m in meeting.materials.all()],
        "sequence": meeting.sequence,
        **(extra or {}),
    }
    secretariat = meeting.committee.secretariat_email or ""
    # email goes to the secretariat and to invitees without a portal account (those with one get the
    # portal notice, which is emailed by the outbox); nothing to email -> marked done at once
    outside = secretariat or any(r["email"] and not r["portal"] for r in recipients)
    d = Dispatch.objects.create(
        meeting=meeting,
        kind=kind,
        sent_at=now,
        sent_by=actor if actor is not None and actor.is_authenticated else None,
        recipients=recipients,
        secretariat_email=secretariat,
        secretariat_emailed_at=None if outside else now,
        content=content,
    )
    if outside:
        transaction.on_commit(lambda: _enqueue(EMAIL_SECRETARIAT, d.pk))
    return d


# by name, as liaison.notify does: the tasks module runs the jobs, which call these actions
EMAIL_SECRETARIAT = "meetings.tasks.email_secretariat"


def _enqueue(task_name, *args):
    try:
        signature(task_name, args=args).apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the periodic job retries unsent secretariat mail
        log.warning("broker unavailable; secretariat email deferred to the periodic job")


def send_meeting(meeting, *, actor, now, override_reason=""):
    """Confirm the meeting and send agenda and materials to the secretariat and the invitees."""
    _require_manager(actor, meeting.estate)
    if meeting.kind.requires_approval and not meeting.approved_at:
        raise ValidationError({"__all__": _("A special-topic meeting is sent only after the leader has approved it.")})
    _require_sendable(meeting, now)
    problem = rules.notice_problem(
        kind=meeting.kind, committee_kind=meeting.committee.kind, starts_at=meeting.starts_at, now=now
    )
    if problem and not meeting.notice_override and not (override_reason or "").strip():
        raise ValidationError({"override_reason": problem})
    with transaction.atomic():
        if problem and not meeting.notice_override:
            meeting.notice_override = True
            meeting.notice_override_reason = override_reason.strip()
            meeting.notice_override_by = actor
            meeting.notice_override_at = now
            meeting.save(
                update_fields=["notice_override", "notice_override_reason", "notice_override_by", "notice_override_at"]
            )
        _send(meeting, actor=actor, now=now)
    return meeting


def _notice_kept(meeting, *, told_at):
    """Whether the committee told at `told_at` has the notice the rule asks for (rules.notice_shortfall)."""
    return (
        rules.notice_shortfall(
            kind=meeting.kind, committee_kind=meeting.committee.kind, starts_at=meeting.starts_at, told_at=told_at
        )
        is None
    )


def _require_sendable(meeting, now):
    if meeting.status not in (S.DRAFT,) or meeting.sent_at:
        raise ValidationError({"__all__": _("This meeting has already been sent or cannot be sent now.")})
    _require_not_begun(meeting, now)


def _require_not_begun(meeting, now):
    if meeting.starts_at <= now:
        # members would be asked to confirm a meeting that has already begun
        raise ValidationError(
            {
                "__all__": _(
                    "This meeting began at %(when)s: it can no longer be sent. Move it to a new time, or record "
                    "its sign-in and minutes if it took place."
                )
                % {"when": formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")}
            }
        )


def _send(meeting, *, actor, now):
    """The sending itself, inside the caller's transaction (send_meeting, approve_meeting)."""
    if (
        Meeting.objects.filter(pk=meeting.pk, status=S.DRAFT, sent_at__isnull=True).update(
            status=S.CONFIRMED,
            sent_at=now,
            notice_kept=_notice_kept(meeting, told_at=now),
            updated_at=now,
            version=F("version") + 1,
        )
        != 1
    ):
        raise ValidationError({"__all__": _("This meeting has already been sent or cannot be sent now.")})
    meeting.refresh_from_db()
    carried = carry.freeze(meeting, now)
    audit(
        meeting,
        "sent",
        actor=actor,
        now=now,
        changes={"status": [S.DRAFT, S.CONFIRMED], **({"carried_forward": carried} if carried else {})},
    )
    invite_committee_members(meeting)
    _dispatch(meeting, Dispatch.Kind.INVITATION, actor=actor, now=now)
    notify(
        invitee_users(meeting),
        kind="meeting.invitation",
        key=f"meeting:{meeting.pk}:invitation",
        subject=_("Meeting invitation: %(title)s, %(when)s at %(place)s"),
        body=_(
            "%(estate)s · %(committee)s. The agenda and materials are on the meeting page; please accept or decline."
        ),
        params=_params(meeting),
        url=_url(meeting),
        estate=meeting.estate,
        now=now,
        actor=actor,
    )


def respond(invitation, *, user, response, now, note=""):
    if invitation.user_id != user.pk:
        raise PermissionDenied
    if response not in (Invitation.Response.ACCEPTED, Invitation.Response.DECLINED):
        raise ValidationError({"response": _("Choose accept or decline.")})
    meeting = invitation.meeting
    if meeting.status != S.CONFIRMED or meeting.entered_afterwards_at or meeting.ends_at <= now:
        raise ValidationError({"__all__": _("This meeting is not open for answers.")})
    with transaction.atomic(durable=True):
        old = invitation.response
        invitation.response = response
        invitation.responded_at = now
        invitation.response_note = (note or "").strip()[:200]
        invitation.save(update_fields=["response", "responded_at", "response_note"])
        audit(
            invitation, "responded", actor=user, estate=meeting.estate, now=now, changes={"response": [old, response]}
        )
        acted_on(user, meeting, now=now)  # answered: the invitation message is read
    return invitation


# --- attendance (AM-02-R02) ---------------------------------------------------------------------------


def _mark_held(meeting, *, actor, now):
    """The first attendance line makes the meeting held (counts for the cadence) and starts the minutes clock."""
    due = rules.minutes_due_at(meeting.starts_at)
    if (
        Meeting.objects.filter(pk=meeting.pk, attendance_recorded_at__isnull=True).update(
            attendance_recorded_at=now, status=S.HELD, minutes_due_at=due, updated_at=now, version=F("version") + 1
        )
        == 1
    ):
        audit(
            meeting,
            "held",
            actor=actor,
            job="" if actor else "sign-in",
            now=now,
            changes={"status": [meeting.status, S.HELD], "minutes_due_at": due},
        )
    meeting.refresh_from_db()
    _record_quorum(meeting, actor=actor, now=now)


def _record_quorum(meeting, *, actor, now):
    """Store whether the meeting is below its quorum as the sign-in sheet now stands (the cadence does
    not count a meeting below quorum); an audit row when it changes."""
    q = votes.quorum(meeting, now)
    below = None if q.required == 0 else not q.met
    if below != meeting.below_quorum:
        Meeting.objects.filter(pk=meeting.pk).update(below_quorum=below)
        audit(
            meeting,
            "quorum",
            actor=actor,
            job="" if actor else "sign-in",
            now=now,
            changes={"below_quorum": [meeting.below_quorum, below], "present": q.present, "members": q.members},
        )
        meeting.below_quorum = below


def set_vote_rule(committee, *, actor, now, kind, quorum, majority, allows_consensus, clause=""):
    """A committee's own quorum and majority for a kind (a 业委会's rules of procedure), set by the estate's
    office director; it applies to meetings whose sign-in changes from now on."""
    if not access.directs_estate(actor, committee.estate):
        raise PermissionDenied
    if not kind.allowed_for(committee.kind):
        raise ValidationError({"kind": _("This kind of meeting is not held with this committee.")})
    with transaction.atomic():
        rule, created = VoteRule.objects.update_or_create(
            committee=committee,
            kind=kind,
            defaults={
                "quorum": quorum,
                "majority": majority,
                "allows_consensus": allows_consensus,
                "clause": (clause or "").strip(),
            },
        )
        audit(
            rule,
            "vote_rule_set",
            actor=actor,
            estate=committee.estate,
            now=now,
            changes={"kind": kind.code, "quorum": quorum, "majority": majority, "consensus": allows_consensus},
        )
    return rule


def _check_attendance_open(meeting, now):
    if meeting.status not in (S.CONFIRMED, S.HELD):
        raise ValidationError({"__all__": _("Attendance is taken for a confirmed meeting.")})
    if now < rules.checkin_window(meeting)[0]:
        raise ValidationError({"__all__": _("Sign-in opens an hour before the meeting starts.")})
    if hasattr(meeting, "minutes") and meeting.minutes.is_final:
        raise ValidationError({"__all__": _("The minutes are final; the sign-in sheet can no longer change.")})


def _signed_in_at(meeting, now, method, arrived=None):
    """A line written by staff (a tick, a walk-in) says the person was there from the start: ticked
    during or after the meeting, it is not stamped with the moment of typing, unless staff typed the
    time a latecomer arrived (`arrived`, rules.arrival_at). A QR sign-in is real time."""
    if method == Attendance.Method.QR:
        return now
    if arrived is not None:
        try:
            return rules.arrival_at(meeting, arrived, now)
        except ValueError as exc:
            raise ValidationError({"arrived": str(exc.args[0])})
    return min(now, meeting.starts_at)


def sign_in_invitee(meeting, invitation, *, actor, now, method=Attendance.Method.STAFF, arrived=None, client=None):
    if actor is not None:
        _require_manager(actor, meeting.estate)
    if invitation.meeting_id != meeting.pk:
        raise ValidationError({"__all__": _("This person is not invited to this meeting.")})
    _check_attendance_open(meeting, now)
    with transaction.atomic():
        att, created = Attendance.objects.get_or_create(
            meeting=meeting,
            invitation=invitation,
            defaults={
                "name": invitation.name,
                "unit": invitation.unit,
                "phone": invitation.phone,
                "signed_in_at": _signed_in_at(meeting, now, method, arrived),
                "method": method,
                "recorded_by": actor,
            },
        )
        if created:
            audit(
                att,
                "signed_in",
                actor=actor,
                job="qr" if actor is None else "",
                estate=meeting.estate,
                now=now,
                changes={"meeting": meeting.pk, "name": att.name, "method": method}
                | ({"client": client} if client else {}),
            )
            _mark_held(meeting, actor=actor, now=now)
    return att


def sign_in_all(meeting, *, actor, now):
    """Everyone invited and not yet signed in is marked present (a full room); returns how many."""
    _require_manager(actor, meeting.estate)
    _check_attendance_open(meeting, now)
    with transaction.atomic(durable=True):
        waiting = meeting.invitations.exclude(attendances__meeting=meeting)
        added = 0
        for invitation in waiting:
            sign_in_invitee(meeting, invitation, actor=actor, now=now)
            added += 1
    return added


def add_walk_in(meeting, *, actor, name, unit, phone, now, arrived=None):
    _require_manager(actor, meeting.estate)
    _check_attendance_open(meeting, now)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Enter the attendee's name.")
    if phone and len(rules.normalise_phone(phone)) < 7:
        errors["phone"] = _("Enter a valid phone number.")
    try:
        signed_in_at = _signed_in_at(meeting, now, Attendance.Method.WALK_IN, arrived)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        att = Attendance.objects.create(
            meeting=meeting,
            name=name.strip(),
            unit=(unit or "").strip(),
            phone=(phone or "").strip(),
            signed_in_at=signed_in_at,
            method=Attendance.Method.WALK_IN,
            recorded_by=actor,
        )
        audit(
            att,
            "walk_in_added",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"meeting": meeting.pk, "name": att.name},
        )
        _mark_held(meeting, actor=actor, now=now)
    return att


def remove_attendance(attendance, *, actor, now):
    meeting = attendance.meeting
    _require_manager(actor, meeting.estate)
    if hasattr(meeting, "minutes") and meeting.minutes.is_final:
        raise ValidationError({"__all__": _("The minutes are final; the sign-in sheet can no longer change.")})
    with transaction.atomic(durable=True):
        audit(
            attendance,
            "sign_in_removed",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"name": attendance.name},
        )
        attendance.delete()
        _record_quorum(meeting, actor=actor, now=now)
    # a meeting stays "held" once attendance was recorded: the record of it having taken place remains


# Self sign-in guesses (issue 22, row 3): the sheet shows names and masked phones (138****0001), so an
# invitee is identified by the full 11-digit number, and the tries that fail are limited per client and
# per meeting's QR code ("count/seconds", liaison.ratelimit with the cache's named keys).
CHECKIN_CLIENT_RATE = "10/900"
CHECKIN_TOKEN_RATE = "30/86400"


def checkin_rates():
    client = getattr(settings, "MEETINGS_CHECKIN_CLIENT_RATE", CHECKIN_CLIENT_RATE)
    token = getattr(settings, "MEETINGS_CHECKIN_TOKEN_RATE", CHECKIN_TOKEN_RATE)
    return {"checkin-client": ratelimit.parse(client), "checkin-token": ratelimit.parse(token)}


def qr_sign_in(meeting, *, name, phone, now, client=None):
    """Self sign-in by QR code: only an invitee whose name and full mobile number match the invitation,
    only around the meeting's time, and only while the client and the meeting's code have tries left.
    Every try that fails is an audit row on the meeting (with the client's address). Returns the
    attendance (the same one when signing in twice)."""
    if not rules.checkin_open(meeting, now):
        raise ValidationError({"__all__": _("Sign-in for this meeting is not open now.")})
    digits = rules.normalise_phone(phone)
    name = (name or "").strip()
    if not name or len(digits) != 11:
        raise ValidationError(
            {"__all__": _("Enter your name and the full 11-digit mobile number on the invitation.")}, code="incomplete"
        )
    client = client or "unknown"
    tries = {"checkin-client": client, "checkin-token": str(meeting.pk)}
    rates = checkin_rates()
    stamp = now.timestamp()
    # a try is taken before the invitations are looked at, so concurrent guesses cannot pass the limit;
    # the client's first: a blocked client's tries do not use up the meeting's for everyone else
    allowed = []
    for scope, who in tries.items():
        allowed.append(ratelimit.take(scope, who, limit=rates[scope][0], window=rates[scope][1], now=stamp))
        if not allowed[-1]:
            break

    def refused(reason):
        audit(
            meeting,
            "qr_sign_in_refused",
            job="qr",
            estate=meeting.estate,
            now=now,
            changes={"reason": reason, "name": name[:50], "phone_end": digits[-4:], "client": client},
        )

    if not allowed[-1]:
        # recorded once per window and limit reached (the try just past it), not once per try of a flood
        scope = list(tries)[len(allowed) - 1]
        if ratelimit.used(scope, tries[scope], window=rates[scope][1], now=stamp) == rates[scope][0] + 1:
            refused("too_many_tries")
        message = _("Too many sign-in attempts that did not match. Please sign in with the staff at the desk.")
        raise ValidationError({"__all__": ValidationError(message, code="rate_limited")})
    match = None
    for inv in meeting.invitations.all():
        if rules.normalise_phone(inv.phone) == digits and inv.name.replace(" ", "") == name.replace(" ", ""):
            match = inv
            break
    if match is None:
        refused("no_match")
        raise ValidationError(
            {
                "__all__": _(
                    "Your name and mobile number do not match the invitation list. Please sign in with the staff at the desk."
                )
            }
        )
    for scope, who in tries.items():  # a sign-in is no failed guess
        ratelimit.give_back(scope, who, window=rates[scope][1], now=stamp)
    return sign_in_invitee(meeting, match, actor=None, now=now, method=Attendance.Method.QR, client=client)


# --- minutes (AM-02-R03) -----------------------------------------------------------------------------


def can_write_minutes(user, meeting):
    if access.manages_estate(user, meeting.estate):
        return True
    m = getattr(meeting, "minutes", None)
    return m is not None and m.recorder_id == user.pk


def save_minutes(
    meeting,
    *,
    actor,
    now,
    host_name,
    recorder_name,
    host=None,
    recorder=None,
    summary="",
    discussions=None,
    version=None,
):
    """Write or update the minutes. `version` is the minutes' version the writer saw (0: there were no
    minutes yet); if someone saved them since, StaleEdit."""
    if not can_write_minutes(actor, meeting):
        raise PermissionDenied
    if not meeting.is_held:
        raise ValidationError(
            {"__all__": _("Record the attendance first: minutes are written for a meeting that took place.")}
        )
    errors = {}
    if not (host_name or "").strip():
        errors["host_name"] = _("Enter who chaired the meeting.")
    if not (recorder_name or "").strip():
        errors["recorder_name"] = _("Enter who took the minutes.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        minutes, created = Minutes.objects.select_for_update().get_or_create(
            meeting=meeting,
            defaults={"host_name": host_name.strip(), "recorder_name": recorder_name.strip(), "created_at": now},
        )
        if minutes.is_final:
            raise ValidationError({"__all__": _("The minutes are final and have been distributed.")})
        if not created:
            # written by someone else after a page showing no minutes (0) was loaded -> stale too
            minutes.version = bump_version(Minutes, minutes.pk, version)
        minutes.host_name = host_name.strip()
        minutes.recorder_name = recorder_name.strip()
        minutes.host = host
        minutes.recorder = recorder
        minutes.summary = summary or ""
        minutes.updated_at = now
        minutes.save()
        for item in meeting.agenda_items.all():
            if discussions and item.pk in discussions:
                item.discussion = discussions[item.pk]
                item.save(update_fields=["discussion"])
        audit(
            minutes,
            "minutes_created" if created else "minutes_saved",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"meeting": meeting.pk},
        )
    return minutes


def save_minutes_page(meeting, *, actor, now, minutes, resolutions=(), then=()):
    """The minutes page saved as one: the minutes with each item's discussion, the new resolutions
    (dicts of add_resolution's arguments) and `then`, what other apps add to the page (callables taking
    no argument: followups raises the issues recorded). All of it or, on any refusal, nothing."""
    with transaction.atomic(durable=True):
        saved = save_minutes(meeting, actor=actor, now=now, **minutes)
        for fields in resolutions:
            add_resolution(meeting, actor=actor, now=now, **fields)
        for step in then:
            step()
    return saved


VOTE_FIELDS = ("votes_for", "votes_against", "votes_abstain", "by_consensus")


def _vote(meeting, now, fields):
    """(present, rule, vote) for a resolution's vote fields."""
    q = votes.quorum(meeting, now)
    rule = votes.rule_for(meeting, members=q.members)
    vote = {
        "votes_for": fields.get("votes_for"),
        "against": fields.get("votes_against"),
        "abstain": fields.get("votes_abstain"),
        "by_consensus": bool(fields.get("by_consensus")),
    }
    return q.present, rule, vote


def resolution_errors(
    meeting, *, text, owner_name, action, due_date, owner=None, agenda_item=None, now=None, **vote_fields
):
    """{field: message} of what a resolution lacks (seed 004 篇3 七.6: an owner and an action plan) and
    what is wrong with its vote (seed 002 第六条, votes.vote_errors)."""
    present, rule, vote = _vote(meeting, now or timezone.now(), vote_fields)
    errors = votes.vote_errors(**vote, present=present, rule=rule)
    if not (text or "").strip():
        errors["text"] = _("Write the resolution.")
    if not (owner_name or "").strip() and owner is None:
        errors["owner_name"] = _("Every resolution names a person responsible.")
    if not (action or "").strip():
        errors["action"] = _("Every resolution has an action plan.")
    if due_date is None:
        errors["due_date"] = _("Give a due date.")
    elif due_date < meeting.starts_at.date():
        errors["due_date"] = _("The due date cannot be before the meeting.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = _("Choose an item of this meeting's agenda.")
    return errors


def add_resolution(
    meeting, *, actor, now, text, owner_name, action, due_date, owner=None, agenda_item=None, **vote_fields
):
    if not can_write_minutes(actor, meeting):
        raise PermissionDenied
    m = getattr(meeting, "minutes", None)
    if m is not None and m.is_final:
        raise ValidationError({"__all__": _("The minutes are final and have been distributed.")})
    errors = resolution_errors(
        meeting,
        text=text,
        owner_name=owner_name,
        action=action,
        due_date=due_date,
        owner=owner,
        agenda_item=agenda_item,
        now=now,
        **vote_fields,
    )
    if errors:
        raise ValidationError(errors)
    present, rule, vote = _vote(meeting, now, vote_fields)
    passed = votes.outcome(**vote, present=present, rule=rule)
    if passed and not votes.quorum(meeting, now).met:
        passed = False  # seed 002 第六条: a meeting below its quorum passes no resolution
    with transaction.atomic():
        order = meeting.resolutions.count() + 1
        r = Resolution(
            meeting=meeting,
            estate_id=meeting.estate_id,
            committee_id=meeting.committee_id,
            agenda_item=agenda_item,
            order=order,
            text=text.strip(),
            owner=owner,
            owner_name=(owner_name or "").strip() or owner.display_name,
            action=action.strip(),
            due_date=due_date,
            due_at=rules.resolution_due_at(due_date),
            created_at=now,
            votes_for=None if vote["by_consensus"] else vote["votes_for"],
            votes_against=None if vote["by_consensus"] else vote["against"],
            votes_abstain=None if vote["by_consensus"] else vote["abstain"],
            by_consensus=vote["by_consensus"],
            passed=passed,
        )
        r.next_check_at = resolution_scan.next_check_at(r, set())
        r.save()
        audit(
            r,
            "resolution_added",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"due_date": due_date, "owner": r.owner_name, "passed": r.passed},
        )
    return r


def can_follow_resolution(user, resolution):
    """Who writes a resolution's progress and closes it: the estate's office, or its person responsible."""
    return access.manages_estate(user, resolution.meeting.estate) or (
        resolution.owner_id is not None and resolution.owner_id == getattr(user, "pk", None)
    )


def _require_follow(actor, resolution):
    if not can_follow_resolution(actor, resolution):
        raise PermissionDenied


def add_resolution_note(resolution, *, actor, now, text, status="", version=None):
    """A progress note on an open resolution (seed 004 篇3 七.8); `status` may move it to in progress (or
    back to open). Closing is complete_resolution, which needs the result."""
    _require_follow(actor, resolution)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write what was done or what happens next.")
    if status and status not in Resolution.OPEN_STATUSES:
        errors["status"] = _("To close the resolution, use “Close” with the result.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        bump_version(Resolution, resolution.pk, version)
        r = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if not r.is_open:
            raise ValidationError({"__all__": _("This resolution is closed.")})
        note = r.notes.create(
            text=text, author=actor, author_name=actor.display_name, status=status or "", created_at=now
        )
        changes = {"note": text}
        if status and status != r.status:
            changes["status"] = [r.status, status]
            Resolution.objects.filter(pk=r.pk).update(status=status)
        audit(r, "resolution_progress", actor=actor, estate=r.estate, now=now, changes=changes)
    resolution.refresh_from_db()
    return note


def update_resolution(resolution, *, actor, now, owner_name, action, due_date, owner=None, version=None):
    """Change the person responsible, the action plan or the due date of an open resolution; a new due
    date brings new reminders (meetings/resolution_scan.py)."""
    if not access.manages_estate(actor, resolution.meeting.estate):
        raise PermissionDenied
    errors = resolution_errors(
        resolution.meeting, text=resolution.text, owner_name=owner_name, action=action, due_date=due_date, owner=owner
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        bump_version(Resolution, resolution.pk, version)
        r = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if not r.is_open:
            raise ValidationError({"__all__": _("This resolution is closed.")})
        new = {
            "owner_id": owner.pk if owner else None,
            "owner_name": (owner_name or "").strip() or (owner.display_name if owner else ""),
            "action": action.strip(),
            "due_date": due_date,
        }
        changes = {k: [getattr(r, k), v] for k, v in new.items() if getattr(r, k) != v}
        for k, v in new.items():
            setattr(r, k, v)
        r.due_at = rules.resolution_due_at(due_date)
        r.next_check_at = resolution_scan.next_check_at(r)
        r.save(update_fields=[*new, "due_at", "next_check_at"])
        audit(r, "resolution_changed", actor=actor, estate=r.estate, now=now, changes=changes)
    resolution.refresh_from_db()
    return resolution


def complete_resolution(resolution, *, actor, now, note, version=None):
    """Close a resolution with its result (required)."""
    meeting = resolution.meeting
    _require_follow(actor, resolution)
    if not (note or "").strip():
        raise ValidationError({"note": _("Write the result: a resolution is closed with what was done.")})
    with transaction.atomic(durable=True):
        old = Resolution.objects.filter(pk=resolution.pk).values_list("status", flat=True).first()
        if (
            Resolution.objects.filter(pk=resolution.pk, status__in=Resolution.OPEN_STATUSES).update(
                status=Resolution.Status.DONE,
                completed_at=now,
                completed_by=actor,
                completion_note=note.strip(),
                next_check_at=None,
            )
            != 1
        ):
            raise ValidationError({"__all__": _("This resolution is already done.")})
        bump_version(Resolution, resolution.pk, version)
        resolution.refresh_from_db()
        audit(
            resolution,
            "resolution_done",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={"status": [old, Resolution.Status.DONE], "note": note.strip()},
        )
    return resolution


def record_carry_outcome(meeting, *, actor, now, item_id, outcome, note=""):
    """The minutes record what became of an item carried forward (inside save_minutes_page)."""
    if not can_write_minutes(actor, meeting):
        raise PermissionDenied
    if outcome and outcome not in CarryItem.Outcome.values:
        raise ValidationError({"outcome": _("Choose a status from the list.")})
    with transaction.atomic():
        item = CarryItem.objects.select_for_update().filter(meeting=meeting, pk=item_id).first()
        if item is None:
            raise ValidationError({"__all__": _("This item is not carried into this meeting.")})
        m = getattr(meeting, "minutes", None)
        if m is not None and m.is_final:
            raise ValidationError({"__all__": _("The minutes are final and have been distributed.")})
        new = {"outcome": outcome or "", "outcome_note": (note or "").strip()}
        changes = {k: [getattr(item, k), v] for k, v in new.items() if getattr(item, k) != v}
        if not changes:
            return item
        CarryItem.objects.filter(pk=item.pk).update(**new)
        audit(
            meeting,
            "carry_outcome",
            actor=actor,
            now=now,
            changes={"item": item.pk, "kind": item.kind, "object_id": item.object_id, **changes},
        )
    return item


def finalise_minutes(meeting, *, actor, now, no_resolution_reason=""):
    """Finalise and distribute to every attendee and those concerned (seed 004 篇3 七.7). A meeting reaches
    resolutions (七.6): minutes without one are finalised only by the estate's director, who says why."""
    if not can_write_minutes(actor, meeting):
        raise PermissionDenied
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        raise ValidationError({"__all__": _("Write the minutes first.")})
    if not meeting.attendances.exists():
        raise ValidationError({"__all__": _("The sign-in sheet is empty.")})
    reason = (no_resolution_reason or "").strip()
    if meeting.resolutions.exists():
        reason = ""
    elif not access.directs_estate(actor, meeting.estate):
        raise ValidationError(
            {
                "no_resolution_reason": _(
                    "These minutes have no resolution: add one, or ask the office director to finalise them "
                    "and record why."
                )
            }
        )
    elif not reason:
        raise ValidationError(
            {"no_resolution_reason": _("These minutes have no resolution: add one, or write why there is none.")}
        )
    with transaction.atomic():
        if (
            Minutes.objects.filter(pk=minutes.pk, finalised_at__isnull=True).update(
                finalised_at=now,
                finalised_by=actor,
                distributed_at=now,
                updated_at=now,
                no_resolution_reason=reason,
                version=F("version") + 1,
            )
            != 1
        ):
            raise ValidationError({"__all__": _("The minutes are final and have been distributed.")})
        Meeting.objects.filter(pk=meeting.pk, minutes_closed_at__isnull=True).update(
            minutes_closed_at=now, version=F("version") + 1
        )
        minutes.refresh_from_db()
        meeting.refresh_from_db()
        on_time = meeting.minutes_due_at is None or now < meeting.minutes_due_at
        audit(
            minutes,
            "minutes_distributed",
            actor=actor,
            estate=meeting.estate,
            now=now,
            changes={
                "meeting": meeting.pk,
                "on_time": on_time,
                "due": meeting.minutes_due_at,
                **({"no_resolution_reason": reason} if reason else {}),
            },
        )
        _dispatch(meeting, Dispatch.Kind.MINUTES, actor=actor, now=now)
        attendee_users = set()
        for att in meeting.attendances.select_related("invitation__user"):
            if att.invitation_id and att.invitation.user_id:
                attendee_users.add(att.invitation.user)
        concerned = set(invitee_users(meeting)) | attendee_users
        concerned |= {r.owner for r in meeting.resolutions.select_related("owner") if r.owner_id}
        if meeting.organizer_id:
            concerned.add(meeting.organizer)
        notify(
            concerned,
            kind="minutes.distributed",
            key=f"meeting:{meeting.pk}:minutes",
            subject=_("Minutes of “%(title)s” (%(when)s)"),
            body=_("The minutes, resolutions and the issues raised are on the meeting page."),
            params=_params(meeting),
            url=_url(meeting),
            estate=meeting.estate,
            now=now,
            actor=actor,
        )
    return minutes


# --- recurring meetings (meetings/series.py) ------------------------------------------------------------

SERIES_FIELDS = (
    "committee",
    "kind",
    "title",
    "place",
    "frequency",
    "interval",
    "nth",
    "weekday",
    "monthday",
    "start_time",
    "duration_minutes",
    "starts_on",
    "until",
    "on_holiday",
)


def _series_errors(estate, fields):
    errors = {}
    if fields["committee"].estate_id != estate.pk:
        errors["committee"] = _("This committee belongs to another estate.")
    elif not fields["kind"].allowed_for(fields["committee"].kind):
        errors["kind"] = _("A %(kind)s is not held with a %(committee_kind)s.") % {
            "kind": fields["kind"].label,
            "committee_kind": fields["committee"].get_kind_display(),
        }
    if fields["duration_minutes"] <= 0 or fields["duration_minutes"] > rules.MAX_LENGTH.total_seconds() // 60:
        errors["duration_minutes"] = _("A meeting lasts at most 24 hours; enter a meeting for each day.")
    problem = series_rule.rule_problem(fields)
    if problem:
        errors["until"] = problem
    if errors:
        raise ValidationError(errors)


def _make_occurrences(series, *, actor, now):
    """Draft meetings for the series' dates from now to now + ahead_days() that it has not made yet
    (moved or cancelled ones included: the unique (series, occurrence) says it was made). A date too
    near for the notice rule is not made: the dates left out are returned."""
    made, too_soon = [], []
    horizon = timezone.localtime(now).date() + datetime.timedelta(days=series_rule.ahead_days())
    existing = set(series.meetings.values_list("occurrence", flat=True))
    for occurrence, day in series_rule.dates(series):
        if day > horizon:
            break
        starts_at, ends_at = series_rule.starts_and_ends(series, day)
        if occurrence in existing or starts_at <= now:
            continue
        if rules.notice_problem(kind=series.kind, committee_kind=series.committee.kind, starts_at=starts_at, now=now):
            too_soon.append(day)
            continue
        made.append(
            _create(
                estate=series.estate,
                committee=series.committee,
                kind=series.kind,
                title=series.title,
                starts_at=starts_at,
                ends_at=ends_at,
                place=series.place,
                actor=actor,
                organizer=series.created_by,
                now=now,
                job="" if actor else "meeting series",
                series=series,
                occurrence=occurrence,
            )
        )
    return made, too_soon


def create_series(*, estate, actor, now, **fields):
    """A recurring meeting: the rule is checked (one date at least, at most series.MAX_OCCURRENCES),
    then the drafts of the next ahead_days() are made, each to be approved and sent like any meeting."""
    _require_manager(actor, estate)
    _series_errors(estate, fields)
    with transaction.atomic(durable=True):
        series = MeetingSeries.objects.create(
            estate=estate,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
        )
        audit(series, "created", actor=actor, now=now, changes={"until": series.until, "starts_on": series.starts_on})
        made, too_soon = _make_occurrences(series, actor=actor, now=now)
    return series, made, too_soon


def extend_series(series, *, now):
    """The daily job's step for one series: make the drafts that came within reach. Safe to run twice
    and concurrently: the series row is locked and a date is made once."""
    with transaction.atomic():
        series = (
            MeetingSeries.objects.select_for_update().select_related("committee", "kind", "estate").get(pk=series.pk)
        )
        if series.cancelled_at is not None:
            return []
        made, _too_soon = _make_occurrences(series, actor=None, now=now)
    return made


def _pending_occurrences(series, now):
    """The series' meetings still to come and not yet sent to anyone: the ones a change may rewrite."""
    return series.meetings.filter(starts_at__gt=now, sent_at__isnull=True).exclude(
        status__in=(S.CANCELLED, S.HELD, S.AWAITING_APPROVAL)
    )


def change_series(series, *, actor, now, version=None, **fields):
    """Change the rest of the series: title, place, time and length of every meeting still to come that
    has not been sent (their agendas are kept), and of those it will make. Meetings already sent or
    awaiting approval are left as they are and returned, to be moved one by one (their invitees or the
    leader must be told)."""
    _require_manager(actor, series.estate)
    if series.cancelled_at is not None:
        raise ValidationError({"__all__": _("This series has been cancelled.")})
    if version is not None and series.version != version:
        raise StaleEdit(series.version)
    for k, v in fields.items():
        setattr(series, k, v.strip() if isinstance(v, str) else v)
    _series_errors(series.estate, {k: getattr(series, k) for k in SERIES_FIELDS})
    with transaction.atomic(durable=True):
        series.version = bump_version(MeetingSeries, series.pk, version)
        series.updated_at = now
        series.save()
        audit(series, "changed", actor=actor, now=now, changes={k: str(v) for k, v in fields.items()})
        kept = []
        for meeting in _pending_occurrences(series, now).select_for_update():
            starts_at, ends_at = series_rule.starts_and_ends(series, timezone.localtime(meeting.starts_at).date())
            if rules.notice_problem(
                kind=meeting.kind, committee_kind=series.committee.kind, starts_at=starts_at, now=now
            ):
                kept.append(meeting)
                continue
            old = {"starts_at": meeting.starts_at, "place": meeting.place, "title": meeting.title}
            meeting.title, meeting.place = series.title, series.place
            meeting.starts_at, meeting.ends_at = starts_at, ends_at
            meeting.version = bump_version(Meeting, meeting.pk)
            meeting.updated_at = now
            meeting.save(update_fields=["title", "place", "starts_at", "ends_at", "version", "updated_at"])
            audit(meeting, "series_changed", actor=actor, now=now, changes={"from": old, "series": series.pk})
        kept += list(
            series.meetings.filter(starts_at__gt=now)
            .filter(Q(sent_at__isnull=False) | Q(status=S.AWAITING_APPROVAL))
            .exclude(status__in=(S.CANCELLED, S.HELD))
        )
        _make_occurrences(series, actor=actor, now=now)
    return series, kept


def cancel_series(series, *, actor, now, reason):
    """End the series: it makes no more meetings, and every meeting of it still to come is cancelled
    with the reason (the invitees of those already sent are told, as for any cancellation)."""
    _require_manager(actor, series.estate)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    if series.cancelled_at is not None:
        raise ValidationError({"__all__": _("This series has been cancelled.")})
    with transaction.atomic(durable=True):
        changed = MeetingSeries.objects.filter(pk=series.pk, cancelled_at__isnull=True).update(
            cancelled_at=now, cancelled_by=actor, cancel_reason=reason.strip(), updated_at=now, version=F("version") + 1
        )
        if changed != 1:
            raise ValidationError({"__all__": _("This series has been cancelled.")})
        series.refresh_from_db()
        audit(series, "cancelled", actor=actor, now=now, changes={"reason": reason.strip()})
        cancelled = [
            _cancel(meeting, actor=actor, reason=reason, now=now)
            for meeting in series.meetings.filter(starts_at__gt=now)
            .exclude(status__in=(S.CANCELLED, S.HELD))
            .select_for_update()
        ]
    return series, cancelled


# --- contacts that are not meetings (calls, visits, reports, publications, the inquiry window) ----------


def visible_contacts(user):
    """Contacts `user` may see (liaison.access.contacts)."""
    return Contact.objects.visible_to(user)


def contact_errors(*, estate, committee, kind, occurred_at, summary, members, staff, now):
    """{field: message} for a contact that cannot be recorded (empty: it can)."""
    errors = {}
    if committee is None:
        errors["committee"] = _("Choose the committee this contact was with.")
    elif committee.estate_id != estate.pk:
        errors["committee"] = _("This committee belongs to another estate.")
    if kind not in ContactKind.values:
        errors["kind"] = _("Choose the kind of contact.")
    if occurred_at is None:
        errors["occurred_at"] = _("Enter when the contact took place.")
    elif occurred_at > now:
        errors["occurred_at"] = _("A contact is recorded once it has taken place: this date is in the future.")
    if not (summary or "").strip():
        errors["summary"] = _("Write what was discussed or sent.")
    if committee is not None and any(m.committee_id != committee.pk for m in members):
        errors["members"] = _("Only members of the chosen committee can be named.")
    if staff is not None and staff.is_committee:
        errors["staff"] = _("Choose a member of the company's staff.")
    return errors


def record_contact(*, estate, committee, kind, occurred_at, summary, actor, now, members=(), staff=None, files=()):
    """Record a contact with a committee that has taken place. Counted from then on by every cadence rule
    that accepts its kind (meetings.cadence)."""
    _require_manager(actor, estate)
    members = list(members)
    staff = staff or actor
    errors = contact_errors(
        estate=estate,
        committee=committee,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary,
        members=members,
        staff=staff,
        now=now,
    )
    for f in files:
        try:
            validate_upload(f)
        except ValidationError as exc:
            errors.setdefault("files", exc.messages[0])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        contact = Contact.objects.create(
            estate=estate,
            committee=committee,
            kind=kind,
            occurred_at=occurred_at,
            summary=summary.strip(),
            staff=staff,
            recorded_by=actor,
            recorded_at=now,
        )
        contact.members.set(members)
        for f in files:
            _attach(contact, f, actor=actor, now=now)
        audit(
            contact,
            "contact_recorded",
            actor=actor,
            estate=estate,
            now=now,
            changes={
                "kind": kind,
                "committee": committee.pk,
                "occurred_at": occurred_at,
                "members": [m.pk for m in members],
                "attachments": len(files),
            },
        )
    return contact


def _attach(contact, f, *, actor, now):
    return ContactAttachment.objects.create(
        contact=contact,
        file=f,
        original_name=f.name[:200],
        content_type=_content_type(f) or "application/octet-stream",
        size=f.size,
        uploaded_by=actor,
        uploaded_at=now,
    )


def add_contact_attachment(contact, *, actor, now, file, version=None):
    """Attach a document (the written report, the photo of the posting …) to a recorded contact."""
    _require_manager(actor, contact.estate)
    validate_upload(file)
    with transaction.atomic(durable=True):
        bump_version(Contact, contact.pk, version)
        att = _attach(contact, file, actor=actor, now=now)
        audit(
            att,
            "contact_attachment_added",
            actor=actor,
            estate=contact.estate,
            now=now,
            changes={"contact": contact.pk, "name": att.original_name},
        )
    return att
