"""French number formatting, as the CNML prints figures: 958 450 ; 4,7 % ; +1,4 pt.

The thousands separator is a narrow no-break space (U+202F), as French
typography wants, and the one before "%" a no-break space, so figures never wrap.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

THOUSANDS = "\u202f"
NBSP = "\u00a0"


def _round(value, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value, decimals: int = 0) -> str:
    """958450 -> "958 450"; 4.75 with decimals=1 -> "4,8"; None -> "–"."""
    if value is None:
        return "–"
    number = _round(value, decimals)
    sign = "−" if number < 0 else ""
    integer, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = THOUSANDS.join(groups) or "0"
    if decimals:
        text += "," + fraction.ljust(decimals, "0")[:decimals]
    return sign + text


def format_percent(value, decimals: int = 1) -> str:
    """4.7 -> "4,7 %"."""
    if value is None:
        return "–"
    return f"{format_number(value, decimals)}{NBSP}%"


def format_signed(value, decimals: int = 1, unit: str = "%") -> str:
    """Evolutions: 4.7 -> "+4,7 %", -6.5 -> "−6,5 %", 0 -> "0,0 %"; unit "pt" for rates."""
    if value is None:
        return "–"
    number = _round(value, decimals)
    sign = "+" if number > 0 else ""
    return f"{sign}{format_number(number, decimals)}{NBSP}{unit}"
