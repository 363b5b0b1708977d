"""A private iCalendar feed (RFC 5545), written by hand.

Stable UID per meeting (its uuid), SEQUENCE bumped on every reschedule or cancellation, so a phone's
calendar moves the event instead of duplicating it; a cancelled meeting is sent with STATUS:CANCELLED
(calendar apps then remove it). Lines end with CRLF and are folded at 75 octets.
"""

import datetime

from django.db.models import Q

from liaison.models import Role

from .models import Meeting

DAYS_BACK = 90
DAYS_AHEAD = 400


def escape(text):
    return (
        str(text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line):
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current, size, limit = [], "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append(current)
            current, size, limit = ch, n, 74  # continuation lines start with a space
        else:
            current += ch
            size += n
    parts.append(current)
    return "\r\n ".join(parts)


def utc(dt):
    return dt.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meetings_for(user, now):
    """Meetings in the user's calendar: those they organise or are invited to, and for an estate's
    director or supervisor every sent meeting of that estate. Never anything outside their scope."""
    from .actions import visible_meetings

    qs = visible_meetings(user).filter(
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
    status = {
        "cancelled": "CANCELLED",
        "draft": "TENTATIVE",
        "awaiting_approval": "TENTATIVE",
        "rejected": "TENTATIVE",
    }.get(meeting.status, "CONFIRMED")
    desc = [f"{meeting.estate.name} · {meeting.committee.name} · {meeting.kind.name}"]
    for i, a in enumerate(meeting.agenda_items.all(), 1):
        desc.append(f"{i}. {a.title}")
    if meeting.status == "cancelled" and meeting.cancel_reason:
        desc.append(f"取消原因: {meeting.cancel_reason}")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}@liaison",
        f"DTSTAMP:{utc(now)}",
        f"LAST-MODIFIED:{utc(meeting.updated_at)}",
        f"DTSTART:{utc(meeting.starts_at)}",
        f"DTEND:{utc(meeting.ends_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"STATUS:{status}",
        f"SUMMARY:{escape(('[已取消] ' if meeting.status == 'cancelled' else '') + meeting.title)}",
        f"LOCATION:{escape(meeting.place)}",
        f"DESCRIPTION:{escape(chr(10).join(desc))}",
    ]
    if site:
        lines.append(f"URL:{site}{meeting.get_absolute_url()}")
    lines.append("END:VEVENT")
    return lines


def feed_for(user, now, site=""):
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//liaison//meetings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:联络会议",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for meeting in meetings_for(user, now).prefetch_related("agenda_items"):
        lines.extend(event(meeting, now, site))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
