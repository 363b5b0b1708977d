"""The private iCalendar feed: RFC 5545 text (from the icalendar package), stable UID, SEQUENCE on
reschedule, CANCELLED."""

import datetime

import pytest
from icalendar import Calendar

from meetings import actions
from meetings.models import AgendaItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    from django.utils import timezone

    return timezone.now()  # the feed shows meetings around the real date


def _feed(client, user):
    client.force_login(user)
    page = client.get("/meetings/calendar/")
    url = page.context["feed_url"]
    client.logout()
    return url.split("testserver", 1)[1]


def _events(body):
    return Calendar.from_ical(body).events


def test_feed_moves_and_cancels_instead_of_duplicating(client, make_meeting, chair_a, director_a, now):
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True, title="月度沟通会")
    path = _feed(client, chair_a)
    r = client.get(path)  # no login needed: the token is the key
    assert r["Content-Type"].startswith("text/calendar")
    body = r.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    uid = f"UID:{m.uid}@liaison"
    assert uid in body and "SEQUENCE:0" in body and "SUMMARY:月度沟通会" in body
    (ev,) = _events(body)
    assert ev["UID"] == f"{m.uid}@liaison" and ev["STATUS"] == "CONFIRMED" and ev["LOCATION"] == "管理处会议室"
    whole = {"microsecond": 0}  # iCalendar times have whole seconds
    assert ev.start == m.starts_at.replace(**whole) and ev.end == m.ends_at.replace(**whole)
    assert ev["URL"] == f"http://testserver/meetings/{m.pk}/"
    assert ev["DESCRIPTION"].startswith(f"{m.estate.name} · {m.committee.name} · {m.kind.name}")

    later = now + datetime.timedelta(days=4)
    actions.update_meeting(
        m, actor=director_a, now=now, reason="改期", starts_at=later, ends_at=later + datetime.timedelta(hours=1)
    )
    body = client.get(path).content.decode()
    assert len(_events(body)) == 1 and uid in body and "SEQUENCE:1" in body
    assert later.astimezone(datetime.UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in body

    actions.cancel_meeting(m, actor=director_a, reason="取消", now=now)
    body = client.get(path).content.decode()
    (ev,) = _events(body)
    assert "STATUS:CANCELLED" in body and "SEQUENCE:2" in body and uid in body
    assert ev["SUMMARY"] == "[已取消] 月度沟通会" and ev["DESCRIPTION"].endswith("取消原因: 取消")


def test_feed_is_private_and_scoped(client, make_meeting, chair_a, chair_b, director_a, now):
    make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, title="未发送草稿")
    assert client.get("/meetings/calendar/not-a-token.ics").status_code == 404
    body = client.get(_feed(client, chair_a)).content.decode()
    assert "未发送草稿" not in body  # not sent yet: not in the committee's calendar
    assert "未发送草稿" in client.get(_feed(client, director_a)).content.decode()
    assert "未发送草稿" not in client.get(_feed(client, chair_b)).content.decode()
    # a new address invalidates the old one
    client.force_login(chair_a)
    old = _feed(client, chair_a)
    client.force_login(chair_a)
    client.post("/meetings/calendar/")
    client.logout()
    assert client.get(old).status_code == 404


def test_commas_semicolons_newlines_and_chinese_round_trip(client, make_meeting, chair_a, now):
    title = "业委会例会，第3次, 临时; 讨论\n电梯、停车 \\ 备注" + "会议" * 30  # long enough to be folded
    m = make_meeting(starts_at=now + datetime.timedelta(days=3), now=now, send=True, title=title)
    AgendaItem.objects.create(meeting=m, title="维修资金; 表决, 公示")
    body = client.get(_feed(client, chair_a)).content.decode()
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "\\;" in body and "\\," in body and "\\n" in body  # escaped, not raw
    (ev,) = _events(body)
    assert ev["SUMMARY"] == title
    assert ev["DESCRIPTION"].split("\n")[1:] == ["1. 维修资金; 表决, 公示"]
