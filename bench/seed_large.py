"""Seed a large street office for the load test and the benchmarks (issue 6). Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/seed_large.py [--scale 1] [--fresh]

Into its own database (``neiqiao_bench_large`` on the server of DATABASE_URL, or of the
embedded server; never the demo data), at ``--scale 1``:

* the demo organisation (30 units, ~110 people) and the matter catalogue with its policies;
* 3,000 budget lines of this year;
* 100,000 cases: 40,000 spending forms (70 % approved, 15 % waiting at a unit head, finance
  or a leader in charge — so every approver has a full inbox — 5 % returned, 5 % rejected,
  5 % drafts), 20,000 contract forms and 40,000 payment forms; each with its route steps,
  the approvers' decisions and a trail whose hash chain verifies (``manage.py verify_trail``);
* 300,000 budget-ledger rows (reservations, arrangements, commitments, payments and
  treasury payments), every hard line staying within its budget;
* 5,000 suppliers with valid credit codes, 20,000 contracts with three payment terms each,
  40,000 contract payments (paid or approved).

Everything is written with ``bulk_create`` in batches (the services would take hours); the
counts are multiplied by ``--scale``. Idempotent: a database that already holds the cases
of this scale is left as it is (``--fresh`` drops and rebuilds it). Appends the time taken
to bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DB_NAME = "neiqiao_bench_large"
BATCH = 5000
BASE = {"lines": 3_000, "cases": 100_000, "ledger": 300_000, "contracts": 20_000, "suppliers": 5_000}
ECONOMIC = [("30201", "办公费"), ("30205", "水费"), ("30206", "电费"), ("30207", "邮电费"), ("30211", "差旅费"),
            ("30213", "维修（护）费"), ("30215", "会议费"), ("30216", "培训费"), ("30217", "公务接待费"),
            ("30226", "劳务费"), ("30227", "委托业务费"), ("30228", "工会经费"), ("30229", "福利费"),
            ("30231", "公务用车运行维护费"), ("30239", "其他交通费用"), ("30299", "其他商品和服务支出"),
            ("31002", "办公设备购置"), ("31003", "专用设备购置"), ("31005", "基础设施建设"), ("31007", "信息网络及软件购置更新")]


def _drop_database(name: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2

    url = os.environ.get("DATABASE_URL")
    if not url:
        from neiqiao.embedded_db import embedded_database_url

        url = embedded_database_url(ROOT)
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres")).replace("postgres://", "postgresql://")
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def counts(scale: float) -> dict[str, int]:
    n = {k: max(1, int(v * scale)) for k, v in BASE.items()}
    n["lines"] = max(n["lines"], 60)
    n["suppliers"] = max(n["suppliers"], 10)
    n["payments"] = 2 * n["contracts"]
    n["spending"] = max(10, n["cases"] - n["contracts"] - n["payments"])
    return n


class Trail:
    """Appends trail entries in id order with a real hash chain (as ``approvals.trail``)."""

    def __init__(self):
        from approvals.models import Action
        from approvals.trail import GENESIS

        last = Action.objects.order_by("-id").values_list("hash", flat=True).first()
        self.prev = last or GENESIS
        self.rows = []

    def add(self, case, kind, *, actor_id=None, step_id=None, comment="", at):
        from approvals.models import Action
        from approvals.trail import entry_hash

        snapshot = {"number": case.number, "title": case.title, "amount": str(case.amount), "status": case.status,
                    "stage": case.stage, "round": case.round}
        fields = {"case_id": case.pk, "kind": kind, "actor_id": actor_id, "on_behalf_of_id": None, "step_id": step_id,
                  "comment": comment, "snapshot": snapshot, "created_at": at}
        digest = entry_hash(prev_hash=self.prev, **fields)
        self.rows.append(Action(prev_hash=self.prev, hash=digest, **fields))
        self.prev = digest

    def flush(self):
        from approvals.models import Action

        Action.objects.bulk_create(self.rows, batch_size=BATCH)
        self.rows = []


def seed(scale: float) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from approvals import demo as approvals_demo
    from approvals.models import Case, Matter, RouteStep, StepAssignee
    from budget.models import BudgetLine, BudgetMovement, CaseBudget, ControlMode
    from core.models import Sequence
    from org import demo as org_demo
    from org.models import Role, Unit, User

    n = counts(scale)
    org_demo.seed()
    approvals_demo.seed()
    from procurement import demo as procurement_demo

    procurement_demo.configure_matters()
    procurement_demo.seed_thresholds()
    if Case.objects.count() >= n["cases"]:
        print(f"{DB_NAME} already holds {Case.objects.count()} cases: nothing to do (--fresh rebuilds it)")
        return {"skipped": True, **n}

    rnd = random.Random(20260101)
    now = timezone.now()
    year = timezone.localdate().year
    units = list(Unit.objects.exclude(kind=Unit.Kind.LEADERSHIP).order_by("sort_order", "code"))
    clerks = {u.pk: list(User.objects.filter(unit=u, roles__contains=[Role.CLERK]).order_by("username")) for u in units}
    heads = {u.pk: User.objects.filter(unit=u, roles__contains=[Role.UNIT_HEAD]).order_by("username").first() for u in units}
    finance = list(User.objects.with_role(Role.FINANCE_REVIEWER).order_by("username"))
    cashier = User.objects.with_role(Role.CASHIER).first()
    m_spend, m_contract, m_pay = (Matter.objects.get(code=c) for c in ("CW-SQSP", "HT-SP", "HT-FK"))
    started = time.perf_counter()

    # --- budget lines: every unit gets its share, hard control, room for what is booked below
    lines = []
    per_unit = -(-n["lines"] // len(units))
    for u in units:
        for k in range(per_unit):
            if len(lines) >= n["lines"]:
                break
            code, name = ECONOMIC[k % len(ECONOMIC)]
            lines.append(BudgetLine(year=year, unit=u, project=f"基准项目{k // len(ECONOMIC):03d}", functional_code="2010301",
                                    functional_name="行政运行", economic_code=code, economic_name=name,
                                    amount=Decimal(rnd.randint(20, 80) * 1_000_000), control_mode=ControlMode.HARD))
    lines = BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
    unit_lines: dict[int, list] = {}
    for line in lines:
        unit_lines.setdefault(line.unit_id, []).append(line)
    print(f"  {len(lines)} budget lines", flush=True)

    # --- suppliers
    from procurement.models import Supplier
    from procurement.validators import make_credit_code

    suppliers = Supplier.objects.bulk_create(
        [Supplier(name=f"深圳市基准供应商{i:05d}有限公司", credit_code=make_credit_code(area="440306", org8=f"{i:08d}"),
                  bank_account=f"4000{i:012d}") for i in range(n["suppliers"])], batch_size=BATCH)
    print(f"  {len(suppliers)} suppliers", flush=True)

    sequences = {}

    def number(category):
        sequences[category] = sequences.get(category, 0) + 1
        return f"XQ-{year}-{category}-{sequences[category]:06d}"

    trail = Trail()
    ledger: list = []
    movements = 0

    def book():
        nonlocal ledger, movements
        BudgetMovement.objects.bulk_create(ledger, batch_size=BATCH)
        movements += len(ledger)
        ledger = []

    # --- cases in batches: build cases, then their steps, decisions, trail and ledger rows
    plan = ([("spend", i) for i in range(n["spending"])] + [("contract", i) for i in range(n["contracts"])])
    statuses = ["approved"] * 70 + ["unit_head"] * 5 + ["finance_review"] * 5 + ["leader"] * 5 + ["returned"] * 5 + \
        ["rejected"] * 5 + ["draft"] * 5
    contract_cases = []
    made = 0
    for start in range(0, len(plan), BATCH):
        chunk = plan[start:start + BATCH]
        with transaction.atomic():
            cases, spec = [], []
            for kind, i in chunk:
                unit = units[rnd.randrange(len(units))]
                applicant = clerks[unit.pk][i % len(clerks[unit.pk])]
                created = now - dt.timedelta(days=rnd.randint(1, 300), minutes=rnd.randint(0, 1440))
                if kind == "spend":
                    state = statuses[i % len(statuses)]
                    matter, amount, title = m_spend, Decimal(rnd.randint(100, 9_900)), f"基准支出{i}"
                else:
                    state, matter, amount, title = "approved", m_contract, Decimal(rnd.randint(50, 900) * 500), f"基准合同{i}"
                status = {"approved": "approved", "returned": "returned", "rejected": "rejected", "draft": "draft"}.get(state, "in_progress")
                case = Case(number=number(matter.category), year=year, matter=matter, category=matter.category, unit=unit,
                            applicant=applicant, title=title, reason="基准数据", amount=amount, status=status,
                            stage=0 if kind == "spend" else 2, stages=list(matter.stages), round=0 if status == "draft" else 1,
                            route_version=0 if status == "draft" else 1, created_at=created,
                            submitted_at=None if status == "draft" else created + dt.timedelta(minutes=5),
                            finished_at=created + dt.timedelta(days=1) if status in ("approved", "rejected") else None)
                cases.append(case)
                spec.append((kind, state))
            cases = Case.objects.bulk_create(cases, batch_size=BATCH)
            steps, step_of = [], []
            for case, (kind, state) in zip(cases, spec):
                if state == "draft":
                    continue
                chain = [("unit_head", "部门负责人", "single"), ("finance_review", "财务审核", "any"), ("leader", "分管领导", "single")]
                at = {"unit_head": 0, "finance_review": 1, "leader": 2}.get(state)
                for order, (k, name, mode) in enumerate(chain, start=1):
                    if state == "approved":
                        st = "approved"
                    elif state in ("returned", "rejected"):
                        st = state if order == 1 else ("cancelled" if state == "rejected" else "pending")
                    else:
                        st = "approved" if order - 1 < at else ("active" if order - 1 == at else "pending")
                    t = case.submitted_at + dt.timedelta(hours=order)
                    steps.append(RouteStep(case=case, stage=case.stage, version=1, order=order, name=name, kind=k, mode=mode,
                                           status=st, activated_at=t if st != "pending" else None,
                                           completed_at=t + dt.timedelta(hours=1) if st in ("approved", "returned", "rejected") else None))
                    step_of.append(case)
            steps = RouteStep.objects.bulk_create(steps, batch_size=BATCH)
            assignees, current = [], []
            for step, case in zip(steps, step_of):
                holders = {"unit_head": [heads[case.unit_id]], "finance_review": finance,
                           "leader": [case.unit.leader_in_charge]}[step.kind]
                for j, user in enumerate(holders):
                    decided = step.status in ("approved", "returned", "rejected") and j == 0
                    decision = {"approved": "approved", "returned": "returned", "rejected": "rejected"}.get(step.status, "") if decided else ""
                    if step.status == "approved" and j > 0:
                        continue  # 或签: the others' rows are not kept once one decided
                    assignees.append(StepAssignee(step=step, user=user, round=1, decision=decision,
                                                  decided_by=user if decided else None,
                                                  decided_at=step.completed_at if decided else None,
                                                  comment="同意。" if decision == "approved" else ("请补充材料。" if decided else "")))
                if step.status == "active":
                    case.current_step = step
                    case.current_since = step.activated_at
                    current.append(case)
            StepAssignee.objects.bulk_create(assignees, batch_size=BATCH)
            Case.objects.bulk_update(current, ["current_step", "current_since"], batch_size=BATCH)

            # trail: created, submitted, each decision, finished
            by_case: dict[int, list] = {}
            for step, case in zip(steps, step_of):
                by_case.setdefault(case.pk, []).append(step)
            for case, (kind, state) in zip(cases, spec):
                trail.add(case, "create", actor_id=case.applicant_id, at=case.created_at)
                if state == "draft":
                    continue
                trail.add(case, "submit", actor_id=case.applicant_id, at=case.submitted_at)
                for step in by_case.get(case.pk, []):
                    if step.status in ("approved", "returned", "rejected"):
                        actor = {"unit_head": heads[case.unit_id], "finance_review": finance[0],
                                 "leader": case.unit.leader_in_charge}[step.kind]
                        kind_ = {"approved": "approve", "returned": "return", "rejected": "reject"}[step.status]
                        trail.add(case, kind_, actor_id=actor.pk, step_id=step.pk, at=step.completed_at,
                                  comment="同意。" if kind_ == "approve" else "请补充材料。")
                if case.status == "approved":
                    trail.add(case, "finish", at=case.finished_at)
            trail.flush()

            # the budget section of the spending forms, and their ledger rows
            links = []
            for case, (kind, state) in zip(cases, spec):
                line = unit_lines[case.unit_id][case.pk % len(unit_lines[case.unit_id])]
                if kind == "contract":
                    contract_cases.append((case, line))
                    continue
                link_state = {"approved": "arranged", "rejected": "released", "draft": "draft"}.get(state, "reserved")
                links.append(CaseBudget(case=case, line=line, state=link_state))
                on = case.created_at.date()
                if state != "draft":
                    ledger.append(BudgetMovement(line=line, kind="reserve", stage="pending", amount=case.amount, case=case,
                                                 occurred_on=on, actor_id=case.applicant_id, created_at=case.created_at))
                if state in ("approved", "rejected"):
                    ledger.append(BudgetMovement(line=line, kind="release", stage="pending", amount=-case.amount, case=case,
                                                 occurred_on=on, created_at=case.finished_at))
                if state == "approved":
                    ledger.append(BudgetMovement(line=line, kind="reserve", stage="arranged", amount=case.amount, case=case,
                                                 occurred_on=on, created_at=case.finished_at))
            CaseBudget.objects.bulk_create(links, batch_size=BATCH)
            book()
        made += len(cases)
        print(f"  {made} forms", flush=True)

    # --- contracts (of the contract forms), their terms and payments (payment forms)
    from django.contrib.contenttypes.models import ContentType

    from contracts.models import Contract, Payment, PaymentTerm

    ct_contract = ContentType.objects.get_for_model(Contract)
    ct_payment = ContentType.objects.get_for_model(Payment)
    made_contracts = made_payments = 0
    for start in range(0, len(contract_cases), BATCH // 2):
        chunk = contract_cases[start:start + BATCH // 2]
        with transaction.atomic():
            contracts = []
            for j, (case, line) in enumerate(chunk):
                k = start + j
                signed = case.finished_at.date()
                contracts.append(Contract(number=f"HT-{year}-{k + 1:05d}", case=case, unit_id=case.unit_id,
                                          supplier=suppliers[k % len(suppliers)], budget_line=line, title=case.title,
                                          category="services", amount=case.amount, original_amount=case.amount,
                                          signed_on=signed, start_date=signed, end_date=signed + dt.timedelta(days=365),
                                          status=Contract.Status.ACTIVE, activated_at=case.finished_at))
            contracts = Contract.objects.bulk_create(contracts, batch_size=BATCH)
            terms = []
            for c in contracts:
                a = (c.amount * Decimal("0.3")).quantize(Decimal("0.01"))
                b = (c.amount * Decimal("0.4")).quantize(Decimal("0.01"))
                terms += [
                    PaymentTerm(contract=c, seq=1, kind="advance", name="预付款", percent=Decimal("30"), amount=a,
                                trigger="signing", reached_on=c.signed_on),
                    PaymentTerm(contract=c, seq=2, kind="progress", name="进度款", percent=Decimal("40"), amount=b,
                                trigger="date", due_date=c.signed_on + dt.timedelta(days=60)),
                    PaymentTerm(contract=c, seq=3, kind="acceptance", name="验收款", percent=Decimal("30"),
                                amount=c.amount - a - b, trigger="acceptance"),
                ]
            terms = PaymentTerm.objects.bulk_create(terms, batch_size=BATCH)
            for c in contracts:  # the contract commits its amount on the line
                ledger.append(BudgetMovement(line_id=c.budget_line_id, kind="commit", amount=c.amount, case_id=c.case_id,
                                             source_type=ct_contract, source_id=c.pk, occurred_on=c.signed_on,
                                             created_at=c.activated_at))
            pay_cases, pay_terms = [], []
            for idx, c in enumerate(contracts):
                for term in terms[3 * idx: 3 * idx + 2]:
                    pay_cases.append(Case(number=number(m_pay.category), year=year, matter=m_pay, category=m_pay.category,
                                          unit_id=c.unit_id, applicant=clerks[c.unit_id][0], title=f"支付{c.number}",
                                          amount=term.amount, status="approved", stage=0, stages=list(m_pay.stages), round=1,
                                          route_version=1, created_at=c.activated_at + dt.timedelta(days=term.seq * 20),
                                          submitted_at=c.activated_at + dt.timedelta(days=term.seq * 20),
                                          finished_at=c.activated_at + dt.timedelta(days=term.seq * 20 + 1)))
                    pay_terms.append((c, term))
            pay_cases = Case.objects.bulk_create(pay_cases, batch_size=BATCH)
            payments = []
            for pc, (c, term) in zip(pay_cases, pay_terms):
                paid = term.seq == 1 or pc.pk % 3 != 0
                payments.append(Payment(case=pc, contract=c, term=term, supplier_id=c.supplier_id, unit_id=c.unit_id,
                                        amount=term.amount, invoice_number=f"{pc.pk:010d}", invoice_date=pc.created_at.date(),
                                        invoice_amount=term.amount, status="paid" if paid else "approved",
                                        paid_on=pc.finished_at.date() if paid else None, paid_by=cashier if paid else None,
                                        paid_at=pc.finished_at if paid else None))
                trail.add(pc, "create", actor_id=pc.applicant_id, at=pc.created_at)
                trail.add(pc, "submit", actor_id=pc.applicant_id, at=pc.submitted_at)
                trail.add(pc, "finish", at=pc.finished_at)
            payments = Payment.objects.bulk_create(payments, batch_size=BATCH)
            trail.flush()
            for p, (c, term) in zip(payments, pay_terms):
                if p.status == "paid":
                    ledger.append(BudgetMovement(line_id=c.budget_line_id, kind="commit", amount=-p.amount, case_id=p.case_id,
                                                 source_type=ct_contract, source_id=c.pk, occurred_on=p.paid_on, created_at=p.paid_at))
                    ledger.append(BudgetMovement(line_id=c.budget_line_id, kind="execute", amount=p.amount, case_id=p.case_id,
                                                 source_type=ct_payment, source_id=p.pk, occurred_on=p.paid_on, created_at=p.paid_at))
            book()
        made_contracts += len(contracts)
        made_payments += len(payments)
        print(f"  {made_contracts} contracts, {made_payments} payments", flush=True)

    # --- treasury payments (no form behind them, as the demo's) up to the ledger's size
    rest = n["ledger"] - movements
    today = timezone.localdate()
    days = max(1, (today - dt.date(year, 1, 1)).days)
    while rest > 0:
        for _ in range(min(BATCH, rest)):
            line = lines[rnd.randrange(len(lines))]
            on = dt.date(year, 1, 1) + dt.timedelta(days=rnd.randrange(days))
            ledger.append(BudgetMovement(line=line, kind="execute", amount=Decimal(rnd.randint(100, 5000)), occurred_on=on,
                                         note="国库集中支付（基准数据）"))
        rest -= len(ledger)
        book()
    print(f"  {movements} ledger rows", flush=True)

    for category, last in sequences.items():
        Sequence.objects.update_or_create(key=f"case:{category}", year=year, defaults={"last": last})
    Sequence.objects.update_or_create(key="contract", year=year, defaults={"last": made_contracts})
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    seconds = time.perf_counter() - started
    return {**n, "seconds": seconds, "movements": movements, "contracts_made": made_contracts, "payments_made": made_payments}


def record(result: dict, scale: float) -> None:
    from approvals.models import Action, Case, RouteStep, StepAssignee
    from budget.models import BudgetLine, BudgetMovement
    from contracts.models import Contract, Payment
    from procurement.models import Supplier

    rows = [("cases", Case), ("route steps", RouteStep), ("decisions", StepAssignee), ("trail entries", Action),
            ("budget lines", BudgetLine), ("ledger rows", BudgetMovement), ("suppliers", Supplier),
            ("contracts", Contract), ("payments", Payment)]
    table = " · ".join(f"{label} {model.objects.count():,}" for label, model in rows)
    line = (f"- {dt.datetime.now():%Y-%m-%d %H:%M}, scale {scale:g}: {table}; seeded in {result['seconds']:.0f} s "
            f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}).")
    append_result("## Large office (bench/seed_large.py)",
                  f"Database `{DB_NAME}`, written with bulk inserts (`bench/seed_large.py --scale N`); each run:", line)
    print(line)


RESULTS_HEADER = """# Benchmark results

