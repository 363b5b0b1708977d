"""Sign-off choices a committee uses (issue 16 item 4): agree / agree with comments / disagree (a reason
required) / recuse (回避); the completion rule counts every signer's decision and leaves recusals out
(records/signoff.py: evaluate, seed 000 §4.1.7 and seed 002 第六条). And the members' answers to a
meeting's final minutes (MinutesResponse).

The old third choice, "decline" (first shown as 不参加, later as 不同意), always carried a reason and
counted against the report: it was a dissent, so every "decline" becomes "disagree" with its reason kept
(voided signatures too, so the history reads the same). Requests keep the status they have: a request
closed as declined stays declined, and open ones are judged by the new rule at the next signature.
Backwards, "disagree" and "recuse" both become "decline" (the old model had no recusal)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def map_decline(apps, schema_editor):
    Signature = apps.get_model("records", "Signature")
    return Signature.objects.filter(decision="decline").update(decision="disagree")


def unmap_decline(apps, schema_editor):
    Signature = apps.get_model("records", "Signature")
    Signature.objects.filter(decision__in=["disagree", "recuse"]).update(decision="decline")


class Migration(migrations.Migration):

    dependencies = [
        ('liaison', '0002_notifications_robots_preferences'),
        ('meetings', '0007_meeting_entered_afterwards'),
        ('records', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='signature',
            name='decision',
            field=models.CharField(choices=[('agree', 'Agree'), ('comments', 'Agree, with comments'), ('disagree', 'Disagree'), ('recuse', 'Recuse')], max_length=10, verbose_name='decision'),
        ),
        migrations.RunPython(map_decline, unmap_decline),
        migrations.AlterField(
            model_name='signoffrequest',
            name='rule',
            field=models.CharField(choices=[('all', 'Everyone who does not recuse agrees'), ('majority', 'More than half of those who do not recuse agree')], default='all', max_length=10, verbose_name='completion rule'),
        ),
        migrations.CreateModel(
            name='MinutesResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('answer', models.CharField(choices=[('confirmed', 'Confirmed'), ('objected', 'Objected')], max_length=10, verbose_name='answer')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('answered_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='answered at')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='liaison.committeemember')),
                ('minutes', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='member_responses', to='meetings.minutes', verbose_name='minutes')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='minutes_responses', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'answer to the minutes',
                'verbose_name_plural': 'answers to the minutes',
                'ordering': ['answered_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('minutes', 'user'), name='minutes_response_one_per_member')],
            },
        ),
    ]
