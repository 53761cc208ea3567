"""Single-run lock for periodic Celery tasks.

Beat may fire a scan while the previous run is still going, or two beats may run by mistake;
each periodic task wraps its work in ``run_once`` so that only one run works at a time::

    @shared_task(name="approvals.urge_overdue", acks_late=True)
    def urge_overdue() -> int:
        with run_once("approvals.urge_overdue", timeout=600) as mine:
            if not mine:
                return 0
            return urge_overdue_steps()

The lock is a key in the default cache (``cache.add``: atomic in Redis; ``CACHE_URL`` must name
a shared cache when several worker processes run, as docker-compose.yml does) holding the
owner, by default the running task's id: the same task redelivered after its worker died
(``acks_late``) re-enters at once instead of waiting for the lock of its own dead run to
expire. ``timeout`` bounds how long a crashed run keeps others out; pick it above the longest
run and about the task's period. The lock is released at the end, only by its owner.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from celery import current_task
from django.core.cache import cache

log = logging.getLogger("neiqiao.locks")

PREFIX = "lock:"


def _current_owner() -> str:
    request = getattr(current_task, "request", None) if current_task else None
    task_id = getattr(request, "id", None)
    return task_id or f"local:{uuid.uuid4()}"


@contextmanager
def run_once(key: str, timeout: int, *, owner: str | None = None) -> Iterator[bool]:
    """Yield True when this run holds the lock ``key`` (or already held it under the same
    owner), False when another run holds it: skip the work then."""
    owner = owner or _current_owner()
    name = PREFIX + key
    mine = cache.add(name, owner, timeout=timeout) or cache.get(name) == owner
    if not mine:
        log.info("%s is already running (%s); this run is skipped.", key, cache.get(name))
    try:
        yield mine
    finally:
        if mine and cache.get(name) == owner:
            cache.delete(name)
