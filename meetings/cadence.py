"""Cadence: which periods of a rule count, how many meetings each holds, and its status; the daily scan.

"Held" is the meetings held plus the contacts (calls, visits, publications, the inquiry window …) of the
kinds the rule accepts (`CadenceRule.contact_kinds`, counted by `count_contacts`), so every reader below
counts them the same way.

One counter for every reader: the daily scan (`scan_cadence`, which stores a CadencePeriod row per
(rule, period)), the home page and the cadence page (`due_next_by_estate` / `due_next`), the work plan
(`counts`) and the monthly assessment (`verdicts`, which takes the stored verdict of a period the scan
has closed). They all take their periods from `periods_in_effect` / `current_period` and their
figures from `evaluate_many`.

`scan_cadence(now)` is the daily job (Celery beat task, management command `meetings_scan`, tests).
It catches up on every period since the last one it closed, so days of downtime lose nothing.
Each notice happens once: a CadencePeriod row per (rule, period) (unique constraint), a conditional
UPDATE that claims the notice (`at_risk_notified_at IS NULL`, `closed_at IS NULL`), and notify() keys.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.models import Committee, Role, audit
from liaison.notify import notify, notify_group
from liaison.people import estate_staff, leaders

from . import periods
from .models import CadencePeriod, CadenceRule, Contact, Meeting

log = logging.getLogger(__name__)
JOB = "meetings.cadence"
SCHEDULED = (Meeting.Status.CONFIRMED, Meeting.Status.AWAITING_APPROVAL)
STATUS_ORDER = {"at_risk": 0, "open": 1, "missed": 2, "met": 3}
# distinct period windows counted by one query (two aggregate columns each)
WINDOWS_PER_QUERY = 24


def grace_days():
    return getattr(settings, "MEETINGS_CADENCE_GRACE_DAYS", 1)


# --- which rules and periods count ---------------------------------------------------------------


def applicable_rules(estate_ids=None):
    """Active rules whose estate has a committee of the rule's type (the others never produce a
    period), with their estate and their meeting kinds (prefetched: `count_periods` reads them).
    `estate_ids` None: every estate."""
    rules = CadenceRule.objects.filter(
        Exists(Committee.objects.filter(estate_id=OuterRef("estate_id"), kind=OuterRef("committee_kind"))),
        active=True,
    )
    if estate_ids is not None:
        rules = rules.filter(estate_id__in=estate_ids)
    return rules.select_related("estate").prefetch_related("kinds")


def in_effect(rule, period):
    """A period counts if it ends on or after the rule's effective_from. The period that contains
    effective_from is judged whole, from its first day (the rule asks for its minimum in that period,
    and a meeting already held in it counts), as the scan has always stored it."""
    return period[1] >= rule.effective_from


def periods_in_effect(rule, first_day, last_day):
    """The rule's periods from the one containing `first_day` to the one containing `last_day`
    (periods.periods_between), those in effect."""
    first_day = max(first_day, rule.effective_from)
    return [
        p
        for p in periods.periods_between(rule.period, first_day, last_day, rule.day_from, rule.day_to)
        if in_effect(rule, p)
    ]


def current_period(rule, today):
    """The period the pages show for the rule on `today` (for window rules the next window not yet
    over), or None before the rule takes effect."""
    period = periods.period_containing(rule.period, today, rule.day_from, rule.day_to)
    return period if in_effect(rule, period) else None


# --- counting ------------------------------------------------------------------------------------


def _window(start, end):
    """Meetings starting on the local days start .. end (inclusive)."""
    return Q(
        starts_at__gte=periods.start_of_day(start),
        starts_at__lt=periods.start_of_day(end + datetime.timedelta(days=1)),
    )


def period_meetings(estate_id, committee_kind, kind_ids, start, end):
    """The meetings a period of a rule is counted from (the drill-down of a figure): those of the
    rule's estate, committee type and meeting kinds starting in the period, not cancelled. Held: its
    attendance is recorded and it is not below quorum; scheduled: confirmed or awaiting approval, not yet held, starting from now on."""
    return Meeting.objects.filter(
        _window(start, end), estate_id=estate_id, committee__kind=committee_kind, kind_id__in=kind_ids
    ).exclude(status=Meeting.Status.CANCELLED)


def _held():
    """Attendance recorded, and not below its quorum (seed 002 第六条: such a meeting cannot be held)."""
    return Q(attendance_recorded_at__isnull=False) & ~Q(below_quorum=True)


def _scheduled(now):
    return Q(attendance_recorded_at__isnull=True, status__in=SCHEDULED, starts_at__gte=now)


def count_periods(rule_periods, now):
    """{(rule id, period start): (held, scheduled)} for many (rule, start, end) at once, counted as
    `period_meetings` says: one grouped query (per WINDOWS_PER_QUERY distinct periods), however many
    rules and estates. The rules' kinds must be prefetched (applicable_rules does)."""
    rule_periods = list(rule_periods)
    if not rule_periods:
        return {}
    kinds = {rule.pk: {k.pk for k in rule.kinds.all()} for rule, _s, _e in rule_periods}
    windows = sorted({(start, end) for _r, start, end in rule_periods})
    # {(estate, committee type, meeting kind): {window: [held, scheduled]}}
    found = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for chunk_at in range(0, len(windows), WINDOWS_PER_QUERY):
        chunk = windows[chunk_at : chunk_at + WINDOWS_PER_QUERY]
        counted = {}
        for i, (start, end) in enumerate(chunk):
            within = _window(start, end)
            counted[f"held_{i}"] = Count("pk", filter=within & _held())
            counted[f"scheduled_{i}"] = Count("pk", filter=within & _scheduled(now))
        rows = (
            Meeting.objects.filter(
                _window(min(s for s, _e in chunk), max(e for _s, e in chunk)),
                estate_id__in={rule.estate_id for rule, _s, _e in rule_periods},
                committee__kind__in={rule.committee_kind for rule, _s, _e in rule_periods},
                kind_id__in=set().union(*kinds.values()),
            )
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by()
            .values("estate_id", "committee__kind", "kind_id")
            .annotate(**counted)
        )
        for row in rows:
            by_window = found[(row["estate_id"], row["committee__kind"], row["kind_id"])]
            for i, window in enumerate(chunk):
                by_window[window][0] += row[f"held_{i}"]
                by_window[window][1] += row[f"scheduled_{i}"]
    contacts = count_contacts(rule_periods, now)
    out = {}
    for rule, start, end in rule_periods:
        held = scheduled = 0
        for kind_id in kinds[rule.pk]:
            h, s = found.get((rule.estate_id, rule.committee_kind, kind_id), {}).get((start, end), (0, 0))
            held, scheduled = held + h, scheduled + s
        # a contact the rule accepts (a visit, a publication …) counts like a meeting held
        out[(rule.pk, start)] = (held + contacts[(rule.pk, start)], scheduled)
    return out


