"""Who may read, add and delete the files of an owner record, as its app declares it.

Each owning app registers, in its ``AppConfig.ready()``, one ``Owner`` per model whose
records carry files::

    registry.register(Owner(
        model=Quote, key="quote", kinds={"quote": _("Quotation")},
        can_read=lambda user, quote: ...,          # bool: False → 404
        can_add=lambda user, quote, kind: ...,     # "" allowed, else the reason shown to the person
        can_delete=lambda user, document: ...,     # "" allowed, else the reason
        # optional:
        can_replace=lambda user, document: ...,    # default: may add a file of the document's kind now
        lock=lambda quote: ...,                    # re-read the owner under the row lock its state lives in
        on_change=lambda *, event, document, previous, actor: ...,  # the owner's trail, inside the write
    ))

Replacing a file keeps the earlier version (its row and bytes) as history; the owner's
``can_replace`` decides when a newer version may be put in (for a submitted form: while it is
back with its applicant), ``can_delete`` when a file may go altogether (for a form: only while
it was never in front of an approver). ``lock`` lets every add/replace/remove re-check the
rule under the same row lock the owner's own transitions take (default: the owner's own row).
``on_change`` is called inside that transaction with event ``added``, ``replaced`` or
``removed``.

A model nobody registered is denied everything (deny by default); a kind the owner did not
declare is refused. ``kinds`` is a mapping of kind → label; ``None`` when the kinds are the
owner's own words (a form's materials are named by its matter) and ``can_add`` judges them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Owner:
    model: type[models.Model]
    key: str  # short name the upload form posts ("quote", "contract", …)
    kinds: Mapping[str, str] | None
    can_read: Callable[..., bool]
    can_add: Callable[..., str]
    can_delete: Callable[..., str]
    can_replace: Callable[..., str] | None = None
    lock: Callable[..., models.Model] | None = None
    on_change: Callable[..., None] | None = None


EVENTS = ("added", "replaced", "removed")

_owners: dict[type[models.Model], Owner] = {}
_by_key: dict[str, Owner] = {}


def register(owner: Owner) -> Owner:
    previous = _by_key.get(owner.key)
    if previous is not None and previous.model is not owner.model:
        raise ValueError(f"document owner key {owner.key!r} is already used by {previous.model.__name__}")
    _owners[owner.model] = owner
    _by_key[owner.key] = owner
    return owner


def unregister(model) -> None:
    rules = _owners.pop(model, None)
    if rules is not None:
        _by_key.pop(rules.key, None)


def rules_for(model) -> Owner | None:
    return _owners.get(model)


def model_for_key(key: str):
    rules = _by_key.get(key)
    return rules.model if rules else None


def kind_label(model, kind: str) -> str:
    rules = _owners.get(model)
    if rules is None or rules.kinds is None:
        return kind
    return str(rules.kinds.get(kind, kind))


# --- decisions (deny by default) --------------------------------------------------------------------
def may_read(user, owner) -> bool:
    rules = _owners.get(type(owner)) if owner is not None else None
    if rules is None or not user.is_authenticated:
        return False
    return bool(rules.can_read(user, owner))


def add_refusal(user, owner, kind: str) -> str:
    """'' if ``user`` may add a ``kind`` file to ``owner``; otherwise why not."""
    rules = _owners.get(type(owner)) if owner is not None else None
    if rules is None or not user.is_authenticated:
        return _("Files cannot be attached here.")
    if not kind or (rules.kinds is not None and kind not in rules.kinds):
        return _("This kind of file does not belong here.")
    return rules.can_add(user, owner, kind) or ""


def delete_refusal(user, document) -> str:
    """'' if ``user`` may delete ``document``; otherwise why not."""
    owner = document.owner
    rules = _owners.get(type(owner)) if owner is not None else None
    if rules is None or not user.is_authenticated:
        return _("This file cannot be removed.")
    if not document.is_current:
        return _("This is an earlier version of the file; it stays in the history.")
    return rules.can_delete(user, document) or ""


def replace_refusal(user, document) -> str:
    """'' if ``user`` may put a new version in place of ``document``; otherwise why not. The
    owner's ``can_replace`` when it has one, else its rule for adding a file of that kind."""
    owner = document.owner
    rules = _owners.get(type(owner)) if owner is not None else None
    if rules is None or not user.is_authenticated:
        return _("This file cannot be replaced.")
    if not document.is_current:
        return _("This is an earlier version of the file; replace the current one.")
    if rules.can_replace is not None:
        return rules.can_replace(user, document) or ""
    return add_refusal(user, owner, document.kind)


def mark_allowed(user, documents, owner=None) -> list:
    """Set ``may_replace`` and ``may_delete`` on each document for the page's buttons (the
    views decide again on the request). ``owner``, when the documents share one, saves a
    query per document."""
    documents = list(documents)
    for d in documents:
        if owner is not None:
            d.owner = owner
        d.may_replace = not replace_refusal(user, d)
        d.may_delete = not delete_refusal(user, d)
    return documents


def lock_owner(owner):
    """The owner re-read under its row lock (inside a transaction), as its app declared."""
    rules = _owners.get(type(owner))
    if rules is not None and rules.lock is not None:
        return rules.lock(owner)
    return type(owner)._base_manager.select_for_update().get(pk=owner.pk)


def changed(event: str, *, owner, document, previous=None, actor) -> None:
    """Tell the owner's app (its trail) what happened to one of its files."""
    if event not in EVENTS:
        raise ValueError(f"unknown document event {event!r}")
    rules = _owners.get(type(owner))
    if rules is not None and rules.on_change is not None:
        rules.on_change(event=event, document=document, previous=previous, actor=actor)
