"""Cadence in the assessment: each active rule's period that falls due in the month, met / at risk / missed.

The period arithmetic and the status are the meetings app's own plain functions (meetings/periods.py:
`periods_between`, `status_for`, with its grace days), so the dashboard and the daily cadence scan judge
a period alike. Counting is done here in bulk (one grouped query per distinct period window, whatever
the number of estates) instead of per rule; `period_meetings` is the drill-down with the same filter.

A period counts in the month it ends in (a two-monthly rule shows in February, April, …), so a closed
month never holds a period still in progress. Rules belong to the estate's director, or to its
supervisors for supervisor rules (directors when it has none), as in meetings/cadence.py.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, Q

from liaison.models import Committee, Role, StaffAssignment

try:  # the meetings app is being finished in parallel; without it there is no cadence to show
    from meetings import periods as mperiods
    from meetings.cadence import grace_days
    from meetings.models import CadenceRule, Meeting
except ImportError:  # pragma: no cover
    CadenceRule = Meeting = mperiods = None


@dataclasses.dataclass
class RulePeriod:
    rule_id: int
    estate_id: int
    name: str
    code: str
    committee_kind: str
    kind_ids: tuple
    start: datetime.date
    end: datetime.date
    required: int
    held: int = 0
    scheduled: int = 0
    status: str = "open"
    responsible: str = "director"
    at_risk_days: int = 7

    def as_dict(self):
        # by hand: dataclasses.asdict deep-copies, which is slow for the ~1,000 periods of 200 estates
        d = {name: getattr(self, name) for name in FIELDS}
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        d["kind_ids"] = list(self.kind_ids)
        return d


FIELDS = [f.name for f in dataclasses.fields(RulePeriod)]


def _window_q(start, end):
    return Q(
        starts_at__gte=mperiods.start_of_day(start),
        starts_at__lt=mperiods.start_of_day(end + datetime.timedelta(days=1)),
    ) & ~Q(status="cancelled")


def period_meetings(rp, estate_id=None):
    """The meetings behind one rule's period (the drill-down): the filter the counts use."""
    return Meeting.objects.filter(
        _window_q(rp.start, rp.end),
        estate_id=estate_id or rp.estate_id,
        committee__kind=rp.committee_kind,
        kind_id__in=rp.kind_ids,
    ).select_related("committee", "kind", "organizer")


def due_periods(month, now, estate_ids):
    """[RulePeriod] for the active rules of these estates (None: all) whose period ends in `month`."""
    if CadenceRule is None:
        return []
    committees = Committee.objects.all()
    rules = CadenceRule.objects.filter(active=True)
    if estate_ids is not None:
        committees = committees.filter(estate_id__in=estate_ids)
        rules = rules.filter(estate_id__in=estate_ids)
    pairs = set(committees.values_list("estate_id", "kind"))
    rules = list(
        rules.values(
            "pk",
            "estate_id",
            "name",
            "code",
            "committee_kind",
            "period",
            "day_from",
            "day_to",
            "min_count",
            "responsible",
            "at_risk_days",
            "effective_from",
        )
    )
    # the rules' meeting kinds from the M2M table directly (instances would cost more than the counting)
    kinds = defaultdict(list)
    for rule_id, kind_id in CadenceRule.kinds.through.objects.filter(
        cadencerule_id__in=[r["pk"] for r in rules]
    ).values_list("cadencerule_id", "meetingkind_id"):
        kinds[rule_id].append(kind_id)
    out = []
    for rule in rules:
        if (rule["estate_id"], rule["committee_kind"]) not in pairs:
            continue
        for start, end in mperiods.periods_between(
            rule["period"], month.first_day, month.last_day, rule["day_from"], rule["day_to"]
        ):
            if not (month.first_day <= end <= month.last_day) or end < rule["effective_from"]:
                continue
            out.append(
                RulePeriod(
                    rule_id=rule["pk"],
                    estate_id=rule["estate_id"],
                    name=rule["name"],
                    code=rule["code"],
                    committee_kind=rule["committee_kind"],
                    kind_ids=tuple(sorted(kinds[rule["pk"]])),
                    start=max(start, rule["effective_from"]),
                    end=end,
                    required=rule["min_count"],
                    responsible=rule["responsible"],
                    at_risk_days=rule["at_risk_days"],
                )
            )
    if not out:
        return out
    # one grouped query per distinct window (a handful: month, two months, quarter, half-year, ...)
    windows = defaultdict(list)
    for rp in out:
        windows[(rp.start, rp.end)].append(rp)
    for (start, end), group in windows.items():
        counts = defaultdict(lambda: [0, 0])
        rows = (
            _restrict(Meeting.objects.filter(_window_q(start, end)), estate_ids)
            .order_by()
            .values("estate_id", "committee__kind", "kind_id")
            .annotate(
                held=Count("pk", filter=Q(attendance_recorded_at__isnull=False)),
                scheduled=Count(
                    "pk",
                    filter=Q(
                        attendance_recorded_at__isnull=True,
                        status__in=["confirmed", "awaiting_approval"],
                        starts_at__gte=now,
                    ),
                ),
            )
        )
        for row in rows:
            c = counts[(row["estate_id"], row["committee__kind"], row["kind_id"])]
            c[0] += row["held"]
            c[1] += row["scheduled"]
        for rp in group:
            for kind_id in rp.kind_ids:
                held, scheduled = counts.get((rp.estate_id, rp.committee_kind, kind_id), (0, 0))
                rp.held += held
                rp.scheduled += scheduled
            rp.status, _closed = mperiods.status_for(
                held=rp.held,
                scheduled=rp.scheduled,
                required=rp.required,
                period_end=rp.end,
                today=mperiods.local_date(now),
                at_risk_days=rp.at_risk_days,
                grace_days=grace_days(),
            )
    return out


def _restrict(qs, estate_ids):
    """`estate_ids` None means every estate: no IN list, so the planner can use the time indexes."""
    return qs if estate_ids is None else qs.filter(estate_id__in=estate_ids)


def responsibles(estate_ids):
    """{estate_id: {"director": [user ids], "supervisor": [user ids]}} in one query."""
    out = defaultdict(lambda: {"director": [], "supervisor": []})
    qs = _restrict(StaffAssignment.objects.filter(role__in=[Role.DIRECTOR, Role.SUPERVISOR]), estate_ids)
    for estate_id, user_id, role in qs.values_list("estate_id", "user_id", "role"):
        out[estate_id][role].append(user_id)
    return out


def owners(rp, team):
    """Staff members a rule's period is attributed to."""
    if rp.responsible == "supervisor" and team["supervisor"]:
        return team["supervisor"]
    return team["director"]


def cadence_figures(rp):
    return {
        "cadence_due": 1,
        "cadence_met": int(rp.status == "met"),
        "cadence_at_risk": int(rp.status == "at_risk"),
        "cadence_missed": int(rp.status == "missed"),
    }
