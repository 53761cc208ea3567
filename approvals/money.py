"""Money helpers: one rounding rule and the amount in Chinese capitals (大写金额)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.money import CENT  # one definition, in the kernel

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def round_money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value) -> str:
    if value is None:
        return ""
    return f"¥{round_money(value):,.2f}"


def _four(n: int) -> str:
    """0..9999 in capitals, with 零 for inner zeros, no leading/trailing 零."""
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + _UNITS[pos]
    return out


def amount_in_words(value) -> str:
    """¥1,234,567.89 -> 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分 (the form used on Chinese vouchers)."""
    amount = round_money(value)
    if amount < 0:
        return "负" + amount_in_words(-amount)
    cents = int(amount * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    parts = []
    section = 0
    need_zero = False
    while yuan > 0:
        chunk = yuan % 10000
        if chunk:
            text = _four(chunk) + _SECTIONS[section]
            if need_zero:
                text += "零"
            parts.insert(0, text)
            need_zero = chunk < 1000
        else:
            need_zero = bool(parts)
        yuan //= 10000
        section += 1
    words = "".join(parts)
    # a zero between sections: 壹万零伍佰 etc. handled by need_zero; strip a trailing 零 if any
    words = words.rstrip("零")
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    else:
        words += "整"
    return words
