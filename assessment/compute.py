"""The month's figures: live from the records, or frozen from a closed month.

`compute(month, now, estate_ids)` reads the other apps' tables with a fixed number of grouped queries
(the count does not depend on the number of estates) and returns raw, summable figures per estate and
per (staff member, estate). `month_figures(month, user, now)` is what the views use: the closed
snapshot when there is one, else the provisional snapshot of a month not closed (provisional.py,
refreshed every 10 minutes), limited to the estates the user may see.
"""

import dataclasses
import datetime
import time
from collections import defaultdict

from liaison import access, rawsql
from liaison.models import Role, StaffAssignment, User

from . import cadence, metrics, scoring
from .models import AssessmentMonth, EstateFigures, StaffFigures


def cadence_now(month, now):
    """Once the month has ended its periods are judged final (met or missed) even inside the meetings
    app's grace days: the assessment of an ended month does not wait."""
    if not month.has_ended(now) or cadence.mperiods is None:
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
    return {"estates": estates, "staff": dict(staff), "cadence": dict(by_estate)}


def can_view(user):
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.LEADER, Role.ASSESSOR, Role.ADMIN, Role.DIRECTOR))
    )


def can_close(user):
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.LEADER, Role.ASSESSOR, Role.ADMIN))
    )


@dataclasses.dataclass
class Row:
    kind: str  # "estate" / "staff" / "total"
    id: int | None
    name: str
    figures: dict
    derived: dict
    rank: int | None = None


def _rank(rows):
    ordered = sorted(rows, key=lambda r: (r.derived["score"] is None, -(r.derived["score"] or 0), r.name))
    previous, rank = object(), 0
    for i, row in enumerate(ordered, 1):
        if row.derived["score"] is None:
            row.rank = None
            continue
        if row.derived["score"] != previous:
            rank, previous = i, row.derived["score"]
        row.rank = rank
    return ordered


@dataclasses.dataclass
class MonthFigures:
    month: object
    closed: AssessmentMonth | None
    weights: dict
    estates: list
    staff: list
    total: Row
    cadence: dict  # estate id -> [rule period dicts]
    as_of: object = None  # a month not closed: when its (provisional) figures were computed
    snapshot: object = None  # rows ranked from a provisional snapshot's scores: where their figures are


def visible_estate_list(user):
    """[(id, name)] of the estates `user` sees, by name (for those who see every estate: hand-written SQL,
    liaison.rawsql, as the month view reads it on every request)."""
    if user.is_authenticated and user.is_active and user.sees_all_estates:
        return rawsql.select("SELECT id, name FROM liaison_estate ORDER BY name, id")
    return list(access.visible_estates(user).order_by("name", "pk").values_list("pk", "name"))


def month_figures(month, user, now, *, estate_list=None, cadence=True, lazy=False):
    """The month's figures for the estates `user` sees, ranked.

    `lazy=True` (the month view, which shows a page of each ranking): when the user sees every estate of
    a provisional snapshot, the rows are ranked from the stored scores and carry no figures yet (the
    view asks `load_figures` for the rows it shows). `cadence=False`: the rule periods are not read."""
    estate_list = visible_estate_list(user) if estate_list is None else estate_list
    names = dict(estate_list)
    ids = list(names)
    # a month not closed is read from its provisional snapshot (provisional.py); the head is read first,
    # with whether the month is closed, so that the usual case needs no query for the closed month
    from . import provisional

    snap = provisional.head(month)
    closed = None
    if snap is None or snap.month_closed:
        closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).select_related("closed_by").first()
    as_of = staff_names = None
    kept_key = None
    if closed is not None and lazy:
        # a closed month's figures are frozen: the ranked rows are kept per process (see _closed_kept)
        kept_key = (closed.pk, closed.computed_at, closed.recomputed_count, tuple(estate_list), cadence)
        kept = _closed_kept.get(kept_key)
        if kept is not None and time.monotonic() - kept[0] <= CLOSED_KEEP_SECONDS:
            return dataclasses.replace(kept[1], closed=closed)
    if closed is not None:
        w = closed.weights or scoring.weights()
        estate_fig, cad = {}, {}
        fields = ["estate_id", "figures"] + (["cadence"] if cadence else [])
        for eid, fig, *periods in EstateFigures.objects.filter(closed_month=closed, estate_id__in=ids).values_list(
            *fields
        ):
            estate_fig[eid] = fig
            if periods:
                cad[eid] = periods[0]
        staff_cells = {
            (uid, eid): fig
            for uid, eid, fig in StaffFigures.objects.filter(closed_month=closed, estate_id__in=ids).values_list(
                "user_id", "estate_id", "figures"
            )
        }
    else:
        # not closed: kept to the estates this user sees exactly as a closed month's rows are, so a
        # director's ranking and staff sums are over their own estates, as when the figures were computed
        # live for those estates only
        w = scoring.weights()
        snap = provisional.fresh(snap, month, now)
        if snap is None:  # a month that has not begun: computed live, not stored
            data = compute(month, now, ids)
            estate_fig, staff_cells, cad, as_of = data["estates"], data["staff"], data["cadence"], now
        elif lazy and provisional.ranks_every_estate(snap, ids, w):
            return _ranked_from_scores(month, snap, estate_list, w)
        else:
            estate_fig, staff_cells, staff_names, cad = provisional.rows_for(snap, ids, with_cadence=cadence)
            as_of = snap.computed_at
    total = {}
    estates = []
    for eid in ids:
        fig = estate_fig.get(eid, {})
        metrics.add_into(total, fig)
        estates.append(Row("estate", eid, names[eid], fig, scoring.derive(fig, w)))
    per_user = defaultdict(dict)
    for (uid, _eid), fig in staff_cells.items():
        metrics.add_into(per_user[uid], fig)
    users = _user_names(per_user) if staff_names is None else staff_names
    staff = [
        Row("staff", uid, users[uid], fig, scoring.derive(fig, w)) for uid, fig in per_user.items() if uid in users
    ]
    figs = MonthFigures(
        month=month,
        closed=closed,
        weights=w,
        estates=_rank(estates),
        staff=_rank(staff),
        total=Row("total", None, "", total, scoring.derive(total, w)),
        cadence=cad,
        as_of=as_of,
    )
    if kept_key is not None:
        if len(_closed_kept) >= CLOSED_KEPT_MAX:
            _closed_kept.clear()
        _closed_kept[kept_key] = (time.monotonic(), figs)
    return figs


