import datetime
import os
from zoneinfo import ZoneInfo

import pytest

from followups import actions

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    """An aware datetime in Asia/Shanghai: at(2026, 9, 30, 10) -> 2026-09-30 10:00 +08:00."""
    return datetime.datetime(*args, tzinfo=SH)


def needs_pg_and_redis():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        pytest.skip("needs DATABASE_URL=postgres://… and REDIS_URL (integration)")


@pytest.fixture
def raise_issue(oc_a, estate_a):
    """raise_issue(**overrides) -> an issue of estate A's 业委会, raised 2026-09-30 10:00 by default."""

    def make(**kw):
        now = kw.pop("now", None)
        params = {
            "estate": estate_a,
            "committee": oc_a,
            "raised_by": "张喆",
            "raised_at": at(2026, 9, 30, 10),
            "description": "地下车库B区渗水",
            "source": "meeting",
        }
        params.update(kw)
        return actions.raise_issue(now=now or params["raised_at"] + datetime.timedelta(minutes=1), **params)

    return make
