"""Procurement's files (quotes, qualifications, contract texts and scans, supplements,
acceptance reports, invoices) move into documents.Document with the same owner, kind and
stored path; no file moves."""

from django.db import migrations

FIELDS = ("owner_type_id", "owner_id", "kind", "file", "original_name", "extension", "size", "content_type", "sha256",
          "uploaded_by_id", "uploaded_at")


def _copy(source, target):
    batch = []
    for d in source.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(target(**{f: getattr(d, f) for f in FIELDS}))
        if len(batch) >= 2000:
            target.objects.bulk_create(batch)
            batch = []
    target.objects.bulk_create(batch)


def forwards(apps, schema_editor):
    _copy(apps.get_model("procurement", "Document"), apps.get_model("documents", "Document"))


def backwards(apps, schema_editor):
    Old = apps.get_model("procurement", "Document")
    New = apps.get_model("documents", "Document")
    ContentType = apps.get_model("contenttypes", "ContentType")
    cts = ContentType.objects.filter(app_label__in=["procurement", "contracts", "payments"]).values_list("pk", flat=True)
    rows = New.objects.filter(owner_type_id__in=list(cts))
    Old.objects.bulk_create([Old(**{f: getattr(d, f) for f in FIELDS}) for d in rows.order_by("id")])
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0004_supplier_org_code_confirmation"),
        ("documents", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="Document"),
    ]
