"""Writes of contracts, by area: the contract and its terms (``contracts``), acceptance,
contract payments, supplementary agreements, attachments and reminders. Every public name
is re-exported here, so ``from contracts.services import X`` and ``services.X`` keep working.
"""

from __future__ import annotations

from .contracts import (  # noqa: F401
    EDITABLE,
    PS,
    T,
    TERMS_RULE,
    ZERO,
    _award_of,
    _case_line,
    _has_document,
    _lock_contract,
    _require_editable,
    contract_approved,
    contract_cancel,
    contract_check,
    contract_reopen,
    contract_set,
    contract_submit,
    next_contract_number,
    terms_normalise,
)
from .acceptance import (  # noqa: F401
    ACCEPTANCE_RULE,
    _acceptance_contract,
    _check_members,
    acceptance_approved,
    acceptance_cancel,
    acceptance_check,
    acceptance_reopen,
    acceptance_set,
    acceptance_submit,
)
from .payments import (  # noqa: F401
    PAYMENT_MATTER,
    _DESK_CODES,
    payment_approved,
    payment_cancel,
    payment_check,
    payment_pay,
    payment_request_start,
    payment_set,
    payment_submit,
)
from .supplements import (  # noqa: F401
    SUPPLEMENT_MATTER,
    _locked_terms,
    _supplement_rows,
    supplement_approved,
    supplement_cancel,
    supplement_check,
    supplement_reopen,
    supplement_set,
    supplement_start,
    supplement_submit,
)
from .attachments import (  # noqa: F401
    may_attach,
)
from .reminders import (  # noqa: F401
    REMINDER_DAYS,
    _claim,
    reminders_send,
)
from ..selectors import (  # noqa: F401  (read-only figures, moved to selectors)
    Figures,
    contract_figures,
    next_due_term,
    term_claims,
    term_claims_many,
)
