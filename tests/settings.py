"""Settings of the test suite: the project's own, with two differences.

* The database backend's flush (pytest-django's transactional tests TRUNCATE every table
  between tests) may empty the append-only tables, whose TRUNCATE the database otherwise
  refuses.
* No statement may run longer than two minutes: a runaway query (one ran twelve minutes on a
  loaded machine once) fails its test with the statement in the error instead of stalling
  the whole run. The longest statement of the suite takes well under a second; lock waits of
  the concurrency tests count too and stay under ten seconds."""

from neiqiao.settings import *  # noqa: F403

DATABASES["default"]["ENGINE"] = "tests.pgflush"  # noqa: F405
_options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
_options["options"] = (_options.get("options", "") + " -c statement_timeout=120000").strip()
