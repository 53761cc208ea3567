"""Create (or bring up to date) the database role the running app connects as.

The owner of the tables (the role `migrate` runs as) keeps every right; the app's role gets
only what serving requests and running tasks need:

* SELECT, INSERT, UPDATE, DELETE on the tables, USAGE/SELECT on their sequences, and the same
  on tables later migrations create (default privileges of the owner);
* no TRUNCATE, no TRIGGER, no REFERENCES, no CREATE in the schema, and it owns nothing, so it
  cannot ALTER or DROP a table or disable a trigger;
* on the append-only tables (the trail, the budget ledger) only SELECT and INSERT;
* not a superuser, so it cannot set ``session_replication_role`` (which switches triggers off).

Run it after every ``migrate`` as the owner (docker-compose.yml's migrate service does):
``DATABASE_APP_PASSWORD=... python manage.py db_app_role neiqiao_app``. It is idempotent.
"""

from __future__ import annotations

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# the tables whose rows are never changed once written (see core.triggers)
APPEND_ONLY_TABLES = ("approvals_action", "budget_budgetmovement")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = "Create or update the least-privilege database role the app connects as (run as the table owner)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="name of the app's role, e.g. neiqiao_app")
        parser.add_argument(
            "--password-env", default="DATABASE_APP_PASSWORD",
            help="environment variable holding the role's password (default DATABASE_APP_PASSWORD); "
            "unset: the role gets no password (peer or trust authentication only)",
        )

    def handle(self, *args, role: str, password_env: str, **options):
        if not ROLE_NAME.match(role):
            raise CommandError(f"role name {role!r}: lower-case letters, digits and _ only")
        password = os.environ.get(password_env) or None
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if owner == role:
                raise CommandError("run this as the owner of the tables, not as the app's role")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
            if password:
                cursor.execute(f'{verb} ROLE "{role}" WITH {attributes} PASSWORD %s', [password])
            else:
                cursor.execute(f'{verb} ROLE "{role}" WITH {attributes}')
            for sql in (
                f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"',
                f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"',
                f'GRANT USAGE ON SCHEMA public TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
                f'REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA public FROM "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
                *(f'REVOKE UPDATE, DELETE ON "{table}" FROM "{role}"' for table in APPEND_ONLY_TABLES),
            ):
                cursor.execute(sql)
        self.stdout.write(self.style.SUCCESS(
            f"role {role}: {'updated' if verb == 'ALTER' else 'created'}; reads and writes the tables of {database}, "
            f"owns nothing, no TRUNCATE or trigger rights; append-only tables: SELECT and INSERT only"
        ))
