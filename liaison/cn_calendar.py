"""The official Chinese working calendar: public holidays and make-up working days (调休).

The answers come from the `chinesecalendar` package (import name `chinese_calendar`), which transcribes
the State Council General Office notices on the holiday arrangements (国务院办公厅关于…年部分节假日安排的通知)
for every year from 2004; which years a release covers is `KNOWN_YEARS`. Its 2024–2026 data is checked
day by day against the published notices in tests/followups/test_cn_calendar_library.py and
test_cn_calendar_notices.py. Each year's notice is published in October/November of the year before:
upgrade the package (requirements.txt) once a release has it.
For a year the package does not cover, working days fall back to Monday–Friday and `is_known(year)` is
False so the screens can say so.
"""

import datetime

import chinese_calendar

# the package's own bounds: it answers NotImplementedError outside them
KNOWN_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def is_known(year):
    return year in KNOWN_YEARS


def is_working_day(day):
    """True if `day` (a date) is a working day. Unknown years: Monday–Friday."""
    if not is_known(day.year):
        return day.weekday() < 5
    return chinese_calendar.is_workday(day)


def add_working_days(start, n):
    """The n-th working day after `start` (a date); n == 0 gives `start` itself.

    Also returns whether every year touched is known to the calendar data.
    """
    day = start
    known = is_known(day.year)
    counted = 0
    while counted < n:
        day += datetime.timedelta(days=1)
        known = known and is_known(day.year)
        if is_working_day(day):
            counted += 1
    return day, known
