"""AM-02-R04 monthly work plan: generated from the cadence rules (or, once the year's annual work plan
is approved, from its items for the month) and the meetings already scheduled; the director adjusts
and submits it, the leader approves or returns it. The annual work plan (§4.1.1) has the same flow:
generate_annual, submit_annual, decide_annual."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison import access, people
from liaison.models import audit
from liaison.notify import notify

from . import annual
from .models import AnnualPlan, AnnualPlanItem, WorkPlan, WorkPlanItem


class PlanError(Exception):
    pass


def month_bounds(year, month):
    tz = timezone.get_current_timezone()
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return (
        start,
        end,
        timezone.make_aware(datetime.datetime.combine(start, datetime.time()), tz),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time()), tz),
    )


def proposed_items(estate, year, month, now):
    """What the month should hold: scheduled meetings, then what each cadence rule still needs."""
    from meetings import periods
    from meetings.cadence import counts, periods_in_effect
    from meetings.models import Meeting

    first, after, start, end = month_bounds(year, month)
    items = []
    meetings = (
        Meeting.objects.filter(estate=estate, starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.REJECTED])
        .select_related("committee", "kind", "organizer")
    )
    for m in meetings.order_by("starts_at"):
        items.append(
            {
                "source_key": f"meeting:{m.pk}",
                "origin": WorkPlanItem.Origin.MEETING,
                "date": timezone.localdate(m.starts_at),
                "activity": f"{m.kind.label}：{m.title}",
                "counterpart": m.committee.name,
                "responsible": m.organizer.display_name if m.organizer else "",
                "note": m.place,
            }
        )
    approved = AnnualPlan.objects.filter(estate=estate, year=year, status=AnnualPlan.Status.APPROVED).first()
    if approved is not None:
        return items + annual_month_items(approved, month, now)
    committees = {c.kind: c for c in estate.committees.all()}
    last = after - datetime.timedelta(days=1)
    for rule in estate.cadence_rules.filter(active=True).prefetch_related("kinds"):
        committee = committees.get(rule.committee_kind)
        if committee is None:
            continue
        for p_start, p_end in periods_in_effect(rule, first, last):
            if p_end < first or p_start > last:
                continue
            # count held + still scheduled meetings in the whole period (as the cadence scan does)
            held, scheduled = counts(rule, p_start, p_end, min(now, periods.start_of_day(p_start)))
            missing = max(0, rule.min_count - held - scheduled)
            responsible = estate.assignments.filter(role=rule.responsible).select_related("user").first()
            for k in range(missing):
                items.append(
                    {
                        "source_key": f"rule:{rule.pk}:{p_start.isoformat()}:{k + 1}",
                        "origin": WorkPlanItem.Origin.CADENCE,
                        "date": None,
                        "activity": rule.name,
                        "counterpart": committee.name,
                        "responsible": responsible.user.display_name if responsible else "",
                        "note": str(_("by %(date)s (%(clause)s)") % {"date": p_end.isoformat(), "clause": rule.clause})[
                            :200
                        ],
                    }
                )
    return items


def annual_month_items(plan, month, now):
    """The approved annual plan's items for the month that no meeting fulfils yet (against_actual:
    a meeting held or scheduled in the month, or moved to another month, is already accounted for)."""
    out = []
    for row in annual.against_actual(plan, now)["items"]:
        item = row["item"]
        if item.month != month or row["meeting"] is not None:
            continue
        out.append(
            {
                "source_key": f"annual:{item.pk}",
                "origin": WorkPlanItem.Origin.ANNUAL,
                "date": None,
                "activity": f"{item.kind.label}：{item.topic}"[:200],
                "counterpart": item.committee.name[:100],
                "responsible": item.owner,
                "note": str(_("Annual work plan %(year)s") % {"year": plan.year})[:200],
            }
        )
    return out


def generate(plan, *, by, now):
    """Add what is missing; keeps the director's own items and removals. Returns the number added."""
    if not plan.editable:
        raise PlanError(_("A submitted or approved plan cannot be changed."))
    added = 0
    with transaction.atomic():
        existing = set(plan.items.values_list("source_key", flat=True))
        for item in proposed_items(plan.estate, plan.year, plan.month, now):
            if item["source_key"] in existing:
                continue
            try:
                with transaction.atomic():
                    WorkPlanItem.objects.create(plan=plan, **item)
                    added += 1
            except IntegrityError:
                continue
        plan.generated_at = now
        plan.save(update_fields=["generated_at"])
        audit(plan, "plan.generated", actor=by, now=now, changes={"added": added})
    return added


def get_or_create_plan(estate, year, month, *, by, now):
    plan, created = WorkPlan.objects.get_or_create(estate=estate, year=year, month=month, defaults={"prepared_by": by})
    if created:
        generate(plan, by=by, now=now)
    return plan


@transaction.atomic
def submit(plan, *, by, now):
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.editable:
        raise PlanError(_("This plan has already been submitted."))
    if not plan.items.filter(removed=False).exists():
        raise PlanError(_("The plan has no activities."))
    old = plan.status
    plan.status = WorkPlan.Status.SUBMITTED
    plan.submitted_at = now
    plan.prepared_by = by
    plan.save(update_fields=["status", "submitted_at", "prepared_by"])
    audit(plan, "plan.status", actor=by, now=now, changes={"status": [old, plan.status]})
    notify(
        people.leaders(),
        kind="plan.submitted",
        key=f"plan:{plan.pk}:submitted:{now:%Y%m%d%H%M%S}",
        subject=_("Work plan to approve: %(estate)s %(year)s-%(month)s"),
        params={"estate": plan.estate.name, "year": plan.year, "month": plan.month},
        url=plan.get_absolute_url(),
        estate=plan.estate,
        now=now,
        actor=by,
    )
    return plan


