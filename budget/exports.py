"""Exports of the execution table: small ones are written straight into the response,
large ones (past ``BUDGET_EXPORT_SYNC_LIMIT`` lines) are built by a Celery task into
MEDIA_ROOT/exports and downloaded by their owner only."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Unit

from . import selectors, xlsx
from .models import ExportJob, FundSource

STALE_AFTER = dt.timedelta(minutes=30)


def sync_limit() -> int:
    return int(getattr(settings, "BUDGET_EXPORT_SYNC_LIMIT", 5000))


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _filters_text(*, unit_id, fund_source) -> str:
    parts = []
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first()
        if unit:
            parts.append(_("Unit: %(unit)s") % {"unit": unit})
    if fund_source:
        parts.append(_("Fund source: %(fund)s") % {"fund": dict(FundSource.choices).get(fund_source, fund_source)})
    return "  ".join(parts)


def file_name(year: int) -> str:
    return _("budget-execution-%(year)s.xlsx") % {"year": year}


def write_export(fileobj, *, user, year: int, unit_id=None, fund_source=None, progress=None) -> int:
    """Write the execution table the person may see, streamed from a server-side cursor."""
    scope = selectors.budget_scope(user)
    qs = selectors.execution_queryset(scope=scope, year=year, unit_id=unit_id, fund_source=fund_source)
    rows = selectors.iter_table_rows(qs.iterator(chunk_size=2000))
    subtitle = xlsx.export_subtitle(
        time_progress=selectors.time_progress(year), filters=_filters_text(unit_id=unit_id, fund_source=fund_source),
        user=user,
    )
    return xlsx.write_execution_xlsx(fileobj, rows, title=xlsx.export_title(year), subtitle=subtitle, progress=progress)


def export_job_create(*, user, year: int, unit_id=None, fund_source=None) -> ExportJob:
    """Queue a background export; the task starts once the job row is committed."""
    selectors.budget_scope(user)  # refuse early if the person sees nothing
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user, params={"year": year, "unit_id": unit_id, "fund_source": fund_source},
            total=selectors.count_lines(user=user, year=year, unit_id=unit_id, fund_source=fund_source),
        )
        transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: ExportJob, *, inline_if_down: bool = True) -> bool:
    """Send the job to the workers. With the broker down, give up within seconds and build
    the file in this process instead, so the person still gets it (the job is claimed, so a
    later run of the same job does nothing). Returns whether a worker got it."""
    from kombu.exceptions import OperationalError

    from .tasks import build_export

    try:
        build_export.apply_async(
            args=[str(job.pk)], retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except (OperationalError, ConnectionError, OSError):
        if inline_if_down:
            export_job_run(job_id=job.pk, runner="inline")
        return False
    return True


def requeue_stale_jobs(*, older_than: dt.timedelta = dt.timedelta(seconds=30)) -> int:
    """Queued jobs nobody has started after ``older_than``: enqueue them again (a double
    enqueue is harmless, the job is claimed once)."""
    cutoff = timezone.now() - older_than
    count = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.QUEUED, created_at__lt=cutoff):
        count += enqueue(job, inline_if_down=False)
    return count


def export_job_run(*, job_id, runner: str = "") -> bool:
    """Build the file of a queued job. Claims the job with a conditional UPDATE, so two
    workers never build it twice. A job left running is taken over by the same task
    redelivered after its worker died (same ``runner``), or by anyone after STALE_AFTER.
    Returns whether this call built it."""
    now = timezone.now()
    takeover = Q(status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    if runner:
        takeover |= Q(status=ExportJob.Status.RUNNING, runner=runner)
    claimed = ExportJob.objects.filter(Q(status=ExportJob.Status.QUEUED) | takeover, pk=job_id).update(
        status=ExportJob.Status.RUNNING, started_at=now, done=0, runner=runner
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    params = job.params
    target = export_dir() / f"{job.pk}.xlsx"
    # one temporary name per job: a run that died leaves its part file, the next run replaces it
    tmp = str(target.with_suffix(".xlsx.part"))

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    try:
        with open(tmp, "wb") as fh:
            lines = write_export(
                fh, user=job.user, year=params["year"], unit_id=params.get("unit_id"),
                fund_source=params.get("fund_source"), progress=progress,
            )
        os.replace(tmp, target)
    except Exception as exc:  # the job records why; the task does not retry a broken export
        Path(tmp).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, done=lines, total=lines, file_name=target.name, finished_at=timezone.now()
    )
    return True


def export_job_path(job: ExportJob) -> Path | None:
    if job.status != ExportJob.Status.DONE or not job.file_name:
        return None
    path = export_dir() / job.file_name
    return path if path.exists() else None


def purge_old_exports(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete export files and jobs older than ``older_than``."""
    cutoff = timezone.now() - older_than
    old = ExportJob.objects.filter(created_at__lt=cutoff)
    count = 0
    for job in old:
        if job.file_name:
            (export_dir() / job.file_name).unlink(missing_ok=True)
        count += 1
    old.delete()
    return count
