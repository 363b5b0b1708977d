"""Records test data. Meetings/follow-ups objects are created directly from their models (read-only use)."""

import datetime

from django.utils import timezone

from records.models import WorkContactSheet

RARE = "喆堃昇珺彧燊"


def contact_sheet(committee, *, by=None, **kw):
    data = {
        "estate": committee.estate,
        "committee": committee,
        "number": kw.pop("number", "2026-001"),
        "subject": "关于地下车库照明改造的工作联系单",
        "content": "地下车库照明老化，拟使用公共维修资金进行改造。请业委会主任张喆、委员刘堃审议。",
        "support_requested": "请业委会协助召开业主意见征询。",
        "issued_on": datetime.date(2026, 11, 20),
        "created_by": by,
        "status": WorkContactSheet.Status.SENT,
    }
    data.update(kw)
    return WorkContactSheet.objects.create(**data)


def meeting(estate, committee, *, organizer=None, starts_at=None, status="confirmed", title="第四季度工作协调会议"):
    from meetings.models import Meeting, MeetingKind

    kind, _ = MeetingKind.objects.get_or_create(code="routine", defaults={"name": "工作协调会议", "name_en": "Routine"})
    starts_at = starts_at or timezone.make_aware(datetime.datetime(2026, 11, 24, 14, 30))
    return Meeting.objects.create(
        estate=estate,
        committee=committee,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        place="翠湖花园会所二楼会议室",
        status=status,
        organizer=organizer,
        sent_at=starts_at - datetime.timedelta(days=8),
    )


def invite(m, name, unit="业委会委员", phone="13812345678", user=None, member=None):
    from meetings.models import Invitation

    return Invitation.objects.create(meeting=m, name=name, unit=unit, phone=phone, user=user, member=member)


def attend(m, inv=None, name=None, at=None):
    from meetings.models import Attendance

    return Attendance.objects.create(
        meeting=m,
        invitation=inv,
        name=name or inv.name,
        unit=inv.unit if inv else "居民代表",
        signed_in_at=at or m.starts_at - datetime.timedelta(minutes=5),
    )


def minutes(m, *, final=True):
    from meetings.models import AgendaItem, Minutes, Resolution

    AgendaItem.objects.create(meeting=m, order=1, title="地下车库照明改造", discussion="业委会同意先征询业主意见。")
    Resolution.objects.create(
        meeting=m,
        order=1,
        text="开展业主意见征询",
        owner_name="王建国",
        action="十日内张贴公告并收集意见",
        due_date=datetime.date(2026, 12, 5),
    )
    mi = Minutes.objects.create(meeting=m, host_name="王建国", recorder_name="孙珺", summary="会议气氛良好。")
    if final:
        mi.finalised_at = m.ends_at + datetime.timedelta(hours=2)
        mi.save()
    return mi


def issue(estate, committee, **kw):
    from followups.models import Issue

    data = {
        "estate": estate,
        "committee": committee,
        "raised_by": "吴燊",
        "raised_at": timezone.make_aware(datetime.datetime(2026, 11, 10, 10, 0)),
        "title": "三号楼电梯异响",
        "description": "三号楼电梯运行时有异响，业主担心安全。",
    }
    data.update(kw)
    return Issue.objects.create(**data)


def callback(issue, *, at=None, **kw):
    from followups.models import Callback

    data = {
        "issue": issue,
        "estate": issue.estate,
        "committee": issue.committee,
        "called_at": at or timezone.make_aware(datetime.datetime(2026, 11, 12, 15, 0)),
        "person_reached": "黄昇",
        "result": "已更换曳引机轴承，异响消除。",
        "satisfaction": "satisfied",
        "next_step": "一周后再次回访",
    }
    data.update(kw)
    return Callback.objects.create(**data)