@transaction.atomic
def decide(plan, *, by, approve, comment, now):
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != WorkPlan.Status.SUBMITTED:
        raise PlanError(_("Only a submitted plan can be approved or returned."))
    old = plan.status
    plan.status = WorkPlan.Status.APPROVED if approve else WorkPlan.Status.RETURNED
    plan.decided_by, plan.decided_at, plan.decision_comment = by, now, comment
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit(plan, "plan.status", actor=by, now=now, changes={"status": [old, plan.status], "comment": comment})
    recipients = [u for u in [plan.prepared_by, plan.estate.director()] if u]
    notify(
        recipients,
        kind="plan.decided",
        key=f"plan:{plan.pk}:{plan.status}:{now:%Y%m%d%H%M%S}",
        subject=_("Work plan approved: %(estate)s %(year)s-%(month)s")
        if approve
        else _("Work plan returned: %(estate)s %(year)s-%(month)s"),
        body=comment,
        params={"estate": plan.estate.name, "year": plan.year, "month": plan.month},
        url=plan.get_absolute_url(),
        estate=plan.estate,
        now=now,
        actor=by,
    )
    return plan


# --- the annual work plan (§4.1.1) ------------------------------------------------------------------------


def generate_annual(plan, *, by, now):
    """Add what the cadence rules and last year's plan call for and the plan does not hold yet (an
    item removed by the director stays removed). Returns the number added."""
    if not access.manages_estate(by, plan.estate):
        raise PermissionDenied
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.editable:
            raise PlanError(_("A submitted or approved plan cannot be changed."))
        existing = set(plan.items.values_list("source_key", flat=True))
        added = 0
        for item in annual.proposed_items(plan.estate, plan.year):
            if item["source_key"] in existing:
                continue
            AnnualPlanItem.objects.create(plan=plan, **item)
            added += 1
        plan.generated_at = now
        plan.version += 1
        plan.save(update_fields=["generated_at", "version"])
        audit(plan, "annual_plan.generated", actor=by, now=now, changes={"added": added})
    return added


def get_or_create_annual(estate, year, *, by, now):
    """The estate's plan for the year; a new one is generated at once."""
    if not access.manages_estate(by, estate):
        raise PermissionDenied
    plan, created = AnnualPlan.objects.get_or_create(estate=estate, year=year, defaults={"prepared_by": by})
    if created:
        audit(plan, "annual_plan.created", actor=by, now=now, changes={"year": year})
        generate_annual(plan, by=by, now=now)
        plan.refresh_from_db()
    return plan


@transaction.atomic
def submit_annual(plan, *, by, now):
    if not access.manages_estate(by, plan.estate):
        raise PermissionDenied
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.editable:
        raise PlanError(_("This plan has already been submitted."))
    if not plan.items.filter(removed=False).exists():
        raise PlanError(_("The plan has no activities."))
    old = plan.status
    plan.status = AnnualPlan.Status.SUBMITTED
    plan.submitted_at, plan.prepared_by = now, by
    plan.version += 1
    plan.save(update_fields=["status", "submitted_at", "prepared_by", "version"])
    audit(plan, "annual_plan.status", actor=by, now=now, changes={"status": [old, plan.status]})
    notify(
        people.leaders(),
        kind="plan.submitted",
        key=f"annual:{plan.pk}:submitted:{now:%Y%m%d%H%M%S}",
        subject=_("Annual work plan to approve: %(estate)s %(year)s"),
        params={"estate": plan.estate.name, "year": plan.year},
        url=plan.get_absolute_url(),
        estate=plan.estate,
        now=now,
        actor=by,
    )
    return plan


@transaction.atomic
def decide_annual(plan, *, by, approve, comment, now):
    if not access.has_leader_powers(by):
        raise PermissionDenied
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != AnnualPlan.Status.SUBMITTED:
        raise PlanError(_("Only a submitted plan can be approved or returned."))
    if not approve and not (comment or "").strip():
        raise PlanError(_("Say what should change."))
    old = plan.status
    plan.status = AnnualPlan.Status.APPROVED if approve else AnnualPlan.Status.RETURNED
    plan.decided_by, plan.decided_at, plan.decision_comment = by, now, comment
    plan.version += 1
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "version"])
    audit(plan, "annual_plan.status", actor=by, now=now, changes={"status": [old, plan.status], "comment": comment})
    recipients = [u for u in [plan.prepared_by, plan.estate.director()] if u]
    notify(
        recipients,
        kind="plan.decided",
        key=f"annual:{plan.pk}:{plan.status}:{now:%Y%m%d%H%M%S}",
        subject=_("Annual work plan approved: %(estate)s %(year)s")
        if approve
        else _("Annual work plan returned: %(estate)s %(year)s"),
        body=comment,
        params={"estate": plan.estate.name, "year": plan.year},
        url=plan.get_absolute_url(),
        estate=plan.estate,
        now=now,
        actor=by,
    )
    return plan
