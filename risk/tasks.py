from celery import shared_task

from core.locks import run_once


@shared_task(name="risk.scan", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan(kind: str = "full") -> int | None:
    """Nightly (every rule) or hourly (the cheap ones) scan; idempotent, one at a time."""
    from .engine import scan as run_scan

    with run_once("risk.scan", timeout=3600) as mine:
        if not mine:
            return None
        run = run_scan(kind=kind)
    return run.pk if run else None


@shared_task(name="risk.scan_event", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_event(event_name: str, payload: dict) -> int | None:
    """The rules concerned by one business event, over the records it names (opens only;
    the nightly scan closes). Skipped while a full scan runs: that scan sees the same facts."""
    from approvals import rules

    from .engine import scan as run_scan
    from .models import Run

    codes = {code for code, rule in rules.rules().items() if event_name in rule.events}
    if not codes:
        return None
    run = run_scan(kind=Run.Kind.EVENT, codes=codes, scope={"event": event_name, **payload})
    return run.pk if run else None
