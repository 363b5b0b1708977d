"""The annual work plan's reads (《社区服务办公室年度工作计划》, §4.1.1): what the cadence rules and last
year's plan put in a year (`proposed_items`), and the plan against what was held (`against_actual`).
The writes are in records.plans (generate, submit, decide) and records.actions (the items).

The periods of a rule come from meetings.cadence.periods_in_effect, as for every other reader of
the cadence rules; a period's planned month is the month it ends in (a quarterly meeting is due by
the quarter's last month, the half-year report visit by the end of June and of December).
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import pgettext_lazy

from .models import AnnualPlan, AnnualPlanItem

# the statuses of an item against what was held (against_actual)
HELD, MOVED, MISSED, PLANNED = "held", "moved", "missed", "planned"
STATUS_LABELS = {
    HELD: pgettext_lazy("plan against actual", "Held"),
    MOVED: pgettext_lazy("plan against actual", "Moved"),
    MISSED: pgettext_lazy("plan against actual", "Missed"),
    PLANNED: pgettext_lazy("plan against actual", "To be held"),
}


def _owner(estate, rule):
    assignment = estate.assignments.filter(role=rule.responsible).select_related("user").order_by("pk").first()
    return assignment.user.display_name if assignment else ""


def rule_items(estate, year):
    """Per active cadence rule of the estate with a committee of its type: each of its periods in
    effect in `year`, as many items as the rule's minimum, in the month the period ends."""
    from meetings.cadence import periods_in_effect

    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    committees = {c.kind: c for c in estate.committees.order_by("pk")}
    items = []
    for rule in estate.cadence_rules.filter(active=True).prefetch_related("kinds").order_by("committee_kind", "code"):
        committee = committees.get(rule.committee_kind)
        # the rule's routine kind first: a special-topic or emergency meeting is not what one plans
        kinds = sorted(rule.kinds.all(), key=lambda k: (k.is_emergency, k.requires_approval, k.order, k.code))
        if committee is None or not kinds:
            continue
        owner = _owner(estate, rule)
        for p_start, p_end in periods_in_effect(rule, first, last):
            if p_end < first or p_start > last:
                continue
            for k in range(rule.min_count):
                items.append(
                    {
                        "source_key": f"rule:{rule.pk}:{p_start.isoformat()}:{k + 1}",
                        "origin": AnnualPlanItem.Origin.CADENCE,
                        "month": min(p_end, last).month,
                        "kind": kinds[0],
                        "committee": committee,
                        "topic": rule.name[:200],
                        "owner": owner,
                        "rule": rule,
                    }
                )
    return items


def carried_items(estate, year):
    """The items added by hand (or carried) to last year's plan, if there is one, same month."""
    last_year = AnnualPlan.objects.filter(estate=estate, year=year - 1).first()
    if last_year is None:
        return []
    manual = (AnnualPlanItem.Origin.MANUAL, AnnualPlanItem.Origin.CARRIED)
    return [
        {
            "source_key": f"carried:{item.pk}",
            "origin": AnnualPlanItem.Origin.CARRIED,
            "month": item.month,
            "kind": item.kind,
            "committee": item.committee,
            "topic": item.topic,
            "owner": item.owner,
            "rule": None,
        }
        for item in last_year.items.filter(removed=False, origin__in=manual, committee__estate=estate)
        .select_related("kind", "committee")
        .order_by("month", "pk")
    ]


def proposed_items(estate, year):
    """What the year's plan should hold: the cadence rules' periods, then last year's own items."""
    return rule_items(estate, year) + carried_items(estate, year)


# --- plan against actual --------------------------------------------------------------------------


def _item_kinds(item):
    """The meeting kinds that fulfil an item: all of its rule's kinds while the item keeps one of
    them, else its own kind."""
    if item.rule_id is not None:
        kinds = {k.pk for k in item.rule.kinds.all()}
        if item.kind_id in kinds:
            return kinds
    return {item.kind_id}


def against_actual(plan, now):
    """The plan against the meetings of its estate and year, at `now` (against_actual_many)."""
    return against_actual_many([plan], now)[plan.pk]


