"""Money in integer paise: rounding half up to the paisa and formatting rupees at the edge."""

from __future__ import annotations


def rhu(numerator: int, denominator: int) -> int:
    """Round numerator/denominator half up to a whole paisa: (2n + d) div (2d), n >= 0."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("rhu needs n >= 0 and d > 0")
    return (2 * numerator + denominator) // (2 * denominator)


def rupees(paise: int) -> str:
    """`Rs 12,080.00` with Indian digit grouping (12,34,567.00), for receipts and SMS only."""
    sign = "-" if paise < 0 else ""
    whole, fraction = divmod(abs(paise), 100)
    digits = str(whole)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ",".join([*groups, tail])
    return f"{sign}Rs {digits}.{fraction:02d}"
