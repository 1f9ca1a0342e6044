"""Loads the sample property-tax and water-bill records from data/ into PaymentsTable (local stack and tests
only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from payments import store

DATA_ONLY_FIELDS = ("sample", "demands", "bills")  # provenance kept in data/; lines are items of their own


def _rows(data_dir: Path, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((data_dir / name).read_text(encoding="utf-8"))
    return rows


def _record(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in DATA_ONLY_FIELDS}


def load(data_dir: Path) -> None:
    store.put_records(
        "property", ((row["property_id"], _record(row), row["demands"]) for row in _rows(data_dir, "properties.json"))
    )
    store.put_records(
        "water", ((row["consumer_no"], _record(row), row["bills"]) for row in _rows(data_dir, "water_connections.json"))
    )
