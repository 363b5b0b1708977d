"""The month's figures as the pages, the exports and the API read them: frozen from a closed month, or
from the provisional snapshot of a month not closed, for the estates the user may see, ranked.

`month_figures(month, user, now)` is what the views use: the closed snapshot when there is one, else
the provisional snapshot (provisional.py, refreshed every 10 minutes), limited to the estates the user
sees (liaison.access). The live computation from the records is live.py.
"""

import dataclasses
from collections import defaultdict

from liaison import access
from liaison.models import Role, StaffAssignment, User

from . import live, metrics, provisional, scoring
from .models import AssessmentMonth, EstateFigures, StaffFigures


def can_close(user):
    """Close, recompute and refresh months: those who see every estate (leaders, assessors and
    administrators)."""
    return user.is_authenticated and user.is_active and user.sees_all_estates


def can_view(user):
    """The dashboard: those who may close months, and directors (their own estates)."""
    return can_close(user) or (user.is_authenticated and user.is_active and user.role == Role.DIRECTOR)


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
    """[(id, name)] of the estates `user` sees (liaison.access), by name."""
    return list(access.visible_estates(user).order_by("name", "pk").values_list("pk", "name"))


def month_figures(month, user, now, *, estate_list=None, cadence=True, lazy=False):
    """The month's figures for the estates `user` sees, ranked.

    `lazy=True` (the month view, which shows a page of each ranking): when the user sees every estate of
    a provisional snapshot, the rows are ranked from the stored scores and carry no figures yet (the
    view asks `load_figures` for the rows it shows). `cadence=False`: the rule periods are not read."""
    estate_list = visible_estate_list(user) if estate_list is None else estate_list
    names = dict(estate_list)
    ids = list(names)
    # the head is read first, with whether the month is closed, so that the usual case (a month not
    # closed) needs no query for the closed month
    snap = provisional.head(month)
    closed = None
    if snap is None or snap.month_closed:
        closed = AssessmentMonth.objects.filter(year=month.year, month=month.month).select_related("closed_by").first()
    as_of = staff_names = None
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
            data = live.compute(month, now, ids)
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
    return MonthFigures(
        month=month,
        closed=closed,
        weights=w,
        estates=_rank(estates),
        staff=_rank(staff),
        total=Row("total", None, "", total, scoring.derive(total, w)),
        cadence=cad,
        as_of=as_of,
    )


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
    estates, staff = provisional.figures_of(
        figs.snapshot, [r.id for r in wanted if r.kind == "estate"], [r.id for r in wanted if r.kind == "staff"]
    )
    for r in wanted:
        r.figures = (estates if r.kind == "estate" else staff).get(r.id, {})
        r.derived = scoring.derive(r.figures, figs.weights)


def director_estate_ids(user_id):
    return list(StaffAssignment.objects.filter(user_id=user_id, role=Role.DIRECTOR).values_list("estate_id", flat=True))


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
