from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .locks import run_once


@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Periodic no-op that proves beat and worker are alive; records when it last ran."""
    now = timezone.now().isoformat()
    with run_once("core.heartbeat", timeout=240) as mine:
        if mine:
            cache.set("core:heartbeat", now, timeout=None)
    return now


@shared_task(name="core.tasks.deliver_events", ignore_result=True, acks_late=True)
def deliver_events() -> int:
    """Deliver business events whose delivery was interrupted (core.events outbox)."""
    from .events import deliver_pending

    with run_once("core.deliver_events", timeout=55) as mine:
        return deliver_pending() if mine else 0
