"""Database triggers shared by the append-only tables (the trail, decided opinions, the
budget ledger): ``AppendOnly`` refuses UPDATE and DELETE row by row; TRUNCATE fires no row
triggers, so each such table also gets the statement-level ``NoTruncate``.

Both are built without pgtrigger's per-session switch. pgtrigger puts a check in front of
every trigger function that returns early when the session has set ``pgtrigger.ignore`` to
the trigger's name, and any database user may set that custom parameter: the app's own
role could turn the guard off with one ``SET``. Ours have no switch; only a superuser can go
around them (``session_replication_role = replica``), which the app's role is not (see
``core/sql/app_role.sql``)."""

import re

import pgtrigger
from pgtrigger import compiler

_SWITCH = re.compile(r"IF \(\{ignore_func_name\}\(TG_NAME\) IS TRUE\) THEN.*?END IF;\s*END IF;", re.S)


class UpsertTriggerSqlWithoutSwitch(compiler.UpsertTriggerSql):
    """pgtrigger's v1 installation template minus the ``pgtrigger.ignore`` early return.
    Migrations name this class; keep it backwards compatible like pgtrigger's own."""

    def get_template(self) -> str:
        template, found = _SWITCH.subn("", super().get_template())
        if found != 1:  # pgtrigger changed its template: look again before upgrading
            raise RuntimeError("pgtrigger's installation template no longer has the expected ignore switch")
        return template


class _WithoutSwitch:
    def compile(self, model):
        compiled = super().compile(model)
        return compiler.Trigger(name=compiled.name, sql=UpsertTriggerSqlWithoutSwitch(**compiled.sql.kwargs))


class AppendOnly(_WithoutSwitch, pgtrigger.Protect):
    """BEFORE UPDATE OR DELETE ... FOR EACH ROW (optionally with a condition): refuse."""


class NoTruncate(_WithoutSwitch, pgtrigger.Trigger):
    """BEFORE TRUNCATE ... FOR EACH STATEMENT: refuse emptying the table.

    pgtrigger 4.17's ``Protect`` only builds statement-level triggers from transition
    tables, which TRUNCATE has none of, hence this small subclass."""

    when = pgtrigger.Before
    operation = pgtrigger.Truncate
    level = pgtrigger.Statement

    def get_func(self, model):
        return "RAISE EXCEPTION 'neiqiao: table % is append-only; TRUNCATE is refused', TG_TABLE_NAME;"
