"""Meetings through the API follow the same rules as the meeting pages (meetings.actions)."""

import datetime

import pytest

from liaison.models import AuditEntry
from meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


def _new(kinds, oc, kind="oc_routine", days=10, **extra):
    from django.utils import timezone

    start = (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)
    return {
        "estate": oc.estate_id,
        "committee": oc.pk,
        "kind": kinds[kind].pk,
        "title": "电梯改造专题会议",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
        "place": "管理处会议室",
        **extra,
    }


def test_director_schedules_a_meeting_as_a_draft_with_audit(api, director_a, kinds, oc_a, chair_a):
    resp = api(director_a).post("/api/meetings/", _new(kinds, oc_a))
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "draft"
    assert body["permissions"]["manage"] is True
    # the committee's members were invited, as on the page
    assert "张喆" in [i["name"] for i in body["invitations"]]
    assert AuditEntry.objects.filter(
        object_type="meetings.meeting", object_id=str(body["id"]), action="created"
    ).exists()


def test_notice_rule_refuses_a_special_topic_meeting_three_days_ahead(api, director_a, kinds, oc_a):
    """§4.1.4.2: at least a week ahead; the refusal is on the starts_at field, as on the form."""
    client = api(director_a, language="en")
    resp = client.post("/api/meetings/", _new(kinds, oc_a, kind="special_topic", days=3))
    assert resp.status_code == 400
    err = resp.json()
    assert err["code"] == "invalid"
    assert "at least 7 days (168 hours)" in err["fields"]["starts_at"][0]["message"]
    assert not Meeting.objects.exists()
    # with a written reason the override is recorded
    resp = client.post(
        "/api/meetings/", _new(kinds, oc_a, kind="special_topic", days=3, override_reason="电梯困人，紧急处理")
    )
    assert resp.status_code == 201
    assert resp.json()["notice_override"] is True


def test_overlap_needs_confirmation(api, director_a, kinds, oc_a, meeting_a):
    data = _new(kinds, oc_a)
    data["starts_at"] = meeting_a.starts_at.isoformat()
    data["ends_at"] = meeting_a.ends_at.isoformat()
    client = api(director_a)
    resp = client.post("/api/meetings/", data)
    assert resp.status_code == 400
    assert resp.json()["fields"]["confirm_overlap"][0]["code"] == "overlap"
    assert client.post("/api/meetings/", {**data, "confirm_overlap": True}).status_code == 201


