"""The form's materials move into documents.Document (owner = the case); the stored files
stay where they are (their paths are copied), new uploads are content-addressed."""

from django.db import migrations

FIELDS = ("kind", "file", "original_name", "extension", "size", "content_type", "sha256", "uploaded_by_id", "uploaded_at")


def copy_attachments(apps, schema_editor):
    Attachment = apps.get_model("approvals", "Attachment")
    Document = apps.get_model("documents", "Document")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not Attachment.objects.exists():
        return
    ct, _ = ContentType.objects.get_or_create(app_label="approvals", model="case")
    batch = []
    for a in Attachment.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(Document(owner_type_id=ct.pk, owner_id=a.case_id, **{f: getattr(a, f) for f in FIELDS}))
        if len(batch) >= 2000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Attachment = apps.get_model("approvals", "Attachment")
    Document = apps.get_model("documents", "Document")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="approvals", model="case").first()
    if ct is None:
        return
    docs = Document.objects.filter(owner_type_id=ct.pk)
    Attachment.objects.bulk_create(
        [Attachment(case_id=d.owner_id, **{f: getattr(d, f) for f in FIELDS}) for d in docs.order_by("id")]
    )
    docs.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0006_triggers_without_session_switch"),
        ("documents", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_attachments, copy_back),
        migrations.DeleteModel(name="Attachment"),
    ]
