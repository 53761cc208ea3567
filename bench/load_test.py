"""Load test of the inbox and the case pages (issue 6). Not a test: run it by hand, after
``bench/seed_large.py`` has built the large office.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load_test.py \\
        [--users 50] [--requests 6000] [--duration 120] [--workers 5] [--threads 4]

Starts gunicorn on 127.0.0.1 (a free port; nothing listens beyond this machine) against the
large office's database, signs in ``--users`` different people who have forms to decide
(unit heads, leaders in charge, finance reviewers) or to follow (clerks, supervisors,
principal leaders), and lets each of them, in their own thread with its own keep-alive
connection, open their list (待办 for approvers, 我的申请 for clerks) and then two of the
forms on it, again and again — until ``--requests`` responses in all or ``--duration``
seconds, whichever comes first. Sign-ins are not measured.

Prints throughput, p50/p95/p99 and the errors per page, and appends them to
bench/results.md. The client runs on the same machine as the server and the database, so
the figures are those of the whole machine (the client's share is reported: its CPU time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed_large import DB_NAME  # noqa: E402

PASSWORD = "Neiqiao@2026"  # org.demo's password for every demo person
CASE_LINK = re.compile(r'href="/approvals/case/(\d+)/"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """One person on one keep-alive connection, with the session and CSRF cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", errors="replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closes an idle keep-alive connection: reconnect once
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request("POST", "/accounts/login/", {
            "username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")


def pick_people(count: int) -> list[tuple[str, str]]:
    """(username, list page): approvers with the most waiting first, then followers."""
    from approvals import selectors
    from org.models import Role, User

    approvers = []
    for user in User.objects.filter(is_active=True).exclude(roles=[]):
        if user.has_role(Role.UNIT_HEAD, Role.LEADER, Role.FINANCE_REVIEWER):
            waiting = selectors.pending_for(user).count()
            if waiting:
                approvers.append((waiting, user.username))
    approvers.sort(reverse=True)
    people = [(u, "/approvals/") for _n, u in approvers][:count]
    followers = list(User.objects.filter(is_active=True, roles__overlap=[Role.SUPERVISOR, Role.PRINCIPAL])
                     .order_by("username").values_list("username", flat=True))
    clerks = list(User.objects.filter(is_active=True, roles__contains=[Role.CLERK]).order_by("username")
                  .values_list("username", flat=True))
    people += [(u, "/approvals/tab/done/") for u in followers][: max(0, count - len(people))]
    people += [(u, "/approvals/mine/") for u in clerks][: max(0, count - len(people))]
    return people[:count]


def run(args) -> dict:
    from _setup import configure

    configure(DB_NAME)
    from approvals.models import Case

    cases = Case.objects.count()
    if cases < 1000:
        raise SystemExit(f"{DB_NAME} holds {cases} cases: run bench/seed_large.py first")
    people = pick_people(args.users)
    port = free_port()
    env = {**os.environ, "NEIQIAO_TESTING": "1", "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": os.environ["DATABASE_URL"], "CELERY_BROKER_URL": "", "LOG_LEVEL": "ERROR"}
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn", "neiqiao.wsgi:application", "-b", f"127.0.0.1:{port}",
           "-w", str(args.workers), "--threads", str(args.threads), "--keep-alive", "30", "--timeout", "60"]
    log = open(ROOT / "var" / "load_test_gunicorn.log", "wb") if (ROOT / "var").exists() else subprocess.DEVNULL
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Session(port).request("GET", "/accounts/login/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        return drive(args, port, people, cases)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(15)


def drive(args, port, people, cases) -> dict:
    sessions = []
    for username, _list in people:
        s = Session(port)
        s.sign_in(username)
        sessions.append(s)
    samples: dict[str, list[float]] = {"list": [], "case": []}
    errors: dict[str, int] = {"list": 0, "case": 0}
    lock = threading.Lock()
    budget = {"left": args.requests}
    start_line = threading.Barrier(len(sessions) + 1)
    stop_at = [0.0]

    def take() -> bool:
        with lock:
            if budget["left"] <= 0 or time.monotonic() > stop_at[0]:
                return False
            budget["left"] -= 1
            return True

    def one(session, kind, path):
        t = time.perf_counter()
        try:
            status, body = session.request("GET", path)
        except Exception:  # a refused or broken connection is an error of the run
            status, body = 0, ""
        took = time.perf_counter() - t
        with lock:
            samples[kind].append(took)
            if status != 200:
                errors[kind] += 1
        return status, body

    def user(session, list_path, seed):
        rnd = random.Random(seed)
        start_line.wait()
        while take():
            status, body = one(session, "list", list_path)
            ids = CASE_LINK.findall(body) if status == 200 else []
            for pk in rnd.sample(ids, min(2, len(ids))):
                if not take():
                    return
                one(session, "case", f"/approvals/case/{pk}/")

    threads = [threading.Thread(target=user, args=(s, people[i][1], i), daemon=True) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    load0 = os.getloadavg()[0]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    stop_at[0] = time.monotonic() + args.duration
    start_line.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join(args.duration + 120)
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"wall": wall, "samples": samples, "errors": errors, "users": len(sessions), "cases": cases,
            "client_cpu": client_cpu, "roles": _mix(people), "load": (load0, os.getloadavg()[0])}


def _mix(people) -> str:
    kinds = {"/approvals/": "approvers (待办)", "/approvals/tab/done/": "supervisors/principals (已办)",
             "/approvals/mine/": "clerks (我的申请)"}
    counts: dict[str, int] = {}
    for _u, path in people:
        counts[kinds[path]] = counts.get(kinds[path], 0) + 1
    return ", ".join(f"{n} {k}" for k, n in counts.items())


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k] * 1000


def report(result: dict, args) -> str:
    s, e, wall = result["samples"], result["errors"], result["wall"]
    all_ = s["list"] + s["case"]
    rows = [("list page (待办 / 已办 / 我的申请)", s["list"], e["list"]), ("case page", s["case"], e["case"]),
            ("all", all_, e["list"] + e["case"])]
    lines = [
        f"### Load test, {dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"{result['users']} concurrent signed-in users ({result['roles']}), each on its own keep-alive connection, "
        f"opening their list and then two forms from it, in a loop; bounded by {args.requests:,} responses or "
        f"{args.duration} s. gunicorn on 127.0.0.1 with {args.workers} workers × {args.threads} threads, DEBUG off; "
        f"database `{DB_NAME}` ({result['cases']:,} cases). Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; client, server and PostgreSQL on the same machine (client CPU "
        f"{result['client_cpu']:.0f} s of {wall:.0f} s; 1-minute load average {result['load'][0]:.1f} at the start, "
        f"{result['load'][1]:.1f} at the end).",
        "",
        "| page | responses | throughput | p50 | p95 | p99 | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, values, errs in rows:
        lines.append(f"| {label} | {len(values):,} | {len(values) / wall:.1f}/s | {pct(values, 50):.0f} ms | "
                     f"{pct(values, 95):.0f} ms | {pct(values, 99):.0f} ms | {errs} |")
    lines.append("")
    lines.append(f"Wall time {wall:.1f} s.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="bounded load test of the inbox and case pages")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=6000, help="stop after this many responses in all")
    parser.add_argument("--duration", type=int, default=120, help="stop after this many seconds")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/results.md")
    args = parser.parse_args()
    result = run(args)
    text = report(result, args)
    print(text)
    if not args.no_record:
        from seed_large import append_result

        append_result("## Load test (bench/load_test.py)",
                      "Inbox and case pages under concurrent signed-in users, against the large office; each run:", text)


if __name__ == "__main__":
    main()
