"""Demo issues for `make run`: a few in each state. Idempotent (keyed by source_ref)."""

import datetime

from django.utils import timezone

from liaison.demo import last_month_at

from . import actions
from .models import Issue


def seed(core):
    seed_last_month(core)
    estates, committees, users = core["estates"], core["committees"], core["users"]
    oc = committees.get("翠湖花园业主委员会")
    if oc is None or Issue.objects.filter(source_ref__in=[f"demo-{n}" for n in range(1, 6)]).exists():
        return
    now = timezone.now()
    director, engineer = users["director"], users["engineer"]
    estate = estates["翠湖花园"]

    def raise_(ref, days_ago, description, **kw):
        return actions.raise_issue(
            estate=estate,
            committee=oc,
            raised_by="张喆",
            raised_at=now - datetime.timedelta(days=days_ago),
            description=description,
            source=kw.pop("source", "meeting"),
            source_ref=ref,
            actor=director,
            now=now,
            **kw,
        )

    raise_("demo-1", 0, "3栋东侧路灯不亮，晚间出行不便。", category="facilities", location="3栋东侧")
    overdue = raise_("demo-2", 5, "地下车库B区渗水，雨天积水严重。", category="repair", location="地下车库B区")
    actions.assign(overdue, assignee=engineer, actor=director, now=now)
    outside = raise_("demo-3", 2, "小区东门外道路施工噪音扰民，希望协调。", category="environment")
    actions.classify(
        outside,
        responsibility="outside",
        outside_reason="道路施工由市政部门负责，物业公司协助业委会与街道办、施工单位沟通。",
        actor=director,
        now=now,
    )
    actions.add_outside_body(
        outside,
        kind="street",
        name="粤海街道办",
        contact="城建科 0755-0000000",
        action="已电话反映夜间施工噪音，街道办承诺督促施工单位22:00后停工。",
        actor=director,
        now=now,
    )
    resolved = raise_("demo-4", 1, "儿童游乐区滑梯螺丝松动。", category="facilities", urgency="important")
    actions.assign(resolved, assignee=engineer, actor=director, now=now)
    actions.mark_resolved(resolved, resolution="已紧固全部螺丝并做安全检查。", actor=engineer, now=now)
    raise_(
        "demo-5", 3, "询问本月公共收益公示时间。", category="fees", answer_on_spot="每月5日前在公告栏和业委会群公示。"
    )


def seed_last_month(core):
    """Issues of last month with their replies and callbacks, so the assessment (which opens on the last
    month that has ended) has figures to show. Idempotent (keyed by source_ref "demo-m…")."""
    committees, users = core["committees"], core["users"]
    oc = committees.get("翠湖花园业主委员会")
    if oc is None or Issue.objects.filter(source_ref__startswith="demo-m").exists():
        return
    director, engineer = users["director"], users["engineer"]
    hour = datetime.timedelta(hours=1)
    day = datetime.timedelta(days=1)

    def raise_(ref, at, description, **kw):
        return actions.raise_issue(
            estate=oc.estate,
            committee=oc,
            raised_by="张喆",
            raised_at=at,
            description=description,
            source="meeting",
            source_ref=ref,
            actor=director,
            now=at,
            **kw,
        )

    def callback(issue, at, satisfaction, result):
        actions.record_callback(
            issue,
            called_at=at,
            method="phone",
            person_reached="张喆",
            result=result,
            satisfaction=satisfaction,
            actor=director,
            now=at,
            resolved=satisfaction != "unsatisfied",
        )

    # replied and called back on time, closed satisfied
    t = last_month_at(3, 10)
    a = raise_("demo-m1", t, "5栋电梯按钮失灵。", category="repair", location="5栋")
    actions.assign(a, assignee=engineer, actor=director, now=t + 2 * hour)
    actions.add_reply(a, text="已安排电梯维保单位次日维修。", actor=engineer, now=t + day)
    actions.mark_resolved(a, resolution="已更换按钮面板。", actor=engineer, now=t + 2 * day)
    callback(a, t + 2 * day + 3 * hour, "satisfied", "业委会确认电梯已恢复正常。")
    # replied late (after the 3 days), closed basically satisfied
    t = last_month_at(10, 9)
    b = raise_("demo-m2", t, "中心花园绿化带杂草较多。", category="environment", location="中心花园")
    actions.assign(b, assignee=engineer, actor=director, now=t + hour)
    actions.add_reply(b, text="已安排绿化班组本周内清理。", actor=engineer, now=t + 4 * day)
    actions.mark_resolved(b, resolution="已清理杂草并补种。", actor=engineer, now=t + 5 * day)
    callback(b, t + 5 * day + 2 * hour, "basic", "基本满意，希望定期巡查。")
    # outside the company's responsibility; the callback found the committee unsatisfied: still open
    t = last_month_at(20, 14)
    c = raise_("demo-m3", t, "小区北侧公交站迁移后出行不便。", category="other")
    actions.classify(
        c,
        responsibility="outside",
        outside_reason="公交站点由公交公司与交通部门规划，物业公司协助业委会向街道办反映。",
        actor=director,
        now=t + 3 * hour,
    )
    callback(c, t + 2 * day, "unsatisfied", "业委会希望尽快得到交通部门答复。")
