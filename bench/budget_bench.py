"""Budget benchmark (issue 4). Not a test: run it by hand.

    .venv/bin/python bench/budget_bench.py            # embedded PostgreSQL, or DATABASE_URL's server

In its own database (``neiqiao_bench_budget``, built once and reused):

* 3,000 budget lines of one year with 300,000 ledger rows (reservations, arrangements,
  releases, commitments, payments, adjustments) behind them;
* 10,000 and 100,000 lines of two other years (one payment each) for the exports.

Measures, side by side in one run:

1. the execution-table selector (``budget.selectors.execution_queryset``, lines as model
   instances with their figures) against two hand-written SQL aggregates returning the same
   figures as tuples (the ledger grouped in a CTE then joined; a LATERAL aggregate per line),
   interleaved, median of 15, the ratio taken against the faster one; and the queries each takes;
2. the .xlsx export (``budget.exports.write_export``: selector over a server-side cursor,
   subtotal rows, styled write-only cells) of 10k and 100k lines against bare openpyxl
   write-only writing the same line cells (hand SQL over a server-side cursor, plain
   values, no styles, no subtotals) — each in its own subprocess, reporting wall time and
   peak RSS; plus a subprocess that only starts Django, for the fixed memory floor.

Prints a markdown table and writes it to bench/results_budget.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "neiqiao_bench_budget"
TABLE_YEAR, SMALL_YEAR, BIG_YEAR = 2026, 2024, 2025
LINES, LEDGER_ROWS = 3_000, 300_000
EXPORT_SIZES = {10_000: SMALL_YEAR, 100_000: BIG_YEAR}
ECON = [("30201", "办公费"), ("30205", "水费"), ("30206", "电费"), ("30211", "差旅费"), ("30213", "维修（护）费"),
        ("30215", "会议费"), ("30216", "培训费"), ("30227", "委托业务费"), ("30299", "其他商品和服务支出"), ("30905", "基础设施建设")]

HAND_SQL = """
WITH m AS (
    SELECT mv.line_id,
           SUM(mv.amount) FILTER (WHERE mv.kind = 'adjust') AS adj,
           SUM(mv.amount) FILTER (WHERE mv.kind IN ('reserve', 'release') AND mv.stage = 'pending') AS pend,
           SUM(mv.amount) FILTER (WHERE mv.kind IN ('reserve', 'release') AND mv.stage = 'arranged') AS arr,
           SUM(mv.amount) FILTER (WHERE mv.kind = 'commit') AS com,
           SUM(mv.amount) FILTER (WHERE mv.kind = 'execute') AS paid
    FROM budget_budgetmovement mv
    JOIN budget_budgetline bl ON bl.id = mv.line_id
    WHERE bl.year = %(year)s AND bl.is_active
    GROUP BY mv.line_id
)
SELECT u.name, l.project, l.functional_code || ' ' || l.functional_name, l.economic_code || ' ' || l.economic_name,
       l.fund_source, l.control_mode, l.amount,
       COALESCE(m.adj, 0), l.amount + COALESCE(m.adj, 0), COALESCE(m.pend, 0), COALESCE(m.arr, 0),
       COALESCE(m.com, 0), COALESCE(m.paid, 0),
       l.amount + COALESCE(m.adj, 0) - COALESCE(m.pend, 0) - COALESCE(m.arr, 0) - COALESCE(m.com, 0) - COALESCE(m.paid, 0),
       CASE WHEN l.amount + COALESCE(m.adj, 0) > 0 THEN COALESCE(m.paid, 0) / (l.amount + COALESCE(m.adj, 0)) END
