"""A test-only app for the worker processes of the risk fault test: it registers TST-SLOW, a
rule that finds three units and, while the flag file named by RISK_SLOW_FLAG exists, removes
it and sleeps half-way through its findings (so the pool process can be killed mid-rule)."""
