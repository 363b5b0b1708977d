"""Recurring meetings: the dates a rule gives on the official calendar (holidays, 调休), drafts made
ahead once each by the daily job, the rest of a series changed or cancelled, bad rules refused."""

import datetime

import pytest
from django.utils import timezone

from liaison.models import Notification
from meetings import actions, jobs, series
from meetings.models import Meeting, MeetingSeries

from .conftest import sh

pytestmark = pytest.mark.django_db
D = datetime.date
FIRST_TUESDAY = {"frequency": "monthly_weekday", "interval": 1, "nth": 1, "weekday": 1, "monthday": None}


def rule(**kw):
    return {"on_holiday": "keep", "starts_on": D(2026, 9, 1), "until": D(2026, 11, 30), **FIRST_TUESDAY, **kw}


def days(fields):
    return [day for _occurrence, day in series.dates(fields)]


def test_the_first_tuesday_moves_off_the_national_day_holiday_into_the_next_working_day():
    # 2026-10-06 is a Tuesday of the National Day holiday (10-01 to 10-07); 10-08 is a working day
    assert days(rule(on_holiday="next")) == [D(2026, 9, 1), D(2026, 10, 8), D(2026, 11, 3)]
    assert days(rule(on_holiday="keep")) == [D(2026, 9, 1), D(2026, 10, 6), D(2026, 11, 3)]
    assert days(rule(on_holiday="skip")) == [D(2026, 9, 1), D(2026, 11, 3)]


def test_a_saturday_series_that_keeps_working_days_only_finds_the_make_up_saturday():
    # 2026-10-10 is a Saturday worked in exchange for the holiday (调休); the other Saturdays are not
    weekly = rule(frequency="weekly", weekday=5, nth=None, starts_on=D(2026, 9, 26), until=D(2026, 10, 17))
    assert days({**weekly, "on_holiday": "skip"}) == [D(2026, 10, 10)]


def test_a_move_crosses_the_month_boundary():
    # the last Friday of September 2026 is 09-25, the Mid-Autumn holiday: the next working day is Monday 09-28;
    # the last Wednesday, 09-30, is a working day, and a move from 10-01 lands on 10-08
    last_friday = rule(nth=-1, weekday=4, starts_on=D(2026, 9, 1), until=D(2026, 9, 30), on_holiday="next")
    assert days(last_friday) == [D(2026, 9, 28)]
    first_of_month = rule(frequency="monthly_day", monthday=1, nth=None, weekday=None, on_holiday="next")
    assert days({**first_of_month, "starts_on": D(2026, 9, 30)}) == [D(2026, 10, 8), D(2026, 11, 2)]


def test_a_rule_with_no_date_or_too_many_is_refused_with_a_message():
    no_date = rule(frequency="monthly_day", monthday=31, nth=None, weekday=None, until=D(2026, 9, 30))
    assert "没有日期" in series.rule_problem(no_date)
    weekly_for_years = rule(frequency="weekly", weekday=2, nth=None, until=D(2030, 12, 31))
    assert "60" in series.rule_problem(weekly_for_years)
    assert series.rule_problem(rule(until=D(2026, 8, 1))) is not None
    assert series.rule_problem(rule()) is None


@pytest.fixture
def fields(oc_a, kinds):
    return {
        "committee": oc_a,
        "kind": kinds["oc_monthly"],
        "title": "业委会月度沟通",
        "place": "管理处会议室",
        "start_time": datetime.time(15, 0),
        "duration_minutes": 90,
        **rule(on_holiday="next"),
    }


def test_drafts_are_made_ahead_and_the_daily_job_makes_each_date_once(estate_a, director_a, fields):
    now = sh(2026, 8, 20, 10, 0)  # 45 days ahead reach 10-04: only 09-01 now
    s, made, too_soon = actions.create_series(estate=estate_a, actor=director_a, now=now, **fields)
    assert [timezone.localtime(m.starts_at) for m in made] == [sh(2026, 9, 1, 15, 0)]
    assert made[0].status == Meeting.Status.DRAFT and made[0].ends_at - made[0].starts_at == datetime.timedelta(
        minutes=90
    )
    assert too_soon == []
    later = sh(2026, 9, 15, 6, 15)  # reach 10-30: October's meeting, not November's
    assert jobs.extend_series(later) == 1
    assert jobs.extend_series(later) == 0  # run twice: nothing more
    october = s.meetings.get(occurrence=D(2026, 10, 6))
    assert timezone.localtime(october.starts_at) == sh(2026, 10, 8, 15, 0)
    # a meeting of the series moved by hand is not made again on its old date
    actions.update_meeting(
        october, actor=director_a, now=later, starts_at=sh(2026, 10, 9, 15, 0), ends_at=sh(2026, 10, 9, 16, 30)
    )
    assert jobs.extend_series(sh(2026, 9, 16, 6, 15)) == 0
    assert s.meetings.count() == 2
    assert jobs.extend_series(sh(2026, 10, 1, 6, 15)) == 1  # November's, once within reach


