"""The meetings panel on the home page: approvals waiting, my invitations, today's meetings, minutes
to distribute and, per estate, what the cadence needs next and by when."""

import datetime

from liaison import access
from liaison.models import Committee

from . import actions, cadence, periods
from .models import CadenceRule, Invitation, Meeting

_STATUS_ORDER = {"at_risk": 0, "open": 1, "missed": 2, "met": 3}
_SCHEDULED = (Meeting.Status.CONFIRMED, Meeting.Status.AWAITING_APPROVAL)


def due_next_by_estate(estates, now):
    """{estate id: rows}: for each estate what `cadence.due_next(estate, now)` gives (same rows, same
    order), read in four queries however many estates and rules there are (due_next counts meetings
    twice per rule and estate: the director's home page made 36 COUNT queries)."""
    ids = [e.pk for e in estates]
    out = {pk: [] for pk in ids}
    if not ids:
        return out
    today = periods.local_date(now)
    has_committee = set(Committee.objects.filter(estate_id__in=ids).values_list("estate_id", "kind"))
    rules = [
        r
        for r in CadenceRule.objects.filter(estate_id__in=ids, active=True).prefetch_related("kinds")
        if (r.estate_id, r.committee_kind) in has_committee
    ]
    if not rules:
        return out
    windows = {}
    for rule in rules:
        start, end = cadence.rule_period(rule, today)
        windows[rule.pk] = (
            start,
            end,
            periods.start_of_day(start),
            periods.start_of_day(end + datetime.timedelta(days=1)),
        )
    # the meetings of all these windows at once (the same filter as cadence.counts), counted below per rule
    meetings = list(
        Meeting.objects.filter(
            estate_id__in=ids,
            starts_at__gte=min(w[2] for w in windows.values()),
            starts_at__lt=max(w[3] for w in windows.values()),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("estate_id", "committee__kind", "kind_id", "starts_at", "status", "attendance_recorded_at")
    )
    for rule in rules:
        start, end, since, until = windows[rule.pk]
        kinds = {k.pk for k in rule.kinds.all()}
        held = scheduled = 0
        for estate_id, committee_kind, kind_id, starts_at, status, attended in meetings:
            if (
                estate_id != rule.estate_id
                or committee_kind != rule.committee_kind
                or kind_id not in kinds
                or not since <= starts_at < until
            ):
                continue
            if attended is not None:
                held += 1
            elif status in _SCHEDULED and starts_at >= now:
                scheduled += 1
        status, closed = periods.status_for(
            held=held,
            scheduled=scheduled,
            required=rule.min_count,
            period_end=end,
            today=today,
            at_risk_days=rule.at_risk_days,
            grace_days=cadence.grace_days(),
        )
        out[rule.estate_id].append(
            {
                "rule": rule,
                "start": start,
                "end": end,
                "days_left": (end - today).days,
                "remaining": max(0, rule.min_count - held),
                "held": held,
                "scheduled": scheduled,
                "status": status,
                "closed": closed,
            }
        )
    for rows in out.values():
        rows.sort(key=lambda r: (_STATUS_ORDER.get(r["status"], 9), r["end"]))
    return out


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    visible = actions.visible_meetings(user)
    today = periods.local_date(now)
    start, end = periods.start_of_day(today), periods.start_of_day(today + datetime.timedelta(days=1))
    ctx = {
        "template": "meetings/home_panel.html",
        "approvals": list(visible.filter(status=Meeting.Status.AWAITING_APPROVAL).order_by("starts_at")[:10])
        if actions.can_approve(user)
        else [],
        "invitations": list(
            Invitation.objects.filter(
                user=user, meeting__in=visible, meeting__status=Meeting.Status.CONFIRMED, meeting__starts_at__gte=now
            )
            .exclude(meeting__organizer=user)
            .select_related("meeting")
            .order_by("meeting__starts_at")[:10]
        ),
        "today": list(
            visible.filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Meeting.Status.CANCELLED)
            .select_related("estate")[:10]
        ),
        "minutes_due": [],
        "due": [],
    }
    if not user.is_committee:
        managed = access.managed_estates(user) if not user.sees_all_estates else access.managed_estates(user).none()
        ctx["minutes_due"] = list(
            visible.filter(estate__in=managed, minutes_closed_at__isnull=True, minutes_due_at__isnull=False).order_by(
                "minutes_due_at"
            )[:10]
        )
        estates = list(managed[:10])
        due = due_next_by_estate(estates, now)
        for estate in estates:
            rows = [r for r in due[estate.pk] if r["status"] != "met"]
            ctx["due"].append({"estate": estate, "rules": rows})
    if not any(ctx[k] for k in ("approvals", "invitations", "today", "minutes_due", "due")):
        return None
    return ctx
