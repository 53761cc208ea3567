"""Writes of procurement, by area: suppliers (``suppliers``) and purchases, quotes and awards
(``purchases``). Every public name is re-exported here, so ``from procurement.services import X``
and ``services.X`` keep working.
"""

from __future__ import annotations

from .suppliers import (  # noqa: F401
    SUPPLIER_FIELDS,
    _clean_code,
    _duplicate_message,
    _messages,
    _org_code_confirmation,
    _store_document,
    payee_blacklist_refusal,
    qualification_add,
    supplier_blacklist,
    supplier_check_usable,
    supplier_create,
    supplier_unblacklist,
    supplier_update,
)
from .purchases import (  # noqa: F401
    EDITABLE,
    PUBLICITY_WORKING_DAYS,
    SINGLE_SOURCE_RULE,
    _check_single_source,
    _fresh,
    _purchase_of,
    award_approved,
    award_cancel,
    award_check,
    award_reopen,
    award_set,
    award_submit,
    purchase_approved,
    purchase_cancel,
    purchase_check,
    purchase_reopen,
    purchase_set,
    purchase_submit,
    threshold_save,
)
from ..selectors import (  # noqa: F401  (read-only figures, moved to selectors)
    purchase_year_total,
    quote_documents_missing,
)