def test_a_date_too_near_for_the_notice_is_left_out_and_said(estate_a, rc_a, director_a, kinds, fields):
    now = sh(2026, 8, 31, 16, 0)  # the residents' committee needs a day's notice: 09-01 15:00 is 23 h away
    fields.update(committee=rc_a, kind=kinds["rc_contact"])
    _s, made, too_soon = actions.create_series(estate=estate_a, actor=director_a, now=now, **fields)
    assert too_soon == [D(2026, 9, 1)]
    assert [timezone.localtime(m.starts_at).date() for m in made] == [D(2026, 10, 8)]


def test_changing_the_rest_moves_the_drafts_and_leaves_what_was_sent(estate_a, director_a, fields):
    now = sh(2026, 8, 20, 10, 0)
    fields.update(until=D(2026, 9, 30), frequency="weekly", weekday=1, nth=None)  # Tuesdays 09-01 … 09-29
    s, made, _ = actions.create_series(estate=estate_a, actor=director_a, now=now, **fields)
    assert len(made) == 5
    sent = made[0]
    actions.send_meeting(sent, actor=director_a, now=now)
    s.refresh_from_db()
    _s, kept = actions.change_series(
        s, actor=director_a, now=now, version=s.version, start_time=datetime.time(19, 0), place="社区活动室"
    )
    assert [m.pk for m in kept] == [sent.pk]
    hours = {m.pk: (timezone.localtime(m.starts_at).hour, m.place) for m in s.meetings.all()}
    assert hours[sent.pk] == (15, "管理处会议室")
    assert all(v == (19, "社区活动室") for pk, v in hours.items() if pk != sent.pk)


def test_cancelling_the_series_cancels_what_is_to_come_and_tells_the_invitees(estate_a, director_a, chair_a, fields):
    now = sh(2026, 8, 20, 10, 0)
    s, made, _ = actions.create_series(estate=estate_a, actor=director_a, now=now, **fields)
    actions.send_meeting(made[0], actor=director_a, now=now)
    _s, cancelled = actions.cancel_series(s, actor=director_a, now=now, reason="换届期间暂停")
    assert [m.status for m in cancelled] == [Meeting.Status.CANCELLED]
    assert Notification.objects.filter(recipient=chair_a, kind="meeting.cancelled").exists()
    assert jobs.extend_series(sh(2026, 9, 25, 6, 15)) == 0  # a cancelled series makes nothing


def post(client, estate, **data):
    base = {
        "estate": estate.pk,
        "title": "居委会定期沟通",
        "place": "社区居委会",
        "frequency": "monthly_weekday",
        "interval": "1",
        "nth": "2",
        "weekday": "1",
        "monthday": "",
        "start_time": "15:00",
        "duration_minutes": "90",
        "on_holiday": "next",
    }
    return client.post("/meetings/series/new/", {**base, **data})


def test_a_director_makes_a_series_in_the_browser_and_bad_rules_keep_the_input(
    estate_a, rc_a, director_a, kinds, client_for
):
    client = client_for(director_a)
    today = timezone.localdate()
    common = {"committee": rc_a.pk, "kind": kinds["rc_contact"].pk, "starts_on": today.isoformat()}
    r = post(client, estate_a, **common, until=(today + datetime.timedelta(days=5000)).isoformat())
    body = r.content.decode()
    assert r.status_code == 200 and "60" in body and 'value="居委会定期沟通"' in body
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()
    r = post(client, estate_a, **common, nth="", until=(today + datetime.timedelta(days=200)).isoformat())
    assert "请为所选规则选择此项" in r.content.decode() and not MeetingSeries.objects.exists()
    r = post(client, estate_a, **common, until=(today + datetime.timedelta(days=200)).isoformat())
    s = MeetingSeries.objects.get()
    assert r.status_code == 302 and r["Location"] == s.get_absolute_url()
    page = client.get(r["Location"]).content.decode()
    assert "每月第二个星期二 15:00" in page
    assert s.meetings.exists()
    detail = client.get(s.meetings.first().get_absolute_url()).content.decode()
    assert 'id="meeting-series"' in detail


def test_another_estate_and_committees_never_see_a_series(
    estate_a, director_a, director_b, chair_a, fields, client_for
):
    s, _made, _ = actions.create_series(estate=estate_a, actor=director_a, now=sh(2026, 8, 20, 10, 0), **fields)
    for user in (director_b, chair_a):
        client = client_for(user)
        assert client.get(f"/meetings/series/{s.pk}/").status_code == 404
        assert client.post(f"/meetings/series/{s.pk}/cancel/", {"reason": "x"}).status_code == 404
    s.refresh_from_db()
    assert s.cancelled_at is None
