"""A Celery worker's process killed in the middle of a task (SIGKILL of the pool process, as
the kernel's OOM killer or a crash would): the task is redelivered (acks_late +
reject_on_worker_lost) and nothing is booked twice.

* ``approvals.urge_overdue`` — hundreds of overdue steps; killed part-way, every step ends
  up urged exactly once (one trail entry, one notice to each holder);
* ``budget.tasks.build_export`` — a 20,000-line export; killed part-way, the export is
  built (once) and no half-written file is left behind."""

from __future__ import annotations

import re
import signal
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psutil
import pytest
from celery import Celery
from django.db.models import Count
from django.utils import timezone

from approvals import demo as approvals_demo
from approvals.models import Action, Case, Matter, Notification, RouteStep, StepAssignee
from budget.models import BudgetLine, ExportJob

from .conftest import app_env, database_url, start_worker, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

OVERDUE_STEPS = 600
EXPORT_LINES = 20_000


def _sender(broker: str) -> Celery:
    app = Celery("faults-sender", set_as_current=False)
    app.conf.update(broker_url=broker, task_ignore_result=True, broker_connection_retry_on_startup=False)
    return app


def _kill_pool_process(worker) -> int:
    """SIGKILL the prefork child that runs the task (not the worker's main process)."""
    children = psutil.Process(worker.pid).children(recursive=True)
    assert children, "the worker has no pool process"
    victim = children[0].pid
    psutil.Process(victim).send_signal(signal.SIGKILL)
    return victim


def _runs(log: str, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] received", log))


def _seed_overdue(office, n: int) -> list[int]:
    """n cases waiting for the unit head since ten days ago (bulk: no trail yet, as data at rest)."""
    approvals_demo.seed()
    matter = Matter.objects.get(code="RS-QJ")
    now = timezone.now()
    since = now - timedelta(days=10)
    year = timezone.localdate(now).year
    cases = Case.objects.bulk_create([
        Case(number=f"XQ-F-{i:06d}", year=year, matter=matter, category=matter.category, unit=office.unit,
             applicant=office.clerk, title=f"请假{i}", status=Case.Status.IN_PROGRESS, round=1, route_version=1,
             submitted_at=since, current_since=since, created_at=since)
        for i in range(n)
    ])
    steps = RouteStep.objects.bulk_create([
        RouteStep(case=c, stage=0, version=1, order=1, name="部门负责人", kind="unit_head", status=RouteStep.Status.ACTIVE,
                  activated_at=since, time_limit_hours=8)
        for c in cases
    ])
    StepAssignee.objects.bulk_create([StepAssignee(step=s, user=office.head, round=1) for s in steps])
    for c, s in zip(cases, steps):
        c.current_step = s
    Case.objects.bulk_update(cases, ["current_step"])
    return [s.pk for s in steps]


