"""Every change to estates, their teams, committees and members: one function each, in one transaction
with its audit row. Each checks who may make it (liaison.access) and raises PermissionDenied otherwise;
the pages call these, the views only parse input and render."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access, terms, wechat
from .models import TermEvent, WeChatBinding, WeChatBindTicket, audit
from .signals import estate_created

CHAIR_TAKEN = _("The committee already has an active chair. End the current chair's term first.")


def _require_admin(actor):
    if not actor.is_admin:
        raise PermissionDenied


def _require_manager(actor, estate):
    """Seeing an estate's committee is not enough to change it."""
    if not access.manages_estate(actor, estate):
        raise PermissionDenied


def _changes(form):
    return {f: form.cleaned_data[f] for f in form.changed_data}


def create_estate(form, *, actor):
    """A new estate from a valid EstateForm; the apps add what a new estate needs (estate_created)."""
    _require_admin(actor)
    with transaction.atomic(durable=True):
        estate = form.save()
        audit(estate, "created", actor=actor)
        estate_created.send(sender=type(estate), estate=estate)
    return estate


def edit_estate(form, *, actor):
    _require_admin(actor)
    with transaction.atomic(durable=True):
        estate = form.save()
        audit(estate, "edited", actor=actor, changes=_changes(form))
    return estate


def add_to_team(form, *, actor):
    """A staff member assigned to the estate in a role (a valid AssignmentForm)."""
    _require_admin(actor)
    with transaction.atomic(durable=True):
        assignment = form.save()
        audit(assignment.estate, "team_added", actor=actor, changes={"user": assignment.user, "role": assignment.role})
    return assignment


def remove_from_team(assignment, *, actor):
    _require_admin(actor)
    with transaction.atomic(durable=True):
        audit(
            assignment.estate, "team_removed", actor=actor, changes={"user": assignment.user, "role": assignment.role}
        )
        assignment.delete()


def save_committee(form, *, actor, estate, now=None):
    """A new or edited committee of `estate` (a valid CommitteeForm). A term longer than the kind's normal
    one carries the committee's decision delaying re-election (seed 002 第七条): it is recorded as an
    extension of the term."""
    _require_manager(actor, estate)
    created = form.instance.pk is None
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        committee = form.save()
        changes = {} if created else _changes(form)
        changes.pop("extension_decision", None)
        audit(committee, "created" if created else "edited", actor=actor, changes=changes)
        decision = form.cleaned_data.get("extension_decision", "").strip()
        normal = terms.normal_term_end(committee.kind, committee.term_start)
        term_changed = created or {"term_start", "term_end"} & set(form.changed_data)
        if decision and term_changed and normal and committee.term_end and committee.term_end > normal:
            TermEvent.objects.create(
                committee=committee,
                kind=TermEvent.Kind.EXTENSION,
                held_on=timezone.localdate(now),
                result=decision,
                old_start=committee.term_start,
                old_end=normal,
                new_start=committee.term_start,
                new_end=committee.term_end,
                recorded_by=actor,
                recorded_at=now,
            )
            audit(
                committee,
                "term.extended",
                actor=actor,
                now=now,
                changes={"to": committee.term_end, "decision": decision},
            )
    return committee


def _require_director(actor, estate):
    """A committee's terms (re-election, extension) are recorded by the estate's director."""
    if not access.directs_estate(actor, estate):
        raise PermissionDenied


def record_reelection(committee, *, actor, held_on, method, result, new_end, now):
    """The committee was re-elected on `held_on`: its next term starts that day and ends on `new_end`
    (a management committee's: 2 years). The old term stays in the committee's term history."""
    _require_director(actor, committee.estate)
    with transaction.atomic(durable=True):
        committee = type(committee).objects.select_for_update().get(pk=committee.pk)
        problem = terms.reelection_problem(committee, held_on, new_end)
        if problem:
            raise ValidationError({problem[0]: problem[1]})
        event = TermEvent.objects.create(
            committee=committee,
            kind=TermEvent.Kind.REELECTION,
            held_on=held_on,
            method=method,
            result=result,
            old_start=committee.term_start,
            old_end=committee.term_end,
            new_start=held_on,
            new_end=new_end,
            recorded_by=actor,
            recorded_at=now,
        )
        committee.term_start, committee.term_end = held_on, new_end
        committee.save(update_fields=["term_start", "term_end"])
        audit(
            committee,
            "term.reelected",
            actor=actor,
            now=now,
            changes={
                "held_on": held_on,
                "method": method,
                "term": [event.old_start, event.old_end, held_on, new_end],
            },
        )
    return event


