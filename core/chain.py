"""The link registry of the chain view (全链条关联查询): the records of the system and how they
link, contributed by the app that owns each record.

Why here, in ``core``: every business app must be able to register its records and links
(budget, approvals and payments as much as procurement and contracts), so the registry sits in
the lowest layer they all import. It is plain data and functions — no model, no query of its own,
no import of any app. The page that walks it is the ``chain`` app, in the top layer, which no
business app imports (pyproject ``[tool.importlinter]``); the templates of lower apps link to it
by URL name (``{% url 'chain:node' 'contract' contract.pk %}``).

An app registers, in its ``AppConfig.ready()``:

* its **node kinds** — ``register_kind(Kind(...))``: a key (``"budget_line"``, ``"case"``,
  ``"purchase"``, ``"contract"``, ``"supplement"``, ``"acceptance"``, ``"payment"``), a label, the
  position of its stage on the page (``order``), ``fetch(ids)`` (one query for a batch, with
  everything ``describe`` reads), ``describe(obj) -> Node`` (number, title, amount, state label,
  date, URL, detail lines, the records whose files (documents app) are the node's, and the node's
  contributions to the summary row — no query), ``can_view(user, obj)`` (calls the app's own
  permission function) and, so that the page runs a fixed number of queries, ``visible(user,
  objs) -> set of ids``: the same rule for a batch in at most a couple of queries;
* its **links** — ``register_links(kind, up=fn, down=fn)``: for a batch of nodes of ``kind``,
  their neighbours before (``up``) and after (``down``) them, as ``(node id, other kind, other
  id)`` triples, in one query per function (or none when the ids are on the fetched rows). An
  app links its own records and the records of lower apps to its own (procurement registers
  "case → purchase" on the approvals kind ``case``), never the other way round.

The walk (``chain.walk``) follows every link from the start, batched per kind and round, so its
queries depend on the shape of the chain (a bounded number of rounds), not on its size. A kind
marked ``hub`` (a budget line serves many matters) is entered but not walked through: its
``down`` links are followed only when the walk starts at it.

Modules to come register the same way, without the chain app or any lower app changing:
construction (``"project"``, ``"change_order"``: ``register_links("contract", down=...)`` to its
projects, ``up`` from a project to its contract and case), assets (``"asset_card"``: ``down`` from
an acceptance or a contract to the cards it created) and accounting (``"voucher"``: ``down`` from a
payment to its vouchers). A new kind picks an ``order`` between the existing stages (the ``ORDER_*``
constants) and may contribute to the summary through the ``FIG_*`` keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Positions of the stages on the page (预算指标 → 事前申请 → 采购 → 合同 → 基建/验收 → 资产 → 支付 → 账务核算).
ORDER_BUDGET = 10
ORDER_CASE = 20
ORDER_PURCHASE = 30
ORDER_CONTRACT = 40
ORDER_SUPPLEMENT = 45
ORDER_PROJECT = 50
ORDER_ACCEPTANCE = 60
ORDER_ASSET = 70
ORDER_PAYMENT = 80
ORDER_VOUCHER = 90

# Keys of the summary row (a node contributes amounts under them; the page adds them up).
FIG_BUDGET = "budget"  # the budget lines' annual amounts
FIG_AWARDED = "awarded"  # the awards in force
FIG_CONTRACTED = "contracted"  # the contracts in force, supplementary agreements included
FIG_PAID = "paid"  # what the cashier paid


@dataclass(frozen=True)
class Detail:
    """One line under a node: "中标 · 深圳市某公司 ¥76,000.00", optionally a link."""

    label: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Node:
    """What the chain page shows of one record."""

    number: str
    title: str
    url: str
    state: str = ""
    amount: Decimal | None = None
    date: dt.date | None = None
    details: tuple[Detail, ...] = ()
    # model instances whose documents (documents app) are this node's files
    file_owners: tuple[Any, ...] = ()
    # contributions to the summary row: FIG_* key -> amount
    figures: dict[str, Decimal] = field(default_factory=dict)


Edges = Iterable[tuple[int, str, int]]  # (node id, other kind, other id)


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # a (lazy) translated string
    order: int
    fetch: Callable[[list[int]], Iterable[Any]]
    describe: Callable[[Any], Node]
    can_view: Callable[[Any, Any], bool]
    visible: Callable[[Any, list[Any]], set[int]] | None = None
    hub: bool = False

    def visible_ids(self, user, objs: list) -> set[int]:
        if self.visible is not None:
            return set(self.visible(user, objs))
        return {o.pk for o in objs if self.can_view(user, o)}


_KINDS: dict[str, Kind] = {}
_UP: dict[str, list[Callable[[list], Edges]]] = {}
_DOWN: dict[str, list[Callable[[list], Edges]]] = {}


def register_kind(kind: Kind) -> Kind:
    """Plug a node kind in; a key taken by another definition is refused."""
    if not kind.key:
        raise ValueError("a chain node kind needs a key")
    taken = _KINDS.get(kind.key)
    if taken is not None and taken != kind:
        raise ValueError(f"chain node kind {kind.key!r} is already registered by {taken.fetch.__module__}")
    _KINDS[kind.key] = kind
    return kind


def register_links(kind: str, *, up: Callable[[list], Edges] | None = None,
                   down: Callable[[list], Edges] | None = None) -> None:
    """Add the neighbours of a batch of ``kind`` nodes (before them: ``up``, after them: ``down``).
    Registering the same function twice (``ready()`` run again) adds it once."""
    for table, fn in ((_UP, up), (_DOWN, down)):
        if fn is None:
            continue
        fns = table.setdefault(kind, [])
        if not any(f.__module__ == fn.__module__ and f.__qualname__ == fn.__qualname__ for f in fns):
            fns.append(fn)


def kind(key: str) -> Kind:
    """The kind registered under ``key``; KeyError for an unknown one (never skipped silently)."""
    return _KINDS[key]


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.key))


def up_links(key: str) -> list[Callable[[list], Edges]]:
    return list(_UP.get(key, ()))


def down_links(key: str) -> list[Callable[[list], Edges]]:
    return list(_DOWN.get(key, ()))
