"""The official Chinese working calendar: public holidays and make-up working days (调休).

Plain data, transcribed from the State Council General Office notices on the holiday arrangements
(国务院办公厅关于…年部分节假日安排的通知):
  2024: 国办发明电〔2023〕7号 (2023-10-25)
  2025: 国办发明电〔2024〕12号 (2024-11-12)
  2026: the notice of 2025-11-04 (published by Xinhua)
Checked line by line against the published texts on 2026-11-26 (tests/followups/test_cn_calendar_notices.py
holds every date of the three notices). Each year's notice is published in October/November of the year
before; add the next year here when it appears.
For a year not listed, working days fall back to Monday–Friday and `is_known(year)` is False so the
screens can say so.
"""

import datetime

_D = datetime.date

# year -> (holidays (days off, incl. weekends inside the break), make-up working days on weekends)
_DATA = {
    2024: (
        [
            _D(2024, 1, 1),
            *[_D(2024, 2, d) for d in range(10, 18)],  # 春节 2.10–2.17
            *[_D(2024, 4, d) for d in range(4, 7)],  # 清明 4.4–4.6
            *[_D(2024, 5, d) for d in range(1, 6)],  # 劳动节 5.1–5.5
            _D(2024, 6, 10),  # 端午
            *[_D(2024, 9, d) for d in range(15, 18)],  # 中秋 9.15–9.17
            *[_D(2024, 10, d) for d in range(1, 8)],  # 国庆 10.1–10.7
        ],
        [
            _D(2024, 2, 4),
            _D(2024, 2, 18),
            _D(2024, 4, 7),
            _D(2024, 4, 28),
            _D(2024, 5, 11),
            _D(2024, 9, 14),
            _D(2024, 9, 29),
            _D(2024, 10, 12),
        ],
    ),
    2025: (
        [
            _D(2025, 1, 1),
            *[_D(2025, 1, d) for d in range(28, 32)],  # 春节 1.28–2.4
            *[_D(2025, 2, d) for d in range(1, 5)],
            *[_D(2025, 4, d) for d in range(4, 7)],  # 清明 4.4–4.6
            *[_D(2025, 5, d) for d in range(1, 6)],  # 劳动节 5.1–5.5
            _D(2025, 5, 31),  # 端午 5.31–6.2
            _D(2025, 6, 1),
            _D(2025, 6, 2),
            *[_D(2025, 10, d) for d in range(1, 9)],  # 国庆、中秋 10.1–10.8
        ],
        [
            _D(2025, 1, 26),  # Sunday
            _D(2025, 2, 8),  # Saturday
            _D(2025, 4, 27),  # Sunday
            _D(2025, 9, 28),  # Sunday
            _D(2025, 10, 11),  # Saturday
        ],
    ),
    2026: (
        [
            *[_D(2026, 1, d) for d in range(1, 4)],  # 元旦 1.1–1.3
            *[_D(2026, 2, d) for d in range(15, 24)],  # 春节 2.15–2.23
            *[_D(2026, 4, d) for d in range(4, 7)],  # 清明 4.4–4.6
            *[_D(2026, 5, d) for d in range(1, 6)],  # 劳动节 5.1–5.5
            *[_D(2026, 6, d) for d in range(19, 22)],  # 端午 6.19–6.21
            *[_D(2026, 9, d) for d in range(25, 28)],  # 中秋 9.25–9.27
            *[_D(2026, 10, d) for d in range(1, 8)],  # 国庆 10.1–10.7
        ],
        [
            _D(2026, 1, 4),  # Sunday
            _D(2026, 2, 14),  # Saturday
            _D(2026, 2, 28),  # Saturday
            _D(2026, 5, 9),  # Saturday
            _D(2026, 9, 20),  # Sunday
            _D(2026, 10, 10),  # Saturday
        ],
    ),
}

HOLIDAYS = {d for hol, _work in _DATA.values() for d in hol}
MAKEUP_WORKDAYS = {d for _hol, work in _DATA.values() for d in work}
KNOWN_YEARS = frozenset(_DATA)


def is_known(year):
    return year in KNOWN_YEARS


def is_working_day(day):
    """True if `day` (a date) is a working day. Unknown years: Monday–Friday."""
    if day in MAKEUP_WORKDAYS:
        return True
    if day in HOLIDAYS:
        return False
    return day.weekday() < 5


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
