"""Recurring meetings: the dates a series gives, said in words, and how far ahead its drafts are made.

The dates come from `dateutil.rrule` (the iCalendar RRULE semantics: "the second Tuesday" is
BYDAY=TU;BYSETPOS=2, "the 31st" is skipped in months without one). A date that is not a working day on
the official calendar (liaison/cn_calendar.py: holidays and 调休) is kept, moved to the next working
day or skipped, as the series says.
"""

import datetime

from dateutil import rrule
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from liaison import cn_calendar

from .models import MeetingSeries

F = MeetingSeries.Frequency
MAX_OCCURRENCES = 60  # five years of a monthly meeting
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def ahead_days():
    """How far ahead drafts are made: enough for the 7-day notice and the leader's approval."""
    return getattr(settings, "MEETINGS_SERIES_AHEAD_DAYS", 45)


def _rule(series_or_fields):
    s = series_or_fields
    get = s.get if isinstance(s, dict) else lambda k: getattr(s, k)
    start = get("starts_on")
    kwargs = {"dtstart": datetime.datetime.combine(start, datetime.time()), "interval": get("interval") or 1}
    kwargs["until"] = datetime.datetime.combine(get("until"), datetime.time())
    frequency = get("frequency")
    if frequency == F.WEEKLY:
        return rrule.rrule(rrule.WEEKLY, byweekday=WEEKDAYS[get("weekday")], **kwargs)
    if frequency == F.MONTHLY_DAY:
        return rrule.rrule(rrule.MONTHLY, bymonthday=get("monthday"), **kwargs)
    return rrule.rrule(rrule.MONTHLY, byweekday=WEEKDAYS[get("weekday")], bysetpos=get("nth"), **kwargs)


def _placed(day, on_holiday):
    """The date a meeting falls on (None: skipped) once the working-day rule is applied."""
    if on_holiday == MeetingSeries.OnHoliday.KEEP or cn_calendar.is_working_day(day):
        return day
    if on_holiday == MeetingSeries.OnHoliday.SKIP:
        return None
    moved = day + datetime.timedelta(days=1)
    while not cn_calendar.is_working_day(moved):
        moved += datetime.timedelta(days=1)
    return moved


def dates(series_or_fields, *, limit=MAX_OCCURRENCES + 1):
    """[(occurrence, day)]: the date the rule gives and the day the meeting is on (moved or not), at
    most `limit` of them."""
    s = series_or_fields
    on_holiday = s["on_holiday"] if isinstance(s, dict) else s.on_holiday
    out = []
    for when in _rule(s):
        day = _placed(when.date(), on_holiday)
        if day is not None:
            out.append((when.date(), day))
        if len(out) >= limit:
            break
    return out


def rule_problem(fields):
    """Why this rule cannot be a series (a message), or None: it must give one date at least and at
    most MAX_OCCURRENCES."""
    if fields["until"] < fields["starts_on"]:
        return _("The last date is before the first.")
    found = dates(fields)
    if not found:
        return _("This rule gives no date between the first and the last date: check the day chosen.")
    if len(found) > MAX_OCCURRENCES:
        return _(
            "This rule gives more than %(n)s meetings: choose an earlier last date (a series can be extended later)."
        ) % {"n": MAX_OCCURRENCES}
    return None


def starts_and_ends(series, day):
    tz = timezone.get_default_timezone()  # the estates' clock, also in the beat job
    starts = timezone.make_aware(datetime.datetime.combine(day, series.start_time), tz)
    return starts, starts + datetime.timedelta(minutes=series.duration_minutes)


def describe(series):
    """The rule in words: 每月第二个星期二 15:00, 每两周星期四 19:30, 每月 5 日 09:00."""
    weekday = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    time = series.start_time.strftime("%H:%M")
    n = series.interval or 1
    if series.frequency == F.WEEKLY:
        every = _("every week") if n == 1 else _("every %(n)s weeks") % {"n": n}
        text = _("%(every)s on %(weekday)s") % {"every": every, "weekday": weekday[series.weekday]}
    elif series.frequency == F.MONTHLY_DAY:
        every = _("every month") if n == 1 else _("every %(n)s months") % {"n": n}
        text = _("%(every)s on day %(day)s") % {"every": every, "day": series.monthday}
    else:
        every = _("every month") if n == 1 else _("every %(n)s months") % {"n": n}
        which = {1: _("the first"), 2: _("the second"), 3: _("the third"), 4: _("the fourth"), -1: _("the last")}
        text = _("%(every)s on %(which)s %(weekday)s") % {
            "every": every,
            "which": which.get(series.nth, ""),
            "weekday": weekday[series.weekday],
        }
    span = _("from %(first)s to %(last)s") % {
        "first": date_format(series.starts_on, "DATE_FORMAT"),
        "last": date_format(series.until, "DATE_FORMAT"),
    }
    return capfirst(_("%(rule)s %(time)s, %(span)s") % {"rule": text, "time": time, "span": span})
