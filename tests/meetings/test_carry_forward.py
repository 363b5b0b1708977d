"""Carry-forward (issue 19, item 2): a new meeting with a committee starts with "上次会议决议及问题落实情况"
listing that committee's open resolutions and issues, frozen when the meeting is sent; the minutes record a
status for each and the minutes PDF prints them."""

import datetime

import pytest
from django.urls import reverse

from followups.actions import raise_issue
from meetings import actions, carry
from meetings.models import AgendaItem, CarryItem
from records.meetings_forms import minutes_fragment

from .conftest import sh


@pytest.fixture
def first_meeting(make_meeting, chair_a, director_a, now):
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now, send=True)
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=sh(2026, 3, 12, 15))
    actions.save_minutes(m, actor=director_a, now=sh(2026, 3, 12, 18), host_name="王主任", recorder_name="李主管")
    m.refresh_from_db()
    return m


def _resolution(meeting, actor, text, due=datetime.date(2026, 4, 30)):
    return actions.add_resolution(
        meeting, actor=actor, now=sh(2026, 3, 12, 18), text=text, owner_name="赵工", action="落实", due_date=due
    )


def _issue(committee, actor, text, *, at=None, answer=""):
    at = at or sh(2026, 3, 12, 16)
    return raise_issue(
        estate=committee.estate,
        committee=committee,
        raised_by="张喆",
        raised_at=at,
        description=text,
        source="meeting",
        answer_on_spot=answer,
        actor=actor,
        now=at,
    )


@pytest.fixture
def open_and_closed(first_meeting, director_a, oc_a, rc_a, oc_b, director_b, make_meeting):
    """The committee's open and closed items, and another committee's open ones."""
    open_r = _resolution(first_meeting, director_a, "车库照明改造")
    done_r = _resolution(first_meeting, director_a, "楼道清洁")
    actions.complete_resolution(done_r, actor=director_a, now=sh(2026, 3, 15, 9), note="已完成")
    open_i = _issue(oc_a, director_a, "2栋门禁常坏")
    _issue(oc_a, director_a, "垃圾清运时间？", answer="每天早7点")  # answered on the spot: closed
    _issue(rc_a, director_a, "居委会提出的问题")  # another committee of the same estate
    _issue(oc_b, director_b, "锦绣苑的问题")  # another estate
    return {"resolution": open_r, "issue": open_i}


def test_new_meeting_starts_with_the_item_listing_exactly_the_open_ones(
    make_meeting, open_and_closed, director_a, client_for
):
    m = make_meeting(starts_at=sh(2026, 4, 2, 15), now=sh(2026, 3, 20, 10), title="四月例会")
    first = m.agenda_items.order_by("order", "pk").first()
    assert first.carry_forward and first.title == "上次会议决议及问题落实情况"
    listed = [(o.kind, o.object_id) for o in carry.shown(m, sh(2026, 3, 20, 10))]
    assert listed == [("resolution", open_and_closed["resolution"].pk), ("issue", open_and_closed["issue"].pk)]
    page = client_for(director_a).get(m.get_absolute_url()).content.decode()
    assert "车库照明改造" in page and "2栋门禁常坏" in page
    assert "楼道清洁" not in page and "垃圾清运时间" not in page and "锦绣苑的问题" not in page


def test_the_list_is_frozen_when_the_meeting_is_sent(
    make_meeting, open_and_closed, director_a, oc_a, chair_a, client_for
):
    m = make_meeting(starts_at=sh(2026, 4, 2, 15), now=sh(2026, 3, 20, 10), title="四月例会")
    later = _issue(oc_a, director_a, "新提出：路灯不亮", at=sh(2026, 3, 21, 9))  # still open at sending
    actions.send_meeting(m, actor=director_a, now=sh(2026, 3, 22, 10))
    # raised after the sending, and a resolution closed after it: the frozen list does not move
    _issue(oc_a, director_a, "寄出后提出的问题", at=sh(2026, 3, 23, 9))
    actions.complete_resolution(open_and_closed["resolution"], actor=director_a, now=sh(2026, 3, 25, 9), note="已改造")
    rows = list(CarryItem.objects.filter(meeting=m).values_list("kind", "object_id", "status_label"))
    assert rows == [
        ("resolution", open_and_closed["resolution"].pk, "Open"),
        ("issue", open_and_closed["issue"].pk, "Recorded"),
        ("issue", later.pk, "Recorded"),
    ]
    page = client_for(chair_a).get(m.get_absolute_url()).content.decode()  # the committee sees it once sent
    assert "车库照明改造" in page and "未关闭" in page and "寄出后提出的问题" not in page


def test_first_meeting_of_a_committee_with_nothing_open_has_no_such_item(make_meeting, now):
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now)
    assert not m.agenda_items.filter(carry_forward=True).exists()


def test_minutes_record_a_status_for_each_and_the_pdf_prints_them(
    make_meeting, open_and_closed, director_a, chair_a, client_for
):
    m = make_meeting(starts_at=sh(2026, 4, 2, 15), now=sh(2026, 3, 20, 10), title="四月例会", send=True)
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=sh(2026, 4, 2, 15))
    items = list(m.carried_items.all())
    c = client_for(director_a)
    page = c.get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    assert 'id="carry-rows"' in page and "车库照明改造" in page
    data = {
        "version": 0,
        "host_name": "王主任",
        "recorder_name": "李主管",
        "summary": "",
        "carry-TOTAL_FORMS": "2",
        "carry-INITIAL_FORMS": "2",
        "carry-0-item_id": items[0].pk,
        "carry-0-outcome": "in_progress",
        "carry-0-note": "报价已收到",
        "carry-1-item_id": items[1].pk,
        "carry-1-outcome": "done",
        "carry-1-note": "门禁已修复",
    }
    for item in AgendaItem.objects.filter(meeting=m):
        data[f"discussion_{item.pk}"] = ""
    r = c.post(reverse("meetings:minutes", args=[m.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert list(m.carried_items.values_list("outcome", "outcome_note")) == [
        ("in_progress", "报价已收到"),
        ("done", "门禁已修复"),
    ]
    m.refresh_from_db()
    pdf_body = minutes_fragment(m.minutes)
    assert "上次会议决议及问题落实情况" in pdf_body
    assert "报价已收到" in pdf_body and "门禁已修复" in pdf_body and "进行中" in pdf_body


def test_a_bad_status_is_refused_with_the_input_kept(make_meeting, open_and_closed, director_a, chair_a, client_for):
    m = make_meeting(starts_at=sh(2026, 4, 2, 15), now=sh(2026, 3, 20, 10), title="四月例会", send=True)
    actions.sign_in_invitee(m, m.invitations.get(user=chair_a), actor=director_a, now=sh(2026, 4, 2, 15))
    items = list(m.carried_items.all())
    data = {
        "version": 0,
        "host_name": "王主任",
        "recorder_name": "李主管",
        "carry-TOTAL_FORMS": "2",
        "carry-INITIAL_FORMS": "2",
        "carry-0-item_id": items[0].pk,
        "carry-0-outcome": "nonsense",
        "carry-0-note": "报价已收到",
        "carry-1-item_id": items[1].pk,
        "carry-1-outcome": "",
        "carry-1-note": "",
    }
    r = client_for(director_a).post(reverse("meetings:minutes", args=[m.pk]), data)
    assert r.status_code == 400 and "报价已收到" in r.content.decode()
    assert not m.carried_items.exclude(outcome="").exists()
