"""The resolution scan: a reminder before the due date, the overdue mark, escalation to the leader in
charge — each exactly once, by the pattern of the issues' deadline scan (followups/scan.py).

- Finding work is one indexed query: open resolutions whose `next_check_at` has come (partial index
  `resolution_open_next_check`), ordered by it.
- Each resolution is processed in its own short transaction, its row locked with FOR UPDATE SKIP LOCKED,
  so two scans at once never work on the same one; a scan that gets the row afterwards re-reads
  `next_check_at` and finds nothing to do.
- Each event is a `ResolutionEvent` row with a unique (resolution, due_at, level); notifications are keyed
  by the same key. A new due date is a new set of events.
- After downtime the scan catches up: the overdue mark and escalation are recorded once with their true
  time; a reminder found only after the due moment is recorded as skipped, not sent.

`meetings.jobs.scan_resolutions` (hourly beat, `manage.py meetings_scan`) and the tests call `scan()`.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import audit
from liaison.notify import notify
from liaison.people import directors, leaders

from . import rules
from .models import Resolution, ResolutionEvent

log = logging.getLogger(__name__)
JOB = "meetings.resolutions"
L = ResolutionEvent.Level
RETRY_AFTER = datetime.timedelta(minutes=10)


def planned_events(resolution):
    """[(event_at, due_at, level)] of an open resolution."""
    due = resolution.due_at
    if due is None or not resolution.is_open:
        return []
    return [
        (due - rules.resolution_remind_before(), due, L.REMINDER),
        (due, due, L.OVERDUE),
        (due + rules.resolution_escalate_after(), due, L.LEADER),
    ]


def done_keys(resolution):
    if not resolution.pk:
        return set()
    return set(resolution.events.values_list("due_at", "level"))


def pending_events(resolution, done):
    return sorted(e for e in planned_events(resolution) if (e[1], e[2]) not in done)


def next_check_at(resolution, done=None):
    pending = pending_events(resolution, done_keys(resolution) if done is None else done)
    return pending[0][0] if pending else None


def due_ids(now, limit=None):
    """The one indexed query: open resolutions with something due by `now`."""
    qs = (
        Resolution.objects.filter(completed_at__isnull=True, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    return list(qs[:limit] if limit else qs)


def scan(now=None, *, job=JOB, limit=None):
    """Process every resolution with something due at `now`. Returns counts per kind of event."""
    now = now or timezone.now()
    stats = {"reminded": 0, "overdue": 0, "escalated": 0, "skipped": 0}
    for pk in due_ids(now, limit):
        try:
            done = process(pk, now, job=job)
        except Exception:  # noqa: BLE001 - one broken row must not stop the others
            log.exception("resolution scan failed for %s", pk)
            Resolution.objects.filter(pk=pk).update(next_check_at=now + RETRY_AFTER)
            continue
        for key, n in (done or {}).items():
            stats[key] += n
    return stats


def _recipients(r, level):
    if level == L.LEADER:
        return leaders() or directors(r.estate)
    people = [u for u in (r.owner, r.meeting.organizer) if u is not None]
    return people or directors(r.estate) or leaders()


SUBJECTS = {
    L.REMINDER: _("Resolution due %(due)s: %(text)s (%(estate)s, %(owner)s)"),
    L.OVERDUE: _("Resolution overdue: %(text)s (due %(due)s, %(owner)s)"),
    L.LEADER: _(
        "Escalated to the leader in charge: resolution “%(text)s” (%(estate)s, %(owner)s) overdue since %(due)s"
    ),
}
KINDS = {L.REMINDER: "resolution.reminder", L.OVERDUE: "resolution.overdue", L.LEADER: "resolution.escalated"}
STAT = {L.REMINDER: "reminded", L.OVERDUE: "overdue", L.LEADER: "escalated"}
MARK = {L.REMINDER: "reminded_at", L.OVERDUE: "overdue_notified_at", L.LEADER: "escalated_at"}
AUDIT = {L.REMINDER: "resolution_reminder", L.OVERDUE: "resolution_overdue", L.LEADER: "resolution_escalated"}


def process(pk, now, *, job=JOB):
    """Record and send what is due for one resolution. Returns counts, or None if another scan has it."""
    with transaction.atomic():
        r = (
            Resolution.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate", "meeting__organizer", "owner")
            .filter(pk=pk, completed_at__isnull=True, next_check_at__lte=now)
            .first()
        )
        if r is None:
            return None
        done = done_keys(r)
        stats = {"reminded": 0, "overdue": 0, "escalated": 0, "skipped": 0}
        marks = {}
        for event_at, due, level in pending_events(r, done):
            if event_at > now:
                break
            skipped = level == L.REMINDER and due <= now
            people = [] if skipped else _recipients(r, level)
            try:
                with transaction.atomic():
                    ev = ResolutionEvent.objects.create(
                        resolution=r,
                        due_at=due,
                        level=level,
                        event_at=event_at,
                        recorded_at=now,
                        job=job,
                        recipients=[u.pk for u in people],
                        skipped=skipped,
                    )
            except IntegrityError:
                done.add((due, level))
                continue  # recorded by a concurrent scan
            done.add((due, level))
            audit(
                r,
                "resolution_reminder_skipped" if skipped else AUDIT[level],
                job=job,
                estate=r.estate,
                now=now,
                changes={"due_at": due, "event_at": event_at, "level": L(level).label},
            )
            if skipped:
                stats["skipped"] += 1
                continue
            marks[MARK[level]] = event_at
            stats[STAT[level]] += 1
            notify(
                people,
                kind=KINDS[level],
                key=ev.key,
                subject=SUBJECTS[level],
                params={
                    "text": r.text[:80],
                    "due": r.due_date,
                    "owner": r.owner_name,
                    "estate": r.estate.name if r.estate_id else "",
                },
                url=r.get_absolute_url(),
                about=r,
                estate=r.estate,
                now=now,
            )
        Resolution.objects.filter(pk=r.pk).update(next_check_at=next_check_at(r, done), **marks)
    return stats