def _urge_killed_midway(office, own_redis, procs, tmp_path):
    """Start an urge run over OVERDUE_STEPS overdue steps, kill its pool process part-way and
    wait for the redelivered run to end. Returns (worker, sender, step ids, counts)."""
    step_ids = _seed_overdue(office, OVERDUE_STEPS)
    env = app_env(database=database_url(), broker=own_redis.url, media=tmp_path / "media")
    worker = start_worker(procs, tmp_path, env=env)
    sender = _sender(own_redis.url)
    sender.send_task("approvals.urge_overdue")
    wait_for(lambda: _urged(step_ids) >= OVERDUE_STEPS // 5, timeout=40, what="the urge run to be under way")
    victim = _kill_pool_process(worker)
    at_kill = _urged(step_ids)
    assert at_kill < OVERDUE_STEPS, "the run finished before it could be interrupted: raise OVERDUE_STEPS"
    # the message comes back (acks_late + reject_on_worker_lost) and runs again
    wait_for(lambda: "WorkerLostError" in worker.output() and _runs(worker.output(), "approvals.urge_overdue") >= 2,
             timeout=30, what=f"the killed task (pool pid {victim}) to be redelivered")
    wait_for(lambda: _succeeded(worker, "approvals.urge_overdue") >= 1, timeout=60, what="the redelivered run to end")
    return worker, sender, step_ids, at_kill, _urged(step_ids)


def _urged(step_ids) -> int:
    return Action.objects.filter(kind=Action.Kind.URGE, step_id__in=step_ids).count()


def _succeeded(worker, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", worker.output()))


def _assert_each_step_urged_once(office, step_ids):
    per_step = Action.objects.filter(kind=Action.Kind.URGE, step_id__in=step_ids).values("step_id").annotate(n=Count("id"))
    assert {r["n"] for r in per_step} <= {1}, "a step was urged twice"
    notices = Notification.objects.filter(user=office.head, text__startswith="催办").values("case_id").annotate(n=Count("id"))
    assert {r["n"] for r in notices} <= {1}, "a holder was told twice about one form"
    assert len(per_step) == len(notices)


def test_urge_overdue_killed_midway_is_redelivered_and_urges_every_step_exactly_once(office, own_redis, procs, tmp_path):
    worker, sender, step_ids, at_kill, after_rerun = _urge_killed_midway(office, own_redis, procs, tmp_path)
    assert after_rerun == OVERDUE_STEPS, f"{at_kill} urged before the kill, {after_rerun} after the redelivered run"
    _assert_each_step_urged_once(office, step_ids)
    # the next scheduled run (beat, every 15 minutes) finds nothing left to urge
    sender.send_task("approvals.urge_overdue")
    wait_for(lambda: _succeeded(worker, "approvals.urge_overdue") >= 2, timeout=60, what="the next scheduled run")
    _assert_each_step_urged_once(office, step_ids)
    assert _urged(step_ids) == OVERDUE_STEPS
    assert RouteStep.objects.filter(pk__in=step_ids, last_urged_at__isnull=True).count() == 0
    from approvals.trail import verify_chain

    checked, broken = verify_chain()
    assert broken is None and checked >= OVERDUE_STEPS
    print(f"urge_overdue: {at_kill} of {OVERDUE_STEPS} urged when the pool process was killed; the redelivered run did the rest")


def _seed_lines(office, n: int):
    year = timezone.localdate().year
    units = [office.unit, office.community, *office.units.values()]
    BudgetLine.objects.bulk_create([
        BudgetLine(year=year, unit=units[i % len(units)], project=f"项目{i // 20:04d}", functional_code="2010301",
                   functional_name="行政运行", economic_code=f"{30201 + i % 20}", economic_name="商品和服务支出",
                   amount=Decimal(10000 + i))
        for i in range(n)
    ], batch_size=5000)
    return year


def test_export_killed_midway_is_built_once_and_leaves_no_half_file(office, own_redis, procs, tmp_path):
    year = _seed_lines(office, EXPORT_LINES)
    media = tmp_path / "media"
    env = app_env(database=database_url(), broker=own_redis.url, media=media)
    worker = start_worker(procs, tmp_path, env=env)
    job = ExportJob.objects.create(user=office.finance_reviewer, params={"year": year, "unit_id": None, "fund_source": None},
                                   total=EXPORT_LINES)
    _sender(own_redis.url).send_task("budget.tasks.build_export", args=[str(job.pk)])

    wait_for(lambda: ExportJob.objects.get(pk=job.pk).done >= 2000, timeout=50, what="the export to be under way")
    _kill_pool_process(worker)
    wait_for(lambda: "WorkerLostError" in worker.output() and _runs(worker.output(), "budget.tasks.build_export") >= 2,
             timeout=30, what="the killed export to be redelivered")

    outcome = wait_for(lambda: _finished(job.pk, worker), timeout=50, what="the redelivered export to finish")
    job.refresh_from_db()
    exports = Path(media) / "exports"
    leftovers = sorted(p.name for p in exports.glob("*.part"))
    assert job.status == ExportJob.Status.DONE, f"after the kill and redelivery the job is {job.status!r} ({outcome})"
    assert (exports / job.file_name).exists() and job.done == EXPORT_LINES
    assert leftovers == [], f"half-written files left behind: {leftovers}"


def _finished(job_id: uuid.UUID, worker) -> str:
    """'done' when the job is built; 'run ended' once the redelivered run has returned."""
    if ExportJob.objects.get(pk=job_id).status == ExportJob.Status.DONE:
        return "done"
    if re.search(r"Task budget\.tasks\.build_export\[[^\]]+\] succeeded", worker.output()):
        return "run ended: " + re.findall(r"Task budget\.tasks\.build_export\[[^\]]+\] succeeded[^\n]*", worker.output())[-1]
    return ""
