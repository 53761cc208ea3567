"""Reminders of contracts ending and milestones falling due (Celery beat).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.money import format_yuan
from org.models import Role

from ..models import Contract, PaymentTerm, Reminder
from ..selectors import term_claims_many
from .contracts import ZERO


# --- reminders (Celery beat) ------------------------------------------------------------------------------------
REMINDER_DAYS = 30


def reminders_send(*, today: dt.date | None = None, days: int = REMINDER_DAYS) -> int:
    """Tell the applicant and the unit head of every contract ending, or with an unpaid
    milestone falling due, within ``days``. Each reminder is sent once (the Reminder row is
    claimed with an insert that ignores conflicts, so two scans at once send nothing twice;
    the beat task runs one scan at a time, ``core.locks.run_once``). Returns the reminders sent."""
    from approvals.services import notify
    from org.models import User

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=days)
    sent = 0
    with transaction.atomic():
        active = Contract.objects.filter(status=Contract.Status.ACTIVE).select_related("case__applicant", "unit", "supplier")
        ending = list(active.filter(end_date__gte=today, end_date__lte=horizon))
        due_terms = list(
            PaymentTerm.objects.filter(contract__status=Contract.Status.ACTIVE, is_active=True, due_date__gte=today,
                                       due_date__lte=horizon)
            .select_related("contract__case__applicant", "contract__unit", "contract__supplier")
        )
        heads: dict[int, list] = {}
        unit_ids = {c.unit_id for c in ending} | {t.contract.unit_id for t in due_terms}
        for u in User.objects.with_role(Role.UNIT_HEAD).filter(unit_id__in=unit_ids):
            heads.setdefault(u.unit_id, []).append(u)
        claims = term_claims_many([t.contract_id for t in due_terms])
        for contract in ending:
            if _claim(contract=contract, term=None, kind=Reminder.Kind.CONTRACT_ENDING, due=contract.end_date):
                notify([contract.case.applicant, *heads.get(contract.unit_id, [])], contract.case,
                       _("Contract %(number)s with %(supplier)s ends on %(date)s.")
                       % {"number": contract.number, "supplier": contract.supplier.name, "date": contract.end_date})
                sent += 1
        for term in due_terms:
            paid = claims.get(term.pk, ZERO)
            if paid >= term.amount:
                continue
            contract = term.contract
            if _claim(contract=contract, term=term, kind=Reminder.Kind.MILESTONE_DUE, due=term.due_date):
                notify([contract.case.applicant, *heads.get(contract.unit_id, [])], contract.case,
                       _("Milestone “%(term)s” of contract %(number)s (%(amount)s) falls due on %(date)s.")
                       % {"term": term.label, "number": contract.number, "amount": format_yuan(term.amount - paid),
                          "date": term.due_date})
                sent += 1
    return sent


def _claim(*, contract, term, kind, due) -> bool:
    """True the first time (the scan holds the advisory lock, so get_or_create cannot race)."""
    _reminder, created = Reminder.objects.get_or_create(contract=contract, term=term, kind=kind, due_date=due)
    return created
