"""Writes of the documents app.

``attach`` / ``attach_many`` / ``replace`` / ``delete`` are the whole path for a person
changing the files of a record: the owner's rule, the file checks, storage, the rows, the
owner's trail. The rule is asked once before any file is read (a quick refusal) and again
inside the transaction, under the row lock the owner's own transitions take, so a form
submitted meanwhile is never changed behind its approvers' backs.

Owning apps whose own service already decided (a case being filed, the minutes a leader
uploads with a decision) check and store the file before their transaction (no lock held
during file I/O) with ``check`` and ``store``, then ``record`` the row inside it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

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


def check_all(uploads) -> list[dict]:
    """The facts of every file, or one DocumentError naming each file refused and why: one bad
    file refuses them all (nothing is stored)."""
    uploads = list(uploads)
    if not uploads:
        raise DocumentError(_("Choose a file to upload."), code="required")
    facts, errors = [], []
    for upload in uploads:
        try:
            facts.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        message = " ".join(errors)
        if len(uploads) > 1:
            message = _("Nothing was uploaded: %(errors)s") % {"errors": message}
        raise DocumentError(message, code="upload")
    return facts


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


def _refuse(reason: str, code: str) -> None:
    if reason:
        raise DocumentError(reason, code=code)


def attach_many(*, owner, uploads, kind: str, actor) -> list[Document]:
    """A person adds several files of one kind at once: refused as a whole (nothing saved,
    each bad file named) unless the owner's rule allows it and every file passes the checks."""
    _refuse(registry.add_refusal(actor, owner, kind), "attach_refused")
    uploads = list(uploads)
    facts = check_all(uploads)
    # stored before the transaction (no lock held during file I/O); bytes left by a refusal
    # under the lock stay unreferenced rather than risk removing bytes another upload shares
    stored = [store(u, f) for u, f in zip(uploads, facts)]
    with transaction.atomic():
        locked = registry.lock_owner(owner)
        _refuse(registry.add_refusal(actor, locked, kind), "attach_refused")
        docs = [record(owner=locked, stored=s, kind=kind, actor=actor) for s in stored]
        for d in docs:
            registry.changed("added", owner=locked, document=d, actor=actor)
    return docs


def attach(*, owner, upload, kind: str, actor) -> Document:
    """A person adds a file to ``owner``: refused (nothing saved) unless the owner's rule allows
    it and the file passes the checks."""
    return attach_many(owner=owner, uploads=[upload], kind=kind, actor=actor)[0]


def replace(*, document: Document, upload, actor) -> Document:
    """A person puts a corrected file in place of ``document`` (same record, same kind). The
    earlier version keeps its row and its bytes and is shown as history; refused (nothing
    changed) unless the owner's rule allows it and the file passes the checks."""
    _refuse(registry.replace_refusal(actor, document), "replace_refused")
    facts = check(upload)
    if facts["sha256"] == document.sha256:
        raise DocumentError(_("“%(name)s” is the same file as the current version; nothing was replaced.")
                            % {"name": facts["original_name"]}, code="same_file")
    stored = store(upload, facts)
    with transaction.atomic():
        owner, current = _lock(document)
        _refuse(registry.replace_refusal(actor, current), "replace_refused")
        new = record(owner=owner, stored=stored, kind=current.kind, actor=actor)
        current.superseded_by = new
        current.save(update_fields=["superseded_by"])
        registry.changed("replaced", owner=owner, document=new, previous=current, actor=actor)
    return new


def _lock(document: Document):
    """Owner first (the lock order of the owner's own transitions), then the file's row."""
    owner = registry.lock_owner(document.owner)
    current = Document.all_versions.select_for_update().get(pk=document.pk)
    current.owner = owner
    return owner, current


def _drop_unused(names: set[str]) -> None:
    for name in names:
        if name and not Document.all_versions.filter(file=name).exists():
            default_storage.delete(name)


def _remove(qs) -> int:
    names = set(qs.values_list("file", flat=True))
    count, _detail = qs.delete()
    # the stored bytes go once no row points at them any more, after the rows are gone for good
    transaction.on_commit(lambda: _drop_unused(names))
    return count


def delete(document: Document, actor) -> Document | None:
    """A person removes a file: refused (nothing changed) unless the owner's rule allows it.
    A removed version that had replaced an earlier one makes that one current again (returned)."""
    _refuse(registry.delete_refusal(actor, document), "delete_refused")
    with transaction.atomic():
        owner, current = _lock(document)
        _refuse(registry.delete_refusal(actor, current), "delete_refused")
        earlier = Document.all_versions.filter(superseded_by=current).first()
        _remove(Document.all_versions.filter(pk=current.pk))  # the earlier version's link is cleared
        registry.changed("removed", owner=owner, document=current, previous=earlier, actor=actor)
    return earlier


def remove_all(owner) -> int:
    """Every file of ``owner`` (every version), for its app's service that removes the record itself."""
    return _remove(Document.all_versions.filter(owner_type=_owner_type(owner), owner_id=owner.pk))


__all__ = ["DocumentError", "attach", "attach_many", "check", "check_all", "delete", "record", "remove_all", "replace",
           "store"]
