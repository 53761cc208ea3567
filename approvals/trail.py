"""The tamper-evident trail: every entry hashes the previous entry (one chain for the
whole table) and the table is append-only in the database (pgtrigger.Protect)."""

from __future__ import annotations

import hashlib
import json
from datetime import timezone as dt_timezone
from decimal import Decimal

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
    return hashlib.sha256(_canonical(payload)).hexdigest()


def append(case: Case, kind: str, *, actor=None, on_behalf_of=None, step=None, comment: str = "") -> Action:
    """Append one entry. Must run inside the transaction that made the change it records."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TRAIL_LOCK_KEY])
    prev = Action.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    snapshot = json.loads(_canonical(case_snapshot(case)))
    created_at = timezone.now()
    fields = {
        "case_id": case.pk,
        "kind": kind,
        "actor_id": actor.pk if actor else None,
        "on_behalf_of_id": on_behalf_of.pk if on_behalf_of else None,
        "step_id": step.pk if step else None,
        "comment": comment,
        "snapshot": snapshot,
        "created_at": created_at,
    }
    digest = entry_hash(prev_hash=prev, **fields)
    return Action.objects.create(prev_hash=prev, hash=digest, **fields)


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
        if expected != a.hash:
            return checked, f"entry {a.pk}: content does not match its hash (altered)"
        prev = a.hash
        checked += 1
    return checked, None
