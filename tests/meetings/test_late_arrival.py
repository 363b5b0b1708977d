"""A latecomer on the sign-in sheet: staff type the time they arrived, the sheet (page and record) says
it; a time outside the meeting is refused next to its field, and a walk-in's typed name is kept."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(make_meeting, chair_a, member_a):
    """A meeting that started an hour ago and ends in an hour (sign-in open)."""
    now = timezone.now()
    start = (now - datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    return make_meeting(starts_at=start, now=now - datetime.timedelta(days=10), send=True)


def _local(moment):
    return timezone.localtime(moment)


def test_a_typed_arrival_time_is_recorded_and_shown(running, chair_a, director_a, client_for):
    inv = running.invitations.get(user=chair_a)
    late = _local(running.starts_at + datetime.timedelta(minutes=25))
    c = client_for(director_a)
    r = c.post(f"/meetings/{running.pk}/signin/{inv.pk}/", {"arrived": f"{late:%H:%M}"}, follow=True)
    assert r.status_code == 200
    att = Attendance.objects.get(meeting=running, invitation=inv)
    assert _local(att.signed_in_at).strftime("%H:%M") == f"{late:%H:%M}"
    assert f"✓ {late:%H:%M}" in r.content.decode()


def test_no_time_means_there_from_the_start(running, chair_a, director_a, client_for):
    inv = running.invitations.get(user=chair_a)
    client_for(director_a).post(f"/meetings/{running.pk}/signin/{inv.pk}/", {"arrived": ""})
    assert Attendance.objects.get(meeting=running, invitation=inv).signed_in_at == running.starts_at


@pytest.mark.parametrize(
    "language, message", [("zh-hans", "到场时间晚于会议结束时间"), ("en", "after the meeting ended")]
)
def test_a_time_after_the_end_is_refused_and_the_walk_in_kept(running, director_a, client_for, language, message):
    director_a.language = language
    director_a.save()
    after = _local(running.ends_at + datetime.timedelta(minutes=30))
    c = client_for(director_a)
    r = c.post(
        f"/meetings/{running.pk}/signin/walk-in/",
        {"name": "业主欧阳喆", "unit": "5栋302", "phone": "", "arrived": f"{after:%H:%M}"},
    )
    body = r.content.decode()
    assert r.status_code == 400
    assert message in body
    assert 'value="业主欧阳喆"' in body and 'value="5栋302"' in body  # nothing typed is lost
    assert not Attendance.objects.filter(meeting=running).exists()


def test_a_bad_time_on_a_tick_is_a_message_not_an_error_page(running, chair_a, director_a, client_for):
    inv = running.invitations.get(user=chair_a)
    r = client_for(director_a).post(f"/meetings/{running.pk}/signin/{inv.pk}/", {"arrived": "25:99"}, follow=True)
    assert r.status_code == 200 and "输入一个有效的时间" in r.content.decode()
    assert not Attendance.objects.filter(meeting=running).exists()
