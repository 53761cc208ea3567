"""Runs the registered rules (approvals.rules), stores their findings as warnings and keeps
them in step with the facts.

* A finding is keyed by rule + records: the partial unique constraint allows one live
  warning per key, so running twice raises nothing new (a second run only refreshes
  ``last_seen_at``).
* A full run of a rule closes every live warning of that rule it no longer finds, with a
  note (the cause is gone). Runs scoped to an event's records only open.
* One scan at a time across processes: a session-level advisory lock, tried, not waited for.
* Each rule's findings are written in one transaction: a worker killed mid-run leaves the
  rules before it complete and nothing half-written of the one it was on; the next run
  completes the job (the writes are idempotent). The run's row records each rule as it
  ends, and the next run marks a run left "running" as interrupted.
"""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import rules as registry
from approvals.rules import Settings

from .models import RiskWarning, RuleSetting, Run, WarningAction

log = logging.getLogger("neiqiao.risk")
SCAN_LOCK_KEY = 0x6E71_7273  # "nqrs"


def settings_for(rule, row=None) -> Settings:
    """The rule's settings row (made from its defaults the first time); parameters the row
    does not name keep the rule's defaults."""
    row = row or RuleSetting.objects.filter(code=rule.code).first()
    if row is None:
        row, _created = RuleSetting.objects.get_or_create(code=rule.code, defaults={
            "severity": rule.severity, "mode": rule.mode, "params": {k: _json(v) for k, v in rule.defaults().items()}})
    return _settings_of_row(rule, row)


def settings_for_many(rules) -> dict[str, Settings]:
    """The settings of several rules in one query (rows made for those that have none)."""
    rows = {r.code: r for r in RuleSetting.objects.filter(code__in=[rule.code for rule in rules])}
    return {rule.code: settings_for(rule, rows.get(rule.code)) for rule in rules}


def _settings_of_row(rule, row) -> Settings:
    params = rule.defaults()
    for name, value in (row.params or {}).items():
        if name in params:
            params[name] = type(params[name])(value) if params[name] is not None else value
    return Settings(enabled=row.enabled, severity=row.severity, mode=row.mode, params=params)


def _json(value):
    return str(value) if not isinstance(value, (int, float, str, bool, type(None))) else value


class _QueryCounter:
    """Counts the statements a rule runs (whatever DEBUG says), for the run's report."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK_KEY])
        return cursor.fetchone()[0]


def _unlock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK_KEY])


def scan(*, kind: str = Run.Kind.FULL, codes=None, scope: dict | None = None) -> Run | None:
    """Run the enabled rules (``codes`` to choose; hourly runs take the cheap ones) and
    reconcile their findings. None when another scan holds the lock."""
    if not _try_lock():
        log.info("risk scan skipped: another scan is running")
        return None
    try:
        # under the lock no other scan runs: a run still "running" was cut off (its worker
        # killed); it says so, and this run does its work again
        Run.objects.filter(status=Run.Status.RUNNING).update(
            status=Run.Status.FAILED, ended_at=timezone.now(),
            error=_("Interrupted: the process running it stopped; the next run did the work again."))
        run = Run.objects.create(kind=kind)
        selected = [r for c, r in registry.rules().items() if (codes is None or c in codes)
                    and (kind != Run.Kind.HOURLY or r.hourly)]
        for rule in selected:
            try:
                conf = settings_for(rule)
                if not conf.enabled:
                    continue
                started, counter = time.perf_counter(), _QueryCounter()
                with connection.execute_wrapper(counter), transaction.atomic():
                    findings = list(rule.scan(conf.params, scope))
                    opened, closed = reconcile(rule, conf, findings, full=scope is None)
            except Exception as exc:  # one broken rule: recorded, the others still run
                log.exception("risk rule %s failed", rule.code)
                run.per_rule[rule.code] = {"error": f"{type(exc).__name__}: {exc}"}
                run.error = "\n".join(filter(None, [run.error, f"{rule.code}: {type(exc).__name__}: {exc}"]))
                continue
            run.per_rule[rule.code] = {"findings": len(findings), "opened": opened, "closed": closed,
                                       "ms": round((time.perf_counter() - started) * 1000, 1),
                                       "queries": counter.count}
            run.findings += len(findings)
            run.opened += opened
            run.closed += closed
            # each rule's progress is on the run's row as soon as its findings are written
            run.save(update_fields=["per_rule", "findings", "opened", "closed"])
        run.status = Run.Status.FAILED if run.error else Run.Status.DONE
        run.ended_at = timezone.now()
        run.save()
        return run
    finally:
        _unlock()


def reconcile(rule, conf: Settings, findings, *, full: bool) -> tuple[int, int]:
    """Open a warning for each new finding, refresh those still found and (on a full run)
    close those no longer found. Runs inside the caller's transaction."""
    now = timezone.now()
    by_key = {f.key: f for f in findings}
    live_qs = RiskWarning.objects.select_for_update().filter(rule_code=rule.code, status__in=RiskWarning.LIVE)
    if not full:  # an event run only opens: it reads the live warnings of its own findings, not all of the rule's
        live_qs = live_qs.filter(key__in=list(by_key))
    live = {w.key: w for w in live_qs}
    new = [RiskWarning(rule_code=rule.code, key=key, records=[list(r) for r in sorted(f.records)], message=f.message,
                       figures=f.figures, severity=conf.severity, unit_id=f.unit_id, opened_at=now, last_seen_at=now)
           for key, f in by_key.items() if key not in live]
    # every write of the engine runs under the scan lock, so no other run inserts these keys
    # meanwhile; the partial unique constraint stays as the backstop
    opened = RiskWarning.objects.bulk_create(new)
    WarningAction.objects.bulk_create([WarningAction(warning=w, kind=WarningAction.Kind.OPENED, at=now) for w in opened])
    seen = [w.pk for key, w in live.items() if key in by_key]
    if seen:
        RiskWarning.objects.filter(pk__in=seen).update(last_seen_at=now)
    closed = 0
    if full:
        gone = [w for key, w in live.items() if key not in by_key]
        note = _("Closed automatically: the rule no longer finds this.")
        RiskWarning.objects.filter(pk__in=[w.pk for w in gone]).update(
            status=RiskWarning.Status.CLOSED, closed_at=now, close_note=note)
        WarningAction.objects.bulk_create([WarningAction(warning=w, kind=WarningAction.Kind.AUTO_CLOSED, note=note, at=now)
                                           for w in gone])
        closed = len(gone)
    return len(opened), closed
