"""The tamper-evident trail: every entry's HMAC covers the previous entry's (one chain for
the whole table, keyed by TRAIL_KEY from the environment) and the table is append-only in
the database (pgtrigger.Protect refuses UPDATE and DELETE)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Action, Case

GENESIS = "0" * 64
# Key of the transaction-level advisory lock that serialises appends to the chain.
TRAIL_LOCK_KEY = 0x6E71_7472  # "nqtr"


def case_snapshot(case: Case) -> dict:
    """The case's content at this moment, JSON-safe (money as strings, never floats)."""
    from . import registry

    data = {
        "number": case.number,
        "matter": case.matter.name,
        "unit": case.unit.name,
        "applicant": case.applicant.get_full_name(),
        "title": case.title,
        "reason": case.reason,
        "amount": str(case.amount) if case.amount is not None else None,
        "status": case.status,
        "stage": case.stage,
        "round": case.round,
    }
    sections = {}
    for section in registry.sections_for(case):
        snap = getattr(section, "snapshot", None)
        if snap:
            sections[section.key] = snap(case)
    if sections:
        data["sections"] = sections
    return data


def _canonical(entry: dict) -> bytes:
    def default(o):
        if isinstance(o, Decimal):
            return str(o)
        raise TypeError(type(o))

    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default).encode()


def _key() -> bytes:
    """The chain is an HMAC: without this key (kept in the environment, never in the
    database) nobody who can write to the database can forge a consistent chain."""
    key = getattr(settings, "TRAIL_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(("neiqiao-trail:" + key).encode()).digest()


def entry_hash(*, prev_hash, case_id, kind, actor_id, on_behalf_of_id, step_id, comment, snapshot, created_at) -> str:
    payload = {
        "prev": prev_hash,
        "case": case_id,
        "kind": kind,
        "actor": actor_id,
        "for": on_behalf_of_id,
        "step": step_id,
        "comment": comment,
        "snapshot": snapshot,
        "at": created_at.astimezone(dt_timezone.utc).isoformat(),
    }
    return hmac.new(_key(), _canonical(payload), hashlib.sha256).hexdigest()


_state = threading.local()


@contextmanager
def recording():
    """Queue the entries of one transition and write them when it ends, still inside its
    transaction. The chain's lock is then always the last lock a transition takes (after
    the case row and any business rows its hooks lock), so two transitions can never wait
    on each other in opposite orders, and the lock is held only for the inserts."""
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        _state.queue = []
    mark = len(_state.queue)
    _state.depth = depth + 1
    try:
        yield
        if depth == 0 and _state.queue:
            _flush(_state.queue)
    except BaseException:
        # a nested transition that fails is rolled back (its savepoint): so are its entries
        del _state.queue[mark:]
        raise
    finally:
        _state.depth = depth
        if depth == 0:
            _state.queue = []


def append(case: Case, kind: str, *, actor=None, on_behalf_of=None, step=None, comment: str = "") -> Action | None:
    """Record one entry. Inside ``recording()`` it is queued (and None returned); otherwise
    written at once. Must run inside the transaction that made the change it records."""
    entry = {
        "case": case,
        "kind": kind,
        "actor_id": actor.pk if actor else None,
        "on_behalf_of_id": on_behalf_of.pk if on_behalf_of else None,
        "step_id": step.pk if step else None,
        "comment": comment,
        "created_at": timezone.now(),
        # the state at this moment; the content is taken when the transition ends
        "state": {"status": case.status, "stage": case.stage, "round": case.round},
    }
    if getattr(_state, "depth", 0):
        _state.queue.append(entry)
        return None
    return _flush([entry])[0]


def _flush(entries: list[dict]) -> list[Action]:
    # content first (queries on business tables), outside the chain's lock
    snapshots: dict[int, dict] = {}
    for e in entries:
        case = e["case"]
        if case.pk not in snapshots:
            snapshots[case.pk] = json.loads(_canonical(case_snapshot(case)))
    with connection.cursor() as cursor:
        # Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): that
        # check locks the referenced rows FOR KEY SHARE — a budget line another submission
        # holds FOR UPDATE while it waits for this lock. Run the pending checks now, before
        # the chain's lock, so it stays the last lock of the transaction (lock order:
        # approvals.services).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TRAIL_LOCK_KEY])
    prev = Action.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    rows = []
    for e in entries:
        snapshot = {**snapshots[e["case"].pk], **e["state"]}
        fields = {
            "case_id": e["case"].pk,
            "kind": e["kind"],
            "actor_id": e["actor_id"],
            "on_behalf_of_id": e["on_behalf_of_id"],
            "step_id": e["step_id"],
            "comment": e["comment"],
            "snapshot": snapshot,
            "created_at": e["created_at"],
        }
        digest = entry_hash(prev_hash=prev, **fields)
        rows.append(Action(prev_hash=prev, hash=digest, **fields))
        prev = digest
    created = Action.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the rest
    return created


def verify_chain(*, chunk_size: int = 2000) -> tuple[int, str | None]:
    """Recompute the chain. Returns (entries checked, description of the first broken link)."""
    prev = GENESIS
    checked = 0
    for a in Action.objects.order_by("id").iterator(chunk_size=chunk_size):
        if a.prev_hash != prev:
            return checked, f"entry {a.pk}: previous-hash link broken (an entry before it was removed or altered)"
        expected = entry_hash(
            prev_hash=a.prev_hash,
            case_id=a.case_id,
            kind=a.kind,
            actor_id=a.actor_id,
            on_behalf_of_id=a.on_behalf_of_id,
            step_id=a.step_id,
            comment=a.comment,
            snapshot=a.snapshot,
            created_at=a.created_at,
        )
        if not hmac.compare_digest(expected, a.hash):
            return checked, f"entry {a.pk}: content does not match its hash (altered)"
        prev = a.hash
        checked += 1
    return checked, None
