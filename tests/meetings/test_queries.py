"""The director's home page and the cadence page make the same number of queries for 2 estates as for 10
(cadence 'due next' used to count meetings twice per rule and estate)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups import actions as issue_actions
from liaison.models import Committee, Role
from meetings.cadence_defaults import install_default_rules
from meetings.models import Meeting
from tests.factories import AssignmentFactory, CommitteeFactory, EstateFactory

pytestmark = pytest.mark.django_db


def add_estates(n, director, kinds, *, now):
    """n estates managed by `director`, each with a 业委会 and a 居委会, the default cadence rules, one
    meeting held, one scheduled, one cancelled and one awaiting minutes, and an open issue."""
    estates = []
    for _ in range(n):
        estate = EstateFactory()
        oc = CommitteeFactory(estate=estate, kind=Committee.Kind.OC)
        rc = CommitteeFactory(estate=estate, kind=Committee.Kind.RC, name=f"{estate.name}居委会")
        AssignmentFactory(estate=estate, user=director, role=Role.DIRECTOR)
        install_default_rules(estate, effective_from=datetime.date(2025, 1, 1))

        def meeting(committee, kind, days, **kw):
            starts = now + datetime.timedelta(days=days)
            return Meeting.objects.create(
                estate=committee.estate,
                committee=committee,
                kind=kinds[kind],
                title=f"{committee.estate.name} {kind}",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2),
                place="会议室",
                organizer=director,
                **kw,
            )

        meeting(
            oc, "oc_routine", -3, status=Meeting.Status.HELD, attendance_recorded_at=now - datetime.timedelta(days=3)
        )
        meeting(rc, "rc_contact", 5, status=Meeting.Status.CONFIRMED)
        meeting(oc, "oc_monthly", 2, status=Meeting.Status.CANCELLED)
        meeting(
            oc,
            "oc_monthly",
            -1,
            status=Meeting.Status.HELD,
            attendance_recorded_at=now - datetime.timedelta(days=1),
            minutes_due_at=now + datetime.timedelta(days=1),
        )
        issue_actions.raise_issue(
            estate=estate,
            committee=oc,
            raised_by="张喆",
            raised_at=now - datetime.timedelta(days=5),
            description=f"{estate.name} 电梯故障",
            source="meeting",
            now=now - datetime.timedelta(days=5),
        )
        estates.append(estate)
    return estates


def queries(client, url):
    client.get(url)  # the first request of a session does some one-time work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_director_home_queries_do_not_grow_with_estates(client, director_a, kinds):
    now = timezone.now()
    client.force_login(director_a)
    first = add_estates(2, director_a, kinds, now=now)
    small, page = queries(client, "/")
    assert f"{first[0].name} 电梯故障" in page  # the issues panel
    add_estates(7, director_a, kinds, now=now)  # with estate A: 10 estates, the panel's limit
    large, page = queries(client, "/")
    assert page.count("cadence-table") == 10  # 'due next' for each managed estate
    assert 'id="panel-minutes"' in page
    assert large == small, f"{small} queries with 2 estates, {large} with 10"
    assert large <= 19, (
        large
    )  # (one for whether the user sees one estate: the estate column; one for the contacts the cadence counts) the panels through liaison.access and the ORM: a few queries each, none per estate


def test_cadence_page_queries_do_not_grow_with_estates(client, director_a, leader, kinds):
    now = timezone.now()
    client.force_login(leader)
    add_estates(2, director_a, kinds, now=now)
    small, page = queries(client, reverse("meetings:cadence"))
    add_estates(6, director_a, kinds, now=now)
    large, page = queries(client, reverse("meetings:cadence"))
    assert page.count("cadence-table") >= 8
    assert large == small, f"{small} queries with 2 estates, {large} with 8"
