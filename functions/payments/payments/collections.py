"""A day's collections (API.md 4.10) from the reconciler's aggregates of that IST day: `<ward>#<kind>#count|amount`
for captured payments and `exceptions#<status>#<ward>#count|amount` for flagged and refund_due ones. Pure:
the route reads the day's items in one Query (no scan) and this shapes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pmc_common.ids import WARDS

KINDS = ("property_tax", "water_bill")
EXCEPTIONS = ("flagged", "refund_due")


def day_view(day: date, ward: str | None, tallies: dict[str, int]) -> dict[str, Any]:
    """Every ward in scope (one, or all 15) and both kinds, zeros included; exceptions of the same wards."""
    wards = (ward,) if ward is not None else WARDS

    def cell(key: str) -> dict[str, int]:
        return {"count": tallies.get(f"{key}#count", 0), "amount_paise": tallies.get(f"{key}#amount", 0)}

    def ward_row(w: str) -> dict[str, Any]:
        cells = {k: cell(f"{w}#{k}") for k in KINDS}
        count = sum(c["count"] for c in cells.values())
        amount = sum(c["amount_paise"] for c in cells.values())
        return {"ward": w, "count": count, "amount_paise": amount, "by_kind": [{"kind": k, **cells[k]} for k in KINDS]}

    by_kind = [
        {
            "kind": k,
            "count": sum(cell(f"{w}#{k}")["count"] for w in wards),
            "amount_paise": sum(cell(f"{w}#{k}")["amount_paise"] for w in wards),
        }
        for k in KINDS
    ]
    exceptions = {
        status: {
            "count": sum(cell(f"exceptions#{status}#{w}")["count"] for w in wards),
            "amount_paise": sum(cell(f"exceptions#{status}#{w}")["amount_paise"] for w in wards),
        }
        for status in EXCEPTIONS
    }
    return {
        "date": day.isoformat(),
        "ward": ward,
        "count": sum(k["count"] for k in by_kind),
        "amount_paise": sum(k["amount_paise"] for k in by_kind),
        "by_kind": by_kind,
        "by_ward": [ward_row(w) for w in wards],
        "exceptions": exceptions,
    }
