"""Procurement and contracts benchmark (issue 5). Not a test: run it by hand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/procurement_bench.py

In its own database (``neiqiao_bench_procurement`` on the server of DATABASE_URL, built once
and reused): the demo organisation and catalogue, 200 suppliers, and contracts with three
payment terms each and paid / in-approval payments — 2,000 signed in 2024 and 20,000 in 2025.

Measures:

1. the contract execution table page (``contracts:index``, 50 rows, as a supervisor who sees
   every unit) and the supplier-totals page: wall time (median of 9) and queries, at 2,000
   and at 22,000 contracts in the database;
2. the streamed .xlsx export (``contracts.xlsx.write_execution``) of 2,000 and 20,000
   contracts, each in its own subprocess: wall time and peak RSS, against a subprocess that
   only starts Django;
3. the payment check under the contract lock (``contracts.services.payment_check``): median
   time of one check on a contract with 3 terms and 2 payments.

Prints a markdown table and writes it to bench/results_procurement.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "neiqiao_bench_procurement"
SIZES = {2024: 2_000, 2025: 20_000}


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return base.rsplit("/", 1)[0] + "/" + DB_NAME


def _setup_django():
    os.environ["DATABASE_URL"] = _database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _ensure_database() -> None:
    import psycopg2

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def build() -> float:
    """Create the data once (bulk inserts, not the services: the benchmark reads)."""
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from contracts.models import Contract

    if Contract.objects.count() >= sum(SIZES.values()):
        return 0.0
    started = time.perf_counter()
    from approvals import demo as approvals_demo
    from approvals.models import Case, Category, Matter
    from contracts.models import Payment, PaymentTerm
    from org import demo as org_demo
    from org.models import Role, Unit, User
    from procurement import demo as procurement_demo
    from procurement.models import Supplier
    from procurement.validators import make_credit_code

    org_demo.seed()
    approvals_demo.seed()
    procurement_demo.seed()
    units = list(Unit.objects.exclude(kind=Unit.Kind.LEADERSHIP))
    clerk = User.objects.with_role(Role.CLERK).first()
    cashier = User.objects.with_role(Role.CASHIER).first()
    matter = Matter.objects.get(code="HT-SP")
    pay_matter = Matter.objects.get(code="HT-FK")
    Supplier.objects.bulk_create(
        [Supplier(name=f"深圳市基准供应商{i:03d}有限公司", credit_code=make_credit_code(area="440306", org8=f"MA5B{i:04d}"))
         for i in range(200)], ignore_conflicts=True,
    )
    suppliers = list(Supplier.objects.order_by("id"))
    now = timezone.now()
    n = 0
    for year, count in SIZES.items():
        for start in range(0, count, 2000):
            batch = range(start, min(count, start + 2000))
            cases = Case.objects.bulk_create([
                Case(number=f"B-{year}-HT-{i:06d}", year=year, matter=matter, category=Category.CONTRACT, unit=units[i % len(units)],
                     applicant=clerk, title=f"基准合同{i}", amount=Decimal("100000.00"), status=Case.Status.APPROVED, created_at=now)
                for i in batch
            ])
            contracts = Contract.objects.bulk_create([
                Contract(number=f"B{year}-{i:06d}", case=c, unit=c.unit, supplier=suppliers[i % len(suppliers)], title=c.title,
                         category="goods", amount=Decimal("100000.00"), original_amount=Decimal("100000.00"),
                         signed_on=f"{year}-{1 + i % 12:02d}-10", start_date=f"{year}-{1 + i % 12:02d}-10",
                         end_date=f"{year + 1}-{1 + i % 12:02d}-10",
                         status=Contract.Status.ACTIVE if i % 3 else Contract.Status.COMPLETED)
                for i, c in zip(batch, cases)
            ])
            terms = PaymentTerm.objects.bulk_create([
                PaymentTerm(contract=c, seq=s, kind=k, amount=Decimal(a), trigger=t, due_date=f"{year + 1}-06-30" if t == "date" else None,
                            reached_on=f"{year}-12-01" if t != "date" else None)
                for c in contracts
                for s, (k, a, t) in enumerate([("advance", "30000.00", "signing"), ("acceptance", "67000.00", "acceptance"),
                                               ("retention", "3000.00", "date")], start=1)
            ])
            pay_cases, payments = [], []
            for j, c in enumerate(contracts):
                for s, term in enumerate(terms[3 * j: 3 * j + 2]):
                    if s == 1 and j % 2:
                        continue
                    pay_cases.append(Case(number=f"B-{year}-FK-{c.pk}-{s}", year=year, matter=pay_matter, category=Category.CONTRACT,
                                          unit=c.unit, applicant=clerk, title="支付", amount=term.amount, status=Case.Status.APPROVED,
                                          created_at=now))
                    payments.append((c, term))
            pay_cases = Case.objects.bulk_create(pay_cases)
            Payment.objects.bulk_create([
                Payment(case=pc, contract=c, term=t, supplier_id=c.supplier_id, unit_id=c.unit_id, amount=t.amount,
                        invoice_number=f"INV{pc.pk}", invoice_date=f"{year}-12-05", invoice_amount=t.amount,
                        status=Payment.Status.PAID if (pc.pk % 5) else Payment.Status.APPROVED,
                        paid_on=f"{year}-12-10" if pc.pk % 5 else None, paid_by=cashier if pc.pk % 5 else None)
                for pc, (c, t) in zip(pay_cases, payments)
            ])
            n += len(contracts)
            print(f"  built {n} contracts", flush=True)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - started


def _median_ms(fn, runs=9) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def measure_pages() -> list[tuple[str, float, int]]:
    from django.test import Client
    from django.urls import reverse

    from org.models import Role, User

    supervisor = User.objects.with_role(Role.SUPERVISOR).first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(supervisor)
    out = []
    for label, url in [
        ("contract execution table, page 1 of 50 rows (all years)", reverse("contracts:index")),
        ("contract execution table, filtered to 2024", reverse("contracts:index") + "?year=2024"),
        ("supplier totals 2025 (200 suppliers)", reverse("procurement:supplier_totals") + "?year=2025"),
        ("suppliers list with 2025 awards", reverse("procurement:supplier_list") + "?year=2025"),
    ]:
        assert client.get(url).status_code == 200
        ms, q = _median_ms(lambda u=url: client.get(u))
        out.append((label, ms, q))
    return out


def measure_check() -> tuple[float, int]:
    from django.db import transaction

    from contracts import services
    from contracts.models import Contract, Payment

    import datetime as dt

    contract = Contract.objects.filter(status=Contract.Status.ACTIVE, payments__isnull=False).order_by("id").first()
    term = contract.terms.get(seq=2)  # reached (acceptance), partly claimed or not
    payment = Payment(contract=contract, term=term, supplier_id=contract.supplier_id, amount=Decimal("1.00"),
                      invoice_number="BENCH-1", invoice_date=dt.date(2025, 12, 1), invoice_amount=Decimal("1.00"))

    def check():
        with transaction.atomic():
            locked = services._lock_contract(contract.pk)
            services.payment_check(payment=payment, contract=locked)  # passes: 1.00 fits

    return _median_ms(check, runs=25)


def child_export(year: int) -> None:
    """In a subprocess: export one year and print time, rows, size and peak RSS (KB)."""
    _setup_django()
    import tempfile

    from contracts.xlsx import write_execution
    from org.models import Role, User

    user = User.objects.with_role(Role.SUPERVISOR).first()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryFile() as fh:
        t = time.perf_counter()
        rows = write_execution(fh, user=user, filters={"year": year, "unit_id": None, "supplier_id": None, "status": None, "q": ""})
        elapsed = time.perf_counter() - t
        size = fh.tell()
    print(json.dumps({"rows": rows, "seconds": elapsed, "bytes": size, "rss_before": base,
                      "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def child_floor() -> None:
    _setup_django()
    from org.models import User

    User.objects.first()
    print(json.dumps({"rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def _child(*args) -> dict:
    # DEBUG off in the measured process: Django keeps no query log, as in production
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdef")}
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    _ensure_database()
    _setup_django()
    from contracts.models import Contract, Payment, PaymentTerm

    built = build()
    counts = (Contract.objects.count(), PaymentTerm.objects.count(), Payment.objects.count())
    pages = measure_pages()
    check_ms, check_q = measure_check()
    floor = _child("--floor")["rss_peak"]
    exports = {year: min((_child("--export", str(year)) for _ in range(3)), key=lambda r: r["seconds"]) for year in SIZES}
    lines = [
        "## Procurement and contracts benchmark (issue 5)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; database `{DB_NAME}` "
        f"({counts[0]:,} contracts, {counts[1]:,} payment terms, {counts[2]:,} payments; data built in {built:.1f} s); "
        f"run {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "### Pages (median of 9, through the test client, as a supervisor who sees every unit)",
        "",
        "| page | time | queries |",
        "|---|---:|---:|",
        *[f"| {label} | {ms:.1f} ms | {q} |" for label, ms, q in pages],
        "",
        "The query counts are those of the whole request (session, user, navigation badges included); the tests assert "
        "they do not change with the number of contracts.",
        "",
        "### Streamed .xlsx export of the contract execution table (subprocess each, best of 3)",
        "",
        "| contracts | time | file | peak RSS | Django alone |",
        "|---:|---:|---:|---:|---:|",
        *[f"| {r['rows']:,} | {r['seconds']:.2f} s | {r['bytes'] / 1e6:.1f} MB | {r['rss_peak'] / 1024:.1f} MB | {floor / 1024:.1f} MB |"
          for r in exports.values()],
        "",
        "### Payment check under the contract lock",
        "",
        f"One `payment_check` with `SELECT … FOR UPDATE` of the contract, in its own transaction: median {check_ms:.2f} ms, "
        f"{check_q} queries (begin, lock, duplicate invoice, milestone, terms, claims twice, commit).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results_procurement.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--export":
        child_export(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor":
        child_floor()
    else:
        main()