# The month view's figures of closed months, per process: {(month id, computed_at, recomputed_count, the user's estates
# with their names, cadence): (time.monotonic() when read, MonthFigures)}. A closed month's figures
# change only by an (audited) recompute, which counts itself and sets a new computed_at: the key names the version;
# staff names are the ones read then, for at most CLOSED_KEEP_SECONDS. The month view reads them only
# (load_figures leaves rows that have their figures alone). Reading them costs ~20 ms at 200 estates.
CLOSED_KEEP_SECONDS = 600
CLOSED_KEPT_MAX = 100  # ~1.5 MB for a list of 200 estates, ~40 KB for a director's five
_closed_kept = {}


def _user_names(user_ids):
    if not user_ids:
        return {}
    return {
        pk: name or username
        for pk, name, username in User.objects.filter(pk__in=list(user_ids)).values_list("pk", "name", "username")
    }


def _ranked_from_scores(month, snap, estate_list, w):
    """Every estate's and staff member's rank from the snapshot's stored scores; figures not read yet
    (`figures` None, `derived` only the score) except the total's."""
    from . import provisional

    estate_scores, staff_scores = provisional.ranking(snap)
    estates = [Row("estate", eid, name, None, {"score": estate_scores.get(eid)}) for eid, name in estate_list]
    staff = [Row("staff", uid, name, None, {"score": sc}) for uid, (sc, name) in staff_scores.items()]
    return MonthFigures(
        month=month,
        closed=None,
        weights=w,
        estates=_rank(estates),
        staff=_rank(staff),
        total=Row("total", None, "", snap.total, scoring.derive(snap.total, w)),
        cadence={},
        as_of=snap.computed_at,
        snapshot=snap,
    )


def load_figures(figs, rows):
    """Fill in the figures (and the derived columns) of `rows` ranked without them (`month_figures`
    with `lazy=True`): one query for all of them. Rows that have their figures are left as they are."""
    wanted = [r for r in rows if r.figures is None]
    if not wanted:
        return
    from . import provisional

    estates, staff = provisional.figures_of(
        figs.snapshot, [r.id for r in wanted if r.kind == "estate"], [r.id for r in wanted if r.kind == "staff"]
    )
    for r in wanted:
        r.figures = (estates if r.kind == "estate" else staff).get(r.id, {})
        r.derived = scoring.derive(r.figures, figs.weights)


def director_estate_ids(user_id):
    return list(StaffAssignment.objects.filter(user_id=user_id, role=Role.DIRECTOR).values_list("estate_id", flat=True))


def staff_estate_ids(user_id):
    """Estates where a staff member has figures: assigned there, or named on a record there."""
    return list(StaffAssignment.objects.filter(user_id=user_id).values_list("estate_id", flat=True))


def closed_totals(months, estate_ids):
    """{(year, month): summed figures} of the closed months among `months` for these estates: one query
    for the months and one for their rows."""
    closed = {
        (am.year, am.month): am
        for am in AssessmentMonth.objects.filter(year__in={m.year for m in months}).only("year", "month", "weights")
    }
    wanted = [am.pk for (y, mo), am in closed.items() if any(m.year == y and m.month == mo for m in months)]
    sums = defaultdict(dict)
    if wanted:
        by_pk = {am.pk: key for key, am in closed.items()}
        for pk, fig in EstateFigures.objects.filter(closed_month_id__in=wanted, estate_id__in=estate_ids).values_list(
            "closed_month_id", "figures"
        ):
            metrics.add_into(sums[by_pk[pk]], fig)
    return closed, sums
