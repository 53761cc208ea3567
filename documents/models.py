"""One file model for the whole system. A document belongs to an owner record of any app
(generic content type + id); what the owner allows is decided by the rules its app
registered in ``documents.registry``."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registry


def stored_name(sha256: str, extension: str) -> str:
    """Content-addressed path under MEDIA_ROOT: the same bytes are stored once."""
    return f"documents/{sha256[:2]}/{sha256[2:4]}/{sha256}{extension}"


def _upload_to(instance, filename):
    return stored_name(instance.sha256, instance.extension)


# opened in the browser (预览) rather than downloaded: the types a browser shows by itself
PREVIEWABLE = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


class CurrentDocuments(models.Manager):
    """The files in force: a version replaced by a newer one is history, seen only through
    ``Document.all_versions`` (the earlier versions of a file, the blob store's bookkeeping)."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_by__isnull=True)


class Document(models.Model):
    owner_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField(_("record number"))
    owner = GenericForeignKey("owner_type", "owner_id")
    kind = models.CharField(_("kind"), max_length=50)
    # Rows copied from the two earlier file models keep their stored paths; new ones are content-addressed.
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # A replaced file keeps its row and its stored bytes: the newer version points back through
    # this link (the version chain, newest first). Removing the newer version (allowed only while
    # it was never submitted) makes the earlier one current again.
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("replaced by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="earlier_versions",
    )

    objects = CurrentDocuments()
    all_versions = models.Manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["owner_type", "owner_id", "uploaded_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id", "kind"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    @property
    def previewable(self) -> bool:
        return self.extension.lower() in PREVIEWABLE

    @property
    def kind_label(self) -> str:
        return registry.kind_label(ContentType.objects.get_for_id(self.owner_type_id).model_class(), self.kind)
