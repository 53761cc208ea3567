# Two entry points (see README): `make run` and `make test`. Everything else is set-up they call.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup system-deps venv static messages catalogs migrate seed worker beat bench lock clean

run: setup migrate seed  ## set everything up, seed the demo office, serve on http://127.0.0.1:8000
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: setup  ## the whole test suite on PostgreSQL (DATABASE_URL if set, else the embedded server)
	bash scripts/test.sh

setup: system-deps venv static messages
	mkdir -p var/staticfiles var/media

system-deps:
	bash scripts/system_deps.sh

venv: .venv/.installed
.venv/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c requirements.lock ".[test]"
	touch $@

static: static/vendor/.built
static/vendor/.built: package.json package-lock.json scripts/copy_vendor.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

messages:
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Interface strings: the foundation (templates/, core/, org/, neiqiao/) goes into locale/; every app
# that keeps its own catalog (<app>/locale/) is extracted into it, without settings, from its folder.
APP_CATALOGS = $(patsubst %/locale,%,$(wildcard */locale))
FOUNDATION_IGNORES = .venv node_modules tests bench var build static \
	documents approvals budget procurement contracts construction assets accounting risk
catalogs:  ## refresh the .po files after changing interface strings, then translate the new entries
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete $(addprefix --ignore=,$(sort $(FOUNDATION_IGNORES) $(APP_CATALOGS)))
	for app in $(APP_CATALOGS); do (cd $$app && env -u DJANGO_SETTINGS_MODULE ../.venv/bin/django-admin makemessages -l zh_Hans --no-obsolete) || exit 1; done

migrate:
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0

seed:
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py risk_scan  # the warning desk shows what the demo data raises

worker:  ## a Celery worker (needs CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0)
	.venv/bin/celery -A neiqiao worker -l info

beat:
	.venv/bin/celery -A neiqiao beat -l info

bench:  ## every benchmark (large office, module ratios, load test) into bench/results.md; not part of `make test`
	$(PY) bench/run_all.py --scale 1

lock:  ## refresh requirements.lock from a fresh install of pyproject's ranges
	rm -rf /tmp/neiqiao-lock && python3 -m venv /tmp/neiqiao-lock && /tmp/neiqiao-lock/bin/pip install -q ".[test]"
	/tmp/neiqiao-lock/bin/pip freeze --exclude-editable | grep -vE '^(neiqiao|pip|setuptools|wheel)==' > requirements.lock

clean:
	rm -rf .venv node_modules static/vendor var