def period_contacts(estate_id, committee_kind, contact_kinds, start, end, now):
    """The contacts a period of a rule counts (the drill-down of a figure): those of the rule's estate
    and committee type, of a kind the rule accepts, that took place in the period by `now`."""
    return Contact.objects.filter(
        _contact_window(start, end),
        estate_id=estate_id,
        committee__kind=committee_kind,
        kind__in=contact_kinds,
        occurred_at__lte=now,
    )


def _contact_window(start, end):
    return Q(
        occurred_at__gte=periods.start_of_day(start),
        occurred_at__lt=periods.start_of_day(end + datetime.timedelta(days=1)),
    )


def count_contacts(rule_periods, now):
    """{(rule id, period start): contacts counted} as `period_contacts` says: one grouped query per
    WINDOWS_PER_QUERY distinct periods, only for rules that accept some contact kind."""
    out = {(rule.pk, start): 0 for rule, start, _e in rule_periods}
    wanted = [(rule, start, end) for rule, start, end in rule_periods if rule.contact_kind_codes]
    windows = sorted({(start, end) for _r, start, end in wanted})
    found = defaultdict(lambda: defaultdict(int))  # {(estate, committee type, contact kind): {window: n}}
    for chunk_at in range(0, len(windows), WINDOWS_PER_QUERY):
        chunk = windows[chunk_at : chunk_at + WINDOWS_PER_QUERY]
        counted = {f"n_{i}": Count("pk", filter=_contact_window(s, e)) for i, (s, e) in enumerate(chunk)}
        rows = (
            Contact.objects.filter(
                _contact_window(min(s for s, _e in chunk), max(e for _s, e in chunk)),
                estate_id__in={rule.estate_id for rule, _s, _e in wanted},
                committee__kind__in={rule.committee_kind for rule, _s, _e in wanted},
                kind__in=set().union(*(rule.contact_kind_codes for rule, _s, _e in wanted)),
                occurred_at__lte=now,
            )
            .order_by()
            .values("estate_id", "committee__kind", "kind")
            .annotate(**counted)
        )
        for row in rows:
            for i, window in enumerate(chunk):
                found[(row["estate_id"], row["committee__kind"], row["kind"])][window] += row[f"n_{i}"]
    for rule, start, end in wanted:
        out[(rule.pk, start)] = sum(
            found.get((rule.estate_id, rule.committee_kind, kind), {}).get((start, end), 0)
            for kind in rule.contact_kind_codes
        )
    return out


def evaluate_many(rule_periods, now):
    """{(rule id, period start): verdict} for many (rule, start, end) at `now` (reads meetings, writes
    nothing). A verdict: {"held", "scheduled", "required", "status", "closed"}."""
    rule_periods = list(rule_periods)
    counted = count_periods(rule_periods, now)
    today = periods.local_date(now)
    out = {}
    for rule, start, end in rule_periods:
        held, scheduled = counted[(rule.pk, start)]
        status, closed = periods.status_for(
            held=held,
            scheduled=scheduled,
            required=rule.min_count,
            period_end=end,
            today=today,
            at_risk_days=rule.at_risk_days,
            grace_days=grace_days(),
        )
        out[(rule.pk, start)] = {
            "held": held,
            "scheduled": scheduled,
            "required": rule.min_count,
            "status": status,
            "closed": closed,
        }
    return out


