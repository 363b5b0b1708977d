"""The sign-off panel within the user's scope: an ended membership has nothing to sign, another
estate's director follows nothing, and each panel takes a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records import home, signoff

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
    assert len(got["pending"]) == 3
    member_a.memberships.update(ended_on=timezone.localdate() - datetime.timedelta(days=1))
    got, _ = panel(rf, member_a)
    assert got is None and not signoff.pending_for(member_a).exists()


def test_another_estates_director_does_not_follow_the_requests(rf, oc_a, chair_a, member_a, director_a, director_b):
    reqs = add_requests(2, oc_a, [chair_a, member_a], director_a)
    got, queries = panel(rf, director_a)
    assert [(r.pk, [s.pk for s in waiting]) for r, waiting in got["outstanding"]] == [
        (r.pk, [s.pk for s in signoff.outstanding(r)]) for r in sorted(reqs, key=lambda r: r.pk, reverse=True)
    ]
    # what waits for their own signature, the 20 newest open requests of the estates they manage, then
    # those requests' signers at once
    assert queries == 3
    assert panel(rf, director_b)[0] is None


def test_a_signer_sees_the_request_once_and_in_one_query(rf, oc_a, chair_a, member_a, director_a):
    add_requests(4, oc_a, [chair_a, member_a], director_a)
    got, queries = panel(rf, chair_a)
    assert queries == 1  # the requests waiting for their signature, with their committees
    pks = [r.pk for r in got["pending"]]
    assert len(pks) == 3 and len(set(pks)) == len(pks)  # 0 (signed, then changed), 1 and 3; not 2 (signed)
    assert all(r.committee.name == oc_a.name for r in got["pending"])
