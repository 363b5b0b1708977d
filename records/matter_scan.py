"""The important-matters scan: a reminder before a matter's raise-by moment and the escalation to the leader
in charge after it, each exactly once, by the pattern of followups/scan.py and meetings/resolution_scan.py.

- Finding work is one indexed query: matters not yet raised whose `next_check_at` has come (partial index
  `matter_unraised_next_check`), ordered by it.
- Each matter is processed in its own short transaction, its row locked FOR UPDATE SKIP LOCKED; each event is
  a `MatterEvent` with a unique (matter, due_at, level), notifications keyed by the same key. A new raise-by
  moment is a new pair of events.
- After downtime: a reminder found only after the raise-by moment is recorded as skipped, not sent; the
  escalation is recorded once with its true time.

`records.tasks.scan_matters` (beat, `records/beat.py`) and the tests call `scan()`.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import audit
from liaison.notify import notify
from liaison.people import directors, leaders

from . import matter_rules as matters
from .models import ImportantMatter, MatterEvent

log = logging.getLogger(__name__)
JOB = "records.matters"
L = MatterEvent.Level
RETRY_AFTER = datetime.timedelta(minutes=10)


def planned_events(matter):
    """[(event_at, due_at, level)] of a matter not yet raised."""
    due = matter.raise_by
    if due is None or matter.raised_at is not None:
        return []
    policy = matters.policy_for(matter.kind)
    return [
        (due - matters.remind_before(matter, policy), due, L.REMINDER),
        (due + matters.escalate_after(matter, policy), due, L.LEADER),
    ]


def done_keys(matter):
    return set(matter.events.values_list("due_at", "level")) if matter.pk else set()


def pending_events(matter, done):
    return sorted(e for e in planned_events(matter) if (e[1], e[2]) not in done)


def next_check_at(matter, done=None):
    pending = pending_events(matter, done_keys(matter) if done is None else done)
    return pending[0][0] if pending else None


def due_ids(now, limit=None):
    """The one indexed query: matters not raised with something due by `now`."""
    qs = (
        ImportantMatter.objects.filter(raised_at__isnull=True, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    return list(qs[:limit] if limit else qs)


def scan(now=None, *, job=JOB, limit=None):
    now = now or timezone.now()
    stats = {"reminded": 0, "escalated": 0, "skipped": 0}
    for pk in due_ids(now, limit):
        try:
            done = process(pk, now, job=job)
        except Exception:  # noqa: BLE001 - one broken row must not stop the others
            log.exception("matter scan failed for %s", pk)
            ImportantMatter.objects.filter(pk=pk).update(next_check_at=now + RETRY_AFTER)
            continue
        for key, n in (done or {}).items():
            stats[key] += n
    return stats


def _recipients(m, level):
    if level == L.LEADER:
        return leaders() or directors(m.estate)
    people = [u for u in [m.recorded_by, *directors(m.estate)] if u is not None]
    return list({u.pk: u for u in people}.values()) or leaders()


SUBJECTS = {
    L.REMINDER: _("To be raised with %(committee)s by %(due)s: %(title)s (%(kind)s)"),
    L.LEADER: _(
        "Escalated to the leader in charge: “%(title)s” (%(estate)s, %(kind)s) not raised with %(committee)s by %(due)s"
    ),
}
KINDS = {L.REMINDER: "matter.reminder", L.LEADER: "matter.escalated"}
STAT = {L.REMINDER: "reminded", L.LEADER: "escalated"}
MARK = {L.REMINDER: "reminded_at", L.LEADER: "escalated_at"}
AUDIT = {L.REMINDER: "matter_reminder", L.LEADER: "matter_escalated"}


def process(pk, now, *, job=JOB):
    """Record and send what is due for one matter. Returns counts, or None if another scan has it."""
    with transaction.atomic():
        m = (
            ImportantMatter.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate", "committee", "recorded_by")
            .filter(pk=pk, raised_at__isnull=True, next_check_at__lte=now)
            .first()
        )
        if m is None:
            return None
        done = done_keys(m)
        stats = {"reminded": 0, "escalated": 0, "skipped": 0}
        marks = {}
        for event_at, due, level in pending_events(m, done):
            if event_at > now:
                break
            skipped = level == L.REMINDER and due <= now
            people = [] if skipped else _recipients(m, level)
            try:
                with transaction.atomic():
                    ev = MatterEvent.objects.create(
                        matter=m,
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
                m,
                "matter_reminder_skipped" if skipped else AUDIT[level],
                job=job,
                now=now,
                changes={"raise_by": due, "event_at": event_at, "level": L(level).label},
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
                    "title": m.title[:80],
                    "due": due,
                    "kind": m.get_kind_display(),
                    "committee": m.committee.name,
                    "estate": m.estate.name,
                },
                url=m.get_absolute_url(),
                about=m,
                estate=m.estate,
                now=now,
                actor=None,
            )
        ImportantMatter.objects.filter(pk=m.pk).update(next_check_at=next_check_at(m, done), **marks)
    return stats
