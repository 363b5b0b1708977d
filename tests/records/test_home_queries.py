"""The sign-off panel on the home page: what waits for the user's signature and who has not signed the
requests they manage, in a number of queries that does not grow with the number of open requests."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records import home, signoff
from records.models import Signature, SignoffRequest

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime.datetime(2026, 11, 24, 10, 0))


def member(user):
    return user.memberships.get(ended_on__isnull=True)


def add_requests(n, oc, signers, director, *, start=0):
    """n open requests; in every other one the chair has signed; in every third one the document
    changed after that signature (voided: the chair must sign again)."""
    reqs = []
    for i in range(start, start + n):
        req = signoff.start(
            committee=oc,
            title=f"联系单 {i}",
            source=SignoffRequest.Source.CONTACT_SHEET,
            members=[member(u) for u in signers],
            by=director,
            now=NOW,
            pdf=f"%PDF-1.4 document {i}".encode(),
        )
        chair = req.signers.get(is_chair=True)
        version = req.current_version()
        if i % 2 == 0:
            Signature.objects.create(signer=chair, version=version, decision="agree", sha256=version.sha256)
        if i % 3 == 0:
            signoff.new_version(req, pdf=f"%PDF-1.4 document {i} v2".encode(), by=director, now=NOW, note="改")
        reqs.append(req)
    return reqs


def queries(client):
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/").content.decode()
    return len(ctx.captured_queries), page


def test_panel_lists_who_has_not_signed_the_current_version(oc_a, chair_a, member_a, director_a, rf, client):
    add_requests(6, oc_a, [chair_a, member_a], director_a)
    request = rf.get("/")
    request.user = director_a
    got = home.panel(request, NOW)["outstanding"]
    expected = SignoffRequest.objects.filter(status=SignoffRequest.Status.OPEN, estate=oc_a.estate)[:20]
    assert [(r.pk, [s.pk for s in waiting]) for r, waiting in got] == [
        (r.pk, [s.pk for s in signoff.outstanding(r)]) for r in expected
    ]
    assert {len(waiting) for _, waiting in got} == {1, 2}  # some with the chair signed, some without
    client.force_login(director_a)
    page = client.get("/").content.decode()
    assert all(f'href="/records/signoff/{r.pk}/"' in page for r, _ in got)
    # the chair signed 2 and 4; 0 and 3 changed after the signature (voided): 0, 1, 3, 5 wait for them
    request.user = chair_a
    assert [r.title for r in home.panel(request, NOW)["pending"]] == [f"联系单 {i}" for i in (5, 3, 1, 0)]
    request.user = member_a
    assert len(home.panel(request, NOW)["pending"]) == 6  # never signed


def test_panel_queries_do_not_grow_with_requests(client, oc_a, chair_a, member_a, director_a):
    add_requests(2, oc_a, [chair_a, member_a], director_a)
    for user in (director_a, chair_a):
        client.force_login(user)
        small, _ = queries(client)
        added = add_requests(4, oc_a, [chair_a, member_a], director_a, start=100 + user.pk * 10)
        large, page = queries(client)
        assert large == small, f"{user}: {small} queries with 2 requests, {large} with 6"
        assert added[-1].title in page