Each module's benchmark writes its own file: [approvals](results_approvals.md), [budget](results_budget.md),
[procurement and contracts](results_procurement.md). This file holds the large office (`bench/seed_large.py`)
and the load test of the inbox and case pages (`bench/load_test.py`).
"""


def append_result(section: str, intro: str, entry: str) -> None:
    """Add ``entry`` at the end of ``section`` of bench/results.md (made with ``intro`` if new)."""
    path = ROOT / "bench" / "results.md"
    text = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    if section not in text:
        text = text.rstrip("\n") + f"\n\n{section}\n\n{intro}\n"
    head, _, tail = text.partition(section)
    body, nxt, rest = tail.partition("\n## ")
    joiner = "\n" if entry.startswith("- ") and body.rstrip("\n").splitlines()[-1].startswith("- ") else "\n\n"
    body = body.rstrip("\n") + joiner + entry + "\n"
    path.write_text(head + section + body + (("\n## " + rest) if nxt else ""), encoding="utf-8")


def main() -> None:
    global DB_NAME
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (0.01 for a quick try)")
    parser.add_argument("--fresh", action="store_true", help="drop the database and build it again")
    parser.add_argument("--db", default=DB_NAME, help=f"database name (default {DB_NAME})")
    args = parser.parse_args()
    DB_NAME = args.db
    if args.fresh:
        _drop_database(DB_NAME)
    from _setup import configure

    configure(DB_NAME)
    result = seed(args.scale)
    if not result.get("skipped"):
        record(result, args.scale)


if __name__ == "__main__":
    main()
