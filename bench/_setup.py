"""Shared set-up for the benchmarks: a separate database (never the demo data), Django
configured with production-like settings (DEBUG off, templates cached), helpers to time
things side by side."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(db_name: str = "neiqiao_bench") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")
    # engineers sharing one server each name their own benchmark database
    db_name = os.environ.get("NEIQIAO_BENCH_DB", db_name)
    os.environ["NEIQIAO_TESTING"] = "1"  # no HTTPS redirect, fast hasher
    os.environ["DEBUG"] = "0"
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("DATABASE_URL")
    if not url:
        from neiqiao.embedded_db import embedded_database_url

        url = embedded_database_url(ROOT)
    parts = urlsplit(url)  # the embedded server's socket path sits in the query, not the path
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db_name}"))
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    import psycopg2

    conn = psycopg2.connect(admin_url.replace("postgres://", "postgresql://"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{db_name}"')
    conn.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timeit(fn, *, repeat: int = 15, warmup: int = 3) -> float:
    """Median seconds of ``repeat`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def side_by_side(pairs, *, repeat: int = 15) -> dict[str, float]:
    """Time several callables interleaved (a, b, a, b, …) so machine noise hits all alike."""
    for _, fn in pairs:
        fn()
        fn()
    samples: dict[str, list[float]] = {name: [] for name, _ in pairs}
    for _ in range(repeat):
        for name, fn in pairs:
            t = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t)
    return {name: statistics.median(v) for name, v in samples.items()}


def write_results(path: Path, title: str, lines: list[str]) -> None:
    text = f"## {title}\n\n" + "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    print(text)
