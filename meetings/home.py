"""The meetings panel on the home page: approvals waiting, my invitations, today's meetings, minutes
to distribute and, per estate, what the cadence needs next and by when."""

import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate

from liaison.links import object_url
from liaison.models import Committee
from liaison.views import home_scope

from . import actions, cadence, periods
from .models import CadenceRule, Invitation, Meeting

_STATUS_ORDER = {"at_risk": 0, "open": 1, "missed": 2, "met": 3}
_SCHEDULED = (Meeting.Status.CONFIRMED, Meeting.Status.AWAITING_APPROVAL)
_LIMIT = 10


def _rules(ids, committee_kinds=None):
    """The active rules of these estates whose committee type the estate has (cadence.due_next skips
    the others), each with `kind_ids`: the meeting kinds that count. One query (a row per rule and kind).
    `committee_kinds` ({estate id: its committees' types}, known to the home page) spares the query its
    EXISTS on committees (~0.5 ms to build and run for a director's five estates)."""
    qs = CadenceRule.objects.filter(estate_id__in=ids, active=True)
    if committee_kinds is None:
        qs = qs.filter(
            Exists(Committee.objects.filter(estate_id=OuterRef("estate_id"), kind=OuterRef("committee_kind")))
        )
    rules = {}
    for row in qs.annotate(counted_kind=F("kinds")).order_by("estate_id", "committee_kind", "code"):
        if committee_kinds is not None and row.committee_kind not in committee_kinds[row.estate_id]:
            continue
        rule = rules.setdefault(row.pk, row)
        if rule is row:
            rule.kind_ids = set()
        if row.counted_kind is not None:
            rule.kind_ids.add(row.counted_kind)
    return list(rules.values())


def due_next_by_estate(estates, now, committee_kinds=None):
    """{estate id: rows}: for each estate what `cadence.due_next(estate, now)` gives (same rows, same
    order), read in two queries however many estates and rules there are (due_next counts meetings
    twice per rule and estate: the director's home page made 36 COUNT queries). `committee_kinds`:
    {estate id: the types of committee it has}, if known (_rules)."""
    ids = [e.pk for e in estates]
    out = {pk: [] for pk in ids}
    if not ids:
        return out
    today = periods.local_date(now)
    rules = _rules(ids, committee_kinds)
    if not rules:
        return out
    windows = {rule.pk: cadence.rule_period(rule, today) for rule in rules}
    # the meetings of all these windows at once (the same filter as cadence.counts), counted below per
    # rule among those of the rule's estate and committee type; each read as its local day and two
    # flags, not two timestamps (parsing those cost ~0.6 ms for a director's ~100 meetings)
    meetings = {}
    for estate_id, committee_kind, kind_id, day, status, attended, upcoming in (
        Meeting.objects.filter(
            estate_id__in=ids,
            starts_at__gte=periods.start_of_day(min(start for start, _ in windows.values())),
            starts_at__lt=periods.start_of_day(max(end for _, end in windows.values()) + datetime.timedelta(days=1)),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(
            day=TruncDate("starts_at", tzinfo=periods.local_tz()),
            attended=ExpressionWrapper(Q(attendance_recorded_at__isnull=False), output_field=BooleanField()),
            upcoming=ExpressionWrapper(Q(starts_at__gte=now), output_field=BooleanField()),
        )
        .order_by()
        .values_list("estate_id", "committee__kind", "kind_id", "day", "status", "attended", "upcoming")
    ):
        meetings.setdefault((estate_id, committee_kind), []).append((kind_id, day, status, attended, upcoming))
    for rule in rules:
        start, end = windows[rule.pk]
        held = scheduled = 0
        for kind_id, day, status, attended, upcoming in meetings.get((rule.estate_id, rule.committee_kind), ()):
            if kind_id not in rule.kind_ids or not start <= day <= end:
                continue
            if attended:
                held += 1
            elif status in _SCHEDULED and upcoming:
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


def _visible(scope, qs, prefix=""):
    """actions.visible_meetings(user) for the meetings at `prefix`, with the ids the home page read once
    (a committee sees a meeting only once it has been sent to it)."""
    qs = scope.filter(qs, estate=f"{prefix}estate", committee=f"{prefix}committee")
    if scope.user.is_committee:
        qs = qs.filter(**{f"{prefix}sent_at__isnull": False})
    return qs


def _invitations(scope, now):
    user = scope.user
    qs = Invitation.objects.filter(user=user, meeting__status=Meeting.Status.CONFIRMED, meeting__starts_at__gte=now)
    invitations = list(
        _visible(scope, qs, "meeting__")
        .exclude(meeting__organizer=user)
        .select_related("meeting")
        .only("response", "meeting__title", "meeting__starts_at")
        .order_by("meeting__starts_at")[:_LIMIT]
    )
    for inv in invitations:
        inv.respond_url = object_url("meetings:respond", inv.pk)
    return invitations


def _today(scope, now):
    today = periods.local_date(now)
    start, end = periods.start_of_day(today), periods.start_of_day(today + datetime.timedelta(days=1))
    return list(
        _visible(scope, Meeting.objects.filter(starts_at__gte=start, starts_at__lt=end))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("estate")
        .only("title", "starts_at", "estate__name")[:_LIMIT]
    )


def panel(request, now):
    user = request.user
    if not user.is_authenticated:
        return None
    scope = home_scope(request)
    ctx = {
        "template": "meetings/home_panel.html",
        "approvals": list(
            _visible(scope, Meeting.objects.filter(status=Meeting.Status.AWAITING_APPROVAL))
            .only("title")
            .order_by("starts_at")[:_LIMIT]
        )
        if actions.can_approve(user)
        else [],
        "invitations": _invitations(scope, now),
        "today": _today(scope, now),
        "minutes_due": [],
        "due": [],
    }
    if not user.is_committee and not user.sees_all_estates:
        # the estates they manage (those who see every estate have the cadence page instead)
        ctx["minutes_due"] = list(
            _visible(scope, Meeting.objects.filter(estate__in=scope.managed))
            .filter(minutes_closed_at__isnull=True, minutes_due_at__isnull=False)
            .only("title", "minutes_due_at")
            .order_by("minutes_due_at")[:_LIMIT]
        )
        for m in ctx["minutes_due"]:
            m.minutes_url = object_url("meetings:minutes", m.pk)
        estates = [e for e in scope.estates if e.managed][:_LIMIT]
        due = due_next_by_estate(estates, now, {e.pk: e.committee_kinds for e in estates})
        ctx["due"] = [
            {"estate": estate, "rules": [r for r in due[estate.pk] if r["status"] != "met"]} for estate in estates
        ]
    if not any(ctx[k] for k in ("approvals", "invitations", "today", "minutes_due", "due")):
        return None
    return ctx
