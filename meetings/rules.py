"""Scheduling rules as plain functions taking `now` (tested without HTTP)."""

import datetime
import math

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .periods import local_date, start_of_day

# §4.2.1.2: a meeting with the residents' committee is fixed at least one day ahead, whatever its kind
COMMITTEE_MIN_NOTICE_DAYS = {"rc": 1}
MINUTES_DAYS = 3  # seed 004 篇3 七.7


def notice_days_required(kind, committee_kind):
    """Days of notice: the kind's own rule (special-topic with the OC: 7, §4.1.4.2) and the committee's."""
    return max(kind.min_notice_days or 0, COMMITTEE_MIN_NOTICE_DAYS.get(committee_kind, 0))


def notice_required(kind, committee_kind):
    """The notice the rule asks for as elapsed time: "7 days" is 7 x 24 hours between the committee being
    told and the start (§4.1.4.2), "1 day" 24 hours for the residents' committee (§4.2.1.2)."""
    return datetime.timedelta(days=notice_days_required(kind, committee_kind))


def notice_shortfall(*, kind, committee_kind, starts_at, told_at):
    """How much notice is missing when the committee is told at `told_at` (a timedelta), or None when the
    rule is kept. A start already passed counts as no notice at all."""
    required = notice_required(kind, committee_kind)
    if not required:
        return None
    given = max(starts_at - told_at, datetime.timedelta(0))
    return None if given >= required else required - given


def format_span(span, *, up=False):
    """A span as people say it in its two largest units: "6 天 23 小时", "1 小时", "45 分钟" (English:
    "6 days 23 hours"). Rounded down, or up with `up` (what is missing is never said to be less)."""
    seconds = max(span.total_seconds(), 0)
    minutes = math.ceil(seconds / 60) if up else int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and minutes and up:
        days, hours = divmod(days * 24 + hours + 1, 24)
    parts = [
        ngettext("%(n)s day", "%(n)s days", days) % {"n": days} if days else "",
        ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours} if hours else "",
        ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes} if minutes and not days else "",
    ]
    parts = [p for p in parts if p]
    return " ".join(parts) if parts else ngettext("%(n)s minute", "%(n)s minutes", 0) % {"n": 0}


def notice_problem(*, kind, committee_kind, starts_at, now):
    """None when the committee told at `now` gets the notice the rule asks for, else a message saying how
    much is missing ("还差 1 小时")."""
    missing = notice_shortfall(kind=kind, committee_kind=committee_kind, starts_at=starts_at, told_at=now)
    if missing is None:
        return None
    required = notice_days_required(kind, committee_kind)
    params = {
        "days": required,
        "hours": required * 24,
        "given": format_span(max(starts_at - now, datetime.timedelta(0))),
        "missing": format_span(missing, up=True),
        "kind": kind.label,
    }
    if committee_kind == "rc" and required == COMMITTEE_MIN_NOTICE_DAYS["rc"]:
        msg = _(
            "A meeting with the residents' committee must be fixed at least %(hours)s hours before it starts "
            "(§4.2.1.2); told now, it would have %(given)s: %(missing)s short. Choose a later time, or override "
            "the rule with a written reason."
        )
    else:
        msg = _(
            "A %(kind)s must be fixed with the committee at least %(days)s days (%(hours)s hours) before it "
            "starts (§4.1.4.2); told now, it would have %(given)s: %(missing)s short. Choose a later time, or "
            "override the rule with a written reason."
        )
    return msg % params


# a meeting lasts at most a day (several days are several meetings): what is still coming up is then
# found in a bounded range of start times
MAX_LENGTH = datetime.timedelta(hours=24)


def coming_up_q(now):
    """Meetings still to come or under way at `now`: a meeting leaves 即将召开 when it ends."""
    return Q(ends_at__gt=now, starts_at__gt=now - MAX_LENGTH)


def past_q(now):
    """Meetings that have ended by `now` (the complement of coming_up_q)."""
    return Q(ends_at__lte=now) | Q(starts_at__lte=now - MAX_LENGTH)


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
    clashes = overlapping(meeting_qs.select_related("committee"), **kwargs)[:5]
    return "；".join(f"{m.title}（{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}）" for m in clashes)


def checkin_window(meeting):
    """Self sign-in by QR code is open from an hour before the start to an hour after the end."""
    margin = datetime.timedelta(minutes=getattr(settings, "MEETINGS_CHECKIN_MARGIN_MINUTES", 60))
    return meeting.starts_at - margin, meeting.ends_at + margin


def checkin_qr_printable(meeting, now):
    """A sign-in sheet carries the QR code only for a meeting still to be held, before its sign-in closes:
    once held (or past), a printed or downloaded sheet holds no code anyone could use."""
    return (
        meeting.status == "confirmed" and meeting.attendance_recorded_at is None and now <= checkin_window(meeting)[1]
    )


def checkin_open(meeting, now):
    opens, closes = checkin_window(meeting)
    return meeting.status in ("confirmed", "held") and opens <= now <= closes


def arrival_at(meeting, arrived, now):
    """The moment a latecomer arrived, from the time staff typed (a datetime.time) on the meeting's
    day: between the meeting's start and its end, and not after `now`. A time before the start is the
    start (on time). Raises ValueError with the reason for a time outside the meeting."""
    moment = timezone.make_aware(datetime.datetime.combine(local_date(meeting.starts_at), arrived))
    if moment > meeting.ends_at:
        raise ValueError(_("The arrival time is after the meeting ended."))
    if moment > now:
        raise ValueError(_("The arrival time is later than now."))
    return max(moment, meeting.starts_at)


def normalise_phone(phone):
    # ASCII digits only: str.isdigit() takes "²" too
    return "".join(ch for ch in (phone or "") if "0" <= ch <= "9")[-11:]


# --- resolutions (seed 004 篇3 七.6, 七.8) ------------------------------------------------------------


def resolution_due_at(due_date):
    """The moment a resolution due on `due_date` becomes overdue: the end of that day in Asia/Shanghai."""
    return start_of_day(due_date + datetime.timedelta(days=1))


def resolution_remind_before():
    """How long before the due moment the person responsible is reminded (default two days)."""
    return datetime.timedelta(hours=getattr(settings, "MEETINGS_RESOLUTION_REMIND_BEFORE_HOURS", 48))


def resolution_escalate_after():
    """How long overdue before the leader in charge is told (default 72 hours, as issues)."""
    return datetime.timedelta(hours=getattr(settings, "MEETINGS_RESOLUTION_ESCALATE_AFTER_HOURS", 72))
