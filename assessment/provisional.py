"""Provisional snapshots: the figures of a month that is not closed, computed ahead of the view.

Computing a month live for 200 estates takes 100–300 ms (grouped queries over every issue, then
summing in Python), too slow for a page opened many times a day. So the figures of a month that is not
closed are computed for **every** estate by the beat job every 10 minutes (`refresh_open_months`,
also `manage.py assessment_refresh`), stored as one `ProvisionalSnapshot` row per month, and the month
view only reads that row and keeps the estates the user may see (the same filtering as a closed
month's snapshot). A manager can refresh a month now (`refresh`, audited).

`compute.month_figures` reads a month that is not closed through `head` and `fresh`: the stored
snapshot when it is at most `ASSESSMENT_PROVISIONAL_MAX_AGE` seconds old (default 30 minutes: the job
missed two runs), else the figures computed live now (live.py) and stored.

The snapshot is one `ProvisionalSnapshot` row per month and its `ProvisionalRow`s: one per estate, one
per (staff member, estate) and one per staff member over every estate, each with its score. A director
reads the rows of their own estates only; a manager who sees every estate reads the scores to rank and
the figures of the rows shown (`ranking`, `figures_of`), not every estate's figures.

Writes are safe twice and concurrently: the head row is read (or created) locked (`select_for_update`)
until the transaction that replaces its rows commits, and replaced only when it was computed earlier,
so concurrent writers leave one set of rows, a reader (one statement for the rows) sees the old or the
new figures whole, and a slow job that started earlier does not overwrite a manager's newer refresh;
nothing is written for a month already closed.
"""

import datetime
import logging
import statistics

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from liaison.models import Estate, audit

from . import live, metrics, scoring
from .models import AssessmentMonth, ProvisionalRow, ProvisionalSnapshot
from .months import Month

log = logging.getLogger(__name__)

from .beat import INTERVAL_MINUTES  # noqa: E402,F401  (the job's period, shown on the month page)


def max_age():
    return datetime.timedelta(seconds=getattr(settings, "ASSESSMENT_PROVISIONAL_MAX_AGE", 30 * 60))


def _rows(data, w):
    """The snapshot's rows (unsaved) and the total of every estate, from `compute.compute`'s result."""
    rows, total = [], {}
    for eid, fig in data["estates"].items():
        metrics.add_into(total, fig)
        rows.append(
            ProvisionalRow(
                estate_id=eid, figures=fig, cadence=data["cadence"].get(eid, []), score=scoring.score(fig, w)
            )
        )
    every = {}
    for (uid, eid), fig in data["staff"].items():
        rows.append(ProvisionalRow(estate_id=eid, user_id=uid, figures=fig))
        metrics.add_into(every.setdefault(uid, {}), fig)
    rows.extend(ProvisionalRow(user_id=uid, figures=fig, score=scoring.score(fig, w)) for uid, fig in every.items())
    return rows, _shown_total(total)


def _shown_total(total):
    """The total of every estate as the month view's total row uses it: its counts, and each list of
    durations (thousands at 200 estates) reduced to its median, the only thing the row shows of it."""
    return {k: [statistics.median(v)] if isinstance(v, list) and v else v for k, v in total.items()}


def _claim(month, now, head):
    """The month's head row with `head` written as of `now`, locked until the transaction ends; None
    when the stored one was computed later (it is left alone)."""
    snap, created = ProvisionalSnapshot.objects.select_for_update().get_or_create(
        year=month.year, month=month.month, defaults={"computed_at": now, **head}
    )
    if created:
        return snap
    if snap.computed_at > now:
        return None
    snap.computed_at = now
    for name, value in head.items():
        setattr(snap, name, value)
    snap.save(update_fields=["computed_at", *head])
    return snap


def store(month, now, *, actor=None, job=""):
    """Compute every estate's figures of `month` as of `now` and store them as its provisional snapshot.

    Returns the stored row, or None when nothing was stored (the month is closed, or a snapshot
    computed later than `now` is already there). With `actor`, writes an audit entry ("refreshed").
    """
    estate_ids = list(Estate.objects.values_list("pk", flat=True))
    data = live.compute(month, now, estate_ids, every=True)
    w = scoring.weights()
    rows, total = _rows(data, w)
    # not durable: the month view stores a missing or stale snapshot while it reads (GET requests too)
    with transaction.atomic():
        if AssessmentMonth.objects.filter(year=month.year, month=month.month).exists():
            return None
        snap = _claim(month, now, {"weights": w, "estate_ids": estate_ids, "total": total})
        if snap is None:
            return None
        ProvisionalRow.objects.filter(snapshot=snap).delete()
        for row in rows:
            row.snapshot = snap
        ProvisionalRow.objects.bulk_create(rows, batch_size=500)
        if actor is not None:
            audit(
                snap,
                "refreshed",
                actor=actor,
                job=job,
                now=now,
                changes={"month": str(month), "estates": len(data["estates"])},
            )
    log.info(
        "assessment: provisional figures of %s stored as of %s (%s estates)%s",
        month,
        now.isoformat(),
        len(data["estates"]),
        f" by {actor.username}" if actor is not None else f" by {job or 'view'}",
    )
    return snap


def head(month):
    """The month's stored snapshot head or None, annotated with `month_closed` (one query)."""
    closed = AssessmentMonth.objects.filter(year=OuterRef("year"), month=OuterRef("month"))
    return (
        ProvisionalSnapshot.objects.filter(year=month.year, month=month.month)
        .annotate(month_closed=Exists(closed))
        .first()
    )


