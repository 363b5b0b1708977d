"""Home panel, daily digest items, estate/committee page includes, demo data."""

import datetime

import pytest
from django.utils import timezone

from meetings import actions, digest
from meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_now():
    return timezone.now()


def test_leader_digest_and_home_show_awaiting_approval(make_meeting, director_a, leader, client_for, real_now):
    m = make_meeting(
        kind="special_topic", starts_at=real_now + datetime.timedelta(days=9), now=real_now, title="专题会A"
    )
    AgendaItem.objects.create(meeting=m, title="议题")
    actions.submit_for_approval(m, actor=director_a, now=real_now)
    items = digest.items(leader, real_now)
    assert [i["section"] for i in items if "专题会A" in i["text"]] == ["awaiting"]
    body = client_for(leader).get("/").content.decode()
    assert 'id="panel-approvals"' in body and "专题会A" in body


def test_director_digest_today_and_at_risk(make_meeting, director_a, rc_a, rules_a, now):
    make_meeting(starts_at=now.replace(hour=15), now=now - datetime.timedelta(days=2), title="今日例会", send=True)
    rules_a["rc_contact"].at_risk_days = 62
    rules_a["rc_contact"].save()
    items = digest.items(director_a, now)
    assert [i["section"] for i in items if "今日例会" in i["text"]] == ["due_today"]
    assert any(i["section"] == "at_risk" and "居委会" in i["text"] for i in items)


def test_invitee_sees_invitation_on_home_and_answers(make_meeting, chair_a, client_for, real_now):
    m = make_meeting(starts_at=real_now + datetime.timedelta(days=3), now=real_now, send=True, title="月度沟通会")
    c = client_for(chair_a)
    body = c.get("/").content.decode()
    assert 'id="panel-invitations"' in body and "月度沟通会" in body
    inv = m.invitations.get(user=chair_a)
    c.post(f"/meetings/invitations/{inv.pk}/respond/", {"response": "declined"})
    inv.refresh_from_db()
    assert inv.response == "declined"


def test_estate_and_committee_pages_list_meetings(make_meeting, director_a, oc_a, estate_a, client_for, real_now):
    make_meeting(starts_at=real_now + datetime.timedelta(days=3), now=real_now, title="下周例会")
    c = client_for(director_a)
    assert "下周例会" in c.get(f"/estates/{estate_a.pk}/").content.decode()
    assert "下周例会" in c.get(f"/committees/{oc_a.pk}/").content.decode()


def test_demo_seed_is_idempotent(settings, tmp_path):
    from liaison.demo import seed

    seed()
    n = Meeting.objects.count()
    seed()
    assert n >= 3 and Meeting.objects.count() == n
    assert Meeting.objects.filter(status="awaiting_approval").exists()
    assert Meeting.objects.filter(minutes__distributed_at__isnull=False).exists()