def test_special_topic_needs_the_leaders_approval_before_it_is_sent(api, director_a, leader, kinds, oc_a, chair_a):
    director = api(director_a, language="en")
    m = director.post("/api/meetings/", _new(kinds, oc_a, kind="special_topic", days=10)).json()
    # cannot be sent before approval
    resp = director.post(f"/api/meetings/{m['id']}/send/")
    assert resp.status_code == 400
    assert resp.json()["code"] == "refused"
    assert "only after the leader has approved" in resp.json()["message"]
    # cannot be submitted without an agenda
    assert director.post(f"/api/meetings/{m['id']}/submit/").status_code == 400
    resp = director.post(
        f"/api/meetings/{m['id']}/agenda/",
        {"title": "使用维修资金更新电梯", "cause": "故障频发", "support_requested": "组织业主表决"},
    )
    assert resp.status_code == 201
    assert resp.json()["order"] == 1
    assert director.post(f"/api/meetings/{m['id']}/submit/").json()["status"] == "awaiting_approval"
    # the agenda is frozen while awaiting approval
    assert director.post(f"/api/meetings/{m['id']}/agenda/", {"title": "x"}).status_code == 400
    # only the leader approves; an instruction is required
    assert director.post(f"/api/meetings/{m['id']}/approve/", {"instruction": "同意"}).status_code == 403
    boss = api(leader)
    resp = boss.post(f"/api/meetings/{m['id']}/approve/", {"instruction": ""})
    assert resp.status_code == 400
    assert "instruction" in resp.json()["fields"]
    resp = boss.post(f"/api/meetings/{m['id']}/approve/", {"instruction": "同意，注意安全"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "draft" and body["approval_instruction"] == "同意，注意安全"
    assert body["approved_at"] is not None and body["sent_at"] is None
    # the director sends it once approved
    resp = director.post(f"/api/meetings/{m['id']}/send/")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed" and resp.json()["sent_at"]


def test_committee_member_reads_sent_meetings_only_and_cannot_schedule(
    api, chair_a, director_a, kinds, oc_a, meeting_a
):
    draft = api(director_a).post("/api/meetings/", _new(kinds, oc_a, days=20)).json()
    chair = api(chair_a)
    ids = [m["id"] for m in chair.get("/api/meetings/").json()["results"]]
    assert meeting_a.pk in ids and draft["id"] not in ids
    assert chair.get(f"/api/meetings/{draft['id']}/").status_code == 404
    assert chair.post("/api/meetings/", _new(kinds, oc_a)).status_code == 403
    assert chair.post(f"/api/meetings/{meeting_a.pk}/cancel/", {"reason": "x"}).status_code == 403


def test_invitee_answers_their_own_invitation_only(api, chair_a, member_a, meeting_a):
    mine = meeting_a.invitations.get(user=chair_a)
    resp = api(chair_a).post(f"/api/invitations/{mine.pk}/respond/", {"response": "accepted"})
    assert resp.status_code == 200 and resp.json()["response"] == "accepted"
    assert api(member_a).post(f"/api/invitations/{mine.pk}/respond/", {"response": "declined"}).status_code == 403
    mine.refresh_from_db()
    assert mine.response == "accepted"


def test_reschedule_of_a_sent_meeting_needs_a_reason(api, director_a, meeting_a):
    client = api(director_a)
    later = (meeting_a.starts_at + datetime.timedelta(days=1)).isoformat()
    later_end = (meeting_a.ends_at + datetime.timedelta(days=1)).isoformat()
    resp = client.patch(f"/api/meetings/{meeting_a.pk}/", {"starts_at": later, "ends_at": later_end})
    assert resp.status_code == 400 and "reason" in resp.json()["fields"]
    resp = client.patch(
        f"/api/meetings/{meeting_a.pk}/", {"starts_at": later, "ends_at": later_end, "reason": "业委会主任出差"}
    )
    assert resp.status_code == 200
    meeting_a.refresh_from_db()
    assert meeting_a.sequence == 1 and meeting_a.changes.filter(reason="业委会主任出差").exists()


def test_sign_in_minutes_resolutions_and_finalise(api, director_a, chair_a, held_meeting_a, now):
    m = held_meeting_a
    director = api(director_a)
    resp = director.post(f"/api/meetings/{m.pk}/walk-ins/", {"name": "王五", "unit": "3-101", "phone": "13900000000"})
    assert resp.status_code == 201 and resp.json()["method"] == "walk_in"
    item = m.agenda_items.first()
    resp = director.put(
        f"/api/meetings/{m.pk}/minutes/",
        {
            "host_name": "王主任",
            "recorder_name": "李秘书",
            "discussions": [{"agenda_item": item.pk, "discussion": "同意补种"}],
        },
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["minutes"]["host_name"] == "王主任"
    assert AgendaItem.objects.get(pk=item.pk).discussion == "同意补种"
    # an agenda item of another meeting is refused on its field
    resp = director.put(
        f"/api/meetings/{m.pk}/minutes/",
        {"host_name": "王主任", "recorder_name": "李秘书", "discussions": [{"agenda_item": 999999, "discussion": "x"}]},
    )
    assert resp.status_code == 400 and "discussions.0.agenda_item" in resp.json()["fields"]
    # a resolution needs a person responsible and an action
    resp = director.post(f"/api/meetings/{m.pk}/resolutions/", {"text": "补种", "action": "", "due_date": "2020-01-01"})
    assert resp.status_code == 400
    resp = director.post(
        f"/api/meetings/{m.pk}/resolutions/",
        {
            "text": "补种绿化",
            "owner": director_a.pk,
            "action": "联系绿化公司",
            "due_date": str(now.date() + datetime.timedelta(days=7)),
        },
    )
    assert resp.status_code == 201
    resolution_id = resp.json()["id"]
    # the committee does not see draft minutes
    chair = api(chair_a)
    body = chair.get(f"/api/meetings/{m.pk}/").json()
    assert body["minutes"] is None and body["resolutions"] == []
    assert chair.put(f"/api/meetings/{m.pk}/minutes/", {"host_name": "x", "recorder_name": "y"}).status_code == 403
    resp = director.post(f"/api/meetings/{m.pk}/minutes/finalise/")
    assert resp.status_code == 200 and resp.json()["minutes"]["finalised_at"]
    body = chair.get(f"/api/meetings/{m.pk}/").json()
    assert body["minutes"]["recorder_name"] == "李秘书" and len(body["resolutions"]) == 1
    # final minutes cannot change
    resp = director.put(f"/api/meetings/{m.pk}/minutes/", {"host_name": "x", "recorder_name": "y"})
    assert resp.status_code == 400
    resp = director.post(f"/api/resolutions/{resolution_id}/complete/", {"note": "已补种30株"})
    assert resp.status_code == 200 and resp.json()["status"] == "done"


def test_issue_raised_at_the_meeting_lands_in_the_follow_up_list(api, director_a, held_meeting_a):
    resp = api(director_a).post(
        f"/api/meetings/{held_meeting_a.pk}/issues/", {"raised_by": "张喆", "description": "路灯不亮"}
    )
    assert resp.status_code == 201
    assert resp.json()["meeting"] == held_meeting_a.pk and resp.json()["status"] == "open"
