"""Named business events, delivered after the transaction commits.

A business app defines its events once (``define("payment.paid")``) and emits them inside its
service, in the transaction that made the change::

    events.emit("payment.paid", payment_id=payment.pk, case_id=case.pk)

Listeners (accounting, risk, notices) subscribe by name with a key of their own, without the
business app importing them::

    @events.subscribe("payment.paid", key="accounting.voucher")
    def make_voucher(event): ...

Delivery is an outbox: ``emit`` writes one ``core.EventDelivery`` row per listener inside the
business transaction (a rolled-back write leaves no row and emits nothing), and delivers them
on ``transaction.on_commit``. Each delivery runs in a transaction of its own that takes the
row FOR UPDATE (SKIP LOCKED), runs the listener and marks the row done: the listener's writes
and the mark commit together, so an event is handled once per listener even when delivered
twice or by two processes. When the listener raises, its own writes are undone, the failure
is logged on the row and tried again (``RETRIES`` attempts in all), the business write is
never undone; a row left pending (the process died after the commit) is delivered by the beat
task ``core.tasks.deliver_events``. Failed rows stay visible in the admin.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

log = logging.getLogger("neiqiao.events")

RETRIES = 3


@dataclass(frozen=True)
class Event:
    name: str
    id: str
    payload: dict = field(default_factory=dict)


_DEFINED: dict[str, str] = {}
_LISTENERS: dict[str, dict[str, Callable[[Event], None]]] = {}


class UnknownEvent(KeyError):
    pass


def define(name: str, doc: str = "") -> str:
    _DEFINED.setdefault(name, doc)
    _LISTENERS.setdefault(name, {})
    return name


def subscribe(name: str, *, key: str, fn: Callable[[Event], None] | None = None):
    """Register ``fn`` (or decorate it) as listener ``key`` of event ``name``."""
    if name not in _DEFINED:
        raise UnknownEvent(name)

    def add(f):
        _LISTENERS[name][key] = f
        return f

    return add(fn) if fn is not None else add


def unsubscribe(name: str, *, key: str) -> None:
    _LISTENERS.get(name, {}).pop(key, None)


def emit(name: str, **payload) -> Event:
    """Record ``name`` for each of its listeners in the current transaction and deliver it
    once that commits (at once outside a transaction). ``payload`` must be JSON-safe."""
    from .models import EventDelivery

    if name not in _DEFINED:
        raise UnknownEvent(name)
    event = Event(name=name, id=str(uuid.uuid4()), payload=payload)
    listeners = list(_LISTENERS.get(name, {}))
    if listeners:
        EventDelivery.objects.bulk_create(
            [EventDelivery(event_id=event.id, name=name, payload=payload, listener=key) for key in listeners]
        )
        transaction.on_commit(lambda: deliver(event))
    return event


def deliver(event: Event) -> int:
    """Deliver every pending delivery of ``event``; returns how many were delivered now."""
    from .models import EventDelivery

    ids = EventDelivery.objects.filter(event_id=event.id, status=EventDelivery.Status.PENDING).values_list("pk", flat=True)
    return sum(_deliver_row(pk) for pk in list(ids))


def deliver_pending(*, older_than_seconds: int = 30, limit: int = 500) -> int:
    """Deliver rows still pending (a process died between commit and delivery). Beat runs it."""
    from .models import EventDelivery

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = (EventDelivery.objects.filter(status=EventDelivery.Status.PENDING, created_at__lte=cutoff)
           .order_by("created_at").values_list("pk", flat=True)[:limit])
    return sum(_deliver_row(pk) for pk in list(ids))


def _deliver_row(pk: int) -> bool:
    """Run one delivery's listener, retrying up to RETRIES attempts; True when delivered."""
    from .models import EventDelivery

    while True:
        with transaction.atomic():
            row = (EventDelivery.objects.select_for_update(skip_locked=True)
                   .filter(pk=pk, status=EventDelivery.Status.PENDING).first())
            if row is None:  # delivered already, failed for good, or another process holds it
                return False
            fn = _LISTENERS.get(row.name, {}).get(row.listener)
            row.attempts += 1
            if fn is None:
                row.status, row.last_error = EventDelivery.Status.FAILED, "no such listener in this process"
                row.save(update_fields=["status", "attempts", "last_error"])
                log.error("event %s %s: listener %s is not registered", row.name, row.event_id, row.listener)
                return False
            try:
                with transaction.atomic():  # the listener's writes: undone alone when it raises
                    fn(Event(name=row.name, id=str(row.event_id), payload=row.payload))
            except Exception as exc:  # a listener never undoes the business write
                log.exception("event %s %s: listener %s failed (attempt %d)", row.name, row.event_id, row.listener,
                              row.attempts)
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempts >= RETRIES:
                    row.status = EventDelivery.Status.FAILED
                row.save(update_fields=["status", "attempts", "last_error"])
                if row.status == EventDelivery.Status.FAILED:
                    return False
                continue
            row.status, row.delivered_at = EventDelivery.Status.DONE, timezone.now()
            row.save(update_fields=["status", "attempts", "delivered_at"])
            return True


for _name in ("case.approved", "case.returned", "payment.paid", "acceptance.confirmed", "contract.signed"):
    define(_name)
