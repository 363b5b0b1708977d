"""Periodic jobs other than the cadence: minutes deadlines, overdue resolutions, secretariat email.

Each scan finds what is due with one indexed query and claims each item with a conditional UPDATE.
"""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import Role, audit
from liaison.notify import notify
from liaison.people import estate_staff

from . import periods, resolution_scan, rules, secretariat
from .cadence import scan_cadence
from .models import Dispatch, Meeting, MeetingSeries

log = logging.getLogger(__name__)
JOB = "meetings.minutes"


def _minutes_people(meeting):
    people = []
    m = getattr(meeting, "minutes", None)
    if m is not None and m.recorder_id:
        people.append(m.recorder)
    if meeting.organizer_id:
        people.append(meeting.organizer)
    return people


def scan_minutes(now):
    """Remind the recorder before the 3-day deadline; record a breach once when it passes."""
    horizon = now + datetime.timedelta(hours=rules.minutes_reminder_hours())
    due = (
        Meeting.objects.filter(
            minutes_closed_at__isnull=True, minutes_due_at__isnull=False, minutes_due_at__lte=horizon
        )
        .select_related("estate", "organizer")
        .order_by("minutes_due_at")
    )
    done = {"reminded": 0, "breached": 0}
    for meeting in due:
        url = reverse("meetings:minutes", args=[meeting.pk])
        params = {"title": meeting.title, "estate": meeting.estate.name}
        with transaction.atomic():
            if now >= meeting.minutes_due_at:
                if (
                    Meeting.objects.filter(pk=meeting.pk, minutes_closed_at__isnull=True).update(
                        minutes_breach_at=now, minutes_closed_at=now
                    )
                    != 1
                ):
                    continue
                audit(meeting, "minutes_deadline_missed", job=JOB, now=now, changes={"due": meeting.minutes_due_at})
                notify(
                    set(_minutes_people(meeting)) | set(estate_staff(meeting.estate, [Role.DIRECTOR])),
                    kind="minutes.overdue",
                    key=f"meeting:{meeting.pk}:minutes-overdue",
                    subject=_("Minutes overdue: “%(title)s” (%(estate)s) were not distributed within 3 days"),
                    body=_(
                        "The breach is recorded for the monthly assessment. Distribute the minutes as soon as possible."
                    ),
                    params=params,
                    url=url,
                    estate=meeting.estate,
                    now=now,
                )
                done["breached"] += 1
            elif meeting.minutes_reminded_at is None:
                if (
                    Meeting.objects.filter(pk=meeting.pk, minutes_reminded_at__isnull=True).update(
                        minutes_reminded_at=now
                    )
                    != 1
                ):
                    continue
                notify(
                    _minutes_people(meeting),
                    kind="minutes.due",
                    key=f"meeting:{meeting.pk}:minutes-due",
                    subject=_("Minutes due soon: “%(title)s” (%(estate)s) must be distributed by %(due)s"),
                    params={
                        **params,
                        "due": periods.local_date(meeting.minutes_due_at - datetime.timedelta(seconds=1)),
                    },
                    url=url,
                    estate=meeting.estate,
                    now=now,
                )
                done["reminded"] += 1
    return done


def scan_resolutions(now):
    """Reminders, overdue marks and escalations of resolutions (meetings/resolution_scan.py): counts."""
    return resolution_scan.scan(now)


def email_secretariat(dispatch_id, now=None):
    """Email the committee secretariat (and invitees without a portal account) what was sent: the agenda
    as a PDF, the materials (linked beyond the size limit) and the calendar file (meetings/secretariat.py).
    Claimed once; a failed send gives the claim back for the periodic job and says why on the meeting page."""
    now = now or timezone.now()
    if (
        Dispatch.objects.filter(pk=dispatch_id, secretariat_emailed_at__isnull=True).update(secretariat_emailed_at=now)
        != 1
    ):
        return False
    d = Dispatch.objects.select_related("meeting").get(pk=dispatch_id)
    why = secretariat.not_needed(d, now)
    if why:
        Dispatch.objects.filter(pk=d.pk).update(
            content=secretariat.with_status(d.content, secretariat.NOT_NEEDED, reason=why)
        )
        return False
    try:
        msg, sent = secretariat.build_message(d, now=now)
        if msg is None:
            return False
        msg.send()
    except Exception as exc:
        # give the claim back so that the periodic job retries; the meeting page shows the error
        Dispatch.objects.filter(pk=dispatch_id).update(
            secretariat_emailed_at=None,
            content=secretariat.with_status(d.content, secretariat.FAILED, error=f"{type(exc).__name__}: {exc}"[:300]),
        )
        raise
    Dispatch.objects.filter(pk=d.pk).update(content=secretariat.with_status(d.content, secretariat.SENT, **sent))
    return True


def retry_secretariat_email(now):
    pending = (
        Dispatch.objects.filter(secretariat_emailed_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:100]
    )
    sent = 0
    for pk in pending:
        try:
            sent += bool(email_secretariat(pk, now=now))
        except Exception:  # noqa: BLE001
            log.exception("secretariat email %s failed", pk)
    return sent


def extend_series(now):
    """Each running series makes the drafts that came within reach (meetings.actions.extend_series):
    one indexed query for the series, a date is made once however often this runs."""
    from .actions import extend_series as extend

    made = 0
    running = MeetingSeries.objects.filter(cancelled_at__isnull=True, until__gte=timezone.localtime(now).date())
    for series in running.only("pk"):
        made += len(extend(series, now=now))
    return made


def run_daily(now):
    return {
        "series": extend_series(now),
        "cadence": scan_cadence(now),
        "minutes": scan_minutes(now),
        "resolutions": scan_resolutions(now),
        "secretariat": retry_secretariat_email(now),
    }
