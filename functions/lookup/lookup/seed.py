"""Loads the lookup reference data and the sample city updates from data/ into LookupTable (local stack and
tests only)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lookup import domain, store
from pmc_common.clock import Clock, SystemClock

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


CITY_UPDATES = "city_updates.json"


def city_updates(data_dir: Path, now: datetime) -> list[dict[str, Any]]:
    """The sample city updates with dates made from their offsets (data/tools/make_city_updates.py) around the
    load time floored to the hour, so they are current on every fresh local stack."""
    anchor = now.replace(minute=0, second=0, microsecond=0)
    rows: list[dict[str, Any]] = json.loads((data_dir / CITY_UPDATES).read_text(encoding="utf-8"))
    docs = []
    for row in rows:
        starts = anchor + timedelta(hours=row["starts_offset_hours"])
        created = anchor + timedelta(hours=row["created_offset_hours"])
        update = domain.CityUpdate(
            id=row["id"],
            category=row["category"],
            ward=row["ward"],
            title=row["title"],
            body=row["body"],
            starts_at=starts,
            ends_at=starts + timedelta(hours=row["duration_hours"]),
            created_at=created,
            updated_at=created,
            status="",  # derived on every read, never stored
        )
        docs.append(domain.to_doc(update))
    return docs


def load(data_dir: Path, clock: Clock | None = None) -> None:
    for kind in FILES:
        store.put_all(kind, documents(kind, data_dir))
    store.put_updates(city_updates(data_dir, (clock or SystemClock()).now()))
