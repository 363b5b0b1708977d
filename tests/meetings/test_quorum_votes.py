"""Quorum and votes (seed 002 第六条): the management committee's members' meeting is valid with two
thirds of its members present, a resolution passes with more than half of those present. The sign-in
sheet decides the quorum (stored on the meeting for the cadence); the minutes page records each
resolution's vote and refuses counts that cannot be."""

import datetime

import pytest
from django.urls import reverse

from liaison.models import Committee
from meetings import actions, votes
from meetings.models import AgendaItem, Resolution, VoteRule
from tests.factories import CommitteeFactory, MemberFactory

from .conftest import sh

pytestmark = pytest.mark.django_db

MC_RULE = votes.Rule("two_thirds", "half_present", False)


# --- the arithmetic at its edges ----------------------------------------------------------------------


@pytest.mark.parametrize("members, required", [(9, 6), (6, 4), (7, 5), (3, 2), (1, 1), (0, 0)])
def test_two_thirds_of_the_members_is_the_quorum(members, required):
    assert votes.required_present("two_thirds", members) == required


def test_more_than_half_is_strictly_more():
    assert votes.required_present("more_than_half", 10) == 6
    assert votes.required_present("more_than_half", 9) == 5
    assert votes.required_present("none", 9) == 0


@pytest.mark.parametrize(
    "votes_for, against, abstain, present, expected",
    [
        (4, 4, 0, 8, False),  # exactly half of those present: not passed
        (5, 3, 0, 8, True),
        (4, 1, 3, 8, False),  # abstentions count among those present
        (4, 0, 2, 7, True),  # 4 of 7 is more than half
        (3, 3, 0, 6, False),
    ],
)
def test_more_than_half_of_those_present(votes_for, against, abstain, present, expected):
    assert votes.passed(votes_for, against, abstain, present, MC_RULE) is expected


def test_more_than_half_of_all_members():
    rule = votes.Rule("more_than_half", "half_members", True, members=9)
    assert votes.passed(5, 0, 0, 6, rule) is True
    assert votes.passed(4, 0, 0, 5, rule) is False  # all present voting for, but 4 of 9 members


def test_impossible_counts_are_refused():
    errors = votes.vote_errors(votes_for=5, against=2, abstain=0, by_consensus=False, present=6, rule=MC_RULE)
    assert "votes_for" in errors
    errors = votes.vote_errors(votes_for=-1, against=0, abstain=0, by_consensus=False, present=6, rule=MC_RULE)
    assert "votes_for" in errors
    # the MC counts its votes: no "by consensus", no resolution without a vote
    assert votes.vote_errors(votes_for=None, against=None, abstain=None, by_consensus=True, present=6, rule=MC_RULE)
    assert votes.vote_errors(votes_for=None, against=None, abstain=None, by_consensus=False, present=6, rule=MC_RULE)
    assert not votes.vote_errors(votes_for=4, against=2, abstain=0, by_consensus=False, present=6, rule=MC_RULE)


# --- through the sign-in sheet ------------------------------------------------------------------------


@pytest.fixture
def mc(estate_a):
    committee = CommitteeFactory(estate=estate_a, kind=Committee.Kind.MC, name="翠湖花园小区管理委员会")
    for i in range(9):
        MemberFactory(committee=committee, user=None, name=f"委员{i + 1}", term_start=datetime.date(2025, 1, 1))
    return committee


@pytest.fixture
def assembly(make_meeting, mc, director_a, now):
    m = make_meeting(
        kind="mc_assembly", committee=mc, starts_at=sh(2026, 3, 12, 15), now=now, send=True, title="成员大会"
    )
    AgendaItem.objects.create(meeting=m, title="停车收费标准")
    return m


def sign_in(meeting, director, n):
    at = sh(2026, 3, 12, 15, 5)
    for invitation in meeting.invitations.exclude(member=None).order_by("pk")[:n]:
        actions.sign_in_invitee(meeting, invitation, actor=director, now=at)
    meeting.refresh_from_db()


def test_the_kinds_default_to_seed_002(kinds):
    for code in ("mc_assembly", "mc_meeting", "mc_expanded"):
        kinds[code].refresh_from_db()
        assert (kinds[code].quorum, kinds[code].majority, kinds[code].allows_consensus) == (
            "two_thirds",
            "half_present",
            False,
        )
    kinds["oc_routine"].refresh_from_db()
    assert kinds["oc_routine"].quorum == "none"


