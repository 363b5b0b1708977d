"""The sign-off panel reads the user's own signer rows and those of the requests they follow in one
query: still exactly what signoff_pending_for / signoff.outstanding give, within the user's scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records import home, signoff
from records.views import signoff_pending_for

from .test_home_queries import NOW, add_requests

pytestmark = pytest.mark.django_db


def panel(rf, user):
    request = rf.get("/")
    request.user = user
    with CaptureQueriesContext(connection) as ctx:
        got = home.panel(request, NOW)
    return got, len(ctx.captured_queries)


def test_a_member_whose_term_ended_has_nothing_to_sign(rf, oc_a, chair_a, member_a, director_a):
    add_requests(3, oc_a, [chair_a, member_a], director_a)
    got, _ = panel(rf, member_a)
    assert [r.pk for r in got["pending"]] == [r.pk for r in signoff_pending_for(member_a)] != []
    member_a.memberships.update(ended_on=timezone.localdate() - datetime.timedelta(days=1))
    got, _ = panel(rf, member_a)
    assert got is None and signoff_pending_for(member_a) == []


def test_another_estates_director_does_not_follow_the_requests(rf, oc_a, chair_a, member_a, director_a, director_b):
    reqs = add_requests(2, oc_a, [chair_a, member_a], director_a)
    got, queries = panel(rf, director_a)
    assert [(r.pk, [s.pk for s in waiting]) for r, waiting in got["outstanding"]] == [
        (r.pk, [s.pk for s in signoff.outstanding(r)]) for r in sorted(reqs, key=lambda r: r.pk, reverse=True)
    ]
    # their estates (read once per request), the 20 newest open requests of those they manage, then
    # every signer row at once
    assert queries == 3
    assert panel(rf, director_b)[0] is None


def test_a_signer_sees_the_request_once_and_in_one_query(rf, oc_a, chair_a, member_a, director_a):
    add_requests(4, oc_a, [chair_a, member_a], director_a)
    got, queries = panel(rf, chair_a)
    assert queries == 2  # their committees (read once per request), their signer rows
    pks = [r.pk for r in got["pending"]]
    assert pks == [r.pk for r in signoff_pending_for(chair_a)] and len(set(pks)) == len(pks)
    assert all(r.committee_name == oc_a.name for r in got["pending"])
