from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .models import Document


def documents_of(owner, kind: str | None = None) -> QuerySet[Document]:
    ct = ContentType.objects.get_for_model(owner, for_concrete_model=False)
    qs = Document.objects.filter(owner_type=ct, owner_id=owner.pk).select_related("uploaded_by")
    return qs.filter(kind=kind) if kind else qs


def documents_by_owner(model, owner_ids) -> dict[int, list[Document]]:
    """Files of many records of one model, in one query: owner id → list."""
    ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
    docs: dict[int, list[Document]] = {}
    for d in Document.objects.filter(owner_type=ct, owner_id__in=list(owner_ids)).order_by("id"):
        docs.setdefault(d.owner_id, []).append(d)
    return docs


def documents_by_owners(owners) -> dict[tuple[type, int], list[Document]]:
    """Files of records of several models, in one query: (model, owner id) → list."""
    by_model: dict[type, set[int]] = {}
    for owner in owners:
        by_model.setdefault(type(owner), set()).add(owner.pk)
    if not by_model:
        return {}
    cts = {model: ContentType.objects.get_for_model(model, for_concrete_model=False) for model in by_model}
    model_of = {ct.pk: model for model, ct in cts.items()}
    q = Q()
    for model, ids in by_model.items():
        q |= Q(owner_type=cts[model], owner_id__in=sorted(ids))
    docs: dict[tuple[type, int], list[Document]] = {}
    for d in Document.objects.filter(q).order_by("id"):
        docs.setdefault((model_of[d.owner_type_id], d.owner_id), []).append(d)
    return docs


def with_history(documents) -> list[Document]:
    """Set ``history`` on each current document: its earlier versions, newest first, each with
    ``replaced_by`` (the version that replaced it: who and when). One query for them all."""
    documents = list(documents)
    if not documents:
        return documents
    q = Q()
    for owner_type_id, owner_ids in _owners_of(documents).items():
        q |= Q(owner_type_id=owner_type_id, owner_id__in=sorted(owner_ids))
    earlier = {
        d.superseded_by_id: d
        for d in Document.all_versions.filter(q, superseded_by__isnull=False).select_related("uploaded_by").order_by("id")
    }
    for d in documents:
        chain, newer = [], d
        while newer.pk in earlier and len(chain) < 100:
            older = earlier[newer.pk]
            older.replaced_by = newer
            chain.append(older)
            newer = older
        d.history = chain
    return documents


def _owners_of(documents) -> dict[int, set[int]]:
    owners: dict[int, set[int]] = {}
    for d in documents:
        owners.setdefault(d.owner_type_id, set()).add(d.owner_id)
    return owners
