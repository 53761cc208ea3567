"""Rename every active tier from its scope and range (approvals.tiers.tier_name, the one
helper that names tiers): a tier whose bound changed kept a stale name such as "1万元以下".
Each rename leaves a history record with its reason, as a rename in the app does."""

from django.db import migrations
from django.utils import timezone


def rename(apps, schema_editor):
    from approvals.tiers import tier_name

    Policy = apps.get_model("approvals", "Policy")
    HistoricalPolicy = apps.get_model("approvals", "HistoricalPolicy")
    scopes = {}
    for p in Policy.objects.filter(is_active=True).select_related("matter").order_by("min_amount", "pk"):
        scopes.setdefault((p.matter_id, p.category, p.stage), []).append(p)
    now = timezone.now()
    history = []
    for tiers in scopes.values():
        for i, p in enumerate(tiers):
            end = tiers[i + 1].min_amount if i + 1 < len(tiers) else None
            name = tier_name(matter_name=p.matter.name if p.matter_id else "", category=p.category, stage=p.stage,
                             start=p.min_amount, end=end)
            if name == p.name:
                continue
            p.name = name
            p.save(update_fields=["name"])
            history.append(HistoricalPolicy(
                id=p.pk, name=name, matter_id=p.matter_id, category=p.category, stage=p.stage,
                min_amount=p.min_amount, on_unresolved=p.on_unresolved, is_active=p.is_active,
                history_date=now, history_type="~", history_change_reason="档次名称按金额区间重新生成",
            ))
    HistoricalPolicy.objects.bulk_create(history)


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0013_policy_name_made_from_range"),
    ]

    operations = [
        migrations.RunPython(rename, migrations.RunPython.noop),
    ]
