"""The home page: each person's panels and estate cards, what they may see only (liaison.access), and a
number of queries that does not grow with their estates, rules or meetings."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import actions as issue_actions
from followups.models import Issue
from liaison.models import Committee, Role
from meetings import cadence
from meetings.cadence_defaults import ensure_default_kinds, install_default_rules
from meetings.models import Meeting
from tests.factories import AssignmentFactory, CommitteeFactory, EstateFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "director_a",
    "supervisor_a",
    "dept_a",
    "director_b",
    "leader",
    "assessor",
    "admin_user",
    "chair_a",
    "member_a",
    "rc_member_a",
    "chair_b",
]


def meeting(committee, kind, days, now, **kw):
    starts = now + datetime.timedelta(days=days)
    return Meeting.objects.create(
        estate=committee.estate,
        committee=committee,
        kind=kind,
        title=f"{committee.name} {days}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="会议室",
        **kw,
    )


@pytest.fixture
def world(oc_a, rc_a, oc_b, dept_a):
    """Meetings (sent and not), issues (one assigned to dept_a in estate B) in two estates, and a third
    estate nobody of the personas is assigned to."""
    now = timezone.now()
    kinds = ensure_default_kinds()
    other = CommitteeFactory(estate=EstateFactory(name="老城新村"), kind=Committee.Kind.OC, name="老城新村业委会")
    for committee in (oc_a, rc_a, oc_b, other):
        kind = kinds["rc_contact"] if committee.kind == Committee.Kind.RC else kinds["oc_routine"]
        meeting(committee, kind, 2, now, status=Meeting.Status.CONFIRMED, sent_at=now)
        meeting(committee, kind, 3, now, status=Meeting.Status.DRAFT)
        meeting(committee, kind, 4, now, status=Meeting.Status.AWAITING_APPROVAL)
        issue = issue_actions.raise_issue(
            estate=committee.estate,
            committee=committee,
            raised_by="张喆",
            raised_at=now - datetime.timedelta(days=5),
            description=f"{committee.name} 电梯故障",
            source="meeting",
            now=now - datetime.timedelta(days=5),
        )
    Issue.objects.filter(pk=issue.pk).update(assignee=dept_a)  # outside dept_a's estate
    return now


# the home page's queries (session, user, unread count, then each panel's), whatever the data; one more
# for the viewer (a committee member's seats: the role word and their estates; for staff whether they
# see one estate: the lists then leave out the estate column); one for the contacts (calls, visits …) the
# cadence rules count
HOME_QUERIES_DIRECTOR = 19
HOME_QUERIES_COMMITTEE = 10
HOME_QUERIES_LEADER = 15


def home_queries(client):
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/").content.decode()
    return len(ctx.captured_queries), page


def test_director_home_shows_every_panel_in_few_queries(client, director_a, estate_a, oc_a, rc_a, world):
    install_default_rules(estate_a, effective_from=datetime.date(2025, 1, 1))
    for _ in range(3):  # more estates, more rules: the same number of queries
        estate = EstateFactory()
        CommitteeFactory(estate=estate, kind=Committee.Kind.OC)
        AssignmentFactory(estate=estate, user=director_a, role=Role.DIRECTOR)
        install_default_rules(estate, effective_from=datetime.date(2025, 1, 1))
    Meeting.objects.filter(estate=estate_a).update(
        organizer=UserFactory(role=Role.SUPERVISOR), minutes_due_at=world + datetime.timedelta(days=1)
    )
    client.force_login(director_a)
    n, page = home_queries(client)
    for panel in ('id="meetings-panel"', 'id="panel-minutes"', 'id="issues-panel"', 'id="estate-cards"'):
        assert panel in page
    assert page.count("cadence-table") == 4
    assert f"{oc_a.name} 电梯故障" in page and "锦绣苑" not in page
    assert n <= HOME_QUERIES_DIRECTOR, n
    # the same number with twice the estates, rules and meetings
    for _ in range(4):
        estate = EstateFactory()
        CommitteeFactory(estate=estate, kind=Committee.Kind.OC)
        AssignmentFactory(estate=estate, user=director_a, role=Role.DIRECTOR)
        install_default_rules(estate, effective_from=datetime.date(2025, 1, 1))
    assert home_queries(client)[0] == n


def test_committee_home_reads_the_committee_once(client, chair_a, oc_a, world):
    client.force_login(chair_a)
    n, page = home_queries(client)
    assert oc_a.name in page and "老城新村" not in page
    assert f"{oc_a.name} 电梯故障" in page
    assert n <= HOME_QUERIES_COMMITTEE, n


def test_leader_sees_the_first_50_estate_cards_and_the_count(client, leader, estate_a, oc_a, rc_a):
    for i in range(51):
        EstateFactory(name=f"小区{i:02d}")
    client.force_login(leader)
    n, page = home_queries(client)
    cards = page.split('id="estate-cards"')[1].split('href="/estates/"')[0]
    assert cards.count('<div class="col">') == 50
    assert "52" in page.split('id="estate-cards"')[0].rsplit("<h2", 1)[1]  # 52 estates in all
    assert 'href="/estates/"' in page  # the link to all of them
    # 翠湖花园 sorts after 小区NN: not among the first 50; the first card is 小区00
    assert f'href="/estates/{estate_a.pk}/"' not in cards and "小区00" in cards
    assert n <= HOME_QUERIES_LEADER, n


def test_estate_cards_list_each_estates_committees(client, director_a, estate_a, oc_a, rc_a):
    client.force_login(director_a)
    page = client.get("/").content.decode()
    cards = page.split('id="estate-cards"')[1]
    assert f'<a href="/estates/{estate_a.pk}/">翠湖花园</a>' in cards
    assert f'<a href="/committees/{oc_a.pk}/">{oc_a.name}</a>' in cards
    assert f'<a href="/committees/{rc_a.pk}/">{rc_a.name}</a>' in cards


def test_invitations_on_the_home_page_follow_the_meeting_scope(client, chair_a, director_a, oc_a, oc_b, world):
    """A committee member sees an invitation once the meeting is sent, and never one to another
    committee's meeting (as actions.visible_meetings); staff see theirs unless they organise it."""
    from meetings.models import Invitation

    by_title = {m.title: m for m in Meeting.objects.filter(committee__in=[oc_a, oc_b])}
    sent_a, draft_a, sent_b = by_title[f"{oc_a.name} 2"], by_title[f"{oc_a.name} 3"], by_title[f"{oc_b.name} 2"]
    Meeting.objects.filter(pk=draft_a.pk).update(status=Meeting.Status.CONFIRMED)  # confirmed, not sent
    for m in (sent_a, draft_a, sent_b):
        Invitation.objects.create(meeting=m, user=chair_a, name="张喆")
        Invitation.objects.create(meeting=m, user=director_a, name="王主任")
    Meeting.objects.filter(pk=sent_a.pk).update(organizer=director_a)
    client.force_login(chair_a)
    page = client.get("/").content.decode()
    shown = page.split('id="panel-invitations"')[1].split("</ul>")[0]
    assert sent_a.title in shown and draft_a.title not in shown and sent_b.title not in shown
    client.force_login(director_a)
    shown = client.get("/").content.decode().split('id="panel-invitations"')[1].split("</ul>")[0]
    assert draft_a.title in shown  # staff see meetings before they are sent
    assert sent_a.title not in shown  # they organise it
    assert sent_b.title not in shown  # estate B is not theirs


