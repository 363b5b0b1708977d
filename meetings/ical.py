"""A private iCalendar feed (RFC 5545), written with the `icalendar` package.

Stable UID per meeting (its uuid), SEQUENCE bumped on every reschedule or cancellation, so a phone's
calendar moves the event instead of duplicating it; a cancelled meeting is sent with STATUS:CANCELLED
(calendar apps then remove it). Escaping, CRLF line ends and folding at 75 octets come from the library;
user text goes through liaison.escaping.ical_text first (the library leaves a bare CR as it is).
"""

import datetime

from django.db.models import Q
from icalendar import STATUS, Calendar, Event

from liaison import access
from liaison.escaping import ical_text
from liaison.models import Role

from .models import Meeting

DAYS_BACK = 90
DAYS_AHEAD = 400

# a meeting not yet confirmed is shown, but as tentative
_STATUS = {
    Meeting.Status.CANCELLED: STATUS.CANCELLED,
    Meeting.Status.DRAFT: STATUS.TENTATIVE,
    Meeting.Status.AWAITING_APPROVAL: STATUS.TENTATIVE,
    Meeting.Status.REJECTED: STATUS.TENTATIVE,
}


def _utc(dt):
    return dt.astimezone(datetime.UTC)


def meetings_for(user, now):
    """Meetings in the user's calendar: those they organise or are invited to, and for an estate's
    director or supervisor every sent meeting of that estate. Never anything outside their scope."""
    qs = access.meetings(Meeting.objects.all(), user).filter(
        starts_at__gte=now - datetime.timedelta(days=DAYS_BACK),
        starts_at__lte=now + datetime.timedelta(days=DAYS_AHEAD),
    )
    mine = Q(organizer=user) | Q(invitations__user=user)
    if not user.is_committee:
        mine |= Q(estate__assignments__user=user, estate__assignments__role__in=[Role.DIRECTOR, Role.SUPERVISOR])
    qs = qs.filter(mine).filter(Q(sent_at__isnull=False) | Q(organizer=user))
    # a draft never sent and later cancelled was never in anyone's calendar
    return (
        qs.exclude(status=Meeting.Status.CANCELLED, sent_at__isnull=True)
        .distinct()
        .select_related("estate", "committee", "kind")
    )


def event(meeting, now, site=""):
    """The meeting as a VEVENT (an icalendar.Event)."""
    cancelled = meeting.status == Meeting.Status.CANCELLED
    desc = [f"{meeting.estate.name} · {meeting.committee.name} · {meeting.kind.name}"]
    desc += [f"{i}. {a.title}" for i, a in enumerate(meeting.agenda_items.all(), 1)]
    if cancelled and meeting.cancel_reason:
        desc.append(f"取消原因: {meeting.cancel_reason}")
    return Event.new(
        uid=f"{meeting.uid}@liaison",
        stamp=_utc(now),
        last_modified=_utc(meeting.updated_at),
        start=_utc(meeting.starts_at),
        end=_utc(meeting.ends_at),
        sequence=meeting.sequence,
        status=_STATUS.get(meeting.status, STATUS.CONFIRMED),
        summary=ical_text(("[已取消] " if cancelled else "") + meeting.title),
        location=ical_text(meeting.place),
        description=ical_text("\n".join(desc)),
        url=f"{site}{meeting.get_absolute_url()}" if site else None,
    )


def feed_for(user, now, site=""):
    """The user's whole feed as text (CRLF lines)."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//liaison//meetings//ZH")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.calendar_name = "联络会议"  # NAME and X-WR-CALNAME
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for meeting in meetings_for(user, now).prefetch_related("agenda_items"):
        cal.add_component(event(meeting, now, site))
    return cal.to_ical().decode()
