"""The deadline scan: reminders, overdue marks and escalations, each exactly once.

The beat task (`followups.tasks.scan_issues`), `manage.py scan_issues` and the tests call `scan()`.

- Finding work is one indexed query: open issues whose `next_check_at` has come (partial index
  `issue_open_next_check`), ordered by it.
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
from django.utils.translation import pgettext_lazy

from liaison.models import audit
from liaison.notify import Joined, Text, notify, notify_group
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


# one line per event when one message tells several (an issue overdue on reply and callback at once)
LINES = {
    L.REMINDER: _("%(deadline)s due %(due)s"),
    L.OVERDUE: _("%(deadline)s overdue since %(due)s"),
    L.DIRECTOR: _("%(deadline)s overdue since %(due)s, escalated to the office director"),
    L.LEADER: _("%(deadline)s overdue since %(due)s, escalated to the leader in charge"),
}
ORDER = {"triage": 0, "reply": 1, "resolve": 2, "callback": 3}
COMBINED = _("“%(headline)s” (%(estate)s): %(events)s")
SEPARATOR = pgettext_lazy("list", "; ")


def _params(issue, kind, due):
    # `due` stays a datetime: notify() prints it in each reader's language (12月1日 22:07 / 1 Dec 22:07)
    return {"deadline": DEADLINE_LABELS[kind], "headline": issue.headline, "estate": issue.estate.name, "due": due}


def _message(issue, items):
    """(kind, subject, body, params) of one message about `items` [(event, deadline, due, level)]."""
    items = sorted(items, key=lambda item: (-item[3], item[2], ORDER.get(item[1], 9)))
    ev, kind, due, level = items[0]
    if len(items) == 1:
        return KINDS[level], SUBJECTS[level], "", _params(issue, kind, due)
    lines = [Text(LINES[lv], _params(issue, k, d)) for _e, k, d, lv in items]
    full = [Text(SUBJECTS[lv], _params(issue, k, d)) for _e, k, d, lv in items]
    params = {"headline": issue.headline, "estate": issue.estate.name, "events": Joined(lines, SEPARATOR)}
    return KINDS[level], COMBINED, "%(lines)s", {**params, "lines": Joined(full)}


def _tell(issue, told, now):
    """One message per person for everything this run found about the issue (exactly once: the key is
    the key of its first event, and each event is recorded once)."""
    sent = 0
    for user, items in told.values():
        kind, subject, body, params = _message(issue, items)
        first = min(items, key=lambda item: (item[0].event_at, item[0].pk))[0]
        sent += len(
            notify(
                [user],
                kind=kind,
                key=first.key,
                subject=subject,
                body=body,
                params=params,
                url=issue.get_absolute_url(),
                about=issue,
                estate=issue.estate,
                now=now,
            )
        )
    return sent


def _post_group(issue, marked, now):
    kind, subject, body, params = _message(issue, marked)
    first = min(marked, key=lambda item: (item[0].event_at, item[0].pk))[0]
    notify_group(
        issue.estate,
        kind="issue.overdue",
        key=first.key,
        subject=subject,
        body=body,
        params=params,
        url=issue.get_absolute_url(),
        now=now,
    )


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
        # what this run tells each person about this issue: one message per person, saying everything
        told = {}  # user id -> (user, [(event, deadline, due, level)])
        marked = []  # the overdue marks, for one post to the estate's group robot
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
            for person in people:
                if person is not None:
                    told.setdefault(person.pk, (person, []))[1].append((ev, kind, due, level))
            if level == L.OVERDUE:
                marked.append((ev, kind, due, level))
        sent += _tell(issue, told, now)
        if marked:
            _post_group(issue, marked, now)
        issue.next_check_at = deadlines.next_check_at(issue, done)
        Issue.objects.filter(pk=issue.pk).update(
            next_check_at=issue.next_check_at, **{f: getattr(issue, f) for f in changed}
        )
    return events, sent
