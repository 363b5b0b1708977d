"""The scheduling form: clear messages, input kept, no partial writes."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def _post(kinds, oc, start, **extra):
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "estate": oc.estate_id,
        "committee": oc.pk,
        "kind": kinds["special_topic"].pk,
        "title": "停车收费调整专题会",
        "starts_at": timezone.localtime(start).strftime(fmt),
        "ends_at": timezone.localtime(start + datetime.timedelta(hours=2)).strftime(fmt),
        "place": "会议室",
    }
    data.update(extra)
    return data


def test_notice_rule_message_keeps_input(kinds, oc_a, director_a, client_for):
    c = client_for(director_a)
    start = timezone.now() + datetime.timedelta(days=3)
    r = c.post(f"/meetings/new/?estate={oc_a.estate_id}", _post(kinds, oc_a, start))
    assert r.status_code == 200
    body = r.content.decode()
    assert "§4.1.4.2" in body and "停车收费调整专题会" in body
    assert not Meeting.objects.exists()
    # with a written reason it is saved and the override shows on the meeting
    r = c.post(
        f"/meetings/new/?estate={oc_a.estate_id}",
        _post(kinds, oc_a, start, override_reason="政府通知限期整改"),
        follow=True,
    )
    m = Meeting.objects.get()
    assert m.notice_override
    assert "政府通知限期整改" in r.content.decode()


def test_end_before_start_and_garbage(kinds, oc_a, director_a, client_for):
    c = client_for(director_a)
    start = timezone.now() + datetime.timedelta(days=10)
    data = _post(kinds, oc_a, start)
    data["ends_at"] = data["starts_at"]
    r = c.post(f"/meetings/new/?estate={oc_a.estate_id}", data)
    assert r.status_code == 200 and not Meeting.objects.exists()
    data["starts_at"] = "not a date"
    r = c.post(f"/meetings/new/?estate={oc_a.estate_id}", data)
    assert r.status_code == 200 and not Meeting.objects.exists()


def test_overlap_warns_then_saves_when_confirmed(kinds, oc_a, director_a, client_for):
    c = client_for(director_a)
    start = timezone.now() + datetime.timedelta(days=10)
    c.post(f"/meetings/new/?estate={oc_a.estate_id}", _post(kinds, oc_a, start))
    assert Meeting.objects.count() == 1
    data = _post(kinds, oc_a, start + datetime.timedelta(minutes=30), title="第二个会")
    r = c.post(f"/meetings/new/?estate={oc_a.estate_id}", data)
    assert Meeting.objects.count() == 1
    assert "停车收费调整专题会" in r.content.decode()  # the clash is named
    data["confirm_overlap"] = "on"
    c.post(f"/meetings/new/?estate={oc_a.estate_id}", data)
    assert Meeting.objects.count() == 2


def test_calendar_month_page(kinds, oc_a, director_a, client_for):
    c = client_for(director_a)
    start = timezone.now() + datetime.timedelta(days=10)
    c.post(f"/meetings/new/?estate={oc_a.estate_id}", _post(kinds, oc_a, start))
    month = timezone.localtime(start).strftime("%Y-%m")
    r = c.get(f"/meetings/?month={month}&estate={oc_a.estate_id}")
    assert "停车收费调整专题会" in r.content.decode()
    assert c.get("/meetings/?month=garbage").status_code == 200


def test_reschedule_in_browser_form_requires_reason(kinds, oc_a, director_a, chair_a, client_for):
    from meetings import actions

    now = timezone.now()
    m = actions.create_meeting(
        estate=oc_a.estate,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="例会",
        starts_at=now + datetime.timedelta(days=5),
        ends_at=now + datetime.timedelta(days=5, hours=1),
        place="会议室",
        actor=director_a,
        now=now,
    )
    actions.send_meeting(m, actor=director_a, now=now)
    c = client_for(director_a)
    new = timezone.localtime(now + datetime.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    new_end = timezone.localtime(now + datetime.timedelta(days=6, hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "例会", "starts_at": new, "ends_at": new_end, "place": "会议室", "notes": ""}
    r = c.post(f"/meetings/{m.pk}/edit/", data)
    assert r.status_code == 200 and "请填写改期原因" in r.content.decode()
    m.refresh_from_db()
    assert m.sequence == 0
    c.post(f"/meetings/{m.pk}/edit/", {**data, "reason": "主任出差"})
    m.refresh_from_db()
    assert m.sequence == 1 and m.changes.get().reason == "主任出差"
