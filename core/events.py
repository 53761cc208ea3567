"""Named business events, delivered after the transaction commits.

A business app defines its events once (``define("payment.paid")``) and emits them inside its
service, in the transaction that made the change::

    events.emit("payment.paid", payment_id=payment.pk, case_id=case.pk)

Listeners (accounting, risk, notices) subscribe by name with a key of their own, without the
business app importing them::

    @events.subscribe("payment.paid", key="accounting.voucher")
    def make_voucher(event): ...

Delivery happens on ``transaction.on_commit``: a rolled-back write emits nothing. A listener
runs in a transaction of its own; when it raises, its own writes are undone, the failure is
logged and the delivery is tried again (up to ``RETRIES`` times); the business write is never
undone. Each (event id, listener key) is delivered once: a second delivery is a no-op.

Not done yet: the delivered-set lives in the process (``_delivered``); the issue asks for a
delivery table with a unique (event, listener) constraint and a beat task retrying undelivered
rows, so that a crash between commit and delivery is retried too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

log = logging.getLogger("neiqiao.events")

RETRIES = 3


@dataclass(frozen=True)
class Event:
    name: str
    id: str
    payload: dict = field(default_factory=dict)


_DEFINED: dict[str, str] = {}
_LISTENERS: dict[str, dict[str, Callable[[Event], None]]] = {}
_delivered: set[tuple[str, str]] = set()


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
    """Queue ``name`` for delivery once the current transaction commits (at once outside one)."""
    if name not in _DEFINED:
        raise UnknownEvent(name)
    event = Event(name=name, id=str(uuid.uuid4()), payload=payload)
    transaction.on_commit(lambda: deliver(event))
    return event


def deliver(event: Event) -> None:
    """Run every listener of ``event`` not yet delivered; failures are logged and retried."""
    for key, fn in list(_LISTENERS.get(event.name, {}).items()):
        if (event.id, key) in _delivered:
            continue
        for attempt in range(1, RETRIES + 1):
            try:
                with transaction.atomic():
                    fn(event)
            except Exception:  # a listener never undoes the business write
                log.exception("event %s %s: listener %s failed (attempt %d)", event.name, event.id, key, attempt)
                continue
            _delivered.add((event.id, key))
            break


for _name in ("case.approved", "case.returned", "payment.paid", "acceptance.confirmed", "contract.signed"):
    define(_name)
