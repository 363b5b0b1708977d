"""Demo meetings for `make run` (idempotent: a meeting is created only if its title is not there yet).

翠湖花园: a routine coordination meeting held last month with minutes and a resolution, a residents'
committee contact next week, and a special-topic meeting awaiting the leader's approval.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from liaison.demo import last_month_at

from . import actions
from .cadence_defaults import ensure_default_kinds, install_default_rules
from .models import AgendaItem, Meeting


def _at(days, hour):
    local = timezone.localtime(timezone.now()).replace(hour=hour, minute=0, second=0, microsecond=0)
    return local + datetime.timedelta(days=days)


@transaction.atomic
def seed(core):
    kinds = ensure_default_kinds()
    for estate in core["estates"].values():
        install_default_rules(estate)
    estate = core["estates"].get("翠湖花园")
    director = core["users"].get("director")
    if estate is None or director is None:
        return
    oc = estate.committees.filter(kind="oc").first()
    rc = estate.committees.filter(kind="rc").first()
    now = timezone.now()
    if oc and not Meeting.objects.filter(estate=estate, title="第三季度工作协调沟通会").exists():
        start = _at(-20, 15)
        past_now = start - datetime.timedelta(days=10)
        m = actions.create_meeting(
            estate=estate,
            committee=oc,
            kind=kinds["oc_routine"],
            title="第三季度工作协调沟通会",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="管理处二楼会议室",
            actor=director,
            now=past_now,
        )
        AgendaItem.objects.create(
            meeting=m,
            order=1,
            title="地下车库照明改造",
            cause="车库照明老化，业主投诉较多",
            necessity="夜间安全隐患",
            support_requested="请业委会同意使用公共收益支付",
        )
        actions.send_meeting(m, actor=director, now=past_now)
        for inv in m.invitations.all():
            actions.sign_in_invitee(m, inv, actor=director, now=start)
        actions.save_minutes(
            m,
            actor=director,
            now=start + datetime.timedelta(hours=3),
            host_name="王建国",
            recorder_name="王建国",
            host=director,
            recorder=director,
            summary="双方通报了本期工作。",
        )
        actions.add_resolution(
            m,
            actor=director,
            now=start + datetime.timedelta(hours=3),
            text="车库照明改造方案报业委会审议",
            owner=director,
            owner_name="",
            action="两周内提交改造方案及报价",
            due_date=(start + datetime.timedelta(days=14)).date(),
        )
        actions.add_resolution(
            m,
            actor=director,
            now=start + datetime.timedelta(hours=3),
            text="小区东门道闸更换，费用报业委会核准",
            owner=core["users"].get("supervisor"),
            owner_name="李芳",
            action="收集三家报价，下次会议前报业委会",
            due_date=(start + datetime.timedelta(days=35)).date(),
        )
        actions.finalise_minutes(m, actor=director, now=start + datetime.timedelta(days=1))
    if rc and not Meeting.objects.filter(estate=estate, title="与居委会月度沟通").exists():
        start = _at(5, 10)
        m = actions.create_meeting(
            estate=estate,
            committee=rc,
            kind=kinds["rc_contact"],
            title="与居委会月度沟通",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="居委会办公室",
            actor=director,
            now=now,
        )
        actions.send_meeting(m, actor=director, now=now)
    if oc and not Meeting.objects.filter(estate=estate, title="电梯更新改造专题会议").exists():
        start = _at(12, 14)
        m = actions.create_meeting(
            estate=estate,
            committee=oc,
            kind=kinds["special_topic"],
            title="电梯更新改造专题会议",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="管理处二楼会议室",
            actor=director,
            now=now,
        )
        AgendaItem.objects.create(
            meeting=m,
            order=1,
            title="3栋电梯更新改造使用维修资金",
            cause="3栋电梯已使用18年，故障频发",
            process="已请检测机构评估，建议更新",
            necessity="存在安全隐患",
            owners_attitude="多数业主支持，少数担心分摊费用",
            support_requested="请业委会组织业主表决使用专项维修资金",
        )
        actions.submit_for_approval(m, actor=director, now=now)
    _seed_last_month(kinds, estate, oc, rc, director)
    _contacts(estate, oc, rc, director)


def _seed_last_month(kinds, estate, oc, rc, director):
    """Meetings held last month (the assessment opens on the last month that has ended): a routine
    meeting with the 业委会 and two contacts with the 居委会, signed in, minutes distributed in time."""
    plan = [
        (oc, "oc_routine", "上月业委会工作协调沟通会", last_month_at(14, 15)),
        (rc, "rc_contact", "上月与居委会定期沟通（一）", last_month_at(8, 10)),
        (rc, "rc_contact", "上月与居委会定期沟通（二）", last_month_at(22, 10)),
    ]
    for committee, kind, title, start in plan:
        if committee is None or Meeting.objects.filter(estate=estate, title=title).exists():
            continue
        past_now = start - datetime.timedelta(days=9)
        m = actions.create_meeting(
            estate=estate,
            committee=committee,
            kind=kinds[kind],
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="管理处二楼会议室",
            actor=director,
            now=past_now,
        )
        actions.send_meeting(m, actor=director, now=past_now)
        for inv in m.invitations.all():
            actions.sign_in_invitee(m, inv, actor=director, now=start)
        actions.save_minutes(
            m,
            actor=director,
            now=start + datetime.timedelta(hours=2),
            host_name="王建国",
            recorder_name="王建国",
            host=director,
            recorder=director,
            summary="通报上期工作，听取委员会意见。",
        )
        actions.finalise_minutes(
            m,
            actor=director,
            now=start + datetime.timedelta(days=1),
            no_resolution_reason="本次为情况通报，未形成决议。",
        )


def _contacts(estate, oc, rc, director):
    """Contacts that are not meetings (idempotent by summary): a visit and a call to the 居委会, the P&L
    statement published to the 业委会, a written report (rows written directly: the seeder runs in one
    transaction, actions.record_contact is durable)."""
    from .models import Contact, ContactKind

    rows = [
        (rc, ContactKind.VISIT, -6, 10, "走访居委会，通报小区消防通道整治进度，居委会同意协助张贴告示。"),
        (rc, ContactKind.CALL, -2, 16, "电话告知居委会本周六停水检修安排。"),
        (oc, ContactKind.PUBLICATION, -12, 9, "在公告栏及业主群公示上月损益表。"),
        (oc, ContactKind.WRITTEN, -15, 14, "向业委会报送电梯维修资金使用情况书面报告。"),
    ]
    for committee, kind, days, hour, summary in rows:
        if committee is None or Contact.objects.filter(estate=estate, summary=summary).exists():
            continue
        at = _at(days, hour)
        contact = Contact.objects.create(
            estate=estate,
            committee=committee,
            kind=kind,
            occurred_at=at,
            summary=summary,
            staff=director,
            recorded_by=director,
            recorded_at=at + datetime.timedelta(hours=1),
        )
        contact.members.set(committee.members.filter(ended_on__isnull=True)[:2])
