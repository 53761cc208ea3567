"""The tamper-evident trail: every entry's HMAC covers the previous entry's (one chain for
the whole table, keyed by TRAIL_KEY from the environment) and the table is append-only in
the database (pgtrigger.Protect refuses UPDATE and DELETE)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
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
        # the form's materials by kind, name and content (a resubmission shows those added)
        "attachments": [
            list(row) for row in case.attachments.order_by("uploaded_at", "id").values_list("kind", "original_name", "sha256")
        ],
    }
    sections = {}
    for section in registry.sections_for(case):
        snap = section.snapshot(case)
        if snap is not None:
            sections[section.key] = snap
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


def append(
    case: Case, kind: str, *, actor=None, on_behalf_of=None, step=None, comment: str = "", note: str | None = None,
) -> Action | None:
    """Record one entry. Inside ``recording()`` it is queued (and None returned); otherwise
    written at once. Must run inside the transaction that made the change it records.

    ``note``: the person's own words when ``comment`` also carries what the system added (a
    resubmission's 修改说明 before the risk warnings); kept in the entry's snapshot."""
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
    if note is not None:
        entry["state"]["note"] = note
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


# --- the checkpoint: anchoring the end of the chain ------------------------------------------
#
# The chain proves that no entry was changed or removed *before* the newest one; deleting the
# newest entries leaves a shorter chain that still verifies. The checkpoint closes that hole:
# a small file (settings.TRAIL_CHECKPOINT, outside the database) holding the count, id and
# hash of the newest entry, signed with the trail's key. A database user can neither edit it
# (it is not in the database) nor forge one (no key), so a chain that ends before the
# checkpoint's entry, or holds fewer entries up to it, is reported as shortened. It is written
# after every intact verify_trail and by the beat task approvals.checkpoint_trail; entries
# newer than the last checkpoint are covered from the next one on.

CHECKPOINT_VERSION = 1


class CheckpointError(Exception):
    """The checkpoint file exists but cannot be trusted (unreadable, altered or signed with
    another key)."""


def _checkpoint_path() -> Path:
    return Path(settings.TRAIL_CHECKPOINT)


def _sign(body: dict) -> str:
    return hmac.new(_key(), b"checkpoint:" + _canonical(body), hashlib.sha256).hexdigest()


def chain_end() -> dict:
    """Count, id and hash of the newest entry, read in one statement (one snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM approvals_action),"
            " a.id, a.hash FROM approvals_action a ORDER BY a.id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return {"count": 0, "last_id": None, "last_hash": GENESIS}
    return {"count": row[0], "last_id": row[1], "last_hash": row[2]}


def read_checkpoint() -> dict | None:
    """The last checkpoint, or None when none was written yet. Raises CheckpointError when
    the file is there but its signature does not hold."""
    path = _checkpoint_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        body, signature = data["body"], data["signature"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {path} is unreadable") from exc
    if not isinstance(signature, str) or not hmac.compare_digest(_sign(body), signature):
        raise CheckpointError(f"checkpoint {path} does not carry a valid signature (altered, or another key)")
    return body


def write_checkpoint() -> dict:
    """Sign the chain's present end and write it atomically (write a temporary file, rename).
    Refuses to move the anchor backwards: a chain shorter than the last checkpoint is a
    finding, not a new baseline."""
    with transaction.atomic():
        end = chain_end()
    previous = read_checkpoint()
    if previous and end["count"] < previous["count"]:
        raise CheckpointError(
            f"the trail holds {end['count']} entries, fewer than the {previous['count']} of the last checkpoint"
        )
    body = {"version": CHECKPOINT_VERSION, **end, "at": timezone.now().astimezone(dt_timezone.utc).isoformat()}
    path = _checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".trail-checkpoint-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps({"body": body, "signature": _sign(body)}, ensure_ascii=False).encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return body


def check_against_checkpoint(checkpoint: dict | None) -> str | None:
    """Compare the chain with the checkpoint; a description of the shortening, or None."""
    if not checkpoint or not checkpoint.get("count"):
        return None
    last_id, count = checkpoint["last_id"], checkpoint["count"]
    row = Action.objects.filter(pk=last_id).values_list("hash", flat=True).first()
    held = Action.objects.filter(pk__lte=last_id).count()
    if row is None:
        newest = Action.objects.order_by("-id").values_list("id", flat=True).first()
        return (
            f"chain shortened: the checkpoint of {checkpoint['at']} ends at entry {last_id} "
            f"({count} entries); that entry is gone and the chain now ends at entry {newest} ({held} entries up to it)"
        )
    if row != checkpoint["last_hash"]:
        return f"entry {last_id}: its hash differs from the one the checkpoint of {checkpoint['at']} recorded"
    if held != count:
        return (
            f"chain shortened: the checkpoint of {checkpoint['at']} counted {count} entries up to entry "
            f"{last_id}; {held} remain"
        )
    return None
