"""The home page reads each person's estates (or committees) once and its panels filter by those ids
(liaison.views.HomeScope): the same rows as liaison.access.scope, actions.visible_meetings,
visible_issues and managed_estates for every kind of person, and a fixed, small number of queries."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import actions as issue_actions
from followups.models import Issue
from followups.permissions import visible_issues
from liaison import access, rawsql
from liaison.models import Committee, Role
from liaison.views import HomeScope, home_scope
from meetings import actions as meeting_actions
from meetings import home as meetings_home
from meetings.cadence_defaults import ensure_default_kinds, install_default_rules
from meetings.models import Meeting
from records.models import SignoffRequest
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


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


def sql_ids(model, condition, params):
    """The ids of `model` rows (aliased t) matching an SQL condition of HomeScope.where()."""
    return sorted(pk for (pk,) in rawsql.select(f"SELECT t.id FROM {model._meta.db_table} t WHERE {condition}", params))


@pytest.mark.parametrize("who", PERSONAS)
def test_home_scope_is_access_scope(request, who, world, director_a, supervisor_a, chair_a, member_a):
    user = request.getfixturevalue(who)
    scope = HomeScope(user)
    # the conditions of the panels' hand-written queries (liaison.rawsql)
    for model in (Meeting, Issue, SignoffRequest):
        assert sql_ids(model, *scope.where("t.estate_id", "t.committee_id")) == ids(
            access.scope(model.objects.all(), user)
        )
    assert sql_ids(Meeting, *scope.where("t.estate_id", None)) == ids(
        access.scope(Meeting.objects.all(), user, committee=None)
    )
    assert sql_ids(Meeting, *scope.managed_where("t.estate_id")) == ids(
        Meeting.objects.filter(estate__in=access.managed_estates(user))
    )
    if not user.is_committee and not user.sees_all_estates:
        assert [e.pk for e in scope.estates] == list(access.visible_estates(user).values_list("pk", flat=True))
        managed = set(access.managed_estates(user).values_list("pk", flat=True))
        assert {e.pk: e.managed for e in scope.estates} == {e.pk: e.pk in managed for e in scope.estates}
    if user.is_committee:
        assert scope.committee_ids == list(access.visible_committees(user).values_list("pk", flat=True))


@pytest.mark.parametrize("who", PERSONAS)
def test_panels_see_what_the_permissions_give(request, who, world, director_a, chair_a, member_a):
    user = request.getfixturevalue(who)
    req = RequestFactory().get("/")
    req.user = user
    scope = home_scope(req)
    assert home_scope(req) is scope  # read once per request
    assert sql_ids(Meeting, *meetings_home._visible(scope, "t")) == ids(meeting_actions.visible_meetings(user))
    if user.role != Role.DEPARTMENT:  # they also see issues assigned to them elsewhere: visible_issues itself
        assert sql_ids(Issue, *scope.where("t.estate_id", "t.committee_id")) == ids(visible_issues(user))


def test_scope_follows_the_requests_user(director_a, chair_a, world):
    req = RequestFactory().get("/")
    req.user = director_a
    first = home_scope(req)
    req.user = chair_a
    assert home_scope(req) is not first and home_scope(req).user == chair_a


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
    # session, user, unread count; estates with their committees; meetings 5 (invitations, today,
    # minutes, rules with their kinds, the windows' meetings); issues 1 (first rows with the figures);
    # sign-offs 2 (my estates' open requests, signers)
    assert n <= 10, n  # 12 before the panel lists were read in one query


def test_committee_home_reads_the_committee_once(client, chair_a, oc_a, world):
    client.force_login(chair_a)
    n, page = home_queries(client)
    assert oc_a.name in page and "老城新村" not in page
    assert f"{oc_a.name} 电梯故障" in page
    # session, user, unread count; committees; invitations, today; issues 1; sign-offs 1
    assert n <= 7, n


def test_leader_sees_the_first_50_estate_cards_and_the_count(client, leader, estate_a, oc_a, rc_a):
    for i in range(51):
        EstateFactory(name=f"小区{i:02d}")
    client.force_login(leader)
    n, page = home_queries(client)
    cards = page.split('id="estate-cards"')[1].split("</div>\n  ")[0]
    assert cards.count('<div class="col">') == 50
    assert "52" in page.split('id="estate-cards"')[0].rsplit("<h2", 1)[1]  # 52 estates in all
    assert 'href="/estates/"' in page  # the link to all of them
    # 翠湖花园 sorts after 小区NN: not among the first 50; the first card is 小区00
    assert f'href="/estates/{estate_a.pk}/"' not in cards and "小区00" in cards
    # session, user, unread count; approvals, invitations, today; issues 2; sign-offs 2; the
    # assessment panel; the first estates with the count, their committees
    assert n <= 10, n


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
