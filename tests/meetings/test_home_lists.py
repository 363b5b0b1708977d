"""The meetings panel's four lists (approvals, invitations, today, minutes to distribute), read in one
hand-written query, hold the same meetings in the same order as their ORM definitions, cut at ten,
for staff, a leader and committee members; nothing of another estate."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from liaison import access
from meetings import actions, periods
from meetings import home as meetings_home
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
    """For each of estates A and B: 12 meetings today (one cancelled), 12 awaiting approval, 12 ahead
    with invitations of the director and the chair (one organised by the director, one unsent), 12 whose
    minutes are due (one distributed)."""
    start = periods.start_of_day(periods.local_date(NOW))
    for committee in (oc_a, oc_b):
        for i in range(12):
            status = Meeting.Status.CANCELLED if i == 3 else Meeting.Status.CONFIRMED
            make(committee, start + datetime.timedelta(minutes=37 * i), status, f"今日{i}", sent_at=NOW)
            make(committee, NOW + datetime.timedelta(days=9, hours=-i), Meeting.Status.AWAITING_APPROVAL, f"专题{i}")
            ahead = make(
                committee,
                NOW + datetime.timedelta(days=2 + i % 5, minutes=i),  # ties on the day: order by time, then id
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


def expected(user):
    visible = actions.visible_meetings(user)
    start = periods.start_of_day(periods.local_date(NOW))
    invitations = (
        Invitation.objects.filter(
            user=user, meeting__in=visible, meeting__status=Meeting.Status.CONFIRMED, meeting__starts_at__gte=NOW
        )
        .exclude(meeting__organizer=user)
        .order_by("meeting__starts_at", "pk")[:10]
    )
    return {
        "approvals": [
            m.pk for m in visible.filter(status=Meeting.Status.AWAITING_APPROVAL).order_by("starts_at", "pk")[:10]
        ]
        if actions.can_approve(user)
        else [],
        "invitations": [(i.pk, i.meeting_id) for i in invitations],
        "today": [
            m.pk
            for m in visible.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("starts_at", "pk")[:10]
        ],
        "minutes_due": [
            m.pk
            for m in visible.filter(
                estate__in=access.managed_estates(user), minutes_closed_at__isnull=True, minutes_due_at__isnull=False
            ).order_by("minutes_due_at", "pk")[:10]
        ]
        if not user.is_committee and not user.sees_all_estates
        else [],
    }


@pytest.mark.parametrize("who", ["director_a", "leader", "chair_a", "member_a", "director_b"])
def test_the_lists_are_their_orm_definitions(request, who, meetings, oc_a):
    user = request.getfixturevalue(who)
    req = RequestFactory().get("/")
    req.user = user
    panel = meetings_home.panel(req, NOW) or {k: [] for k in ("approvals", "invitations", "today", "minutes_due")}
    got = {
        "approvals": [m.pk for m in panel["approvals"]],
        "invitations": [(i.pk, i.meeting.pk) for i in panel["invitations"]],
        "today": [m.pk for m in panel["today"]],
        "minutes_due": [m.pk for m in panel["minutes_due"]],
    }
    assert got == expected(user)
    if who == "director_a":
        assert all(len(got[k]) == 10 for k in got if k != "approvals")  # each list cut at ten
        assert all(m.estate_name == oc_a.estate.name for m in panel["today"])
        assert panel["invitations"][0].respond_url == f"/meetings/invitations/{panel['invitations'][0].pk}/respond/"
    if who == "leader":
        assert len(got["approvals"]) == 10 and got["invitations"] == []
    if who == "chair_a":
        assert got["invitations"] and all(Meeting.objects.get(pk=m).sent_at is not None for _, m in got["invitations"])
