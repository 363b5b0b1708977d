"""Cadence enforcement: for every estate and active rule, the status of each period up to today.

`scan_cadence(now)` is the daily job (Celery beat task, management command `meetings_scan`, tests).
It catches up on every period since the last one it closed, so days of downtime lose nothing.
Each notice happens once: a CadencePeriod row per (rule, period) (unique constraint), a conditional
UPDATE that claims the notice (`at_risk_notified_at IS NULL`, `closed_at IS NULL`), and notify() keys.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from liaison.models import Role, audit
from liaison.notify import notify, notify_group

from . import periods
from .models import CadencePeriod, CadenceRule, Meeting

log = logging.getLogger(__name__)
JOB = "meetings.cadence"


def grace_days():
    return getattr(settings, "MEETINGS_CADENCE_GRACE_DAYS", 1)


def rule_period(rule, day):
    return periods.period_containing(rule.period, day, rule.day_from, rule.day_to)


def counts(rule, start, end, now):
    """(held, scheduled) meetings of the rule's kinds with the rule's committee type in [start, end]."""
    qs = Meeting.objects.filter(
        estate_id=rule.estate_id,
        committee__kind=rule.committee_kind,
        kind__in=rule.kinds.all(),
        starts_at__gte=periods.start_of_day(start),
        starts_at__lt=periods.start_of_day(end + datetime.timedelta(days=1)),
    ).exclude(status=Meeting.Status.CANCELLED)
    held = qs.filter(attendance_recorded_at__isnull=False).count()
    scheduled = qs.filter(
        attendance_recorded_at__isnull=True,
        status__in=[Meeting.Status.CONFIRMED, Meeting.Status.AWAITING_APPROVAL],
        starts_at__gte=now,
    ).count()
    return held, scheduled


def evaluate(rule, start, end, now):
    """The status of one period of one rule at `now` (reads meetings, writes nothing)."""
    held, scheduled = counts(rule, start, end, now)
    status, closed = periods.status_for(
        held=held,
        scheduled=scheduled,
        required=rule.min_count,
        period_end=end,
        today=periods.local_date(now),
        at_risk_days=rule.at_risk_days,
        grace_days=grace_days(),
    )
    return {"held": held, "scheduled": scheduled, "status": status, "closed": closed}


def responsible_users(rule):
    from liaison.people import estate_staff

    roles = [Role.DIRECTOR] if rule.responsible == "director" else [Role.SUPERVISOR, Role.DIRECTOR]
    return list(estate_staff(rule.estate, roles))


def _period_row(rule, start, end):
    try:
        with transaction.atomic():
            row, _ = CadencePeriod.objects.get_or_create(
                rule=rule,
                period_start=start,
                defaults={"estate_id": rule.estate_id, "period_end": end, "required_count": rule.min_count},
            )
    except IntegrityError:  # created by a concurrent run between our SELECT and INSERT
        row = CadencePeriod.objects.get(rule=rule, period_start=start)
    return row


def _params(rule, row):
    return {
        "rule": rule.name,
        "estate": rule.estate.name,
        "held": row.held_count,
        "required": rule.min_count,
        "end": formats.date_format(row.period_end, "Y-m-d"),
        "start": formats.date_format(row.period_start, "Y-m-d"),
    }


def process_period(rule, start, end, now):
    """Bring one (rule, period) row up to date and send its notices once. Returns the row's status."""
    result = evaluate(rule, start, end, now)
    row = _period_row(rule, start, end)
    if row.closed_at is not None:
        return row.status
    url = reverse("meetings:cadence")
    with transaction.atomic():
        if result["closed"]:
            changed = CadencePeriod.objects.filter(pk=row.pk, closed_at__isnull=True).update(
                status=result["status"],
                held_count=result["held"],
                scheduled_count=0,
                required_count=rule.min_count,
                computed_at=now,
                closed_at=now,
                missed_notified_at=now if result["status"] == "missed" else None,
            )
            if changed != 1:
                return result["status"]  # another run closed it
            row.refresh_from_db()
            audit(
                row,
                f"period_{result['status']}",
                job=JOB,
                estate=rule.estate,
                now=now,
                changes={
                    "rule": rule.code,
                    "start": start,
                    "end": end,
                    "held": result["held"],
                    "required": rule.min_count,
                },
            )
            if result["status"] == "missed":
                from liaison.people import leaders

                params = _params(rule, row)
                notify(
                    responsible_users(rule) + list(leaders()),
                    kind="cadence.missed",
                    key=f"cadence:{rule.pk}:{start.isoformat()}:missed",
                    subject=_("Missed: %(rule)s at %(estate)s (%(start)s – %(end)s: %(held)s of %(required)s held)"),
                    body=_("The period closed below the minimum; this is recorded for the monthly assessment."),
                    params=params,
                    url=url,
                    estate=rule.estate,
                    now=now,
                )
                notify_group(
                    rule.estate,
                    kind="cadence.missed",
                    key=f"cadence:{rule.pk}:{start.isoformat()}:missed",
                    subject=_("Missed: %(rule)s at %(estate)s (%(start)s – %(end)s: %(held)s of %(required)s held)"),
                    params=params,
                    url=url,
                    now=now,
                )
            return result["status"]
        CadencePeriod.objects.filter(pk=row.pk, closed_at__isnull=True).update(
            status=result["status"],
            held_count=result["held"],
            scheduled_count=result["scheduled"],
            required_count=rule.min_count,
            computed_at=now,
        )
        if result["status"] == "at_risk":
            claimed = CadencePeriod.objects.filter(pk=row.pk, at_risk_notified_at__isnull=True).update(
                at_risk_notified_at=now
            )
            if claimed == 1:
                row.refresh_from_db()
                params = _params(rule, row)
                audit(
                    row,
                    "period_at_risk",
                    job=JOB,
                    estate=rule.estate,
                    now=now,
                    changes={"rule": rule.code, "held": result["held"]},
                )
                notify(
                    responsible_users(rule),
                    kind="cadence.at_risk",
                    key=f"cadence:{rule.pk}:{start.isoformat()}:at_risk",
                    subject=_("At risk: %(rule)s at %(estate)s — %(held)s of %(required)s held, period ends %(end)s"),
                    body=_("Schedule the missing meeting(s) before the period ends."),
                    params=params,
                    url=url,
                    estate=rule.estate,
                    now=now,
                )
                notify_group(
                    rule.estate,
                    kind="cadence.at_risk",
                    key=f"cadence:{rule.pk}:{start.isoformat()}:at_risk",
                    subject=_("At risk: %(rule)s at %(estate)s — %(held)s of %(required)s held, period ends %(end)s"),
                    params=params,
                    url=url,
                    now=now,
                )
    return result["status"]


