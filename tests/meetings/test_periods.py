"""Cadence periods and status as plain functions with an explicit `now`."""

import datetime

import pytest

from meetings import periods, rules
from meetings.cadence_defaults import ensure_default_kinds

from .conftest import sh

D = datetime.date


@pytest.mark.parametrize(
    "period,day,expected",
    [
        ("month", D(2026, 1, 31), (D(2026, 1, 1), D(2026, 1, 31))),
        ("month", D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29))),  # leap year
        ("month", D(2027, 2, 15), (D(2027, 2, 1), D(2027, 2, 28))),
        ("two_months", D(2026, 2, 28), (D(2026, 1, 1), D(2026, 2, 28))),
        ("two_months", D(2026, 3, 1), (D(2026, 3, 1), D(2026, 4, 30))),
        ("two_months", D(2026, 12, 31), (D(2026, 11, 1), D(2026, 12, 31))),
        ("quarter", D(2026, 6, 30), (D(2026, 4, 1), D(2026, 6, 30))),
        ("quarter", D(2026, 7, 1), (D(2026, 7, 1), D(2026, 9, 30))),
        ("half_year", D(2026, 6, 30), (D(2026, 1, 1), D(2026, 6, 30))),
        ("half_year", D(2026, 7, 1), (D(2026, 7, 1), D(2026, 12, 31))),
        ("year", D(2028, 2, 29), (D(2028, 1, 1), D(2028, 12, 31))),
    ],
)
def test_calendar_blocks(period, day, expected):
    assert periods.period_containing(period, day) == expected


def test_before_the_5th_and_window_roll_to_next_month():
    assert periods.period_containing("month_by_day", D(2026, 3, 4), day_to=5) == (D(2026, 3, 1), D(2026, 3, 4))
    assert periods.period_containing("month_by_day", D(2026, 3, 5), day_to=5) == (D(2026, 4, 1), D(2026, 4, 4))
    assert periods.period_containing("month_window", D(2026, 3, 16), 10, 15) == (D(2026, 4, 10), D(2026, 4, 15))
    # a window past the month's end is clamped (30th–31st in February)
    assert periods.period_containing("month_window", D(2028, 2, 1), 30, 31) == (D(2028, 2, 29), D(2028, 2, 29))


def test_periods_between_lists_every_missed_period_once():
    got = list(periods.periods_between("month", D(2025, 11, 20), D(2026, 2, 1)))
    assert got == [
        (D(2025, 11, 1), D(2025, 11, 30)),
        (D(2025, 12, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
    ]


def test_local_date_uses_shanghai_midnight():
    # 2026-02-28 16:30 UTC is already 1 March 00:30 in Shanghai: a new month
    utc = datetime.datetime(2026, 2, 28, 16, 30, tzinfo=datetime.UTC)
    assert periods.local_date(utc) == D(2026, 3, 1)
    assert periods.local_date(utc - datetime.timedelta(hours=1)) == D(2026, 2, 28)
    assert periods.start_of_day(D(2026, 3, 1)) == datetime.datetime(2026, 2, 28, 16, 0, tzinfo=datetime.UTC)


def test_status_for():
    end = D(2026, 3, 31)
    kw = {"required": 2, "period_end": end, "at_risk_days": 7, "grace_days": 1}
    assert periods.status_for(held=2, scheduled=0, today=D(2026, 3, 5), **kw) == ("met", False)
    assert periods.status_for(held=0, scheduled=0, today=D(2026, 3, 24), **kw) == ("open", False)  # 7 days left
    assert periods.status_for(held=0, scheduled=1, today=D(2026, 3, 25), **kw) == ("at_risk", False)
    assert periods.status_for(held=1, scheduled=1, today=D(2026, 3, 25), **kw) == ("open", False)  # enough scheduled
    assert periods.status_for(held=1, scheduled=0, today=D(2026, 4, 1), **kw) == ("at_risk", False)  # grace day
    assert periods.status_for(held=1, scheduled=0, today=D(2026, 4, 2), **kw) == ("missed", True)
    assert periods.status_for(held=2, scheduled=0, today=D(2026, 4, 2), **kw) == ("met", True)


def test_minutes_due_at_is_end_of_third_day_in_shanghai():
    # a meeting at 23:30 on 28 Feb 2028 (leap year): due by the end of 2 March
    assert rules.minutes_due_at(sh(2028, 2, 28, 23, 30)) == sh(2028, 3, 3, 0, 0)
    assert rules.minutes_due_at(sh(2026, 12, 30, 9, 0)) == sh(2027, 1, 3, 0, 0)


@pytest.mark.django_db
def test_notice_rule_is_elapsed_time_not_calendar_days():
    kinds = ensure_default_kinds()
    special, rc = kinds["special_topic"], kinds["rc_contact"]
    now = sh(2026, 3, 10, 23, 50)
    # 7 x 24 hours ahead is enough; 7 calendar days but a few hours less is not
    assert rules.notice_problem(kind=special, committee_kind="oc", starts_at=sh(2026, 3, 17, 23, 50), now=now) is None
    assert rules.notice_problem(kind=special, committee_kind="oc", starts_at=sh(2026, 3, 17, 9), now=now)
    # the residents' committee: 24 hours for any kind (§4.2.1.2); tomorrow 00:05 is not a day ahead
    assert rules.notice_problem(kind=rc, committee_kind="rc", starts_at=sh(2026, 3, 11, 23, 50), now=now) is None
    assert rules.notice_problem(kind=rc, committee_kind="rc", starts_at=sh(2026, 3, 11, 0, 5), now=now)
    assert rules.notice_problem(
        kind=kinds["emergency"], committee_kind="rc", starts_at=sh(2026, 3, 10, 23, 59), now=now
    )
    assert (
        rules.notice_problem(kind=kinds["emergency"], committee_kind="oc", starts_at=sh(2026, 3, 10, 23, 59), now=now)
        is None
    )
