"""Loads the lookup reference data from data/ into LookupTable (local stack and tests only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lookup import store

# The date the reference files were compiled (data/README.md); seeded items carry it as updated_at.
SEED_UPDATED_AT = "2026-04-01T00:00:00Z"
FILES = {
    "contact": "emergency_numbers.json",
    "department": "departments.json",
    "office": "offices.json",
    "facility_category": "facility_categories.json",
    store.FACILITY: "facilities.json",
    "whos_who": "whos_who.json",
}
DATA_ONLY_FIELDS = {store.FACILITY: ("sample",)}  # provenance kept in data/, not served


def documents(kind: str, data_dir: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((data_dir / FILES[kind]).read_text(encoding="utf-8"))
    dropped = DATA_ONLY_FIELDS.get(kind, ())
    stamped = kind not in ("department", "facility_category")
    return [
        {k: v for k, v in row.items() if k not in dropped} | ({"updated_at": SEED_UPDATED_AT} if stamped else {})
        for row in rows
    ]


def load(data_dir: Path) -> None:
    for kind in FILES:
        store.put_all(kind, documents(kind, data_dir))
