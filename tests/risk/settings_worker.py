"""Settings of the Celery workers the risk worker tests start: the fault tests' settings plus
the test-only app that registers the sleeping rule TST-SLOW."""

from tests.faults.settings_faults import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.risk.slowrule"]  # noqa: F405
