import os
import time
from pathlib import Path

from django.apps import AppConfig


class SlowRuleConfig(AppConfig):
    name = "tests.risk.slowrule"
    label = "risk_slowrule"

    def ready(self):
        from approvals.rules import Finding, Rule, register_rule

        class SlowRule(Rule):
            code = "TST-SLOW"

            def scan(self, params, scope=None):
                from org.models import Unit

                units = list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:3])
                for n, pk in enumerate(units):
                    yield Finding(records=(("org.unit", pk),), message=f"slow {pk}", unit_id=pk)
                    flag = Path(os.environ.get("RISK_SLOW_FLAG", "/nonexistent"))
                    if n == 0 and flag.exists():
                        flag.unlink()
                        flag.with_suffix(".asleep").write_text(str(os.getpid()))
                        time.sleep(120)

        register_rule(SlowRule())