def against_actual_many(plans, now):
    """{plan id: result}: each plan against the meetings of its estate and year, at `now`; three
    queries however many plans (their items, the rules' kinds, the meetings).

    Each item not removed is matched to one meeting (each meeting fulfils one item) of its committee
    and kind(s): first in its own month (held: attendance recorded; or still scheduled, and then it
    stays to be held), then, for those left, the nearest month with such a meeting (moved, to that
    month). An item left without a meeting is missed once its month is over (plus the cadence grace
    days for attendance to be recorded), else to be held.

    A result is {"items": [{"item", "status", "label", "meeting", "month"}], "months": [{"month",
    "planned", "held", "moved", "missed", "open", "moved_to": [months], "current"}], "totals": {...}}:
    "month" of an item is where it happened (its own, or where it moved to).
    """
    from meetings import periods
    from meetings.models import Meeting

    plans = list(plans)
    if not plans:
        return {}
    items = defaultdict(list)
    for item in (
        AnnualPlanItem.objects.filter(plan__in=plans, removed=False)
        .select_related("kind", "committee", "rule")
        .prefetch_related("rule__kinds")
        .order_by("month", "pk")
    ):
        items[item.plan_id].append(item)
    by_year = defaultdict(set)
    for plan in plans:
        by_year[plan.year].add(plan.estate_id)
    windows = Q()
    for year, estate_ids in by_year.items():  # one window per year (the assessment's: one year)
        windows |= Q(
            estate_id__in=sorted(estate_ids),
            starts_at__gte=periods.start_of_day(datetime.date(year, 1, 1)),
            starts_at__lt=periods.start_of_day(datetime.date(year + 1, 1, 1)),
        )
    meetings = defaultdict(list)
    for m in (
        Meeting.objects.filter(windows)
        .exclude(status=Meeting.Status.CANCELLED)
        .only("pk", "title", "starts_at", "status", "attendance_recorded_at", "estate_id", "committee_id", "kind_id")
        .order_by("starts_at", "pk")
    ):
        meetings[(m.estate_id, periods.local_date(m.starts_at).year)].append(m)
    return {plan.pk: _match(plan, items[plan.pk], meetings[(plan.estate_id, plan.year)], now) for plan in plans}


def _match(plan, items, meetings, now):
    from meetings import periods
    from meetings.cadence import SCHEDULED, grace_days

    year = plan.year
    today = periods.local_date(now)
    # {(committee, kind): [(month, held, meeting)]}: held, or still to come as scheduled
    pool = defaultdict(list)
    for m in meetings:
        held = m.attendance_recorded_at is not None
        if held or (m.status in SCHEDULED and m.starts_at >= now):
            pool[(m.committee_id, m.kind_id)].append((periods.local_date(m.starts_at).month, held, m))
    used = set()

    def candidates(item):
        for kind_id in _item_kinds(item):
            for month, held, m in pool.get((item.committee_id, kind_id), ()):
                if m.pk not in used:
                    yield month, held, m

    results = {}
    for item in items:  # their own month first, a held meeting before a scheduled one
        same = sorted((c for c in candidates(item) if c[0] == item.month), key=lambda c: (not c[1], c[2].starts_at))
        if same:
            month, held, m = same[0]
            used.add(m.pk)
            results[item.pk] = {"status": HELD if held else PLANNED, "meeting": m, "month": month}
    for item in items:  # then the nearest other month
        if item.pk in results:
            continue
        other = sorted(candidates(item), key=lambda c: (abs(c[0] - item.month), -c[0], c[2].starts_at))
        if other:
            month, _held, m = other[0]
            used.add(m.pk)
            results[item.pk] = {"status": MOVED, "meeting": m, "month": month}
            continue
        over = today > periods.last_day(year, item.month) + datetime.timedelta(days=grace_days())
        results[item.pk] = {"status": MISSED if over else PLANNED, "meeting": None, "month": item.month}

    rows = [{"item": item, "label": STATUS_LABELS[results[item.pk]["status"]], **results[item.pk]} for item in items]
    months = []
    for month in range(1, 13):
        mine = [r for r in rows if r["item"].month == month]
        counts = {s: sum(1 for r in mine if r["status"] == s) for s in (HELD, MOVED, MISSED, PLANNED)}
        months.append(
            {
                "month": month,
                "planned": len(mine),
                "held": counts[HELD],
                "moved": counts[MOVED],
                "missed": counts[MISSED],
                "open": counts[PLANNED],
                "moved_to": sorted({r["month"] for r in mine if r["status"] == MOVED}),
                "current": (year, month) == (today.year, today.month),
            }
        )
    totals = {k: sum(m[k] for m in months) for k in ("planned", "held", "moved", "missed", "open")}
    return {"items": rows, "months": months, "totals": totals}


def month_by_estate(estate_ids, year, month, now):
    """{estate id: {"plan_planned", "plan_held", "plan_moved", "plan_missed"}}: the month's row of
    each estate's plan for the year (the assessment's figure), for the estates that have one. A
    submitted or draft plan counts too: it is the plan the office works to until the leader decides.
    `estate_ids` None: every estate."""
    plans = AnnualPlan.objects.filter(year=year)
    if estate_ids is not None:
        plans = plans.filter(estate_id__in=list(estate_ids))
    plans = list(plans.only("pk", "estate_id", "year"))
    estates = {p.pk: p.estate_id for p in plans}
    out = {}
    for plan_id, result in against_actual_many(plans, now).items():
        row = result["months"][month - 1]
        out[estates[plan_id]] = {f"plan_{k}": row[k] for k in ("planned", "held", "moved", "missed")}
    return out
