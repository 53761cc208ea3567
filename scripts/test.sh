#!/usr/bin/env bash
# The whole test suite on PostgreSQL: the server named by DATABASE_URL if set (CI), otherwise
# the embedded PostgreSQL that neiqiao/settings.py starts in var/pgdata.
# Tests marked `redis` get a running Redis, tests marked `e2e` get Debian's Chromium; both are
# provided here, and those tests fail (never skip) when they are missing.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/foundation -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "test.sh: no virtualenv at .venv; run \`make test\` (it sets one up)" >&2; exit 1; }

# gettext, Chromium, Redis, fonts...: installed by apt if missing (quick when all are there).
bash scripts/system_deps.sh

redis_up() {
  "$PY" -c "import redis, sys; redis.Redis(host='127.0.0.1', port=6379, socket_connect_timeout=1).ping()" 2>/dev/null
}
if ! redis_up; then
  echo "test.sh: starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
  redis_up || { echo "test.sh: Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
fi
export CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/15

export NEIQIAO_CHROMIUM=/usr/bin/chromium
[ -x "$NEIQIAO_CHROMIUM" ] || { echo "test.sh: $NEIQIAO_CHROMIUM is missing after installing system packages" >&2; exit 1; }

if [ -n "${DATABASE_URL:-}" ]; then
  echo "test.sh: database server from DATABASE_URL"
else
  echo "test.sh: embedded PostgreSQL in var/pgdata"
fi

# The layers (pyproject.toml [tool.importlinter]): an upward import between apps fails the run.
set +e
.venv/bin/lint-imports --no-cache
layers=$?
set -e

# Two workers: pytest-django gives each its own test database (test_neiqiao_gw0, _gw1).
mkdir -p var
set +e
"$PY" -m pytest -n 2 -p no:cacheprovider "$@" 2>&1 | tee var/test-output.txt
status=${PIPESTATUS[0]}
set -e
if [ "$layers" -ne 0 ]; then
  echo "test.sh: the import-linter contracts are broken (see above)" >&2
  [ "$status" -ne 0 ] || status=$layers
fi
summary=$(grep -E "^=+ .*(passed|failed|error|no tests ran).* =+$" var/test-output.txt | tail -n 1 || true)
echo "pytest summary: ${summary:-<none>} (exit status $status)"
exit "$status"
