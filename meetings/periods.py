"""Cadence periods as plain date arithmetic (no database). All dates are local (Asia/Shanghai) dates.

A period is a pair (start, end) of dates, `end` inclusive.
- month / two_months / quarter / half_year / year: aligned calendar blocks starting in January
  (two months: Jan–Feb, Mar–Apr, …; half-year: Jan–Jun and Jul–Dec, so a report visit "at the end of
  June and the end of December" falls due with the block).
- month_by_day ("before the 5th", 篇2 四.1(4)①): the 1st up to the day before `day_to`.
- month_window ("10th–15th", 篇2 四.1(4)②): `day_from` to `day_to`.
"""

import calendar
import datetime
import zoneinfo

from django.conf import settings

SPANS = {"month": 1, "two_months": 2, "quarter": 3, "half_year": 6, "year": 12}


def local_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_date(now):
    """The calendar date of `now` in Asia/Shanghai."""
    return now.astimezone(local_tz()).date()


def start_of_day(day):
    """The aware datetime of local midnight starting `day`."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=local_tz())


def last_day(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def add_months(year, month, n):
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _window(period, year, month, day_from, day_to):
    """The in-month window of a month_by_day / month_window rule, clamped to the month's length."""
    end_of_month = calendar.monthrange(year, month)[1]
    if period == "month_by_day":
        start, end = 1, max(1, min((day_to or 1) - 1, end_of_month))
    else:
        start = min(day_from or 1, end_of_month)
        end = min(day_to or end_of_month, end_of_month)
    return datetime.date(year, month, start), datetime.date(year, month, max(start, end))


def period_containing(period, day, day_from=None, day_to=None):
    """The period that `day` falls in, or for window rules the next window not yet over."""
    if period in SPANS:
        span = SPANS[period]
        first_month = ((day.month - 1) // span) * span + 1
        end_year, end_month = add_months(day.year, first_month, span - 1)
        return datetime.date(day.year, first_month, 1), last_day(end_year, end_month)
    start, end = _window(period, day.year, day.month, day_from, day_to)
    if day > end:
        year, month = add_months(day.year, day.month, 1)
        start, end = _window(period, year, month, day_from, day_to)
    return start, end


def next_period(period, current, day_from=None, day_to=None):
    """The period after `current` (a (start, end) pair)."""
    return period_containing(period, current[1] + datetime.timedelta(days=1), day_from, day_to)


def periods_between(period, first_day, last, day_from=None, day_to=None):
    """Every period from the one containing `first_day` up to the one containing `last` (inclusive)."""
    current = period_containing(period, first_day, day_from, day_to)
    while current[0] <= last:
        yield current
        current = next_period(period, current, day_from, day_to)


def status_for(*, held, scheduled, required, period_end, today, at_risk_days, grace_days=1):
    """The status of one period (plain function).

    missed: the period closed (plus `grace_days` for attendance to be recorded) below the minimum;
    met: the minimum is reached; at_risk: the period ends within `at_risk_days` days and the meetings
    held plus those scheduled do not reach the minimum; otherwise open.
    Returns (status, closed).
    """
    closed = today > period_end + datetime.timedelta(days=grace_days)
    if held >= required:
        return "met", closed
    if closed:
        return "missed", True
    days_left = (period_end - today).days  # 0 on the last day
    if days_left < at_risk_days and held + scheduled < required:
        return "at_risk", False
    return "open", False
