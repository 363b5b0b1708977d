"""The month's figures computed live from the records of the other apps.

`compute(month, now, estate_ids)` reads meetings, issues, callbacks and sign-off requests with a fixed
number of grouped queries (the count does not depend on the number of estates) and returns raw,
summable figures per estate and per (staff member, estate). Closing a month (actions.py) and the
provisional snapshot of a month not closed (provisional.py) store what it returns; compute.py reads
those stored figures for the pages.
"""

import datetime
from collections import defaultdict

from records import annual

from . import cadence, metrics


def cadence_now(month, now):
    """Once the month has ended its periods are judged final (met or missed) even inside the meetings
    app's grace days: the assessment of an ended month does not wait."""
    if not month.has_ended(now):
        return now
    final = month.end + datetime.timedelta(days=cadence.grace_days() + 1)
    return max(now, final)


def compute(month, now, estate_ids, *, every=False):
    """Figures of `estate_ids`; `every=True` says they are all the estates, so the queries need no
    estate filter (the planner then uses the time indexes)."""
    estate_ids = list(estate_ids)
    scope = None if every else estate_ids
    cells = metrics.all_counts(month, now, scope)
    team = cadence.responsibles(scope)
    periods = cadence.due_periods(month, cadence_now(month, now), scope)
    estates = {eid: {} for eid in estate_ids}
    staff = defaultdict(dict)
    for (eid, pid), fig in cells.items():
        if eid not in estates:  # an estate created since the list was read
            continue
        metrics.add_into(estates[eid], fig)
        for uid in [pid] if pid else team[eid]["director"]:
            metrics.add_into(staff[(uid, eid)], fig)
    by_estate = defaultdict(list)
    for rp in periods:
        if rp.estate_id not in estates:
            continue
        fig = cadence.cadence_figures(rp)
        metrics.add_into(estates[rp.estate_id], fig)
        by_estate[rp.estate_id].append(rp.as_dict())
        for uid in cadence.owners(rp, team[rp.estate_id]):
            metrics.add_into(staff[(uid, rp.estate_id)], fig)
    # the annual work plan's items of the month (records.annual: held / moved / missed), the director's
    for eid, fig in annual.month_by_estate(scope, month.year, month.month, cadence_now(month, now)).items():
        if eid not in estates:
            continue
        metrics.add_into(estates[eid], fig)
        for uid in team[eid]["director"]:
            metrics.add_into(staff[(uid, eid)], fig)
    return {"estates": estates, "staff": dict(staff), "cadence": dict(by_estate)}
