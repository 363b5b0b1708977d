"""Load the default meeting kinds and give existing estates the default cadence rules."""

from django.db import migrations


def forwards(apps, schema_editor):
    from meetings.cadence_defaults import DEFAULT_KINDS, DEFAULT_RULES

    MeetingKind = apps.get_model("meetings", "MeetingKind")
    CadenceRule = apps.get_model("meetings", "CadenceRule")
    Estate = apps.get_model("liaison", "Estate")
    kinds = {}
    for order, (code, name, name_en, ckinds, approval, notice, emergency, clause) in enumerate(DEFAULT_KINDS):
        kinds[code], _ = MeetingKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "committee_kinds": ckinds,
                "requires_approval": approval,
                "min_notice_days": notice,
                "is_emergency": emergency,
                "clause": clause,
                "order": order * 10,
            },
        )
    for estate in Estate.objects.all():
        for code, name, ckind, kind_codes, minimum, period, day_from, day_to, responsible, clause, active in DEFAULT_RULES:
            rule, created = CadenceRule.objects.get_or_create(
                estate=estate,
                code=code,
                defaults={
                    "name": name,
                    "committee_kind": ckind,
                    "min_count": minimum,
                    "period": period,
                    "day_from": day_from,
                    "day_to": day_to,
                    "responsible": responsible,
                    "clause": clause,
                    "active": active,
                },
            )
            if created:
                rule.kinds.set([kinds[k] for k in kind_codes])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_minutes_closed"), ("liaison", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
