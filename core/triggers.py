"""Database triggers shared by the append-only tables (the trail, decided opinions, the
budget ledger). Row-level ``pgtrigger.Protect`` refuses UPDATE and DELETE; TRUNCATE
fires no row triggers, so each such table also gets this statement-level guard."""

import pgtrigger


class NoTruncate(pgtrigger.Trigger):
    """BEFORE TRUNCATE ... FOR EACH STATEMENT: refuse emptying the table.

    pgtrigger 4.17's ``Protect`` only builds statement-level triggers from transition
    tables, which TRUNCATE has none of, hence this small subclass."""

    when = pgtrigger.Before
    operation = pgtrigger.Truncate
    level = pgtrigger.Statement

    def get_func(self, model):
        return "RAISE EXCEPTION 'neiqiao: table % is append-only; TRUNCATE is refused', TG_TABLE_NAME;"
