"""统一社会信用代码 (unified social credit identifier), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division
(6 digits), organisation code (9, GB 11714), check character (1). Characters come from
``0-9`` and the capital letters except I, O, S, V, Z; the check character is
``31 - (Σ value × weight mod 31)`` (31 → 0) over the first 17.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {ch: i for i, ch in enumerate(CHARSET)}
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
RULE = "GB 32100-2015"

# GB 11714 organisation code check (used to build demo codes; real codes satisfy it too).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalise_credit_code(value: str | None) -> str:
    """Upper case, without spaces or full-width characters a person may have typed."""
    if value is None:
        return ""
    text = str(value).strip().upper()
    text = text.translate({ord(c): ord(c) - 0xFEE0 for c in text if 0xFF01 <= ord(c) <= 0xFF5E})
    return re.sub(r"[\s\-]", "", text)


def credit_code_check_char(first17: str) -> str:
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised code or raise ValidationError naming the rule."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(code)s” has %(n)d (%(rule)s).")
            % {"code": code, "n": len(code), "rule": RULE},
            code="credit_code_length",
        )
    if not _SHAPE.match(code):
        raise ValidationError(
            _("“%(code)s” is not a unified social credit code: it may contain digits and capital letters except I, O, S, V, Z, "
              "and characters 3–8 are the 6-digit area code (%(rule)s).") % {"code": code, "rule": RULE},
            code="credit_code_chars",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of unified social credit code “%(code)s” is wrong: it should be “%(expected)s” (%(rule)s). "
              "Please check the code against the business licence.") % {"code": code, "expected": expected, "rule": RULE},
            code="credit_code_check",
        )
    return code


def org_code_check_char(first8: str) -> str:
    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    c = 11 - sum(value(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def org_code_problem(code: str) -> str | None:
    """GB 32100-2015 §4.4: characters 9–17 (主体标识码) are the organisation code of GB 11714-1997,
    whose 9th character is its own check character (weights 3,7,9,10,5,8,4,2; C9 = 11 − Σ mod 11,
    10 → X, 11 → 0). The 18th character does not cover it, so a code can pass the GB 32100 check
    with a wrong organisation code. Returns the problem in words, or None when it is right."""
    org = code[8:17]
    expected = org_code_check_char(org[:8])
    if org[8] == expected:
        return None
    return _(
        "Characters 9–17 of “%(code)s” are the organisation code (主体标识码) “%(org)s”, whose check character "
        "should be “%(expected)s” (GB 11714-1997, required by %(rule)s). Compare the code with the registration "
        "certificate; if it is exactly as printed there, tick the confirmation and save again."
    ) % {"code": code, "org": org, "expected": expected, "rule": RULE}


def make_credit_code(*, area: str, org8: str, prefix: str = "91") -> str:
    """Build a valid code from an area code and the first 8 characters of an organisation
    code (both check characters computed). For demo data and tests."""
    org = org8 + org_code_check_char(org8)
    first17 = f"{prefix}{area}{org}"
    return first17 + credit_code_check_char(first17)
