"""The sign-in sheet in the room: a tick and an undo change their row without reloading, "everyone
present" ticks the rest at once, and a tick is stamped with the meeting's start."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def under_way(make_meeting, director_a, chair_a, member_a):
    now = timezone.now()
    m = make_meeting(starts_at=now + datetime.timedelta(days=2), now=now, send=True)
    Meeting.objects.filter(pk=m.pk).update(
        starts_at=now - datetime.timedelta(minutes=20), ends_at=now + datetime.timedelta(hours=1)
    )
    m.refresh_from_db()
    return m


def test_a_tick_answers_with_its_row_and_says_the_meeting_is_held(client_for, director_a, chair_a, under_way):
    client = client_for(director_a)
    inv = under_way.invitations.get(user=chair_a)
    r = client.post(reverse("meetings:signin_tick", args=[under_way.pk, inv.pk]), **FETCH)
    assert r.status_code == 200 and r["X-Meeting-Held"] == "1"
    row = r.content.decode()
    assert row.startswith("<li") and f'id="signin-row-{inv.pk}"' in row and chair_a.name in row
    att = Attendance.objects.get(invitation=inv)
    assert f'id="undo-{inv.pk}"' in row and att.signed_in_at == under_way.starts_at  # not the moment of the tick
    r = client.post(reverse("meetings:attendance_remove", args=[att.pk]), **FETCH)
    assert r.status_code == 200 and f'id="tick-{inv.pk}"' in r.content.decode()
    assert not Attendance.objects.filter(invitation=inv).exists()


def test_a_refused_tick_answers_with_the_reason(client_for, director_a, chair_a, under_way):
    Meeting.objects.filter(pk=under_way.pk).update(status=Meeting.Status.CANCELLED)
    inv = under_way.invitations.get(user=chair_a)
    r = client_for(director_a).post(reverse("meetings:signin_tick", args=[under_way.pk, inv.pk]), **FETCH)
    assert r.status_code == 400 and "确认" in r.content.decode()
    assert not Attendance.objects.exists()


def test_everyone_present_at_once(client_for, director_a, under_way):
    client = client_for(director_a)
    page = client.get(reverse("meetings:signin", args=[under_way.pk])).content.decode()
    assert 'id="all-present"' in page
    client.post(reverse("meetings:signin_all", args=[under_way.pk]))
    assert Attendance.objects.filter(meeting=under_way).count() == under_way.invitations.count()
    page = client.get(reverse("meetings:signin", args=[under_way.pk])).content.decode()
    assert 'id="all-present"' not in page and 'id="held-badge"' in page


def test_another_estates_director_cannot_tick(client_for, director_b, chair_a, under_way):
    inv = under_way.invitations.get(user=chair_a)
    r = client_for(director_b).post(reverse("meetings:signin_tick", args=[under_way.pk, inv.pk]), **FETCH)
    assert r.status_code in (403, 404) and not Attendance.objects.exists()
    r = client_for(director_b).post(reverse("meetings:signin_all", args=[under_way.pk]))
    assert r.status_code in (403, 404) and not Attendance.objects.exists()
