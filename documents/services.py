"""Writes of the documents app.

``attach`` is the whole path for a person adding a file: the owner's rule, the file checks,
storage, the row. Owning apps whose own service already decided (a case being filed, the
minutes a leader uploads with a decision) check and store the file before their transaction
(no lock held during file I/O) with ``check`` and ``store``, then ``record`` the row inside it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from . import registry
from .checks import check_upload
from .exceptions import DocumentError
from .models import Document, stored_name


def _owner_type(owner) -> ContentType:
    return ContentType.objects.get_for_model(owner, for_concrete_model=False)


def check(upload) -> dict:
    """The file's facts, or DocumentError with every reason it is refused."""
    try:
        return check_upload(upload)
    except ValidationError as exc:
        raise DocumentError(" ".join(exc.messages), code=exc.code or "upload") from None


def store(upload, facts: dict) -> dict:
    """Write the checked file under its content address (once for the same bytes); returns
    the facts with the stored ``file`` name, as ``record`` takes them."""
    name = stored_name(facts["sha256"], facts["extension"])
    if not default_storage.exists(name):
        upload.seek(0)
        saved = default_storage.save(name, upload)
        if saved != name:  # two uploads of the same bytes at once: keep one copy
            default_storage.delete(saved)
    return {**facts, "file": name}


def record(*, owner, stored: dict, kind: str, actor) -> Document:
    """The row of a file already checked and stored, for an owning app's service that has
    decided the actor may add it."""
    return Document.objects.create(owner_type=_owner_type(owner), owner_id=owner.pk, kind=kind, uploaded_by=actor, **stored)


def attach(*, owner, upload, kind: str, actor) -> Document:
    """A person adds a file to ``owner``: refused (nothing saved) unless the owner's rule allows
    it and the file passes the checks."""
    reason = registry.add_refusal(actor, owner, kind)
    if reason:
        raise DocumentError(reason, code="attach_refused")
    facts = check(upload)
    stored = store(upload, facts)
    with transaction.atomic():
        return record(owner=owner, stored=stored, kind=kind, actor=actor)


def _drop_unused(names: set[str]) -> None:
    for name in names:
        if name and not Document.objects.filter(file=name).exists():
            default_storage.delete(name)


def _remove(qs) -> int:
    names = set(qs.values_list("file", flat=True))
    count, _detail = qs.delete()
    # the stored bytes go once no row points at them any more, after the rows are gone for good
    transaction.on_commit(lambda: _drop_unused(names))
    return count


def delete(document: Document, actor) -> None:
    """A person removes a file: refused (nothing changed) unless the owner's rule allows it."""
    reason = registry.delete_refusal(actor, document)
    if reason:
        raise DocumentError(reason, code="delete_refused")
    with transaction.atomic():
        _remove(Document.objects.filter(pk=document.pk))


def remove_all(owner) -> int:
    """Every file of ``owner``, for its app's service that removes the record itself."""
    return _remove(Document.objects.filter(owner_type=_owner_type(owner), owner_id=owner.pk))


__all__ = ["DocumentError", "attach", "check", "delete", "record", "remove_all", "store"]
