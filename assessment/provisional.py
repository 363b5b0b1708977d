"""Provisional snapshots: the figures of a month that is not closed, computed ahead of the view.

Computing a month live for 200 estates takes 100–300 ms (grouped queries over every issue, then
summing in Python), too slow for a page opened many times a day. So the figures of a month that is not
closed are computed for **every** estate by the beat job every 10 minutes (`refresh_open_months`,
also `manage.py assessment_refresh`), stored as one `ProvisionalSnapshot` row per month, and the month
view only reads that row and keeps the estates the user may see (the same filtering as a closed
month's snapshot). A manager can refresh a month now (`refresh`, audited).

`figures(month, now)` is what `compute.month_figures` uses for a month that is not closed: the
stored snapshot when it is at most `ASSESSMENT_PROVISIONAL_MAX_AGE` seconds old (default 30 minutes:
the job missed two runs), else the figures computed live now and stored.

Writes are safe twice and concurrently: the row is written by one `INSERT … ON CONFLICT (year, month)
DO UPDATE … WHERE stored.computed_at <= new.computed_at` statement, so concurrent writers leave one
row, a reader sees the old or the new figures whole, and a slow job that started earlier does not
overwrite a manager's newer refresh; nothing is written for a month already closed.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction

from liaison.models import Estate, audit

from . import compute as comp
from .models import AssessmentMonth, ProvisionalSnapshot
from .months import Month

log = logging.getLogger(__name__)

from .beat import INTERVAL_MINUTES  # noqa: E402,F401  (the job's period, shown on the month page)


def max_age():
    return datetime.timedelta(seconds=getattr(settings, "ASSESSMENT_PROVISIONAL_MAX_AGE", 30 * 60))


def _pack(data):
    return {
        "estates": {str(eid): fig for eid, fig in data["estates"].items()},
        "cadence": {str(eid): periods for eid, periods in data["cadence"].items()},
        "staff": [[uid, eid, fig] for (uid, eid), fig in data["staff"].items()],
    }


def unpack(snap):
    """(estate figures, staff cells, cadence) keyed like `compute.compute`'s result."""
    return (
        {int(eid): fig for eid, fig in snap.estates.items()},
        {(uid, eid): fig for uid, eid, fig in snap.staff},
        {int(eid): periods for eid, periods in snap.cadence.items()},
    )


def _upsert(month, now, packed):
    """Insert or replace the month's row in one statement, unless the stored one was computed later.
    True when written. (PostgreSQL and SQLite both have INSERT … ON CONFLICT … DO UPDATE … WHERE.)"""
    table = ProvisionalSnapshot._meta.db_table
    names = ["year", "month", "computed_at", "estates", "cadence", "staff"]
    values = {"year": month.year, "month": month.month, "computed_at": now, **packed}
    params = [ProvisionalSnapshot._meta.get_field(n).get_db_prep_save(values[n], connection=connection) for n in names]
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(table)} ({', '.join(q(n) for n in names)}) VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({q('year')}, {q('month')}) DO UPDATE SET "
        + ", ".join(f"{q(n)} = EXCLUDED.{q(n)}" for n in names[2:])
        + f" WHERE {q(table)}.{q('computed_at')} <= EXCLUDED.{q('computed_at')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def store(month, now, *, actor=None, job=""):
    """Compute every estate's figures of `month` as of `now` and store them as its provisional snapshot.

    Returns the stored row, or None when nothing was stored (the month is closed, or a snapshot
    computed later than `now` is already there). With `actor`, writes an audit entry ("refreshed").
    """
    data = comp.compute(month, now, Estate.objects.values_list("pk", flat=True), every=True)
    packed = _pack(data)
    with transaction.atomic():
        key = {"year": month.year, "month": month.month}
        if AssessmentMonth.objects.filter(**key).exists():
            return None
        if not _upsert(month, now, packed):
            return None
        snap = ProvisionalSnapshot.objects.get(**key)
        if actor is not None:
            audit(
                snap,
                "refreshed",
                actor=actor,
                job=job,
                now=now,
                changes={"month": str(month), "estates": len(packed["estates"])},
            )
    log.info(
        "assessment: provisional figures of %s stored as of %s (%s estates)%s",
        month,
        now.isoformat(),
        len(packed["estates"]),
        f" by {actor.username}" if actor is not None else f" by {job or 'view'}",
    )
    return snap


def figures(month, now):
    """(estate figures, staff cells, cadence, computed_at) of a month that is not closed, every estate."""
    snap = ProvisionalSnapshot.objects.filter(year=month.year, month=month.month).first()
    if snap is not None and datetime.timedelta(0) <= now - snap.computed_at <= max_age():
        return (*unpack(snap), snap.computed_at)
    if month.start > now:  # a month that has not begun: nothing to store
        data = comp.compute(month, now, Estate.objects.values_list("pk", flat=True), every=True)
        return data["estates"], data["staff"], data["cadence"], now
    stored = store(month, now, job="view")
    if stored is None:  # closed meanwhile, or a newer snapshot was stored meanwhile: read what is there
        snap = ProvisionalSnapshot.objects.filter(year=month.year, month=month.month).first()
        if snap is None:
            data = comp.compute(month, now, Estate.objects.values_list("pk", flat=True), every=True)
            return data["estates"], data["staff"], data["cadence"], now
        stored = snap
    return (*unpack(stored), stored.computed_at)


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
