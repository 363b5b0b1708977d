"""Meeting.notice_kept: the notice rule judged as elapsed time (issue 17).

Existing meetings that were sent get the flag from what was recorded: the committee was told when the
meeting was sent, or last when it was moved to a new start; the rule asked for notice_days_required x 24
hours before the start. Meetings told with fewer hours than that, though on an earlier calendar day
(accepted by the old rule, which counted dates), now count as notice not kept."""

import datetime

from django.db import migrations, models


def judge(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    MeetingChange = apps.get_model("meetings", "MeetingChange")
    moved = {}
    for meeting_id, changed_at, old, new in MeetingChange.objects.filter(kind="rescheduled").values_list(
        "meeting_id", "changed_at", "old_starts_at", "new_starts_at"
    ):
        if old != new:
            moved[meeting_id] = max(moved.get(meeting_id, changed_at), changed_at)
    batch = []
    for m in Meeting.objects.filter(sent_at__isnull=False).only("pk", "starts_at", "sent_at", "notice_days_required"):
        told = max(m.sent_at, moved.get(m.pk, m.sent_at))
        given = max(m.starts_at - told, datetime.timedelta(0))
        m.notice_kept = given >= datetime.timedelta(days=m.notice_days_required)
        batch.append(m)
        if len(batch) >= 2000:
            Meeting.objects.bulk_update(batch, ["notice_kept"])
            batch = []
    Meeting.objects.bulk_update(batch, ["notice_kept"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0005_meeting_minutes_due_index")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="notice_kept",
            field=models.BooleanField(blank=True, null=True, verbose_name="notice rule kept"),
        ),
        migrations.RunPython(judge, migrations.RunPython.noop),
    ]