def applicable_rules():
    """Active rules of estates that have a committee of the rule's type."""
    from liaison.models import Committee

    pairs = set(Committee.objects.values_list("estate_id", "kind"))
    rules = CadenceRule.objects.filter(active=True).select_related("estate").prefetch_related("kinds")
    return [r for r in rules if (r.estate_id, r.committee_kind) in pairs]


def scan_rule(rule, now):
    today = periods.local_date(now)
    last_closed = (
        CadencePeriod.objects.filter(rule=rule, closed_at__isnull=False)
        .order_by("-period_start")
        .values_list("period_end", flat=True)
        .first()
    )
    first_day = rule.effective_from
    if last_closed is not None and last_closed >= first_day:
        first_day = last_closed + datetime.timedelta(days=1)
    statuses = []
    for start, end in periods.periods_between(rule.period, first_day, today, rule.day_from, rule.day_to):
        if start < rule.effective_from and end < rule.effective_from:
            continue
        statuses.append(((start, end), process_period(rule, start, end, now)))
    return statuses


def scan_cadence(now):
    """The daily job. Returns {status: count} over the periods it looked at."""
    summary = {}
    for rule in applicable_rules():
        try:
            for _period, status in scan_rule(rule, now):
                summary[status] = summary.get(status, 0) + 1
        except Exception:  # one bad rule must not stop the others; it is retried next run
            log.exception("cadence scan failed for rule %s", rule.pk)
    return summary


def due_next(estate, now):
    """Per rule of the estate: the current period, how many held/scheduled of how many, by when."""
    from liaison.models import Committee

    kinds = set(Committee.objects.filter(estate=estate).values_list("kind", flat=True))
    today = periods.local_date(now)
    out = []
    for rule in estate.cadence_rules.filter(active=True).prefetch_related("kinds"):
        if rule.committee_kind not in kinds:
            continue
        start, end = rule_period(rule, today)
        result = evaluate(rule, start, end, now)
        out.append(
            {
                "rule": rule,
                "start": start,
                "end": end,
                "days_left": (end - today).days,
                "remaining": max(0, rule.min_count - result["held"]),
                **result,
            }
        )
    order = {"at_risk": 0, "open": 1, "missed": 2, "met": 3}
    out.sort(key=lambda r: (order.get(r["status"], 9), r["end"]))
    return out
