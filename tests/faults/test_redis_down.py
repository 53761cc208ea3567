"""Redis down: the web app (gunicorn, configured as in production: broker and cache on
Redis) keeps serving and approvals still go through; the worker comes back by itself when
Redis does, and work queued before the outage is done after it."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals import demo as approvals_demo
from approvals import services
from approvals.models import Action, Case, Matter
from budget import services as budget_services
from budget.models import ExportJob

from .conftest import Browser, app_env, database_url, start_web, start_worker, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(office):
    approvals_demo.seed()
    spend = Matter.objects.get(code="CW-SQSP")
    year = timezone.localdate().year
    line = budget_services.budget_line_create(
        year=year, unit=office.unit, project="日常运转", functional_code="2010301", functional_name="行政运行",
        economic_code="30201", economic_name="办公费", amount=Decimal("200000.00"))
    cases = []
    for i in range(2):
        case = services.case_create(matter=spend, applicant=office.clerk, title=f"故障测试{i}", amount="1200")
        budget_services.case_budget_set(case=case, line=line)
        services.case_submit(case=case, actor=office.clerk)
        case.refresh_from_db()
        cases.append(case)
    return cases


def _timed(fn):
    t = time.monotonic()
    result = fn()
    return result, time.monotonic() - t


def test_with_redis_down_the_web_serves_and_approvals_go_through(office, scene, own_redis, procs, tmp_path):
    env = app_env(database=database_url(), broker=own_redis.url, media=tmp_path / "media")
    base = start_web(procs, tmp_path, env=env)
    head = Browser(base).sign_in(office.head.username, office.password)
    status, body, _ = head.get("/healthz")
    assert json.loads(body)["broker"] == "ok"

    own_redis.kill()
    # the health check says what is wrong, and the app still answers
    (status, body, _), took = _timed(lambda: head.get("/healthz"))
    assert status == 200 and took < 6, (status, took)
    health = json.loads(body)
    assert health["status"] == "degraded" and health["database"] == "ok" and health["broker"].startswith("error")

    for path in ("/", "/approvals/", f"/approvals/case/{scene[0].pk}/", "/budget/", f"/approvals/case/{scene[0].pk}/pdf/"):
        (status, body, _), took = _timed(lambda: head.get(path))
        assert status == 200 and took < 10, (path, status, took)
    assert scene[0].number in head.get("/approvals/")[1]

    # approving, returning and commenting need no broker
    case = scene[0]
    (status, _b, headers), took = _timed(lambda: head.post(
        f"/approvals/case/{case.pk}/decide/", {"decision": "approve", "comment": "同意。", "step_id": case.current_step_id}))
    assert status == 302 and took < 10, (status, took)
    case.refresh_from_db()
    assert case.current_step.kind == "finance_review"
    other = scene[1]
    status, _b, _h = head.post(f"/approvals/case/{other.pk}/decide/",
                               {"decision": "return", "comment": "请补充。", "step_id": other.current_step_id})
    assert status == 302
    other.refresh_from_db()
    assert other.status == Case.Status.RETURNED
    assert Action.objects.filter(case__in=scene, kind__in=["approve", "return"]).count() == 2

    # a new sign-in works too (sessions and the lock-out records live in the database)
    clerk = Browser(base).sign_in(office.clerk.username, office.password)
    assert clerk.get("/approvals/mine/")[0] == 200


def test_work_queued_before_the_outage_is_done_after_it_and_the_worker_reconnects(office, scene, own_redis, procs, tmp_path):
    env = app_env(database=database_url(), broker=own_redis.url, media=tmp_path / "media")
    base = start_web(procs, tmp_path, env=env)
    finance = Browser(base).sign_in(office.finance_reviewer.username, office.password)
    year = timezone.localdate().year

    # an export is asked for while no worker runs: its message waits in Redis ...
    assert finance.post("/budget/export/", {"year": year})[0] == 302
    queued = ExportJob.objects.get()
    assert own_redis.client().llen("celery") == 1
    # ... Redis crashes and comes back (append-only file, as in docker-compose) ...
    own_redis.kill()
    own_redis.start()
    assert own_redis.client().llen("celery") == 1
    # ... and a worker started now builds it
    worker = start_worker(procs, tmp_path, env=env)
    wait_for(lambda: ExportJob.objects.get(pk=queued.pk).status == ExportJob.Status.DONE, timeout=40,
             what="the export queued before the outage to be built")

    # the running worker loses Redis and reconnects by itself when it returns
    own_redis.kill()
    time.sleep(2)
    own_redis.start()
    assert finance.post("/budget/export/", {"year": year})[0] == 302
    later = ExportJob.objects.exclude(pk=queued.pk).get()
    wait_for(lambda: ExportJob.objects.get(pk=later.pk).status == ExportJob.Status.DONE, timeout=40,
             what="the worker to reconnect and build the next export")
    assert worker.alive()
    status, body, _h = finance.get(f"/budget/exports/{later.pk}/download/")
    assert status == 200


def test_a_request_that_enqueues_work_while_redis_is_down_answers_and_the_work_is_done_later(
        office, scene, own_redis, procs, tmp_path):
    env = app_env(database=database_url(), broker=own_redis.url, media=tmp_path / "media")
    base = start_web(procs, tmp_path, env=env)
    start_worker(procs, tmp_path, env=env)
    finance = Browser(base, timeout=60).sign_in(office.finance_reviewer.username, office.password)

    own_redis.kill()
    (status, _body, _headers), took = _timed(lambda: finance.post("/budget/export/", {"year": timezone.localdate().year}))
    own_redis.start()
    assert (status, took < 10) == (302, True), f"the export request during the outage gave {status} after {took:.1f} s"
    job = ExportJob.objects.get()
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE, timeout=40,
             what="the export asked for during the outage to be built")
