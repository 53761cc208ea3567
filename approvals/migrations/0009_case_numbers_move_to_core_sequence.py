"""Case numbers are issued from core.Sequence (key "case:<category>"): copy every year's last
number there, then drop approvals.CaseSequence. Numbers go on without a gap or a repeat."""

from django.db import migrations


def copy_to_core(apps, schema_editor):
    CaseSequence = apps.get_model("approvals", "CaseSequence")
    Sequence = apps.get_model("core", "Sequence")
    for old in CaseSequence.objects.all():
        seq, _ = Sequence.objects.get_or_create(key=f"case:{old.category}", year=old.year, defaults={"last": 0})
        if old.last > seq.last:
            seq.last = old.last
            seq.save(update_fields=["last"])


def copy_back(apps, schema_editor):
    CaseSequence = apps.get_model("approvals", "CaseSequence")
    Sequence = apps.get_model("core", "Sequence")
    for seq in Sequence.objects.filter(key__startswith="case:"):
        CaseSequence.objects.update_or_create(year=seq.year, category=seq.key[len("case:"):], defaults={"last": seq.last})


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0008_action_kind_pay'),
        ('core', '0003_number_sequences'),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(
            name='CaseSequence',
        ),
    ]
