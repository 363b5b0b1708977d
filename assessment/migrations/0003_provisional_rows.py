"""Provisional snapshots as a head row and one row per estate, (staff member, estate) and staff member over
every estate, with their scores: a director reads their own estates' rows, a manager the scores to rank
and the figures of the rows shown. The stored snapshots are dropped (the job or the next view recomputes
them within minutes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_snapshots(apps, schema_editor):
    apps.get_model("assessment", "ProvisionalSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_provisional_snapshot"),
        ("liaison", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_snapshots, migrations.RunPython.noop),
        migrations.RemoveField(model_name="provisionalsnapshot", name="cadence"),
        migrations.RemoveField(model_name="provisionalsnapshot", name="estates"),
        migrations.RemoveField(model_name="provisionalsnapshot", name="staff"),
        migrations.AddField(model_name="provisionalsnapshot", name="estate_ids", field=models.JSONField(default=list)),
        migrations.AddField(model_name="provisionalsnapshot", name="total", field=models.JSONField(default=dict)),
        migrations.AddField(model_name="provisionalsnapshot", name="weights", field=models.JSONField(default=dict)),
        migrations.CreateModel(
            name="ProvisionalRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.FloatField(null=True)),
                ("figures", models.JSONField(default=dict)),
                ("cadence", models.JSONField(default=list)),
                (
                    "estate",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="liaison.estate",
                    ),
                ),
                (
                    "snapshot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="assessment.provisionalsnapshot",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