FROM budget_budgetline l
JOIN org_unit u ON u.id = l.unit_id
LEFT JOIN m ON m.line_id = l.id
WHERE l.year = %(year)s AND l.is_active
ORDER BY u.sort_order, u.code, l.unit_id, l.project, l.economic_code, l.functional_code, l.fund_source, l.id
"""

HAND_SQL_LATERAL = """
SELECT u.name, l.project, l.functional_code || ' ' || l.functional_name, l.economic_code || ' ' || l.economic_name,
       l.fund_source, l.control_mode, l.amount,
       COALESCE(m.adj, 0), l.amount + COALESCE(m.adj, 0), COALESCE(m.pend, 0), COALESCE(m.arr, 0),
       COALESCE(m.com, 0), COALESCE(m.paid, 0),
       l.amount + COALESCE(m.adj, 0) - COALESCE(m.pend, 0) - COALESCE(m.arr, 0) - COALESCE(m.com, 0) - COALESCE(m.paid, 0),
       CASE WHEN l.amount + COALESCE(m.adj, 0) > 0 THEN COALESCE(m.paid, 0) / (l.amount + COALESCE(m.adj, 0)) END
FROM budget_budgetline l
JOIN org_unit u ON u.id = l.unit_id
LEFT JOIN LATERAL (
    SELECT SUM(mv.amount) FILTER (WHERE mv.kind = 'adjust') AS adj,
           SUM(mv.amount) FILTER (WHERE mv.kind IN ('reserve', 'release') AND mv.stage = 'pending') AS pend,
           SUM(mv.amount) FILTER (WHERE mv.kind IN ('reserve', 'release') AND mv.stage = 'arranged') AS arr,
           SUM(mv.amount) FILTER (WHERE mv.kind = 'commit') AS com,
           SUM(mv.amount) FILTER (WHERE mv.kind = 'execute') AS paid
    FROM budget_budgetmovement mv
    WHERE mv.line_id = l.id
) m ON true
WHERE l.year = %(year)s AND l.is_active
ORDER BY u.sort_order, u.code, l.unit_id, l.project, l.economic_code, l.functional_code, l.fund_source, l.id
"""


# --- set-up -----------------------------------------------------------------------------------
def _child_django() -> None:
    """In a measurement subprocess: the parent already put the bench DATABASE_URL in the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")
    os.environ["NEIQIAO_TESTING"] = "1"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def configure() -> None:
    """Point Django at the bench database (created if missing) and migrate it. The server is
    DATABASE_URL's, else the embedded PostgreSQL; only the database name changes."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")
    os.environ["NEIQIAO_TESTING"] = "1"
    os.environ["DEBUG"] = "0"
    url = os.environ.get("DATABASE_URL")
    if not url:
        from neiqiao.embedded_db import embedded_database_url

        url = embedded_database_url(ROOT)
    head, sep, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}{sep}{query}"
    import psycopg2

    conn = psycopg2.connect(f"{base}/postgres{sep}{query}".replace("postgres://", "postgresql://", 1))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seeded() -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM budget_budgetline WHERE year = %s),"
            " (SELECT count(*) FROM budget_budgetmovement mv JOIN budget_budgetline l ON l.id = mv.line_id WHERE l.year = %s),"
            " (SELECT count(*) FROM budget_budgetline WHERE year = %s),"
            " (SELECT count(*) FROM budget_budgetline WHERE year = %s)",
            [TABLE_YEAR, TABLE_YEAR, SMALL_YEAR, BIG_YEAR],
        )
        lines, rows, small, big = cur.fetchone()
    return lines == LINES and rows == LEDGER_ROWS and small == 10_000 and big == 100_000


def seed() -> None:
    """Build the bench data (once). Cases through the ORM (they carry Django-side defaults);
    lines and ledger rows with INSERT ... SELECT generate_series."""
    from django.db import connection, transaction

    from approvals.models import Case, Category, Matter
    from org.models import Role, Unit, User

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("ALTER TABLE budget_budgetmovement DISABLE TRIGGER USER")  # the append-only guard, to empty the table
        cur.execute("DELETE FROM budget_budgetmovement")
        cur.execute("ALTER TABLE budget_budgetmovement ENABLE TRIGGER USER")
        cur.execute("DELETE FROM budget_casebudget")
        cur.execute("DELETE FROM budget_budgetline")
    Case.objects.filter(matter__code="BENCH-ZC").delete()

    units = []
    for i in range(30):
        unit, _ = Unit.objects.get_or_create(code=f"B{i:02d}", defaults={"name": f"测试单位{i:02d}", "sort_order": i})
        units.append(unit)
    user, _ = User.objects.get_or_create(username="bench_budget", defaults={"unit": units[0]})
    user.roles = [Role.FINANCE_REVIEWER]
    user.unit = units[0]
    user.save()
    matter, _ = Matter.objects.get_or_create(
        code="BENCH-ZC", defaults={"name": "测试支出", "category": Category.FINANCE, "spends_money": True, "stages": ["budget"]}
    )
    unit_ids = [u.pk for u in units]
    econ_codes = [c for c, _ in ECON]
    econ_names = [n for _, n in ECON]
    with transaction.atomic(), connection.cursor() as cur:
        for year, count in ((TABLE_YEAR, LINES), (SMALL_YEAR, 10_000), (BIG_YEAR, 100_000)):
            cur.execute(
                """
                INSERT INTO budget_budgetline (year, unit_id, project, functional_code, functional_name, economic_code,
                    economic_name, fund_source, amount, control_mode, note, is_active, created_at)
                SELECT %(year)s, (%(units)s::bigint[])[1 + g %% 30], '项目' || lpad((g / 300)::text, 4, '0') || '-' || (g %% 30),
                       '2010301', '行政运行', (%(codes)s::text[])[1 + (g / 30) %% 10], (%(names)s::text[])[1 + (g / 30) %% 10],
                       CASE WHEN g %% 7 = 0 THEN 'other' ELSE 'fiscal' END,
                       100000 + (g * 7919) %% 900000, CASE WHEN g %% 5 = 0 THEN 'warn' ELSE 'hard' END, '', true, now()
                FROM generate_series(0, %(n)s - 1) g
                """,
                {"year": year, "units": unit_ids, "codes": econ_codes, "names": econ_names, "n": count},
            )
    cases = [
        Case(number=f"XQ-BENCH-{i:06d}", year=TABLE_YEAR, matter=matter, category=Category.FINANCE, unit=units[i % 30],
             applicant=user, title="测试支出", amount=100 + i % 900, status=Case.Status.IN_PROGRESS)
        for i in range(30_000)
    ]
    Case.objects.bulk_create(cases, batch_size=5000)
    common = "batch, occurred_on, note, warning, created_at"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bl AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM budget_budgetline WHERE year = %s", [TABLE_YEAR])
        cur.execute("CREATE TEMP TABLE bc AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM approvals_case WHERE matter_id = %s", [matter.pk])
        ins = f"INSERT INTO budget_budgetmovement (line_id, kind, stage, amount, case_id, {common}) "
        day = "date '2026-01-01' + (g.rn %% 330)::int, '', '', now()"
        # 30k reservations in approval, one per case
        cur.execute(ins + f"SELECT bl.id, 'reserve', 'pending', 100 + g.rn %% 900, g.id, gen_random_uuid(), {day} "
                          "FROM bc g JOIN bl ON bl.rn = g.rn %% 3000", [])
        # 20k approved: pending released, arranged reserved (2 rows each)
        for kind, stage, sign in (("release", "pending", -1), ("reserve", "arranged", 1)):
            cur.execute(ins + f"SELECT bl.id, '{kind}', '{stage}', {sign} * (100 + g.rn %% 900), g.id, gen_random_uuid(), {day} "
                              "FROM bc g JOIN bl ON bl.rn = g.rn %% 3000 WHERE g.rn %% 3 <> 0", [])
        # 5k rejected: released
        cur.execute(ins + f"SELECT bl.id, 'release', 'pending', -(100 + g.rn %% 900), g.id, gen_random_uuid(), {day} "
                          "FROM bc g JOIN bl ON bl.rn = g.rn %% 3000 WHERE g.rn %% 6 = 0", [])
        ins = f"INSERT INTO budget_budgetmovement (line_id, kind, stage, amount, {common}) "
        series = "FROM (SELECT generate_series(0, {n} - 1) AS rn) g JOIN bl ON bl.rn = g.rn %% 3000"
        cur.execute(ins + f"SELECT bl.id, 'commit', '', 1000 + g.rn %% 5000, gen_random_uuid(), {day} " + series.format(n=50_000), [])
        cur.execute(ins + f"SELECT bl.id, 'commit', '', -(500 + g.rn %% 500), gen_random_uuid(), {day} " + series.format(n=25_000), [])
        cur.execute(ins + f"SELECT bl.id, 'execute', '', 10 + g.rn %% 490, gen_random_uuid(), {day} " + series.format(n=145_000), [])
        cur.execute(ins + f"SELECT bl.id, 'adjust', '', CASE WHEN g.rn %% 3 = 0 THEN -5000 ELSE 20000 END, gen_random_uuid(), {day} "
                    + series.format(n=5_000), [])
        # one payment per export line
        cur.execute(ins + "SELECT l.id, 'execute', '', 1000 + l.id %% 9000, gen_random_uuid(), date '2025-06-30', '', '', now() "
                          "FROM budget_budgetline l WHERE l.year IN (%s, %s)", [SMALL_YEAR, BIG_YEAR])
        cur.execute("DROP TABLE bl; DROP TABLE bc")
    with connection.cursor() as cur:
        cur.execute("ANALYZE budget_budgetline; ANALYZE budget_budgetmovement; ANALYZE approvals_case")


# --- measurements -----------------------------------------------------------------------------
def measure_table() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budget import selectors
    from org.models import User

    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import side_by_side

    user = User.objects.get(username="bench_budget")

    def orm():
        return list(selectors.execution_queryset(scope=selectors.budget_scope(user), year=TABLE_YEAR))

    def table():
        return selectors.execution_table(user=user, year=TABLE_YEAR)

    def hand(sql=HAND_SQL):
        with connection.cursor() as cur:
            cur.execute(sql, {"year": TABLE_YEAR})
            return cur.fetchall()

    def lateral():
        return hand(HAND_SQL_LATERAL)

    # same figures both ways
    a = {}
    for ln in orm():
        fig = selectors.figures_of(ln)
        a[(ln.unit.name, ln.project, ln.economic_code, ln.fund_source)] = (fig.paid, fig.available)
    b = {(r[0], r[1], r[3][:5], r[4]): (r[12], r[13]) for r in hand()}
    c = {(r[0], r[1], r[3][:5], r[4]): (r[12], r[13]) for r in lateral()}
    assert a == b == c, "the selector and the hand-written SQL disagree"
    with CaptureQueriesContext(connection) as q_orm:
        orm()
    with CaptureQueriesContext(connection) as q_table:
        table()
    with CaptureQueriesContext(connection) as q_hand:
        hand()
    times = side_by_side([("selector", orm), ("hand SQL", hand), ("lateral", lateral), ("table", table)], repeat=15)
    return {
        "selector": times["selector"], "hand_cte": times["hand SQL"], "hand_lateral": times["lateral"],
        "hand": min(times["hand SQL"], times["lateral"]), "table": times["table"],
        "q_selector": len(q_orm.captured_queries), "q_table": len(q_table.captured_queries), "q_hand": len(q_hand.captured_queries),
        "rows": len(a),
    }


def child(kind: str, rows: int) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    _child_django()
    out = {"kind": kind, "rows": rows}
    if kind != "baseline":
        from django.db import connection
        from openpyxl import Workbook

        from budget import exports
        from budget.models import ControlMode, FundSource
        from org.models import User

        user = User.objects.get(username="bench_budget")
        year = EXPORT_SIZES[rows]
        import psutil

        out["rss_before_mb"] = psutil.Process().memory_info().rss / 2**20
        out["hwm_reset"] = _reset_peak_rss()
        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        start = time.perf_counter()
        with open(path, "wb") as fh:
            if kind == "export":
                out["lines"] = exports.write_export(fh, user=user, year=year)
            else:
                funds, modes = dict(FundSource.choices), dict(ControlMode.choices)
                funds = {k: str(v) for k, v in funds.items()}
                modes = {k: str(v) for k, v in modes.items()}
                wb = Workbook(write_only=True)
                ws = wb.create_sheet("bare")
                n = 0
                with connection.chunked_cursor() as cur:
                    cur.execute(HAND_SQL_LATERAL, {"year": year})
                    while batch := cur.fetchmany(2000):
                        for r in batch:
                            ws.append([r[0], r[1], r[2], r[3], funds[r[4]], modes[r[5]], *r[6:]])
                            n += 1
                wb.save(fh)
                out["lines"] = n
        out["seconds"] = time.perf_counter() - start
        out["bytes"] = os.path.getsize(path)
        os.unlink(path)
    out["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(out))


def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process (Linux: clear_refs 5), so the peak
    read afterwards is the peak of the export itself, not of Django's start-up."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, rows: int = 0) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(rows)], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if result.returncode:
        raise SystemExit(f"child {kind} {rows} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    configure()
    started = time.perf_counter()
    if not _seeded():
        print("seeding the bench database (once)…", flush=True)
        seed()
        assert _seeded(), "seeding produced unexpected counts"
    seed_note = f"(data ready in {time.perf_counter() - started:.1f} s)"
    t = measure_table()
    base = run_child("baseline")
    exp = {}
    for rows in EXPORT_SIZES:
        # alternate the two writers and keep the faster of two runs each (less noise from the machine)
        runs = {"export": [], "bare": []}
        for _ in range(3):
            for kind in ("export", "bare"):
                runs[kind].append(run_child(kind, rows))
        exp[rows] = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items()}

    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"database `{DB_NAME}` {seed_note}; run {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        f"### Execution table: {t['rows']:,} lines, {LEDGER_ROWS:,} ledger rows (median of 15, interleaved)",
        "",
        "| what | time | queries | vs the faster hand SQL |",
        "|---|---:|---:|---:|",
        f"| hand-written SQL: ledger grouped in a CTE, joined to the lines (tuples) | {ms(t['hand_cte'])} | {t['q_hand']} | {t['hand_cte'] / t['hand']:.2f}× |",
        f"| hand-written SQL: LATERAL aggregate per line (tuples) | {ms(t['hand_lateral'])} | {t['q_hand']} | {t['hand_lateral'] / t['hand']:.2f}× |",
        f"| `execution_queryset` (model instances with figures) | {ms(t['selector'])} | {t['q_selector']} | {t['selector'] / t['hand']:.2f}× |",
        f"| `execution_table` (+ project/unit/economic-class subtotals) | {ms(t['table'])} | {t['q_table']} | {t['table'] / t['hand']:.2f}× |",
        "",
        "### .xlsx export (one subprocess per measurement, best of 3, interleaved)",
        "",
        "| lines | writer | time | lines written | file | RSS before | peak RSS during the export | time vs bare |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for rows, pair in exp.items():
        for kind, label in (("bare", "bare openpyxl write-only (plain values)"), ("export", "`write_export` (styled, subtotals)")):
            r = pair[kind]
            ratio = r["seconds"] / pair["bare"]["seconds"]
            lines.append(
                f"| {rows:,} | {label} | {r['seconds']:.2f} s | {r['lines']:,} | {r['bytes'] / 1e6:.1f} MB | "
                f"{r['rss_before_mb']:.1f} MB | {r['peak_rss_mb']:.1f} MB | {ratio:.2f}× |"
            )
    lines += [
        "",
        f"Django alone (import + setup, no export) peaks at {base['peak_rss_mb']:.1f} MB in the same kind of subprocess; "
        "the export columns show the process's high-water mark reset just before the export "
        f"({'kernel clear_refs' if exp[10_000]['export'].get('hwm_reset') else 'not resettable here: whole-process peak'}). "
        f"Peak RSS of the export at 100k lines vs 10k lines: "
        f"{exp[100_000]['export']['peak_rss_mb']:.1f} MB vs {exp[10_000]['export']['peak_rss_mb']:.1f} MB.",
        "",
        "Both writers read the same figures through a server-side cursor (bare: the LATERAL hand SQL as tuples; "
        "`write_export`: the ORM selector as model instances). `write_export` also adds project/unit subtotal rows and a "
        "grand total, and styles every figure cell (`#,##0.00`, `0.00%`, bold subtotal rows); the bare writer appends plain values.",
    ]
    text = "## Budget benchmark (issue 4)\n\n" + "\n".join(lines) + "\n"
    (ROOT / "bench" / "results_budget.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
