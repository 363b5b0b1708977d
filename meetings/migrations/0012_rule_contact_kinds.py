import meetings.models
from django.db import migrations, models

# as meetings.cadence_defaults has them at this migration (copied: a migration must not change later)
CONTACT_KINDS = {
    "oc_monthly": "call,visit,written",
    "director_chair": "call,visit,wechat",
    "rc_contact": "visit,call",
    "pnl_statement": "publication",
    "inquiry_window": "inquiry_window",
}
RETIRED_KINDS = ["pnl_statement", "inquiry_window"]


def contact_kinds_for_default_rules(apps, schema_editor):
    """The default rules count the contacts DOMAIN.md names; a rule an administrator already gave
    contact kinds keeps them. The P&L statement and the inquiry window are no longer offered as meeting
    kinds (meetings of those kinds already entered still count for the rules naming them)."""
    CadenceRule = apps.get_model("meetings", "CadenceRule")
    MeetingKind = apps.get_model("meetings", "MeetingKind")
    for code, kinds in CONTACT_KINDS.items():
        CadenceRule.objects.filter(code=code, contact_kinds="").update(contact_kinds=kinds)
    MeetingKind.objects.filter(code__in=RETIRED_KINDS).update(active=False)


def offer_the_kinds_again(apps, schema_editor):
    apps.get_model("meetings", "MeetingKind").objects.filter(code__in=RETIRED_KINDS).update(active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0011_contacts"),
    ]

    operations = [
        migrations.AddField(
            model_name="cadencerule",
            name="contact_kinds",
            field=models.CharField(
                blank=True,
                help_text="Comma-separated: call, visit, wechat, written, notice, publication, inquiry_window. "
                "A recorded contact of these kinds counts like a meeting held.",
                max_length=200,
                validators=[meetings.models.validate_contact_kinds],
                verbose_name="contact kinds that count",
            ),
        ),
        migrations.RunPython(contact_kinds_for_default_rules, offer_the_kinds_again),
    ]
