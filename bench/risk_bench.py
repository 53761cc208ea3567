"""Risk engine benchmark (issue 12). Not a test: run it by hand after seeding the large office.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/seed_large.py --db neiqiao_bench_large
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/risk_bench.py [--db neiqiao_bench_large]

On the large benchmark office (bench/seed_large.py: 100,000 cases, 20,000 contracts, 40,000
contract payments), topped up once (idempotent, in SQL) with what the seed does not write and
the rules read: a payment-desk record (payments.Payment) for every paid contract payment, and a
purchase with three quotes and its award behind every contract.

Measures, DEBUG off:

1. the nightly scan (``risk.engine.scan``, every registered rule): each rule's time, statements
   and findings — the first run over the data (it opens the warnings) and the next (steady
   state: nothing new, the usual night);
2. a form submission (``approvals.services.case_submit`` of a spending form with its budget
   line) with the rules on and switched off (every rule's setting disabled), interleaved
   (on, off, on, off, …), medians and ratio: the draft checks are what the rules add to the
   request;
3. the event run the worker makes after commit for the same form (``risk.tasks.scan_event``
   for ``case.approved``), on and off, interleaved.

Writes bench/results_risk.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

from _setup import ROOT, configure

REPEAT = 15


def top_up() -> dict:
    """What the rules read and the seed does not write (idempotent)."""
    from django.db import connection

    from procurement import demo as procurement_demo

    procurement_demo.seed_thresholds()
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO payments_payment (case_id, source_key, source_id, payee_kind, payee_name, payee_ref, bank_name,
                   bank_account, amount, invoice_code, invoice_number, note, status, paid_on, paid_by_id, paid_at,
                   bank_reference, voided_reason)
            SELECT p.case_id, 'contract', p.id, 'supplier', s.name, s.id, s.bank_name, s.bank_account, p.amount, '',
                   p.invoice_number, '', 'paid', p.paid_on, p.paid_by_id, p.paid_at, '', ''
              FROM contracts_payment p JOIN procurement_supplier s ON s.id = p.supplier_id
             WHERE p.status = 'paid'
               AND NOT EXISTS (SELECT 1 FROM payments_payment d WHERE d.source_key = 'contract' AND d.source_id = p.id)""")
        disbursements = cur.rowcount
        # a purchase (by internal competitive selection, one of 20 item classes), three quotes and
        # the award behind every contract; the winner is the contract's supplier
        cur.execute("""
            INSERT INTO procurement_purchase (case_id, unit_id, category, item_class, method, proposed_method, rule,
                   deviation_approval, single_source_reason, justification, publicity_place, platform_number, status,
                   method_approved_at, created_at, updated_at)
            SELECT c.case_id, c.unit_id, 'services', '服务品目' || (c.id % 20), 'internal_competitive', '', '', '', '', '',
                   '', '', 'awarded', c.activated_at, c.activated_at, c.activated_at
              FROM contracts_contract c
             WHERE NOT EXISTS (SELECT 1 FROM procurement_purchase p WHERE p.case_id = c.case_id)""")
        purchases = cur.rowcount
        cur.execute("""
            INSERT INTO procurement_quote (purchase_id, supplier_id, amount, quoted_on, note, created_at)
            SELECT p.id, CASE WHEN k = 0 THEN c.supplier_id
                              ELSE (SELECT min(id) FROM procurement_supplier) + (c.supplier_id + k * 7) % 4000 END,
                   c.amount * (1 + k * 0.03), p.created_at::date, '', p.created_at
              FROM procurement_purchase p JOIN contracts_contract c ON c.case_id = p.case_id
             CROSS JOIN generate_series(0, 2) AS k
             WHERE NOT EXISTS (SELECT 1 FROM procurement_quote q WHERE q.purchase_id = p.id)""")
        quotes = cur.rowcount
        cur.execute("""
            INSERT INTO procurement_award (purchase_id, supplier_id, amount, reason, status, awarded_on, created_at)
            SELECT p.id, c.supplier_id, c.amount, '最低价且满足需求', 'awarded', p.created_at::date, p.created_at
              FROM procurement_purchase p JOIN contracts_contract c ON c.case_id = p.case_id
             WHERE NOT EXISTS (SELECT 1 FROM procurement_award a WHERE a.purchase_id = p.id)""")
        awards = cur.rowcount
        cur.execute("UPDATE contracts_contract c SET purchase_id = p.id, award_id = a.id FROM procurement_purchase p "
                    "JOIN procurement_award a ON a.purchase_id = p.id WHERE p.case_id = c.case_id AND c.award_id IS NULL")
        cur.execute("ANALYZE")
    return {"disbursements": disbursements, "purchases": purchases, "quotes": quotes, "awards": awards}


def sizes() -> dict:
    from approvals.models import Case
    from contracts.models import Contract
    from contracts.models import Payment as ContractPayment
    from payments.models import Payment
    from procurement.models import Purchase, Quote

    return {"cases": Case.objects.count(), "contracts": Contract.objects.count(),
            "contract payments": ContractPayment.objects.count(), "desk payments": Payment.objects.count(),
            "purchases": Purchase.objects.count(), "quotes": Quote.objects.count()}


