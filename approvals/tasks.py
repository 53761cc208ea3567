from celery import shared_task

from core.locks import run_once


@shared_task(bind=True, name="approvals.urge_overdue", acks_late=True, ignore_result=True)
def urge_overdue(self) -> int:
    """Urge steps waiting longer than their limit. Idempotent: each urge claims its step with
    a conditional UPDATE of last_urged_at. ``run_once`` keeps two beats from overlapping; it
    holds the task id, so the same task redelivered after its worker died goes on at once
    instead of waiting for the lock of its own dead run to expire."""
    from .services import urge_overdue_steps

    with run_once("approvals.urge_overdue", timeout=600, owner=self.request.id) as mine:
        return urge_overdue_steps() if mine else 0


@shared_task(name="approvals.checkpoint_trail", ignore_result=True)
def checkpoint_trail() -> int:
    """Anchor the trail's end (see approvals.trail): sign and write its newest entry to the
    checkpoint file. Returns the entries counted."""
    from .trail import write_checkpoint

    with run_once("approvals.checkpoint_trail", timeout=300) as mine:
        return write_checkpoint()["count"] if mine else 0