def extend_term(committee, *, actor, held_on, result, new_end, now):
    """The committee voted to delay re-election (seed 002 第七条): its term now ends on `new_end`, within
    the limit for its kind (liaison.terms.extension_problem)."""
    _require_director(actor, committee.estate)
    with transaction.atomic(durable=True):
        committee = type(committee).objects.select_for_update().get(pk=committee.pk)
        problem = terms.extension_problem(committee, new_end)
        if problem:
            raise ValidationError({"new_end": problem})
        event = TermEvent.objects.create(
            committee=committee,
            kind=TermEvent.Kind.EXTENSION,
            held_on=held_on,
            result=result,
            old_start=committee.term_start,
            old_end=committee.term_end,
            new_start=committee.term_start,
            new_end=new_end,
            recorded_by=actor,
            recorded_at=now,
        )
        committee.term_end = new_end
        committee.save(update_fields=["term_end"])
        audit(
            committee,
            "term.extended",
            actor=actor,
            now=now,
            changes={"from": event.old_end, "to": new_end, "decided_on": held_on, "decision": result[:300]},
        )
    return event


def save_member(form, *, actor, committee):
    """A new or edited committee member (a valid MemberForm). The one active chair seat is also a
    database constraint: a concurrent save that took it is refused with the form's message."""
    _require_manager(actor, committee.estate)
    action = "member_added" if form.instance.pk is None else "member_edited"
    try:
        with transaction.atomic(durable=True):
            member = form.save()
            audit(member, action, actor=actor, estate=committee.estate, changes=_changes(form))
    except IntegrityError:
        raise ValidationError({"role": CHAIR_TAKEN})
    return member


def end_term(member, *, actor, ended_on, reason):
    """The member's term ends; they stay in the committee's history."""
    _require_manager(actor, member.committee.estate)
    if not member.is_active:
        raise ValidationError(_("This member's term has already ended."))
    with transaction.atomic(durable=True):
        member.ended_on = ended_on
        member.end_reason = reason
        member.save(update_fields=["ended_on", "end_reason"])
        audit(
            member,
            "term_ended",
            actor=actor,
            estate=member.committee.estate,
            changes={"ended_on": ended_on, "reason": reason},
        )
    return member


# --- binding a member's WeChat (liaison/wechat.py) ---------------------------------------------------------

BIND_TICKET_LIFETIME = datetime.timedelta(seconds=600)


def start_wechat_binding(user, *, now):
    """A one-time binding ticket for `user` and the official account's QR code for it. The QR code is
    asked of WeChat before anything is stored: if WeChat is unreachable the page says so, nothing is
    written (raises wechat.WeChatError)."""
    if not wechat.enabled():
        raise ValidationError(_("WeChat is not set up for this portal."))
    ticket = secrets.token_urlsafe(24)
    qr_url = wechat.binding_qr_url(ticket)
    with transaction.atomic(durable=True):
        WeChatBindTicket.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)  # older QR codes die
        row = WeChatBindTicket.objects.create(
            user=user, ticket=ticket, qr_url=qr_url, created=now, expires_at=now + BIND_TICKET_LIFETIME
        )
        audit(user, "wechat.binding_started", actor=user, now=now)
    return row


def bind_wechat(ticket, openid, *, now):
    """WeChat told us that `openid` scanned the QR code of `ticket`: bind it to the ticket's user, once.
    Returns the binding, or None for an unknown, used or expired ticket."""
    if not ticket or not openid:
        return None
    with transaction.atomic(durable=True):
        row = WeChatBindTicket.objects.filter(ticket=ticket).first()
        claimed = WeChatBindTicket.objects.filter(pk=getattr(row, "pk", None), used_at__isnull=True, expires_at__gt=now)
        if row is None or claimed.update(used_at=now) != 1:
            return None
        # one WeChat account reaches one person: bound to someone else before, it moves
        WeChatBinding.objects.filter(openid=openid).exclude(user_id=row.user_id).delete()
        binding, _created = WeChatBinding.objects.update_or_create(
            user_id=row.user_id, defaults={"openid": openid, "bound_at": now}
        )
        audit(binding.user, "wechat.bound", job="wechat callback", now=now)
    return binding


def unbind_wechat(user, *, now):
    with transaction.atomic(durable=True):
        deleted, _rows = WeChatBinding.objects.filter(user=user).delete()
        if deleted:
            audit(user, "wechat.unbound", actor=user, now=now)
    return bool(deleted)
