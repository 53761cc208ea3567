from celery import shared_task
from django.core.cache import cache


@shared_task(name="approvals.urge_overdue", acks_late=True, ignore_result=True)
def urge_overdue() -> int:
    """Urge steps waiting longer than their limit. Idempotent: each urge claims the step with a
    conditional UPDATE of last_urged_at, and a cache lock keeps two beats from overlapping."""
    from .services import urge_overdue_steps

    if not cache.add("approvals:urge_overdue:lock", 1, timeout=600):
        return 0
    try:
        return urge_overdue_steps()
    finally:
        cache.delete("approvals:urge_overdue:lock")