def snapshot(month, now):
    """The month's snapshot head (not closed), at most `max_age()` old: stored now when missing or stale.
    None for a month that has not begun (nothing is stored for it)."""
    return fresh(head(month), month, now)


def fresh(snap, month, now):
    """`snap` (the month's head as read, or None) when it is at most `max_age()` old, else stored now."""
    if snap is not None and datetime.timedelta(0) <= now - snap.computed_at <= max_age():
        return snap
    if month.start > now:
        return None
    stored = store(month, now, job="view")
    if stored is None:  # closed meanwhile, or a newer snapshot was stored meanwhile: read what is there
        stored = ProvisionalSnapshot.objects.filter(year=month.year, month=month.month).first()
    return stored


def totals(months, now, estate_ids):
    """{month: raw figures summed over `estate_ids`} of months not closed that have begun (the trends),
    each from its snapshot (stored now when missing or stale, as by the month view): the stored total
    when `estate_ids` include every estate of the snapshot, else the estates' rows summed. Two queries
    when the snapshots are fresh, whatever the number of months."""
    if not months:
        return {}
    wanted = Q()
    for m in months:
        wanted |= Q(year=m.year, month=m.month)
    stored = {(s.year, s.month): s for s in ProvisionalSnapshot.objects.filter(wanted)}
    snaps = {m: fresh(stored.get((m.year, m.month)), m, now) for m in months}
    result, summed = {}, {}
    for m, snap in snaps.items():
        if snap is None:  # closed meanwhile (its snapshot dropped): the records as they are
            result[m] = {}
            for fig in live.compute(m, now, estate_ids)["estates"].values():
                metrics.add_into(result[m], fig)
        elif set(snap.estate_ids) <= set(estate_ids):
            result[m] = dict(snap.total)
        else:
            summed[snap.pk] = m
            result[m] = {}
    if summed:
        for pk, fig in ProvisionalRow.objects.filter(
            snapshot_id__in=list(summed), user=None, estate_id__in=list(estate_ids)
        ).values_list("snapshot_id", "figures"):
            metrics.add_into(result[summed[pk]], fig)
    return result


def rows_for(snap, estate_ids, *, with_cadence=True):
    """(estate figures, staff cells, staff names, cadence) of `estate_ids` in a snapshot: one query."""
    estates, staff, names, cad = {}, {}, {}, {}
    fields = ["estate_id", "user_id", "user__name", "user__username", "figures"]
    for eid, uid, name, username, fig, *periods in (
        ProvisionalRow.objects.filter(snapshot=snap, estate_id__in=list(estate_ids))
        .values_list(*fields, *(["cadence"] if with_cadence else []))
        .order_by()
    ):
        if uid is not None:
            staff[(uid, eid)] = fig
            names[uid] = name or username
        else:
            estates[eid] = fig
            if periods:
                cad[eid] = periods[0]
    return estates, staff, names, cad


def ranks_every_estate(snap, estate_ids, w):
    """Whether `ranking` / `figures_of` answer for a user who sees `estate_ids`: the snapshot covers
    exactly estates they see (estates created since have no figures yet) and its scores were computed
    with the weights in force."""
    return snap is not None and snap.weights == w and set(snap.estate_ids) <= set(estate_ids)


def ranking(snap):
    """({estate id: score}, {user id: (score over every estate, name)}) from the rows over every estate
    (an estate's: user empty; a staff member's over all estates: estate empty): one query, no figures."""
    estates, staff = {}, {}
    rows = ProvisionalRow.objects.filter(Q(user=None) | Q(estate=None), snapshot=snap).order_by()
    for eid, uid, score, name, username in rows.values_list(
        "estate_id", "user_id", "score", "user__name", "user__username"
    ):
        if uid is None:
            estates[eid] = score
        else:
            staff[uid] = (score, name or username)
    return estates, staff


def figures_of(snap, estate_ids, user_ids):
    """({estate id: figures}, {user id: figures over every estate}) of the rows asked: one query."""
    estates, staff = {}, {}
    wanted = Q(user=None, estate_id__in=list(estate_ids)) | Q(estate=None, user_id__in=list(user_ids))
    for eid, uid, fig in (
        ProvisionalRow.objects.filter(wanted, snapshot=snap).order_by().values_list("estate_id", "user_id", "figures")
    ):
        if uid is None:
            estates[eid] = fig
        else:
            staff[uid] = fig
    return estates, staff


def computed_at(month):
    """When the month's provisional figures were computed (None without a snapshot): one small query."""
    return (
        ProvisionalSnapshot.objects.filter(year=month.year, month=month.month)
        .values_list("computed_at", flat=True)
        .first()
    )


def refresh_open_months(now, *, job="beat:assessment.refresh_provisional"):
    """The beat job: refresh the current and the previous month, and every other month not closed that
    has a provisional snapshot (someone looked at it); drop the snapshots of closed months.
    Returns {month: "stored" / "skipped"}."""
    current = Month.containing(now)
    closed = set(AssessmentMonth.objects.values_list("year", "month"))
    months = {current, current.add(-1)}
    months |= {Month(y, m) for y, m in ProvisionalSnapshot.objects.values_list("year", "month")}
    dropped = 0
    for y, m in closed & {(mo.year, mo.month) for mo in months}:
        dropped += ProvisionalSnapshot.objects.filter(year=y, month=m).delete()[0]
    result = {}
    for month in sorted(months):
        if (month.year, month.month) in closed or month.start > now:
            continue
        result[str(month)] = "stored" if store(month, now, job=job) is not None else "skipped"
    if dropped:
        result["dropped"] = dropped
    return result
