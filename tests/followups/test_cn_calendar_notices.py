"""Every date of the State Council holiday notices for 2024–2026, as published, against cn_calendar.

The notices (国务院办公厅关于…年部分节假日安排的通知) list each holiday's days off (放假) and the
weekend days worked instead (上班). Written out here from the published texts, holiday by holiday,
independently of the chinesecalendar package that cn_calendar answers from, so a wrong day there fails.
"""

import datetime

import chinese_calendar
import pytest

from liaison import cn_calendar

D = datetime.date

# (first day off, last day off, [make-up working days]) per holiday, in the notices' order
NOTICES = {
    2024: [  # 国办发明电〔2023〕7号, 2023-10-25
        (D(2024, 1, 1), D(2024, 1, 1), []),
        (D(2024, 2, 10), D(2024, 2, 17), [D(2024, 2, 4), D(2024, 2, 18)]),
        (D(2024, 4, 4), D(2024, 4, 6), [D(2024, 4, 7)]),
        (D(2024, 5, 1), D(2024, 5, 5), [D(2024, 4, 28), D(2024, 5, 11)]),
        (D(2024, 6, 10), D(2024, 6, 10), []),
        (D(2024, 9, 15), D(2024, 9, 17), [D(2024, 9, 14)]),
        (D(2024, 10, 1), D(2024, 10, 7), [D(2024, 9, 29), D(2024, 10, 12)]),
    ],
    2025: [  # 国办发明电〔2024〕12号, 2024-11-12
        (D(2025, 1, 1), D(2025, 1, 1), []),
        (D(2025, 1, 28), D(2025, 2, 4), [D(2025, 1, 26), D(2025, 2, 8)]),
        (D(2025, 4, 4), D(2025, 4, 6), []),
        (D(2025, 5, 1), D(2025, 5, 5), [D(2025, 4, 27)]),
        (D(2025, 5, 31), D(2025, 6, 2), []),
        (D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
    ],
    2026: [  # notice of 2025-11-04
        (D(2026, 1, 1), D(2026, 1, 3), [D(2026, 1, 4)]),
        (D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
        (D(2026, 4, 4), D(2026, 4, 6), []),
        (D(2026, 5, 1), D(2026, 5, 5), [D(2026, 5, 9)]),
        (D(2026, 6, 19), D(2026, 6, 21), []),
        (D(2026, 9, 25), D(2026, 9, 27), []),
        (D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
    ],
}


def _days(first, last):
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_calendar_holds_exactly_the_notice(year):
    off = {d for first, last, _work in NOTICES[year] for d in _days(first, last)}
    work = {d for _first, _last, days in NOTICES[year] for d in days}
    assert {d for d in chinese_calendar.holidays if d.year == year} == off
    assert {d for d in chinese_calendar.workdays if d.year == year} == work
    assert cn_calendar.is_known(year)
    assert all(d.weekday() >= 5 for d in work)  # make-up days are weekend days
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        expected = day in work or (day not in off and day.weekday() < 5)
        assert cn_calendar.is_working_day(day) == expected, day
