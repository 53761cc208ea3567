"""Background work of the budget app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from core.locks import run_once


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_export(self, job_id: str) -> bool:
    """Build a queued export of the execution table (safe to run twice: the job is claimed;
    the same task redelivered after its worker died takes its own job over)."""
    from .exports import export_job_run

    return export_job_run(job_id=job_id, runner=self.request.id or "")


@shared_task(ignore_result=True)
def requeue_exports() -> int:
    """Enqueue again the jobs whose first enqueue failed (broker down when they were asked)."""
    from .exports import requeue_stale_jobs

    with run_once("budget.requeue_exports", timeout=55) as mine:
        return requeue_stale_jobs() if mine else 0


@shared_task(ignore_result=True)
def purge_exports() -> int:
    """Remove export files older than a day."""
    from .exports import purge_old_exports

    with run_once("budget.purge_exports", timeout=1800) as mine:
        return purge_old_exports() if mine else 0

