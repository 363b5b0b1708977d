"""Deadline arithmetic with an explicit start: calendar days, working days of the official calendar
(weekends, the National Day holiday, make-up Saturdays/Sundays), unknown years, policy choice."""

import datetime

import pytest
from django.utils import translation

from followups import deadlines
from followups.models import DeadlinePolicy
from liaison import cn_calendar

from .conftest import at

W = DeadlinePolicy.Counting.WORKING
C = DeadlinePolicy.Counting.CALENDAR


def test_calendar_days_run_through_weekends():
    # Friday 16:00 + 3 calendar days = Monday 16:00
    assert deadlines.add(at(2026, 3, 13, 16), 3, "days", C).at == at(2026, 3, 16, 16)


def test_working_days_skip_the_weekend():
    # Friday → Mon, Tue, Wed: due at the end of Wednesday
    due = deadlines.add(at(2026, 3, 13, 16), 3, "days", W)
    assert due.at == at(2026, 3, 18, 23, 59, 59)
    assert due.calendar_known


def test_working_days_skip_national_day_and_count_the_makeup_saturday():
    # raised Wed 30 Sep 2026; 1–7 Oct is the National Day holiday; Sat 10 Oct is a make-up working day
    due = deadlines.add(at(2026, 9, 30, 10), 3, "days", W)
    assert due.at == at(2026, 10, 10, 23, 59, 59)  # Thu 8, Fri 9, Sat 10 (调休)
    assert not cn_calendar.is_working_day(datetime.date(2026, 10, 5))
    assert cn_calendar.is_working_day(datetime.date(2026, 10, 10))


def test_makeup_sunday_before_national_day_2025_counts():
    # Fri 26 Sep 2025: Sat 27 off, Sun 28 works (调休), Mon 29, Tue 30 → due Tue 30
    assert deadlines.add(at(2025, 9, 26, 9), 3, "days", W).at == at(2025, 9, 30, 23, 59, 59)
    # raised on the last working day before the 2025 holiday (1–8 Oct): 9, 10, Sat 11 (调休)
    assert deadlines.add(at(2025, 9, 30, 17), 3, "days", W).at == at(2025, 10, 11, 23, 59, 59)


def test_calendar_days_ignore_holidays():
    assert deadlines.add(at(2026, 9, 30, 10), 3, "days", C).at == at(2026, 10, 3, 10)


def test_spring_festival_2026():
    # Fri 13 Feb 2026; Sat 14 Feb is a make-up day; 15–23 Feb off → 14, 24, 25
    assert deadlines.add(at(2026, 2, 13, 9), 3, "days", W).at == at(2026, 2, 25, 23, 59, 59)


def test_unknown_year_falls_back_to_monday_to_friday_and_says_so():
    due = deadlines.add(at(2031, 9, 30, 10), 3, "days", W)  # Tue 30 Sep 2031
    assert due.at == at(2031, 10, 3, 23, 59, 59)  # Wed 1, Thu 2, Fri 3: no holiday data
    assert not due.calendar_known


def test_hours_and_same_day():
    assert deadlines.add(at(2026, 5, 6, 9, 30), 1, "hours", W).at == at(2026, 5, 6, 10, 30)
    assert deadlines.add(at(2026, 5, 6, 9, 30), 0, "days", W).at == at(2026, 5, 6, 23, 59, 59)


def test_humanize():
    now = at(2026, 10, 8, 10)
    with translation.override("zh-hans"):
        assert deadlines.humanize(at(2026, 10, 8, 15), now) == "5小时后到期"
    translation.activate("en")
    assert deadlines.humanize(at(2026, 10, 8, 15), now) == "due in 5 h"
    assert deadlines.humanize(at(2026, 10, 6, 9), now) == "overdue 2 days"
    assert deadlines.humanize(at(2026, 10, 8, 9, 30), now) == "overdue 30 min"


@pytest.mark.django_db
def test_policy_choice_by_source_category_urgency():
    choose = deadlines.choose_policy
    default = choose(source="meeting", category="repair", urgency="normal")
    assert default.reply_within == 3 and default.callback_within_days == 3 and default.followup_every_days == 3
    assert choose(source="developer", category="", urgency="normal").source == "developer"
    major = choose(source="phone", category="complaint", urgency="major")
    assert (major.triage_within, major.reply_within, major.resolve_within) == (0, 2, 10)
    important = choose(source="phone", category="complaint", urgency="important")
    assert (important.triage_within, important.triage_unit, important.resolve_within) == (1, "hours", 3)
    assert choose(source="phone", category="complaint", urgency="normal").resolve_within == 2


@pytest.mark.django_db
def test_issue_deadlines_follow_the_working_day_policy(raise_issue):
    DeadlinePolicy.objects.filter(source="", category="", urgency="").update(counting=W)
    issue = raise_issue(raised_at=at(2026, 9, 30, 10))
    assert issue.reply_due_at == at(2026, 10, 10, 23, 59, 59)
    assert issue.callback_due_at == at(2026, 10, 10, 23, 59, 59)


@pytest.mark.django_db
def test_major_complaint_gets_same_day_triage_and_10_day_resolution(raise_issue):
    issue = raise_issue(raised_at=at(2026, 3, 2, 9), category="complaint", urgency="major", source="phone")
    assert issue.triage_due_at == at(2026, 3, 2, 23, 59, 59)
    assert issue.reply_due_at == at(2026, 3, 4, 9)
    assert issue.resolve_due_at == at(2026, 3, 12, 9)
