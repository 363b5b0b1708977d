"""Cadence in the assessment: each active rule's period that falls due in the month, met / at risk / missed.

Judged by the meetings app's one cadence counter (meetings/cadence.py): the same periods
(`periods_in_effect`, effective_from included) and the same verdicts (`verdicts`: the one the daily
scan stored once it closed the period, else counted now by `evaluate_many`), so the dashboard, the
scan and the meetings pages agree. `period_meetings` and `period_contacts` are the drill-down with the counter's filters.

A period counts in the month it ends in (a two-monthly rule shows in February, April, …), so a closed
month never holds a period still in progress. Rules belong to the estate's director, or to its
supervisors for supervisor rules (directors when it has none), as in meetings/cadence.py.
"""

import dataclasses
import datetime
from collections import defaultdict

from liaison.models import Role, StaffAssignment
from meetings import cadence as mcadence
from meetings.cadence import grace_days  # noqa: F401  (live.cadence_now reads it from here)


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
    # the Contact kinds the rule counts (CadenceRule.contact_kinds); () in snapshots taken before them
    contact_kinds: tuple = ()

    def as_dict(self):
        # by hand: dataclasses.asdict deep-copies, which is slow for the ~1,000 periods of 200 estates
        d = {name: getattr(self, name) for name in FIELDS}
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        d["kind_ids"] = list(self.kind_ids)
        d["contact_kinds"] = list(self.contact_kinds)
        return d


FIELDS = [f.name for f in dataclasses.fields(RulePeriod)]


def period_meetings(rp, estate_id=None):
    """The meetings behind one rule's period (the drill-down): the filter the counts use."""
    return mcadence.period_meetings(
        estate_id or rp.estate_id, rp.committee_kind, rp.kind_ids, rp.start, rp.end
    ).select_related("committee", "kind", "organizer")


def period_contacts(rp, now):
    """The contacts behind one rule's period (the drill-down): the filter the counts use."""
    return mcadence.period_contacts(
        rp.estate_id, rp.committee_kind, rp.contact_kinds, rp.start, rp.end, now
    ).select_related("committee", "staff")


def due_periods(month, now, estate_ids):
    """[RulePeriod] for the applicable rules of these estates (None: all) whose period ends in `month`."""
    due = [
        (rule, start, end)
        for rule in mcadence.applicable_rules(estate_ids)
        for start, end in mcadence.periods_in_effect(rule, month.first_day, month.last_day)
        if month.first_day <= end <= month.last_day
    ]
    verdicts = mcadence.verdicts(due, now)
    out = []
    for rule, start, end in due:
        verdict = verdicts[(rule.pk, start)]
        out.append(
            RulePeriod(
                rule_id=rule.pk,
                estate_id=rule.estate_id,
                name=rule.name,
                code=rule.code,
                committee_kind=rule.committee_kind,
                kind_ids=tuple(sorted(k.pk for k in rule.kinds.all())),
                start=start,
                end=end,
                required=verdict["required"],
                held=verdict["held"],
                scheduled=verdict["scheduled"],
                status=verdict["status"],
                responsible=rule.responsible,
                at_risk_days=rule.at_risk_days,
                contact_kinds=tuple(sorted(rule.contact_kind_codes)),
            )
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
