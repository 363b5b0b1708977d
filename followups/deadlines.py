"""Deadline arithmetic and the events a deadline produces. Plain functions; every one takes `now` or
the start time explicitly.

- calendar days: start + N × 24 h (same clock time);
- working days (official Chinese calendar, `cn_calendar`): the end (23:59:59 Asia/Shanghai) of the
  N-th working day after the start's day — make-up Saturdays count, holidays do not;
- hours: start + N hours; 0 days: the end of the start's own day ("the same day").
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison import cn_calendar

from .models import DeadlineEvent, DeadlinePolicy, Issue

DEFAULTS = {
    "counting": DeadlinePolicy.Counting.CALENDAR,
    "triage_within": None,
    "reply_within": 3,
    "reply_unit": "days",
    "resolve_within": None,
    "callback_within_days": 3,
    "followup_every_days": 3,
    "remind_before_hours": 24,
    "escalate_director_after_hours": 24,
    "escalate_leader_after_hours": 72,
}


def _local(dt):
    return timezone.localtime(dt)


def end_of_day(day):
    """23:59:59 local time of `day` (a date), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


@dataclass
class Due:
    at: datetime.datetime
    calendar_known: bool = True


def add(start, amount, unit, counting):
    """The deadline `amount` `unit`s after `start` (an aware datetime)."""
    if amount is None:
        return None
    if unit == DeadlinePolicy.Unit.HOURS:
        return Due(start + datetime.timedelta(hours=amount))
    local_day = _local(start).date()
    if amount == 0:
        return Due(end_of_day(local_day))
    if counting == DeadlinePolicy.Counting.WORKING:
        day, known = cn_calendar.add_working_days(local_day, amount)
        return Due(end_of_day(day), known)
    return Due(start + datetime.timedelta(days=amount))


def choose_policy(*, source, category, urgency, policies=None):
    """The most specific active policy matching the issue, or None (then DEFAULTS apply)."""
    if policies is None:
        policies = DeadlinePolicy.objects.filter(active=True)
    best, best_key = None, None
    for p in policies:
        score = p.specificity(source=source, category=category or "", urgency=urgency or "")
        if score < 0:
            continue
        key = (-score, p.priority, p.pk or 0)
        if best_key is None or key < best_key:
            best, best_key = p, key
    return best


def policy_value(policy, name):
    return getattr(policy, name) if policy is not None else DEFAULTS[name]


def initial_deadlines(issue, policy):
    """Deadlines for a newly raised (or re-classified) issue, counted from `raised_at`.

    Returns a dict of field -> datetime|None and whether the calendar knew every year involved.
    """
    counting = policy_value(policy, "counting")
    known = True
    out = {}

    def put(field, due):
        nonlocal known
        out[field] = due.at if due else None
        if due and not due.calendar_known:
            known = False

    if policy is not None and policy.triage_within is not None:
        put("triage_due_at", add(issue.raised_at, policy.triage_within, policy.triage_unit, counting))
    else:
        out["triage_due_at"] = None
    put(
        "reply_due_at",
        add(issue.raised_at, policy_value(policy, "reply_within"), getattr(policy, "reply_unit", "days"), counting),
    )
    if policy is not None and policy.resolve_within is not None:
        put("resolve_due_at", add(issue.raised_at, policy.resolve_within, policy.resolve_unit, counting))
    else:
        out["resolve_due_at"] = None
    put("callback_due_at", add(issue.raised_at, policy_value(policy, "callback_within_days"), "days", counting))
    return out, known


def next_callback_due(issue, after):
    """The follow-up callback deadline after a callback at `after` that did not close the issue."""
    policy = issue.policy
    return add(after, policy_value(policy, "followup_every_days"), "days", policy_value(policy, "counting")).at


def calendar_known_for(issue):
    """False when a working-day policy reached into a year the calendar data does not know."""
    if policy_value(issue.policy, "counting") != DeadlinePolicy.Counting.WORKING:
        return True
    years = {_local(d).year for _k, d in issue.open_deadlines()} | {_local(issue.raised_at).year}
    return all(cn_calendar.is_known(y) for y in years)


# --- events ------------------------------------------------------------------------------------------


def planned_events(issue):
    """[(event_at, deadline, due_at, level)] for every open deadline of the issue."""
    policy = issue.policy
    remind = datetime.timedelta(hours=policy_value(policy, "remind_before_hours"))
    to_director = datetime.timedelta(hours=policy_value(policy, "escalate_director_after_hours"))
    to_leader = datetime.timedelta(hours=policy_value(policy, "escalate_leader_after_hours"))
    out = []
    for kind, due in issue.open_deadlines():
        if remind:
            out.append((due - remind, kind, due, DeadlineEvent.Level.REMINDER))
        out.append((due, kind, due, DeadlineEvent.Level.OVERDUE))
        out.append((due + to_director, kind, due, DeadlineEvent.Level.DIRECTOR))
        out.append((due + max(to_leader, to_director), kind, due, DeadlineEvent.Level.LEADER))
    return out


def pending_events(issue, done):
    """Planned events whose (deadline, due_at, level) is not in `done`, sorted by time."""
    return sorted(e for e in planned_events(issue) if (e[1], e[2], e[3]) not in done)


def next_check_at(issue, done):
    if issue.status == Issue.Status.CLOSED:
        return None
    pending = pending_events(issue, done)
    return pending[0][0] if pending else None


def done_keys(issue):
    return set(issue.events.values_list("deadline", "due_at", "level"))


def refresh_next_check(issue):
    """Recompute `next_check_at` after any deadline of `issue` changed (caller saves)."""
    issue.next_check_at = next_check_at(issue, done_keys(issue)) if issue.pk else None
    return issue.next_check_at


# --- display -----------------------------------------------------------------------------------------


def humanize(due, now):
    """'due in 5 h' / 'due in 2 days' / 'overdue 3 h' / 'overdue 2 days'."""
    if due is None:
        return ""
    delta = due - now
    seconds = abs(delta.total_seconds())
    hours = int(seconds // 3600)
    days = int(seconds // 86400)
    if delta.total_seconds() >= 0:
        if seconds < 3600:
            return _("due in %(n)d min") % {"n": max(1, int(seconds // 60))}
        if hours < 48:
            return ngettext("due in %(n)d h", "due in %(n)d h", hours) % {"n": hours}
        return ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}
    if seconds < 3600:
        return _("overdue %(n)d min") % {"n": max(1, int(seconds // 60))}
    if hours < 48:
        return ngettext("overdue %(n)d h", "overdue %(n)d h", hours) % {"n": hours}
    return ngettext("overdue %(n)d day", "overdue %(n)d days", days) % {"n": days}


def tells_leader_on_raise(issue, policy):
    """Whether the leader in charge is told at once of `issue` being raised (§4.1.4.4: the matter is taken
    to the leader): the policy's `tell_leader`; by default for important and major issues."""
    mode = policy.tell_leader if policy is not None else DeadlinePolicy.TellLeader.BY_URGENCY
    if mode == DeadlinePolicy.TellLeader.ALWAYS:
        return True
    if mode == DeadlinePolicy.TellLeader.NEVER:
        return False
    return issue.urgency in ("important", "major")
