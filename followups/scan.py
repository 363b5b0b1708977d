"""The deadline scan: reminders, overdue marks and escalations, each exactly once.

The beat task (`followups.tasks.scan_issues`), `manage.py scan_issues` and the tests call `scan()`.

- Finding work is one indexed query: open issues whose `next_check_at` has come (partial index
  `issue_scan_due`), ordered by it.
- Each issue is processed in its own short transaction, its row locked with FOR UPDATE SKIP LOCKED, so
  two scans at once never work on the same issue; a second scan that gets the row afterwards re-reads
  `next_check_at` and finds nothing to do.
- Each event is a `DeadlineEvent` row with a unique (issue, deadline, due_at, level): even if two scans
  raced, the second insert fails and nothing is sent twice. Notifications are keyed by the same key.
- After downtime the scan catches up: every overdue mark and escalation whose time has come is recorded
  once, with its true event time; a reminder whose deadline has already passed is recorded as skipped
  (a "due tomorrow" message about something already overdue would only confuse).
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import audit
from liaison.notify import notify, notify_group
from liaison.people import directors, leaders, office

from . import deadlines
from .models import DEADLINE_LABELS, DeadlineEvent, Issue

log = logging.getLogger(__name__)
JOB = "followups.scan_issues"
RETRY_AFTER = datetime.timedelta(minutes=10)
L = DeadlineEvent.Level
MARKS = {
    "triage": "triage_overdue",
    "reply": "reply_overdue",
    "resolve": "resolve_overdue",
    "callback": "callback_overdue",
}


def due_issue_ids(now, limit=None):
    """The one indexed query: open issues with something due by `now`."""
    qs = (
        Issue.objects.filter(closed_at__isnull=True, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    return list(qs[:limit] if limit else qs)


def scan(now=None, *, job=JOB, limit=None):
    """Process every issue that has something due at `now`. Returns counts of what was done."""
    now = now or timezone.now()
    stats = {"issues": 0, "events": 0, "notified": 0}
    for pk in due_issue_ids(now, limit):
        try:
            done = process_issue(pk, now, job=job)
        except Exception:  # noqa: BLE001 - one broken issue must not stop the others
            log.exception("scan failed for issue %s", pk)
            # try again later instead of crash-looping; the missed events stay pending and are caught up
            Issue.objects.filter(pk=pk).update(next_check_at=now + RETRY_AFTER)
            continue
        if done is not None:
            stats["issues"] += 1
            stats["events"] += done[0]
            stats["notified"] += done[1]
    return stats


def _owners(issue, kind):
    if kind in ("triage", "callback") or not issue.assignee_id:
        return office(issue.estate) if kind == "callback" else directors(issue.estate)
    return [issue.assignee]


def _recipients(issue, kind, level):
    if level in (L.REMINDER, L.OVERDUE):
        people = _owners(issue, kind)
        return people or directors(issue.estate) or leaders()
    if level == L.DIRECTOR:
        return directors(issue.estate) or leaders()
    return leaders()


SUBJECTS = {
    L.REMINDER: _("Reminder: %(deadline)s of “%(headline)s” (%(estate)s) is due %(due)s"),
    L.OVERDUE: _("Overdue: %(deadline)s of “%(headline)s” (%(estate)s) was due %(due)s"),
    L.DIRECTOR: _("Escalated to you: %(deadline)s of “%(headline)s” (%(estate)s) overdue since %(due)s"),
    L.LEADER: _("Escalated to the leader in charge: %(deadline)s of “%(headline)s” (%(estate)s) overdue since %(due)s"),
}
KINDS = {
    L.REMINDER: "issue.reminder",
    L.OVERDUE: "issue.overdue",
    L.DIRECTOR: "issue.escalated",
    L.LEADER: "issue.escalated",
}


def process_issue(pk, now, *, job=JOB):
    """Record and send what is due for one issue. Returns (events, notifications) or None if skipped."""
    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate", "committee", "policy", "assignee")
            .filter(pk=pk, closed_at__isnull=True, next_check_at__lte=now)
            .first()
        )
        if issue is None:
            return None  # another scan has it, or it was already handled
        done = deadlines.done_keys(issue)
        events = sent = 0
        changed = set()
        for event_at, kind, due, level in deadlines.pending_events(issue, done):
            if event_at > now:
                break
            skipped = level == L.REMINDER and due <= now
            people = [] if skipped else _recipients(issue, kind, level)
            try:
                with transaction.atomic():
                    ev = DeadlineEvent.objects.create(
                        issue=issue,
                        deadline=kind,
                        due_at=due,
                        level=level,
                        event_at=event_at,
                        recorded_at=now,
                        job=job,
                        recipients=[u.pk for u in people],
                        skipped=skipped,
                    )
            except IntegrityError:
                done.add((kind, due, level))
                continue  # already recorded by a concurrent scan
            done.add((kind, due, level))
            events += 1
            change = {"deadline": kind, "due_at": due, "level": L(level).label, "event_at": event_at}
            if level >= L.OVERDUE and not getattr(issue, MARKS[kind]):
                setattr(issue, MARKS[kind], True)
                changed.add(MARKS[kind])
                change[MARKS[kind]] = [False, True]
            if level >= L.DIRECTOR and issue.escalation_level < level - 1:
                change["escalation_level"] = [issue.escalation_level, level - 1]
                issue.escalation_level = level - 1
                changed.add("escalation_level")
            action = {L.REMINDER: "reminder", L.OVERDUE: "overdue", L.DIRECTOR: "escalated", L.LEADER: "escalated"}[
                level
            ]
            if skipped:
                action = "reminder_skipped"
            audit(issue, action, job=job, changes=change, now=now)
            if skipped:
                continue
            params = {
                "deadline": DEADLINE_LABELS[kind],
                "headline": issue.headline,
                "estate": issue.estate.name,
                "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            }
            sent += len(
                notify(
                    people,
                    kind=KINDS[level],
                    key=ev.key,
                    subject=SUBJECTS[level],
                    params=params,
                    url=issue.get_absolute_url(),
                    estate=issue.estate,
                    now=now,
                )
            )
            if level == L.OVERDUE:
                notify_group(
                    issue.estate,
                    kind="issue.overdue",
                    key=ev.key,
                    subject=SUBJECTS[level],
                    params=params,
                    url=issue.get_absolute_url(),
                    now=now,
                )
        issue.next_check_at = deadlines.next_check_at(issue, done)
        Issue.objects.filter(pk=issue.pk).update(
            next_check_at=issue.next_check_at, **{f: getattr(issue, f) for f in changed}
        )
    return events, sent
