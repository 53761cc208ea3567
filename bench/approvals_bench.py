"""Approvals benchmark (issue 3): with N cases in the database (default 100,000),

* the inbox of a leader with 50 pending items vs a minimal page that runs one indexed
  query (same middleware, same base template), measured side by side;
* the query count of the inbox with 5 and with 50 pending items (must be equal);
* a case page vs the same minimal page;
* a one-page form printed as PDF in Chinese vs the same page in Latin text.

    .venv/bin/python bench/approvals_bench.py [--cases 100000]

Writes bench/results_approvals.md. Not a test: figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from _setup import configure, side_by_side, write_results

BATCH = 5000


def seed(n_cases: int):
    from django.db import connection
    from django.utils import timezone

    from approvals import demo as approvals_demo
    from approvals.models import Action, Case, Matter, RouteStep, StepAssignee
    from org import demo as org_demo
    from org.models import Unit, User

    org_demo.seed()
    approvals_demo.seed()
    have = Case.objects.count()
    leader = User.objects.get(username="fuzhuren3")
    if have >= n_cases:
        return leader
    matters = list(Matter.objects.filter(spends_money=True))
    units = list(Unit.objects.exclude(code="LDBZ"))
    clerks = {u.pk: list(User.objects.filter(unit=u, roles__contains=["clerk"])) for u in units}
    rnd = random.Random(42)
    now = timezone.now()
    year = now.year
    seq = 100000 + have
    todo = n_cases - have
    print(f"seeding {todo} cases…", flush=True)
    while todo > 0:
        size = min(BATCH, todo)
        cases = []
        for _ in range(size):
            seq += 1
            unit = rnd.choice(units)
            m = rnd.choice(matters)
            cases.append(
                Case(
                    number=f"XQ-{year}-{m.category}-B{seq:07d}", year=year, matter=m, category=m.category, unit=unit,
                    applicant=rnd.choice(clerks[unit.pk]), title=f"基准测试表单{seq}", reason="基准测试",
                    amount=Decimal(rnd.randint(100, 500000)), status=Case.Status.APPROVED, stage=0, round=1,
                    route_version=1, created_at=now - timedelta(days=rnd.randint(0, 300)),
                )
            )
        Case.objects.bulk_create(cases, batch_size=BATCH)
        steps = []
        for c in cases:
            for order in (1, 2, 3):
                steps.append(RouteStep(case=c, stage=0, version=1, order=order, name="步骤", kind="unit_head", status="approved"))
        RouteStep.objects.bulk_create(steps, batch_size=BATCH)
        StepAssignee.objects.bulk_create(
            [StepAssignee(step=s, user=s.case.applicant, round=1, decision="approved") for s in steps], batch_size=BATCH
        )
        Action.objects.bulk_create(
            [Action(case=c, kind="create", actor=c.applicant, snapshot={}, prev_hash="0", hash=f"b{c.number}") for c in cases],
            batch_size=BATCH,
        )
        todo -= size
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return leader


def make_pending(leader, count: int):
    """Exactly ``count`` real cases waiting for the leader, made through the services."""
    from approvals import services
    from approvals.models import Case, Matter
    from approvals.selectors import pending_for
    from org.models import Unit, User

    # 请休假审批 (personnel: unit head → leader in charge → principal), no business section
    matter = Matter.objects.get(code="RS-QJ")
    unit = Unit.objects.filter(leader_in_charge=leader).exclude(code__startswith="SQ").first()
    clerk = User.objects.filter(unit=unit, roles__contains=["clerk"]).first()
    head = unit.heads().first()
    while pending_for(leader).count() < count:
        case = services.case_create(matter=matter, applicant=clerk, title="年休假三天")
        services.case_submit(case=case, actor=clerk)
        services.case_approve(case=case, actor=head)
    extra = pending_for(leader).count() - count
    if extra > 0:
        for c in list(pending_for(leader))[:extra]:
            Case.objects.filter(pk=c.pk).update(status=Case.Status.WITHDRAWN)
    return list(pending_for(leader))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    configure()

    from django.db import connection, reset_queries
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import path
    from django.utils import translation

    from approvals.models import Case
    from approvals.pdf import render_case_pdf

    leader = seed(args.cases)
    total = Case.objects.count()

    # the baseline: same middleware and base template, one indexed query
    def minimal(request):
        case = Case.objects.filter(pk=1).only("id").first()
        return render(request, "core/module_pending.html", {"title": "minimal", "description": str(case and case.pk)})

    import neiqiao.urls as project_urls

    project_urls.urlpatterns.append(path("bench-minimal/", minimal))

    client = Client()
    client.force_login(leader)
    lines = [f"Database: {total:,} cases. Median of {args.repeat} interleaved runs each.", ""]

    def count_queries(url):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return len(ctx.captured_queries)

    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        make_pending(leader, 5)
        q5 = count_queries("/approvals/")
        pending = make_pending(leader, 50)
        q50 = count_queries("/approvals/")
        case_url = f"/approvals/case/{pending[0].pk}/"
        qmin = count_queries("/bench-minimal/")
        qcase = count_queries(case_url)
        times = side_by_side(
            [
                ("minimal page (1 indexed query)", lambda: client.get("/bench-minimal/")),
                ("inbox, 50 pending", lambda: client.get("/approvals/")),
                ("case page", lambda: client.get(case_url)),
            ],
            repeat=args.repeat,
        )
    base = times["minimal page (1 indexed query)"]
    lines += ["| page | median ms | × minimal | queries |", "|---|---:|---:|---:|"]
    lines.append(f"| minimal page (1 indexed query) | {base*1000:.1f} | 1.00 | {qmin} |")
    lines.append(f"| inbox, 50 pending | {times['inbox, 50 pending']*1000:.1f} | {times['inbox, 50 pending']/base:.2f} | {q50} (5 pending: {q5}) |")
    lines.append(f"| case page | {times['case page']*1000:.1f} | {times['case page']/base:.2f} | {qcase} |")

    # PDF: Chinese vs Latin, same template and case
    case = Case.objects.get(pk=pending[0].pk)

    def pdf_zh():
        with translation.override("zh-hans"):
            render_case_pdf(case)

    latin = Case.objects.get(pk=pending[0].pk)
    latin.title, latin.reason = "Office supplies", "Printer paper and toner"
    latin.unit.name = "Party and Government Office"
    latin.applicant.full_name = "Li Wei"

    def pdf_latin():
        with translation.override("en"):
            render_case_pdf(latin)

    pdf_times = side_by_side([("PDF, Latin text", pdf_latin), ("PDF, Chinese text", pdf_zh)], repeat=max(5, args.repeat // 2))
    lat, zh = pdf_times["PDF, Latin text"], pdf_times["PDF, Chinese text"]
    lines += ["", "| PDF of one form | median ms | × Latin |", "|---|---:|---:|"]
    lines.append(f"| Latin text | {lat*1000:.0f} | 1.00 |")
    lines.append(f"| Chinese text (WenQuanYi Micro Hei, Noto CJK fallback) | {zh*1000:.0f} | {zh/lat:.2f} |")
    reset_queries()
    write_results(Path(__file__).with_name("results_approvals.md"), "Approvals (issue 3)", lines)
    return HttpResponse


if __name__ == "__main__":
    main()
