"""PostgreSQL crashes under load and comes back: a throwaway cluster of our own (a copy of
the test database) serves a gunicorn web server while approvers decide forms from their
inboxes and others read pages; the cluster is stopped with ``-m immediate`` (a crash: no
checkpoint, connections cut mid-transaction) and started again.

* during the outage the app answers with errors (no hang), the health check says 503;
* after it, everything works again without restarting the app;
* every approval the app acknowledged before the crash is still there, and no approval is
  half-recorded: the trail's hash chain verifies, every decision has its trail entry and
  the other way round, every case's steps and budget reservation agree with its state."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals import demo as approvals_demo
from approvals import services
from approvals.models import Matter
from budget import services as budget_services

from .conftest import ROOT, Browser, app_env, run_script, start_web

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

CASES_PER_UNIT = 20
WARMUP, OUTAGE, RECOVERY = 3.0, 4.0, 6.0


@pytest.fixture
def busy_office(office):
    """Forms of four units waiting for their heads; the route goes on to finance and the
    leader in charge, so approvals keep flowing through several people."""
    approvals_demo.seed()
    spend = Matter.objects.get(code="CW-SQSP")
    year = timezone.localdate().year
    from tests.factories import UserFactory

    units = ["gfb", "sq01", "dzb", "jsb"]
    for key in units:
        unit = office.units[key]
        clerk = UserFactory(username=f"{key}_clerk9", unit=unit, clerk=True)
        line = budget_services.budget_line_create(
            year=year, unit=unit, project="日常运转", functional_code="2010301", functional_name="行政运行",
            economic_code="30201", economic_name="办公费", amount=Decimal("500000.00"))
        for i in range(CASES_PER_UNIT):
            case = services.case_create(matter=spend, applicant=clerk, title=f"{key}故障演练{i}", amount=f"{100 + i}.00")
            budget_services.case_budget_set(case=case, line=line)
            services.case_submit(case=case, actor=clerk)
    approvers = [office.heads[k] for k in units] + [office.finance_reviewer, office.leader]
    return approvers


class Load:
    """Approvers working through their inboxes and a reader paging around, with every
    response recorded by phase."""

    def __init__(self, base, people, password):
        self.base, self.people, self.password = base, people, password
        self.phase = "before"
        self.stop = threading.Event()
        self.results: dict[str, Counter] = defaultdict(Counter)
        self.slowest: dict[str, float] = defaultdict(float)
        self.acknowledged: set[int] = set()  # cases whose approval POST got its redirect before the crash
        self.lock = threading.Lock()
        self.threads = []

    def record(self, status, took):
        with self.lock:
            self.results[self.phase][status] += 1
            self.slowest[self.phase] = max(self.slowest[self.phase], took)

    def call(self, browser, fn, *args):
        t = time.monotonic()
        try:
            status, body, _h = fn(*args)
        except Exception as exc:  # connection refused/reset while gunicorn's workers recover
            status, body = type(exc).__name__, ""
        self.record(status, time.monotonic() - t)
        return status, body

    def approver(self, person):
        b = Browser(self.base, timeout=15)
        signed_in = False
        while not self.stop.is_set():
            if not signed_in:
                try:
                    b.sign_in(person.username, self.password)
                    signed_in = True
                except Exception:
                    time.sleep(0.3)
                    continue
            status, body = self.call(b, b.get, "/approvals/")
            ids = [int(i) for i in re.findall(r'href="/approvals/case/(\d+)/"', body)] if status == 200 else []
            if not ids:
                time.sleep(0.2)
                continue
            for pk in ids[:3]:
                status, body = self.call(b, b.get, f"/approvals/case/{pk}/")
                m = re.search(r'name="step_id" value="(\d+)"', body) if status == 200 else None
                if not m:
                    continue
                phase = self.phase
                status, _ = self.call(b, b.post, f"/approvals/case/{pk}/decide/",
                                      {"decision": "approve", "comment": "同意。", "step_id": m.group(1)})
                if status == 302 and phase == "before":
                    with self.lock:
                        self.acknowledged.add(pk)
                if self.stop.is_set():
                    return

    def reader(self, person):
        b = Browser(self.base, timeout=15)
        while not self.stop.is_set():
            try:
                b.sign_in(person.username, self.password)
                break
            except Exception:
                time.sleep(0.3)
        while not self.stop.is_set():
            for path in ("/", "/approvals/mine/", "/budget/", "/healthz"):
                self.call(b, b.get, path)

    def start(self, readers):
        for p in self.people:
            self.threads.append(threading.Thread(target=self.approver, args=(p,), daemon=True))
        for p in readers:
            self.threads.append(threading.Thread(target=self.reader, args=(p,), daemon=True))
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


def test_postgres_crash_under_load(office, busy_office, throwaway_pg, procs, tmp_path):
    url = throwaway_pg.clone("nq_outage")
    env = app_env(database=url, media=tmp_path / "media", CONN_MAX_AGE=60)
    base = start_web(procs, tmp_path, env=env, workers=2, threads=4)
    load = Load(base, busy_office, office.password)
    load.start(readers=[office.supervisor, office.principal])

    time.sleep(WARMUP)
    load.phase = "outage"
    throwaway_pg.stop("immediate")
    time.sleep(1.0)
    status, body, _h = Browser(base, timeout=15).get("/healthz")
    assert status == 503 and json.loads(body)["database"].startswith("error"), (status, body)
    time.sleep(OUTAGE - 1.0)

    throwaway_pg.start()
    load.phase = "reconnecting"
    time.sleep(1.5)  # gunicorn's threads drop their dead connections on their next request
    load.phase = "after"
    time.sleep(RECOVERY)
    load.finish()

    report = {phase: dict(counts) for phase, counts in load.results.items()}
    before, outage, after = load.results["before"], load.results["outage"], load.results["after"]
    ok = lambda counts: sum(n for s, n in counts.items() if s in (200, 302))  # noqa: E731
    assert sum(before.values()) > 20 and ok(before) == sum(before.values()), report
    assert sum(outage.values()) > 0 and ok(outage) < sum(outage.values()), f"no errors during the outage: {report}"
    assert load.slowest["outage"] < 15, f"a request hung during the outage: {load.slowest['outage']:.1f} s"
    assert sum(after.values()) > 20 and ok(after) == sum(after.values()), f"errors after recovery: {report}"

    result = run_script(ROOT / "tests/faults/consistency.py", env=env)
    assert result["trail"]["broken"] is None, result["trail"]
    assert result["problems"] == [], result["problems"][:20]
    # every approval acknowledged before the crash survived it
    acknowledged = run_script(ROOT / "tests/faults/approved_steps.py", *map(str, sorted(load.acknowledged)), env=env)
    assert acknowledged["missing"] == [], acknowledged
    assert result["approvals"] > 0
    print(f"postgres outage: responses {report}; slowest during outage {load.slowest['outage']:.1f} s; "
          f"approvals {result['approvals']}, cases {result['cases']}")
