"""The walk of the chain (全链条): from one record, every record linked to it before and after,
through the links the apps registered (``core.chain``), batched per kind and round so that the
page runs a fixed number of queries however many records the chain holds; then who may see
which node (each kind's own permission rule, for the batch), the files of the visible nodes
(documents app, one query per owner model) and the summary row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404

from core import chain as registry
from documents.selectors import documents_by_owners

# A chain is a few stages deep; more rounds than this means a cycle of links the visited set
# did not stop (a bug in a registration), not a longer chain.
MAX_ROUNDS = 12
ZERO = Decimal("0.00")


@dataclass
class ChainNode:
    kind: registry.Kind
    pk: int
    obj: Any
    visible: bool = False
    node: registry.Node | None = None  # None when the person may not see it
    files: list = field(default_factory=list)
    is_start: bool = False

    @property
    def sort_key(self):
        date = self.node.date if self.node is not None else None
        return (date is None, date or "", self.pk)


@dataclass
class Stage:
    kind: registry.Kind
    nodes: list[ChainNode]


@dataclass
class Summary:
    budget: Decimal | None
    awarded: Decimal | None
    contracted: Decimal | None
    paid: Decimal
    to_pay: Decimal | None


@dataclass
class Chain:
    start: ChainNode
    stages: list[Stage]
    summary: Summary
    hidden: int  # nodes the person may not see (left out of the summary)
    rounds: int


def collect(start_key: str, start_pk: int) -> tuple[dict[str, dict[int, Any]], int]:
    """Every record linked to the start: kind key -> {id: fetched object}, and the rounds run.
    Each round fetches the new ids of each kind in one query and asks each link function once
    for the batch. A hub (budget line) is entered but walked down only from the start."""
    found: dict[str, dict[int, Any]] = defaultdict(dict)
    frontier: dict[str, set[int]] = {start_key: {start_pk}}
    seen = {(start_key, start_pk)}
    rounds = 0
    while frontier and rounds < MAX_ROUNDS:
        rounds += 1
        nxt: dict[str, set[int]] = defaultdict(set)
        for key, ids in frontier.items():
            kind = registry.kind(key)
            objs = list(kind.fetch(sorted(ids)))
            if not objs:
                continue
            for obj in objs:
                found[key][obj.pk] = obj
            functions = registry.up_links(key)
            if not kind.hub:
                functions += registry.down_links(key)
            elif key == start_key and start_pk in ids:
                functions += registry.down_links(key)
            for fn in functions:
                for _from, other, other_pk in fn(objs):
                    if other_pk is not None and (other, other_pk) not in seen:
                        seen.add((other, other_pk))
                        nxt[other].add(other_pk)
        frontier = dict(nxt)
    return found, rounds


def chain_for(user, kind_key: str, pk: int) -> Chain:
    """The chain of one record as ``user`` may see it; Http404 for an unknown kind or record
    and for a start the person may not read (as the record's own page)."""
    try:
        registry.kind(kind_key)
    except KeyError:
        raise Http404 from None
    found, rounds = collect(kind_key, pk)
    if pk not in found.get(kind_key, {}):
        raise Http404
    nodes: dict[str, list[ChainNode]] = {}
    for key, objs in found.items():
        kind = registry.kind(key)
        visible = kind.visible_ids(user, list(objs.values()))
        nodes[key] = [ChainNode(kind=kind, pk=o.pk, obj=o, visible=o.pk in visible, is_start=(key == kind_key and o.pk == pk))
                      for o in objs.values()]
    start = next(n for n in nodes[kind_key] if n.is_start)
    if not start.visible:
        raise Http404
    shown = [n for ns in nodes.values() for n in ns if n.visible]
    for n in shown:
        n.node = n.kind.describe(n.obj)
    _attach_files(shown)
    stages = [Stage(kind=k, nodes=sorted(nodes[k.key], key=lambda n: n.sort_key)) for k in registry.kinds() if nodes.get(k.key)]
    hidden = sum(1 for ns in nodes.values() for n in ns if not n.visible)
    return Chain(start=start, stages=stages, summary=_summary(shown), hidden=hidden, rounds=rounds)


def _attach_files(shown: list[ChainNode]) -> None:
    """The documents of every visible node, in one query. Downloading a file still asks its
    owner's rule (documents app)."""
    docs = documents_by_owners(owner for n in shown for owner in n.node.file_owners)
    for n in shown:
        n.files = [d for owner in n.node.file_owners for d in docs.get((type(owner), owner.pk), [])]


def _summary(shown: list[ChainNode]) -> Summary:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    present: set[str] = set()
    for n in shown:
        for key, amount in n.node.figures.items():
            sums[key] += amount
            present.add(key)

    def fig(key):
        return sums[key] if key in present else None

    contracted = fig(registry.FIG_CONTRACTED)
    paid = sums[registry.FIG_PAID]
    return Summary(budget=fig(registry.FIG_BUDGET), awarded=fig(registry.FIG_AWARDED), contracted=contracted, paid=paid,
                   to_pay=contracted - paid if contracted is not None else None)
