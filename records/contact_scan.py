"""The reply clock of a work contact sheet sent to a committee (issue 19 item 5): a sheet with a
`reply_by` and no reply recorded is reminded before the end of that day and marked overdue once, by the
pattern of followups/scan.py: one indexed query on `next_check_at` (partial index
`contact_awaiting_next_check`), the row claimed FOR UPDATE SKIP LOCKED, a `ContactSheetEvent` per (sheet,
due_at, level) with a unique constraint, notifications keyed by the same key; a reminder found only after
the due moment (downtime) is recorded as skipped. A new reply_by is a new pair of events.

A sheet received from a committee has no clock of its own: it opens an issue, whose reply and callback
deadlines the issues' scan follows (records.actions.create_contact_sheet).
`records.tasks.scan_contact_sheets` (beat) and the tests call `scan()`.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import audit
from liaison.notify import notify
from liaison.people import directors, leaders

from .models import ContactSheetEvent, WorkContactSheet

log = logging.getLogger(__name__)
JOB = "records.contact_sheets"
L = ContactSheetEvent.Level
REMIND_BEFORE = datetime.timedelta(hours=24)
RETRY_AFTER = datetime.timedelta(minutes=10)


def reply_due_at(sheet):
    """The end of the reply_by day while a sent sheet awaits the committee's reply, else None (a rule of
    the sheet's own fields: drafts, received sheets and replied ones have no clock)."""
    waiting = (
        sheet.direction == WorkContactSheet.Direction.TO_COMMITTEE
        and sheet.status == WorkContactSheet.Status.SENT
        and sheet.reply_by is not None
        and not sheet.replied_on
        and not (sheet.reply or "").strip()
    )
    if not waiting:
        return None
    return timezone.make_aware(datetime.datetime.combine(sheet.reply_by, datetime.time(23, 59, 59)))


def planned_events(sheet):
    due = sheet.reply_due_at
    if due is None:
        return []
    return [(due - REMIND_BEFORE, due, L.REMINDER), (due, due, L.OVERDUE)]


def done_keys(sheet):
    return set(sheet.events.values_list("due_at", "level")) if sheet.pk else set()


def pending_events(sheet, done):
    return sorted(e for e in planned_events(sheet) if (e[1], e[2]) not in done)


def next_check_at(sheet, done=None):
    pending = pending_events(sheet, done_keys(sheet) if done is None else done)
    return pending[0][0] if pending else None


def refresh_clock(sheet):
    """Recompute the sheet's reply clock from its fields (call before saving it)."""
    sheet.reply_due_at = reply_due_at(sheet)
    sheet.next_check_at = next_check_at(sheet)


def due_ids(now, limit=None):
    """The one indexed query: sent sheets awaiting a reply with something due by `now`."""
    qs = (
        WorkContactSheet.objects.filter(reply_due_at__isnull=False, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    return list(qs[:limit] if limit else qs)


def scan(now=None, *, job=JOB, limit=None):
    now = now or timezone.now()
    stats = {"reminded": 0, "overdue": 0, "skipped": 0}
    for pk in due_ids(now, limit):
        try:
            done = process(pk, now, job=job)
        except Exception:  # noqa: BLE001 - one broken row must not stop the others
            log.exception("contact sheet scan failed for %s", pk)
            WorkContactSheet.objects.filter(pk=pk).update(next_check_at=now + RETRY_AFTER)
            continue
        for key, n in (done or {}).items():
            stats[key] += n
    return stats


SUBJECTS = {
    L.REMINDER: _("Work contact sheet %(number)s: %(committee)s's reply is due %(due)s (%(subject)s)"),
    L.OVERDUE: _("Work contact sheet %(number)s: %(committee)s's reply overdue since %(due)s (%(subject)s)"),
}
KINDS = {L.REMINDER: "contact.reminder", L.OVERDUE: "contact.overdue"}
STAT = {L.REMINDER: "reminded", L.OVERDUE: "overdue"}
MARK = {L.REMINDER: "reminded_at", L.OVERDUE: "overdue_at"}


def _recipients(sheet):
    people = [u for u in [sheet.created_by, *directors(sheet.estate)] if u is not None]
    return list({u.pk: u for u in people}.values()) or leaders()


def process(pk, now, *, job=JOB):
    with transaction.atomic():
        sheet = (
            WorkContactSheet.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate", "committee", "created_by")
            .filter(pk=pk, reply_due_at__isnull=False, next_check_at__lte=now)
            .first()
        )
        if sheet is None:
            return None
        done = done_keys(sheet)
        stats = {"reminded": 0, "overdue": 0, "skipped": 0}
        marks = {}
        for event_at, due, level in pending_events(sheet, done):
            if event_at > now:
                break
            skipped = level == L.REMINDER and due <= now
            people = [] if skipped else _recipients(sheet)
            try:
                with transaction.atomic():
                    ev = ContactSheetEvent.objects.create(
                        sheet=sheet,
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
                continue
            done.add((due, level))
            audit(
                sheet,
                "contact.reminder_skipped" if skipped else KINDS[level],
                job=job,
                now=now,
                changes={"reply_due_at": due, "event_at": event_at, "level": L(level).label},
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
                    "number": sheet.number,
                    "committee": sheet.committee.name,
                    "due": due,
                    "subject": sheet.subject[:80],
                },
                url=sheet.get_absolute_url(),
                about=sheet,
                estate=sheet.estate,
                now=now,
                actor=None,
            )
        WorkContactSheet.objects.filter(pk=sheet.pk).update(next_check_at=next_check_at(sheet, done), **marks)
    return stats