def test_a_walk_in_does_not_make_the_quorum(assembly, director_a):
    actions.add_walk_in(assembly, actor=director_a, name="居民代表", unit="", phone="", now=sh(2026, 3, 12, 15, 5))
    assembly.refresh_from_db()
    assert assembly.is_held and assembly.below_quorum is True
    assert votes.quorum(assembly, sh(2026, 3, 12, 16)) == votes.Quorum(0, 9, 6, False)


def test_exactly_two_thirds_present_makes_the_quorum(assembly, director_a):
    sign_in(assembly, director_a, 5)
    assert assembly.below_quorum is True
    sign_in(assembly, director_a, 6)
    assert assembly.below_quorum is False
    assert votes.quorum(assembly, sh(2026, 3, 12, 16)) == votes.Quorum(6, 9, 6, True)
    # one line removed again: below quorum once more
    att = assembly.attendances.first()
    actions.remove_attendance(att, actor=director_a, now=sh(2026, 3, 12, 16))
    assembly.refresh_from_db()
    assert assembly.below_quorum is True


def test_a_committee_follows_its_own_rules_of_procedure(assembly, mc, director_a, kinds):
    VoteRule.objects.create(committee=mc, kind=kinds["mc_assembly"], quorum="more_than_half", majority="half_present")
    sign_in(assembly, director_a, 5)
    assert assembly.below_quorum is False  # 5 of 9 is more than half


# --- the minutes page ---------------------------------------------------------------------------------


def _page(meeting, **rows):
    item = meeting.agenda_items.get()
    data = {
        "version": "0",
        "host_name": "王主任",
        "recorder_name": "李秘书",
        "summary": "",
        f"discussion_{item.pk}": "讨论停车收费",
        "resolution-TOTAL_FORMS": "1",
        "resolution-INITIAL_FORMS": "0",
        "resolution-0-text": "停车费每月一百元",
        "resolution-0-owner_name": "客服部",
        "resolution-0-action": "张贴公告",
        "resolution-0-due_date": "2026-03-31",
        "issue-TOTAL_FORMS": "0",
        "issue-INITIAL_FORMS": "0",
    }
    data.update(rows)
    return data


