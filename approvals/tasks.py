from celery import shared_task
from django.core.cache import cache


@shared_task(bind=True, name="approvals.urge_overdue", acks_late=True, ignore_result=True)
def urge_overdue(self) -> int:
    """Urge steps waiting longer than their limit. Idempotent: each urge claims its step with
    a conditional UPDATE of last_urged_at. A cache lock keeps two beats from overlapping; it
    holds the task id, so the same task redelivered after its worker died goes on at once
    instead of waiting for the lock of its own dead run to expire."""
    from .services import urge_overdue_steps

    key = "approvals:urge_overdue:lock"
    me = self.request.id or "inline"
    if not cache.add(key, me, timeout=600) and cache.get(key) != me:
        return 0
    try:
        return urge_overdue_steps()
    finally:
        cache.delete(key)


@shared_task(name="approvals.checkpoint_trail", ignore_result=True)
def checkpoint_trail() -> int:
    """Anchor the trail's end (see approvals.trail): sign and write its newest entry to the
    checkpoint file. Returns the entries counted."""
    from .trail import write_checkpoint

    return write_checkpoint()["count"]
