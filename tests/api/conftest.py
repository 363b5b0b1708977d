"""API test helpers: a JSON client per user with its own token, and a small world in estate A
(a sent meeting with agenda, invitation, walk-in and resolution; an issue; a sign-off request)."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from followups import actions as issue_actions
from meetings import actions as meeting_actions
from meetings.cadence_defaults import ensure_default_kinds
from meetings.models import AgendaItem
from records import signoff
from records.models import SignoffRequest


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # throttle counters live in the cache; ids can repeat between tests (SQLite reuses rowids)
    cache.clear()
    yield
    cache.clear()


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, user=None, token=None, language=None):
        self.client = Client()
        self.user = user
        self.headers = {}
        if user is not None and token is None:
            self.token, token = ApiToken.create_for(user, "tests")
        if token is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def _send(self, method, url, data=None, **extra):
        kw = {**self.headers, **extra}
        if data is not None:
            return getattr(self.client, method)(url, json.dumps(data), content_type="application/json", **kw)
        return getattr(self.client, method)(url, **kw)

    def get(self, url, params=None, **extra):
        return self.client.get(url, params or {}, **{**self.headers, **extra})

    def post(self, url, data=None, **extra):
        return self._send("post", url, data if data is not None else {}, **extra)

    def put(self, url, data=None, **extra):
        return self._send("put", url, data if data is not None else {}, **extra)

    def patch(self, url, data=None, **extra):
        return self._send("patch", url, data if data is not None else {}, **extra)

    def head(self, url, **extra):
        return self.client.head(url, **{**self.headers, **extra})

    def delete(self, url, **extra):
        return self._send("delete", url, **extra)


@pytest.fixture
def api(db):
    """api(user, language=None) -> ApiClient authenticated with a fresh token of `user`."""

    def make(user, language=None):
        return ApiClient(user, language=language)

    return make


@pytest.fixture
def kinds(db):
    return ensure_default_kinds()


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def meeting_a(kinds, director_a, oc_a, chair_a, member_a, now):
    """A routine meeting with estate A's 业委会 in 10 days, sent, with an agenda item."""
    m = meeting_actions.create_meeting(
        estate=oc_a.estate,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="第三季度工作协调会",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="管理处会议室",
        actor=director_a,
        now=now,
    )
    AgendaItem.objects.create(meeting=m, order=1, title="地下车库渗水维修", cause="雨季渗水")
    meeting_actions.send_meeting(m, actor=director_a, now=now)
    m.refresh_from_db()
    return m


@pytest.fixture
def held_meeting_a(kinds, director_a, oc_a, chair_a, now):
    """A meeting with estate A's 业委会 that started half an hour ago and was signed in (held)."""
    start = now - datetime.timedelta(minutes=30)
    m = meeting_actions.create_meeting(
        estate=oc_a.estate,
        committee=oc_a,
        kind=kinds["oc_routine"],
        title="月度沟通会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会所",
        actor=director_a,
        now=start - datetime.timedelta(days=3),
    )
    AgendaItem.objects.create(meeting=m, order=1, title="绿化补种")
    meeting_actions.send_meeting(m, actor=director_a, now=start - datetime.timedelta(days=3))
    inv = m.invitations.filter(user=chair_a).first()
    meeting_actions.sign_in_invitee(m, inv, actor=director_a, now=now)
    m.refresh_from_db()
    return m


@pytest.fixture
def issue_a(oc_a, director_a, now):
    return issue_actions.raise_issue(
        estate=oc_a.estate,
        committee=oc_a,
        raised_by="张喆",
        raised_at=now - datetime.timedelta(hours=1),
        description="地下车库B区渗水",
        source="meeting",
        actor=director_a,
        now=now,
    )


@pytest.fixture
def signoff_a(oc_a, chair_a, member_a, director_a, now):
    members = list(oc_a.active_members().filter(user__isnull=False))
    return signoff.start(
        committee=oc_a,
        title="关于电梯维修的书面报告",
        source=SignoffRequest.Source.REPORT,
        members=members,
        by=director_a,
        now=now,
        pdf=b"%PDF-1.4 report v1",
    )