def test_the_vote_is_recorded_and_shown(client_for, director_a, assembly):
    sign_in(assembly, director_a, 8)
    client = client_for(director_a)
    votes_typed = {"resolution-0-votes_for": "5", "resolution-0-votes_against": "2", "resolution-0-votes_abstain": "1"}
    r = client.post(reverse("meetings:minutes", args=[assembly.pk]), _page(assembly, **votes_typed))
    assert r.status_code == 302
    res = Resolution.objects.get(meeting=assembly)
    assert (res.votes_for, res.votes_against, res.votes_abstain, res.passed) == (5, 2, 1, True)
    html = client.get(reverse("meetings:minutes", args=[assembly.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    html = html.decode()
    assert "赞成 5 · 反对 2 · 弃权 1" in html and "通过" in html
    assert "出席委员 8 人（共 9 人）" in html and "已达到法定人数" in html
    detail = client.get(assembly.get_absolute_url()).content.decode()
    assert "赞成 5 · 反对 2 · 弃权 1" in detail


def test_exactly_half_of_those_present_is_not_passed(client_for, director_a, assembly):
    sign_in(assembly, director_a, 8)
    client = client_for(director_a)
    typed = {"resolution-0-votes_for": "4", "resolution-0-votes_against": "4", "resolution-0-votes_abstain": "0"}
    assert client.post(reverse("meetings:minutes", args=[assembly.pk]), _page(assembly, **typed)).status_code == 302
    assert Resolution.objects.get(meeting=assembly).passed is False
    html = client.get(reverse("meetings:minutes", args=[assembly.pk])).content.decode()
    assert "未通过" in html


@pytest.mark.parametrize(
    "typed, message",
    [
        ({"resolution-0-votes_for": "6", "resolution-0-votes_against": "2"}, "计票 8 票，但出席委员只有 6 人。"),
        ({"resolution-0-votes_for": "-1", "resolution-0-votes_against": "2"}, "票数不能为负数。"),
        ({}, "请填写表决结果：赞成、反对和弃权票数。"),
    ],
)
def test_impossible_votes_save_nothing_and_keep_the_input(client_for, director_a, assembly, typed, message):
    sign_in(assembly, director_a, 6)
    client = client_for(director_a)
    r = client.post(
        reverse("meetings:minutes", args=[assembly.pk]), _page(assembly, **typed), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html
    assert "停车费每月一百元" in html and "讨论停车收费" in html
    for value in typed.values():
        assert f'value="{value}"' in html
    assert not Resolution.objects.filter(meeting=assembly).exists()
    assert not hasattr(assembly, "minutes") or assembly.minutes is None


def test_by_consensus_where_the_kind_allows_it(client_for, director_a, make_meeting, now):
    m = make_meeting(starts_at=sh(2026, 3, 12, 15), now=now, send=True, title="三月例会")
    AgendaItem.objects.create(meeting=m, title="车库照明")
    actions.add_walk_in(m, actor=director_a, name="业主王五", unit="", phone="", now=sh(2026, 3, 12, 14, 55))
    client = client_for(director_a)
    r = client.post(reverse("meetings:minutes", args=[m.pk]), _page(m, **{"resolution-0-by_consensus": "on"}))
    assert r.status_code == 302
    res = Resolution.objects.get(meeting=m)
    assert res.by_consensus and res.passed is True and res.votes_for is None
    assert "一致同意" in client.get(reverse("meetings:minutes", args=[m.pk])).content.decode()


def test_the_api_refuses_more_votes_than_present(director_a, assembly):
    from rest_framework.test import APIClient

    sign_in(assembly, director_a, 6)
    client = APIClient()
    client.force_authenticate(director_a)
    body = {
        "text": "停车费每月一百元",
        "owner_name": "客服部",
        "action": "张贴公告",
        "due_date": "2026-03-31",
        "votes_for": 7,
        "votes_against": 0,
        "votes_abstain": 0,
    }
    url = f"/api/meetings/{assembly.pk}/resolutions/"
    r = client.post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400, r.content
    assert not Resolution.objects.filter(meeting=assembly).exists()
    body["votes_for"] = 4
    r = client.post(url, body, format="json")
    assert r.status_code == 201 and r.json()["passed"] is True and r.json()["votes_for"] == 4
    assert client.get(f"/api/meetings/{assembly.pk}/").json()["below_quorum"] is False


def test_a_meeting_below_quorum_passes_no_resolution(client_for, director_a, assembly):
    sign_in(assembly, director_a, 5)
    client = client_for(director_a)
    typed = {"resolution-0-votes_for": "5", "resolution-0-votes_against": "0", "resolution-0-votes_abstain": "0"}
    assert client.post(reverse("meetings:minutes", args=[assembly.pk]), _page(assembly, **typed)).status_code == 302
    assert Resolution.objects.get(meeting=assembly).passed is False
    html = client.get(assembly.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未达到法定人数：本次会议不计入会议频次" in html and "未达法定人数</span>" in html


def test_the_director_sets_a_committees_own_rules_of_procedure(client_for, director_a, oc_a, kinds, supervisor_a):
    url = reverse("meetings:vote_rules", args=[oc_a.pk])
    client = client_for(director_a)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "业委会工作协调沟通会议" in html and "无法定人数要求" in html
    # a kind not held with a homeowners' committee is not offered
    r = client.post(url, {"kind": kinds["mc_assembly"].pk, "quorum": "two_thirds", "majority": "half_present"})
    assert r.status_code == 400 and not VoteRule.objects.exists()
    r = client.post(
        url,
        {
            "kind": kinds["oc_routine"].pk,
            "quorum": "more_than_half",
            "majority": "half_members",
            "allows_consensus": "on",
            "clause": "议事规则第十二条",
        },
    )
    assert r.status_code == 302
    rule = VoteRule.objects.get(committee=oc_a, kind=kinds["oc_routine"])
    assert (rule.quorum, rule.majority, rule.allows_consensus) == ("more_than_half", "half_members", True)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "议事规则第十二条" in html and "全体成员半数以上赞成" in html
    # a supervisor reads it but does not change it
    assert client_for(supervisor_a).post(url, {"kind": kinds["oc_routine"].pk, "quorum": "none"}).status_code == 403


def test_another_estates_committee_is_not_found(client_for, director_b, oc_a):
    assert client_for(director_b).get(reverse("meetings:vote_rules", args=[oc_a.pk])).status_code == 404
