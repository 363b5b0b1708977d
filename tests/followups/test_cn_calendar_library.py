"""The working-day calendar comes from the chinesecalendar package; the project's own table of the
State Council notices, which followups/cn_calendar.py held before, is kept here as test data so the
package is checked against it for every day of 2024–2026. A year the package does not cover is
counted Monday–Friday and the screens say the calendar is not known, as before.
"""

import datetime

import chinese_calendar
import pytest
from django.urls import reverse

from followups.models import DeadlinePolicy
from liaison import cn_calendar

from .conftest import at

D = datetime.date


def _span(first, last):
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


# year -> (days off, incl. the weekends inside a break; make-up working days on weekends), as
# transcribed from the notices (国务院办公厅关于…年部分节假日安排的通知)
PROJECT_TABLE = {
    2024: (  # 国办发明电〔2023〕7号 (2023-10-25)
        [
            D(2024, 1, 1),
            *_span(D(2024, 2, 10), D(2024, 2, 17)),  # 春节
            *_span(D(2024, 4, 4), D(2024, 4, 6)),  # 清明
            *_span(D(2024, 5, 1), D(2024, 5, 5)),  # 劳动节
            D(2024, 6, 10),  # 端午
            *_span(D(2024, 9, 15), D(2024, 9, 17)),  # 中秋
            *_span(D(2024, 10, 1), D(2024, 10, 7)),  # 国庆
        ],
        [D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28)]
        + [D(2024, 5, 11), D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)],
    ),
    2025: (  # 国办发明电〔2024〕12号 (2024-11-12)
        [
            D(2025, 1, 1),
            *_span(D(2025, 1, 28), D(2025, 2, 4)),  # 春节
            *_span(D(2025, 4, 4), D(2025, 4, 6)),  # 清明
            *_span(D(2025, 5, 1), D(2025, 5, 5)),  # 劳动节
            *_span(D(2025, 5, 31), D(2025, 6, 2)),  # 端午
            *_span(D(2025, 10, 1), D(2025, 10, 8)),  # 国庆、中秋
        ],
        [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    ),
    2026: (  # the notice of 2025-11-04 (published by Xinhua)
        [
            *_span(D(2026, 1, 1), D(2026, 1, 3)),  # 元旦
            *_span(D(2026, 2, 15), D(2026, 2, 23)),  # 春节
            *_span(D(2026, 4, 4), D(2026, 4, 6)),  # 清明
            *_span(D(2026, 5, 1), D(2026, 5, 5)),  # 劳动节
            *_span(D(2026, 6, 19), D(2026, 6, 21)),  # 端午
            *_span(D(2026, 9, 25), D(2026, 9, 27)),  # 中秋
            *_span(D(2026, 10, 1), D(2026, 10, 7)),  # 国庆
        ],
        [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
    ),
}

UNKNOWN = cn_calendar.KNOWN_YEARS[-1] + 1  # the first year the package has no data for


@pytest.mark.parametrize("year", sorted(PROJECT_TABLE))
def test_package_and_project_table_agree_on_every_day(year):
    off, work = (set(days) for days in PROJECT_TABLE[year])
    assert {d for d in chinese_calendar.holidays if d.year == year} == off
    assert {d for d in chinese_calendar.workdays if d.year == year} == work
    for day in _span(D(year, 1, 1), D(year, 12, 31)):
        expected = day in work or (day not in off and day.weekday() < 5)
        assert chinese_calendar.is_workday(day) == expected, day
        assert cn_calendar.is_working_day(day) == expected, day
    assert cn_calendar.is_known(year)


def test_years_only_the_package_has_come_from_it():
    assert cn_calendar.is_known(2015) and cn_calendar.is_known(2020)
    assert not cn_calendar.is_working_day(D(2015, 9, 3))  # Thursday: 抗战胜利70周年纪念日
    assert cn_calendar.is_working_day(D(2015, 9, 6))  # Sunday worked instead
    assert not cn_calendar.is_working_day(D(2020, 1, 31))  # Spring Festival 2020, extended


def test_a_year_the_package_lacks_counts_monday_to_friday_and_says_so():
    with pytest.raises(NotImplementedError):  # what the package itself would do
        chinese_calendar.is_workday(D(UNKNOWN, 1, 1))
    assert not cn_calendar.is_known(UNKNOWN)
    assert cn_calendar.is_working_day(D(UNKNOWN, 1, 1)) == (D(UNKNOWN, 1, 1).weekday() < 5)
    assert [cn_calendar.is_working_day(d) for d in _span(D(UNKNOWN, 10, 1), D(UNKNOWN, 10, 7))] == [
        d.weekday() < 5 for d in _span(D(UNKNOWN, 10, 1), D(UNKNOWN, 10, 7))
    ]
    # counting from the last known year into the unknown one: Monday–Friday there, and flagged
    last_day = D(UNKNOWN - 1, 12, 31)
    day, known = cn_calendar.add_working_days(last_day, 5)
    assert not known and day.year == UNKNOWN and day.weekday() < 5
    assert cn_calendar.add_working_days(D(UNKNOWN - 1, 3, 2), 1)[1]


@pytest.mark.django_db
def test_issue_page_says_the_calendar_is_not_known(raise_issue, client_for, director_a):
    DeadlinePolicy.objects.filter(source="", category="", urgency="").update(counting=DeadlinePolicy.Counting.WORKING)
    unknown = raise_issue(raised_at=at(UNKNOWN, 9, 30, 10))
    known = raise_issue(raised_at=at(UNKNOWN - 1, 9, 30, 10))
    client = client_for(director_a)
    page = client.get(reverse("followups:detail", args=[unknown.pk])).content.decode()
    assert 'id="calendar-fallback"' in page
    page = client.get(reverse("followups:detail", args=[known.pk])).content.decode()
    assert 'id="calendar-fallback"' not in page
