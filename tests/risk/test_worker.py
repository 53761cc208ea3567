"""The risk scan on a real Celery worker (``celery -A neiqiao worker``, prefork) through Redis,
against the test database; and the same worker's pool process killed with SIGKILL in the
middle of a rule: the task is redelivered (acks_late + reject_on_worker_lost), the rule being
run when it died has written nothing, the redelivered run completes, and the Run rows tell
the story (the cut-off run marked interrupted with the rules it finished, the next done)."""

from __future__ import annotations

import re
import signal
import uuid
from decimal import Decimal

import psutil
import pytest
from celery import Celery
from django.utils import timezone

from budget import services as budget_services
from risk.models import RiskWarning, Run, WarningAction
from tests.faults.conftest import Proc, app_env, database_url, start_worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def procs():
    started: list[Proc] = []
    yield started
    for p in reversed(started):
        p.stop()


def _worker(procs, tmp_path, redis_url, **extra):
    queue = f"risk-test-{uuid.uuid4().hex}"  # a queue of its own on the shared Redis database
    env = app_env(database=database_url(), broker=redis_url, media=tmp_path / "media", CACHE_URL=redis_url,
                  DJANGO_SETTINGS_MODULE="tests.risk.settings_worker", **extra)
    worker = start_worker(procs, tmp_path, env=env, name=queue[-8:], queue=queue)
    sender = Celery("risk-sender", set_as_current=False)
    sender.conf.update(broker_url=redis_url, task_ignore_result=True, broker_connection_retry_on_startup=False)
    return worker, sender, queue


def _succeeded(worker, task="risk.scan") -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", worker.output()))


@pytest.fixture
def nearly_spent(office):
    line = budget_services.budget_line_create(
        year=timezone.localdate().year, unit=office.unit, project="已用九成", functional_code="2010301",
        functional_name="行政运行", economic_code="30201", economic_name="办公费", amount=Decimal("10000.00"))
    budget_services.budget_execute(line=line, amount=Decimal("9000.00"), source=office.unit, actor=office.accountant)
    return line


def test_the_nightly_scan_runs_on_a_real_worker_through_redis(office, nearly_spent, procs, tmp_path, redis_url):
    worker, sender, queue = _worker(procs, tmp_path, redis_url)
    sender.send_task("risk.scan", kwargs={"kind": "full"}, queue=queue)
    wait_for(lambda: _succeeded(worker) >= 1, timeout=60, what="the scan to finish on the worker")
    run = Run.objects.get()
    assert run.status == Run.Status.DONE and run.kind == Run.Kind.FULL and run.ended_at
    assert run.per_rule["BUD-02"]["opened"] == 1 and "TST-SLOW" in run.per_rule
    assert RiskWarning.objects.get(rule_code="BUD-02").records == [["budget.budgetline", nearly_spent.pk]]


@pytest.mark.faults
def test_a_worker_killed_mid_rule_leaves_nothing_half_written_and_the_redelivered_scan_completes(
        office, nearly_spent, procs, tmp_path, redis_url):
    flag = tmp_path / "slow.flag"
    flag.write_text("sleep once")
    worker, sender, queue = _worker(procs, tmp_path, redis_url, RISK_SLOW_FLAG=flag)
    sender.send_task("risk.scan", kwargs={"kind": "full"}, queue=queue)
    asleep = flag.with_suffix(".asleep")
    wait_for(asleep.exists, timeout=60, what="TST-SLOW to be half-way through its findings")
    # mid-rule: the rules before it are written, TST-SLOW's first finding is not
    first = Run.objects.get()
    assert first.status == Run.Status.RUNNING and "BUD-02" in first.per_rule and "TST-SLOW" not in first.per_rule
    assert RiskWarning.objects.filter(rule_code="BUD-02").count() == 1
    assert not RiskWarning.objects.filter(rule_code="TST-SLOW").exists()

    victim = int(asleep.read_text())
    assert victim in {c.pid for c in psutil.Process(worker.pid).children(recursive=True)}
    psutil.Process(victim).send_signal(signal.SIGKILL)
    wait_for(lambda: "WorkerLostError" in worker.output()
             and len(re.findall(r"Task risk\.scan\[[^\]]+\] received", worker.output())) >= 2,
             timeout=60, what="the killed scan to be redelivered")
    wait_for(lambda: _succeeded(worker) >= 1, timeout=90, what="the redelivered scan to finish")

    first.refresh_from_db()
    second = Run.objects.exclude(pk=first.pk).get()
    assert first.status == Run.Status.FAILED and ("Interrupted" in first.error or "已中断" in first.error) and first.ended_at
    assert "TST-SLOW" not in first.per_rule and first.per_rule["BUD-02"]["opened"] == 1
    assert second.status == Run.Status.DONE and second.ended_at
    assert second.per_rule["TST-SLOW"] == {**second.per_rule["TST-SLOW"], "findings": 3, "opened": 3}
    assert second.per_rule["BUD-02"]["opened"] == 0  # written by the killed run, not again
    slow = RiskWarning.objects.filter(rule_code="TST-SLOW")
    assert slow.count() == 3 and RiskWarning.objects.filter(rule_code="BUD-02").count() == 1
    assert WarningAction.objects.filter(warning__rule_code="TST-SLOW", kind="opened").count() == 3

    # the next nightly run raises nothing new
    sender.send_task("risk.scan", kwargs={"kind": "full"}, queue=queue)
    wait_for(lambda: _succeeded(worker) >= 2, timeout=60, what="the next scan")
    third = Run.objects.order_by("-started_at").first()
    assert third.status == Run.Status.DONE and third.opened == 0 and third.closed == 0