def nightly() -> list:
    from risk import engine
    from risk.models import RiskWarning, WarningAction

    # a clean start: the first run over the data opens every warning
    WarningAction.objects.all().delete()
    RiskWarning.objects.all().delete()
    out = []
    for label in ("first run (opens the warnings)", "next run (nothing new)"):
        t = time.perf_counter()
        run = engine.scan()
        out.append((label, time.perf_counter() - t, run))
    return out


def _switch(on: bool) -> None:
    from approvals import rules
    from risk import engine
    from risk.models import RuleSetting

    for rule in rules.rules().values():
        engine.settings_for(rule)  # makes the row from the defaults
    RuleSetting.objects.update(enabled=on)


def submissions() -> dict:
    """case_submit of fresh spending forms, rules on / off interleaved; then the event run."""
    from decimal import Decimal

    from approvals import services as approvals
    from approvals.models import Matter
    from budget import services as budget_services
    from budget.models import BudgetLine
    from org.models import Role, User
    from risk import tasks

    matter = Matter.objects.get(code="CW-SQSP")
    clerk = User.objects.with_role(Role.CLERK).order_by("id").first()
    year = time.localtime().tm_year
    line = BudgetLine.objects.filter(year=year, unit=clerk.unit, project="风险基准测试").first() or \
        budget_services.budget_line_create(
            year=year, unit=clerk.unit, project="风险基准测试", functional_code="2010301", functional_name="行政运行",
            economic_code="30201", economic_name="办公费", amount=Decimal("100000000.00"))

    def fresh():
        case = approvals.case_create(matter=matter, applicant=clerk, title="基准测试经费申请", amount="1200.00")
        budget_services.case_budget_set(case=case, line=line)
        return case

    submit = {True: [], False: []}
    event = {True: [], False: []}
    for i in range(REPEAT + 2):
        for on in (True, False):
            _switch(on)
            case = fresh()
            t = time.perf_counter()
            approvals.case_submit(case=case, actor=clerk)
            s = time.perf_counter() - t
            t = time.perf_counter()
            tasks.scan_event.run("case.approved", {"case_id": case.pk})  # the worker's part, after commit
            e = time.perf_counter() - t
            if i >= 2:  # two warm-up rounds
                submit[on].append(s)
                event[on].append(e)
    _switch(True)
    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    return {"submit": (med(submit[True]), med(submit[False])), "event": (med(event[True]), med(event[False]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="neiqiao_bench_large")
    args = parser.parse_args()
    configure(args.db)
    from django.conf import settings

    started = time.strftime("%Y-%m-%d %H:%M")
    added = top_up()
    n = sizes()
    assert n["cases"] >= 1000, "seed the large office first (bench/seed_large.py)"
    runs = nightly()
    sub = submissions()
    lines = [
        f"{started} · database `{args.db}` · DEBUG={settings.DEBUG} · {platform.machine()}, "
        f"{__import__('os').cpu_count()} CPUs, Python {platform.python_version()}; PostgreSQL on the same machine, "
        "shared with other work (load average at the start "
        f"{__import__('os').getloadavg()[0]:.1f}).",
        "",
        "Data: " + " · ".join(f"{k} {v:,}" for k, v in n.items())
        + f" (topped up this time: {', '.join(f'{k} {v:,}' for k, v in added.items())}).",
        "",
        "### Nightly scan, every rule",
        "",
    ]
    first, second = runs[0][2], runs[1][2]
    lines += [f"- {label}: **{secs:.1f} s** in all, {run.findings:,} findings, {run.opened:,} opened, "
              f"{run.closed:,} closed, status {run.status}" for label, secs, run in runs]
    lines += ["", "| rule | findings | first run ms | first run statements | next run ms | next run statements |",
              "|---|---:|---:|---:|---:|---:|"]
    for code in sorted(set(first.per_rule) | set(second.per_rule)):
        a, b = first.per_rule.get(code, {}), second.per_rule.get(code, {})
        if "error" in a or "error" in b:
            lines.append(f"| {code} | error: {a.get('error') or b.get('error')} | | | | |")
            continue
        lines.append(f"| {code} | {a.get('findings', 0):,} | {a.get('ms', 0):,.0f} | {a.get('queries', 0)} | "
                     f"{b.get('ms', 0):,.0f} | {b.get('queries', 0)} |")
    (s_on, s_off), (e_on, e_off) = sub["submit"], sub["event"]
    lines += [
        "",
        f"### A form submission, rules on and off ({REPEAT} interleaved pairs, medians)",
        "",
        "| | rules on | rules off | added | ratio |",
        "|---|---:|---:|---:|---:|",
        f"| submission (`case_submit`, draft checks included) | {s_on:.1f} ms | {s_off:.1f} ms | {s_on - s_off:+.1f} ms "
        f"| {s_on / s_off:.2f} |",
        f"| event run on the worker (`scan_event` case.approved) | {e_on:.1f} ms | {e_off:.1f} ms | "
        f"{e_on - e_off:+.1f} ms | {e_on / e_off:.2f} |",
    ]
    path = ROOT / "bench" / "results_risk.md"
    text = "## Risk engine (bench/risk_bench.py)\n\n" + "\n".join(lines) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
