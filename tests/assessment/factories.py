"""Records of the other apps, created directly (the assessment only reads them), with explicit times."""

import datetime
import zoneinfo

from followups.models import Callback, Issue
from meetings.models import CadenceRule, Meeting, Minutes
from records.models import SignoffRequest

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def sh(*args):
    """An aware datetime in Asia/Shanghai."""
    return datetime.datetime(*args, tzinfo=SH)


def meeting(
    committee,
    kind,
    starts_at,
    *,
    held=True,
    organizer=None,
    sent_at=None,
    status=None,
    minutes_at=None,
    minutes_due_at=None,
    **kw,
):
    m = Meeting.objects.create(
        estate=committee.estate,
        committee=committee,
        kind=kind,
        title=kw.pop("title", f"{kind.name} {starts_at:%m-%d}"),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        place="管理处会议室",
        status=status or ("held" if held else "confirmed"),
        organizer=organizer,
        sent_at=sent_at or starts_at - datetime.timedelta(days=10),
        attendance_recorded_at=starts_at + datetime.timedelta(hours=1) if held else None,
        minutes_due_at=minutes_due_at,
        **kw,
    )
    if minutes_at is not None:
        Minutes.objects.create(
            meeting=m, host_name="王主任", recorder_name="李主管", distributed_at=minutes_at, finalised_at=minutes_at
        )
    return m


def issue(committee, raised_at, *, assignee=None, **kw):
    kw.setdefault("description", "电梯故障")
    kw.setdefault("raised_by", "张喆")
    kw.setdefault("status", "closed" if kw.get("closed_at") else "in_progress")
    return Issue.objects.create(
        estate=committee.estate, committee=committee, raised_at=raised_at, assignee=assignee, **kw
    )


def callback(issue_, called_at, satisfaction, **kw):
    return Callback.objects.create(
        issue=issue_,
        estate=issue_.estate,
        committee=issue_.committee,
        called_at=called_at,
        person_reached="张喆",
        result="已处理",
        satisfaction=satisfaction,
        **kw,
    )


def signoff(committee, created_at, *, status="open", completed_at=None, by=None):
    return SignoffRequest.objects.create(
        estate=committee.estate,
        committee=committee,
        title="维修资金使用报告",
        source="report",
        status=status,
        created_at=created_at,
        completed_at=completed_at,
        requested_by=by,
    )


def rule(estate, code, committee_kind, kinds, *, min_count=1, period="month", responsible="director"):
    r = CadenceRule.objects.create(
        estate=estate,
        code=code,
        name=f"规则 {code}",
        committee_kind=committee_kind,
        min_count=min_count,
        period=period,
        responsible=responsible,
        effective_from=datetime.date(2026, 1, 1),
    )
    r.kinds.set(kinds)
    return r
