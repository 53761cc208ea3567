"""What a database superuser can do and the app's role cannot: go around the append-only
triggers. Tests use it to play the administrator who tampers with the tables directly."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def going_around_triggers():
    """Run the block with ordinary triggers off (``session_replication_role = replica``,
    superuser only), then switch them back on for the rest of the test's transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")
