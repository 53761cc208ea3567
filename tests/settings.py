"""Settings of the test suite: the project's own, with one difference — the database
backend's flush (pytest-django's transactional tests TRUNCATE every table between tests)
may empty the append-only tables, whose TRUNCATE the database otherwise refuses."""

from neiqiao.settings import *  # noqa: F403

DATABASES["default"]["ENGINE"] = "tests.pgflush"  # noqa: F405
