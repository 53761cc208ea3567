"""Root conftest: loaded before Django is set up, so test-only settings switches go here."""

import os

os.environ.setdefault("NEIQIAO_TESTING", "1")
