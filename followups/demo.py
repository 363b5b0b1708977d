"""Demo issues for `make run`: a few in each state. Idempotent (keyed by source_ref)."""

import datetime

from django.utils import timezone

from . import actions
from .models import Issue


def seed(core):
    estates, committees, users = core["estates"], core["committees"], core["users"]
    oc = committees.get("翠湖花园业主委员会")
    if oc is None or Issue.objects.filter(source_ref__startswith="demo-").exists():
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