def evaluate(rule, start, end, now):
    """The verdict of one period of one rule at `now`."""
    return evaluate_many([(rule, start, end)], now)[(rule.pk, start)]


def counts(rule, start, end, now):
    """(held, scheduled) meetings of one period of one rule."""
    return count_periods([(rule, start, end)], now)[(rule.pk, start)]


def verdicts(rule_periods, now):
    """{(rule id, period start): verdict} as the scan judged it: the verdict stored when the scan
    closed the period (final: attendance recorded later does not change it), else evaluated at `now`.
    Only periods past their grace days can have been closed, so the pages (current periods) read no
    stored row."""
    rule_periods = list(rule_periods)
    today = periods.local_date(now)
    closable = [(r, s, e) for r, s, e in rule_periods if today > e + datetime.timedelta(days=grace_days())]
    out = {}
    if closable:
        for row in CadencePeriod.objects.filter(
            rule_id__in={r.pk for r, _s, _e in closable},
            period_start__gte=min(s for _r, s, _e in closable),
            period_start__lte=max(s for _r, s, _e in closable),
            closed_at__isnull=False,
        ).only("rule_id", "period_start", "period_end", "status", "held_count", "scheduled_count", "required_count"):
            out[(row.rule_id, row.period_start, row.period_end)] = {
                "held": row.held_count,
                "scheduled": row.scheduled_count,
                "required": row.required_count,
                "status": row.status,
                "closed": True,
            }
    wanted = {(r.pk, s, e) for r, s, e in rule_periods}
    stored = {(rule_id, start): v for (rule_id, start, end), v in out.items() if (rule_id, start, end) in wanted}
    missing = [(r, s, e) for r, s, e in rule_periods if (r.pk, s) not in stored]
    return {**evaluate_many(missing, now), **stored}


# --- the pages -----------------------------------------------------------------------------------


def due_next_by_estate(estates, now):
    """{estate id: rows}: per applicable rule of each estate, its current period, how many meetings are
    held and scheduled of how many, by when; at risk first. A fixed number of queries however many
    estates and rules (the rules, their kinds, the meeting counts)."""
    ids = [e.pk for e in estates]
    out = {pk: [] for pk in ids}
    if not ids:
        return out
    today = periods.local_date(now)
    current = []
    for rule in applicable_rules(ids):
        period = current_period(rule, today)
        if period is not None:
            current.append((rule, *period))
    judged = verdicts(current, now)
    for rule, start, end in current:
        verdict = judged[(rule.pk, start)]
        out[rule.estate_id].append(
            {
                "rule": rule,
                "start": start,
                "end": end,
                "days_left": (end - today).days,
                "remaining": max(0, verdict["required"] - verdict["held"]),
                **verdict,
            }
        )
    for rows in out.values():
        rows.sort(key=lambda r: (STATUS_ORDER.get(r["status"], 9), r["end"]))
    return out


def due_next(estate, now):
    """Per rule of the estate: the current period, how many held/scheduled of how many, by when."""
    return due_next_by_estate([estate], now)[estate.pk]


# --- the daily scan ------------------------------------------------------------------------------


def responsible_users(rule):
    roles = [Role.DIRECTOR] if rule.responsible == "director" else [Role.SUPERVISOR, Role.DIRECTOR]
    return estate_staff(rule.estate, roles)


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
        # dates: notify() prints them in each reader's language (12月31日 / 31 Dec)
        "end": row.period_end,
        "start": row.period_start,
    }


def process_period(rule, start, end, now, result=None):
    """Bring one (rule, period) row up to date and send its notices once. Returns the row's status.
    `result`: the period's verdict if already evaluated (evaluate_many)."""
    if result is None:
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
                params = _params(rule, row)
                notify(
                    responsible_users(rule) + leaders(),
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


def periods_to_scan(rules, today):
    """[(rule, start, end)]: each rule's periods in effect from the one after the last it closed up to
    the one containing `today`."""
    last_closed = dict(
        CadencePeriod.objects.filter(closed_at__isnull=False)
        .order_by()
        .values("rule_id")
        .annotate(end=Max("period_end"))
        .values_list("rule_id", "end")
    )
    out = []
    for rule in rules:
        first_day = rule.effective_from
        if last_closed.get(rule.pk) is not None and last_closed[rule.pk] >= first_day:
            first_day = last_closed[rule.pk] + datetime.timedelta(days=1)
        out.extend((rule, start, end) for start, end in periods_in_effect(rule, first_day, today))
    return out


def scan_cadence(now):
    """The daily job. Returns {status: count} over the periods it looked at."""
    todo = periods_to_scan(list(applicable_rules()), periods.local_date(now))
    judged = evaluate_many(todo, now)
    summary = {}
    for rule, start, end in todo:
        try:
            status = process_period(rule, start, end, now, judged[(rule.pk, start)])
        except Exception:  # one bad period must not stop the others; it is retried next run
            log.exception("cadence scan failed for rule %s, period %s", rule.pk, start)
            continue
        summary[status] = summary.get(status, 0) + 1
    return summary
