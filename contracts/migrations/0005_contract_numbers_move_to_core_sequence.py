"""Contract numbers are issued from core.Sequence (key "contract"): copy every year's last
number there, then drop contracts.ContractSequence. Numbers go on without a gap or a repeat."""

from django.db import migrations


def copy_to_core(apps, schema_editor):
    ContractSequence = apps.get_model("contracts", "ContractSequence")
    Sequence = apps.get_model("core", "Sequence")
    for old in ContractSequence.objects.all():
        seq, _ = Sequence.objects.get_or_create(key="contract", year=old.year, defaults={"last": 0})
        if old.last > seq.last:
            seq.last = old.last
            seq.save(update_fields=["last"])


def copy_back(apps, schema_editor):
    ContractSequence = apps.get_model("contracts", "ContractSequence")
    Sequence = apps.get_model("core", "Sequence")
    for seq in Sequence.objects.filter(key="contract"):
        ContractSequence.objects.update_or_create(year=seq.year, defaults={"last": seq.last})


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0004_contract_payments_into_payments'),
        ('core', '0003_number_sequences'),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(
            name='ContractSequence',
        ),
    ]
