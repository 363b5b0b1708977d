import datetime
import zoneinfo

import pytest

from meetings import actions
from meetings.cadence_defaults import ensure_default_kinds, install_default_rules
from meetings.models import AgendaItem

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def sh(*args):
    """An aware datetime in Asia/Shanghai."""
    return datetime.datetime(*args, tzinfo=SH)


@pytest.fixture
def kinds(db):
    return ensure_default_kinds()


@pytest.fixture
def now():
    return sh(2026, 3, 10, 10, 0)


@pytest.fixture
def rules_a(estate_a, kinds):
    return {r.code: r for r in install_default_rules(estate_a, effective_from=datetime.date(2026, 1, 1))}


@pytest.fixture
def make_meeting(kinds, director_a, oc_a, estate_a):
    """Create a meeting through the real action (rules apply), optionally sent."""

    def make(*, kind="oc_routine", committee=None, starts_at, hours=2, now, send=False, title="例会", actor=None, **kw):
        committee = committee or oc_a
        m = actions.create_meeting(
            estate=committee.estate,
            committee=committee,
            kind=kinds[kind],
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours),
            place="管理处会议室",
            actor=actor or director_a,
            now=now,
            **kw,
        )
        if send:
            actions.send_meeting(m, actor=actor or director_a, now=now)
            m.refresh_from_db()
        return m

    return make


@pytest.fixture
def special_topic(make_meeting, now):
    m = make_meeting(
        kind="special_topic", starts_at=now + datetime.timedelta(days=10), now=now, title="电梯改造专题会议"
    )
    AgendaItem.objects.create(
        meeting=m, title="使用维修资金更新电梯", cause="故障频发", necessity="安全", support_requested="组织业主表决"
    )
    return m
