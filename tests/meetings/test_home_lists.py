"""The meetings panel's four lists (approvals, invitations, today, minutes to distribute): each in its
order, cut at ten, cancelled meetings and other estates left out, committees shown only what was sent
to them, for staff, a leader, an administrator and committee members."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from meetings import home, periods
from meetings.cadence_defaults import ensure_default_kinds
from meetings.models import Invitation, Meeting

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def make(committee, starts, status, title, **kw):
    return Meeting.objects.create(
        estate=committee.estate,
        committee=committee,
        kind=ensure_default_kinds()["oc_routine"],
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="会议室",
        status=status,
        **kw,
    )


@pytest.fixture
def meetings(oc_a, oc_b, director_a, chair_a):
    """For each of estates A and B: 12 meetings today (no. 3 cancelled), 12 awaiting approval, 12 ahead
    with invitations of the director and the chair (no. 5 organised by the director, no. 7 not sent),
    12 whose minutes are due (no. 2 distributed)."""
    start = periods.start_of_day(periods.local_date(NOW))
    for committee in (oc_a, oc_b):
        for i in range(12):
            status = Meeting.Status.CANCELLED if i == 3 else Meeting.Status.CONFIRMED
            make(committee, start + datetime.timedelta(minutes=37 * i), status, f"今日{i}", sent_at=NOW)
            make(committee, NOW + datetime.timedelta(days=9, hours=-i), Meeting.Status.AWAITING_APPROVAL, f"专题{i}")
            ahead = make(
                committee,
                NOW + datetime.timedelta(days=2 + i % 5, minutes=i),  # several on one day: by time
                Meeting.Status.CONFIRMED,
                f"邀请{i}",
                organizer=director_a if i == 5 else None,
                sent_at=None if i == 7 else NOW,
            )
            for user in (director_a, chair_a):
                Invitation.objects.create(meeting=ahead, user=user, name=user.name)
            make(
                committee,
                NOW - datetime.timedelta(days=5),
                Meeting.Status.HELD,
                f"纪要{i}",
                minutes_due_at=NOW + datetime.timedelta(hours=i * 7 % 12),
                minutes_closed_at=NOW if i == 2 else None,
            )


def shown(user):
    """{list: [(estate letter, title)]} as the panel gives them."""
    request = RequestFactory().get("/")
    request.user = user
    panel = home.panel(request, NOW) or {}

    def rows(meetings):
        return [("A" if m.estate.name == "翠湖花园" else "B", m.title) for m in meetings]

    return {
        "approvals": rows(panel.get("approvals", [])),
        "invitations": rows(i.meeting for i in panel.get("invitations", [])),
        "today": rows(panel.get("today", [])),
        "minutes_due": rows(panel.get("minutes_due", [])),
    }


def titles(estate, prefix, numbers):
    return [(estate, f"{prefix}{i}") for i in numbers]


# today's meetings by time, without the cancelled no. 3, the first ten
TODAY = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10]
# the meetings ahead by day (2 + i % 5 days from now), then by time
AHEAD = [0, 5, 10, 1, 6, 11, 2, 7, 3, 8, 4, 9]
# minutes due by their deadline (i * 7 % 12 hours from now), without the distributed no. 2
MINUTES = [0, 7, 9, 4, 11, 6, 1, 8, 3, 10]


def test_director_sees_their_estates_lists_cut_at_ten(meetings, director_a):
    got = shown(director_a)
    assert got["approvals"] == []  # approving is the leader's
    assert got["today"] == titles("A", "今日", TODAY)
    # not the one they organise themselves; staff see a meeting before it is sent
    assert got["invitations"] == titles("A", "邀请", [i for i in AHEAD if i != 5][:10])
    assert got["minutes_due"] == titles("A", "纪要", MINUTES)


def test_director_of_b_sees_nothing_of_a(meetings, director_b):
    got = shown(director_b)
    assert got["today"] == titles("B", "今日", TODAY)
    assert got["minutes_due"] == titles("B", "纪要", MINUTES)
    assert got["invitations"] == [] and got["approvals"] == []  # not invited


@pytest.mark.parametrize("who", ["leader", "admin_user"])
def test_leader_powers_see_approvals_of_every_estate(request, meetings, who):
    got = shown(request.getfixturevalue(who))
    # by time; the same time in both estates: A's first (created first)
    assert got["approvals"] == [(e, f"专题{i}") for i in (11, 10, 9, 8, 7) for e in "AB"]
    assert got["today"] == [(e, f"今日{i}") for i in (0, 1, 2, 4, 5) for e in "AB"]
    assert got["invitations"] == []  # not invited
    assert got["minutes_due"] == []  # they see every estate: the cadence page, not this list


def test_committee_members_see_only_what_was_sent_to_their_committee(meetings, chair_a, member_a):
    chair = shown(chair_a)
    assert chair["invitations"] == titles("A", "邀请", [i for i in AHEAD if i != 7][:10])  # no. 7 not sent
    assert chair["today"] == titles("A", "今日", TODAY)
    assert chair["approvals"] == [] and chair["minutes_due"] == []
    member = shown(member_a)
    assert member["today"] == titles("A", "今日", TODAY)
    assert member["invitations"] == []


def test_the_panel_links_each_meeting(meetings, director_a):
    request = RequestFactory().get("/")
    request.user = director_a
    panel = home.panel(request, NOW)
    invitation = panel["invitations"][0]
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert f'action="/meetings/invitations/{invitation.pk}/respond/"' in html
    assert f'href="/meetings/{invitation.meeting.pk}/"' in html
    assert f'href="/meetings/{panel["minutes_due"][0].pk}/minutes/"' in html