def test_estate_cards_escape_what_people_typed(client, director_a, estate_a, oc_a):
    estate_a.name = '<b>翠湖"花园"</b>'
    estate_a.district = "A&B"
    estate_a.save()
    oc_a.name = "<i>业委会</i>"
    oc_a.save()
    client.force_login(director_a)
    cards = client.get("/").content.decode().split('id="estate-cards"')[1]
    assert "&lt;b&gt;翠湖&quot;花园&quot;&lt;/b&gt;" in cards and "<b>" not in cards
    assert "A&amp;B" in cards and "&lt;i&gt;业委会&lt;/i&gt;" in cards and "<i>" not in cards


@pytest.mark.parametrize("kinds", [(), (Committee.Kind.OC,)])
def test_home_page_lists_only_rules_of_committees_the_estate_has(client, director_a, estate_a, kinds):
    ensure_default_kinds()
    install_default_rules(estate_a, effective_from=datetime.date(2026, 1, 1))
    for kind in kinds:
        CommitteeFactory(estate=estate_a, kind=kind, name=f"{kind} 委员会")
    client.force_login(director_a)
    html = client.get("/").content.decode()
    due = [r for r in cadence.due_next(estate_a, datetime.datetime.now(datetime.UTC)) if r["status"] != "met"]
    assert bool(due) == bool(kinds)
    assert all(r["rule"].committee_kind == Committee.Kind.OC for r in due)
    for r in due:
        assert r["rule"].name in html
    rc_rules = estate_a.cadence_rules.filter(committee_kind=Committee.Kind.RC, active=True)
    assert rc_rules and not any(r.name in html for r in rc_rules if r.name not in {d["rule"].name for d in due})
