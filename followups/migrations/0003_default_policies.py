"""The default deadline policies (data): seed 000 §4.1.4.5–4.1.4.6, seed 003 【8】3(5), seed 004 篇1 c/f."""

from django.db import migrations

POLICIES = [
    dict(
        name="默认：3日内答复、3日内回访（作业指导书 §4.1.4.5–4.1.4.6）",
        basis="seed 000 §4.1.4.5–4.1.4.6, §4.2.2.3",
        priority=100,
        reply_within=3,
        callback_within_days=3,
        followup_every_days=3,
    ),
    dict(
        name="发展商来函来电：3日内答复（seed 004）",
        basis="seed 004 篇1 c, f",
        priority=50,
        source="developer",
        reply_within=3,
        callback_within_days=3,
        followup_every_days=3,
    ),
    dict(
        name="重大投诉：当天呈送主任、2天内答复、10日内解决",
        basis="seed 003 【8】3(5)",
        priority=10,
        category="complaint",
        urgency="major",
        triage_within=0,
        triage_unit="days",
        reply_within=2,
        resolve_within=10,
        callback_within_days=3,
        followup_every_days=2,
        remind_before_hours=12,
        escalate_director_after_hours=4,
        escalate_leader_after_hours=24,
    ),
    dict(
        name="重要投诉：1小时内转呈部门主管、3天内处理完毕",
        basis="seed 003 【8】3(5)",
        priority=20,
        category="complaint",
        urgency="important",
        triage_within=1,
        triage_unit="hours",
        reply_within=3,
        resolve_within=3,
        callback_within_days=3,
        followup_every_days=3,
        remind_before_hours=12,
    ),
    dict(
        name="轻微投诉：2天内解决",
        basis="seed 003 【8】3(5)",
        priority=30,
        category="complaint",
        urgency="normal",
        reply_within=2,
        resolve_within=2,
        callback_within_days=3,
        followup_every_days=3,
    ),
]


def add(apps, schema_editor):
    DeadlinePolicy = apps.get_model("followups", "DeadlinePolicy")
    for p in POLICIES:
        DeadlinePolicy.objects.get_or_create(name=p["name"], defaults=p)


def remove(apps, schema_editor):
    DeadlinePolicy = apps.get_model("followups", "DeadlinePolicy")
    DeadlinePolicy.objects.filter(name__in=[p["name"] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("followups", "0002_issue_meeting")]
    operations = [migrations.RunPython(add, remove)]
