"""Scheduling rules as plain functions taking `now` (tested without HTTP)."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .periods import local_date, start_of_day

# §4.2.1.2: a meeting with the residents' committee is fixed at least one day ahead, whatever its kind
COMMITTEE_MIN_NOTICE_DAYS = {"rc": 1}
MINUTES_DAYS = 3  # seed 004 篇3 七.7


def notice_days_required(kind, committee_kind):
    """Days of notice: the kind's own rule (special-topic with the OC: 7, §4.1.4.2) and the committee's."""
    return max(kind.min_notice_days or 0, COMMITTEE_MIN_NOTICE_DAYS.get(committee_kind, 0))


def notice_days_given(starts_at, now):
    """Whole calendar days (Asia/Shanghai) between today and the meeting's date."""
    return (local_date(starts_at) - local_date(now)).days


def notice_problem(*, kind, committee_kind, starts_at, now):
    """None when the notice rule is kept, else a message (lazy) explaining the rule."""
    required = notice_days_required(kind, committee_kind)
    if required <= 0:
        return None
    given = notice_days_given(starts_at, now)
    if given >= required:
        return None
    if committee_kind == "rc" and required == COMMITTEE_MIN_NOTICE_DAYS["rc"]:
        msg = _(
            "A meeting with the residents' committee must be fixed at least %(days)s day ahead (§4.2.1.2); "
            "this one is %(given)s day(s) away. Choose a later time, or override the rule with a written reason."
        )
    else:
        msg = _(
            "A %(kind)s must be fixed with the committee at least %(days)s days ahead (§4.1.4.2); "
            "this one is %(given)s day(s) away. Choose a later time, or override the rule with a written reason."
        )
    return msg % {"days": required, "given": max(given, 0), "kind": kind.label}


def minutes_due_at(starts_at):
    """Minutes are distributed within 3 days of the meeting: by the end of the 3rd day after its date."""
    return start_of_day(local_date(starts_at) + datetime.timedelta(days=MINUTES_DAYS + 1))


def minutes_reminder_hours():
    return getattr(settings, "MEETINGS_MINUTES_REMINDER_HOURS", 24)


def overlapping(meeting_qs, *, starts_at, ends_at, committee, organizer, exclude_pk=None):
    """Meetings (not cancelled) overlapping [starts_at, ends_at) for the same committee or organiser."""
    who = Q(committee=committee)
    if organizer is not None:
        who |= Q(organizer=organizer)
    qs = meeting_qs.filter(who, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(status="cancelled")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def overlap_names(meeting_qs, **kwargs):
    """The first five overlapping meetings as "title（time）；…" for a warning, or "" when none."""
    from django.utils import timezone

    clashes = overlapping(meeting_qs.select_related("committee"), **kwargs)[:5]
    return "；".join(f"{m.title}（{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}）" for m in clashes)


def checkin_window(meeting):
    """Self sign-in by QR code is open from an hour before the start to an hour after the end."""
    margin = datetime.timedelta(minutes=getattr(settings, "MEETINGS_CHECKIN_MARGIN_MINUTES", 60))
    return meeting.starts_at - margin, meeting.ends_at + margin


def checkin_open(meeting, now):
    opens, closes = checkin_window(meeting)
    return meeting.status in ("confirmed", "held") and opens <= now <= closes


def normalise_phone(phone):
    return "".join(ch for ch in (phone or "") if ch.isdigit())[-11:]
