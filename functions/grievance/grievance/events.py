"""Domain events on the project's EventBridge bus (source `pmc.grievance`): the only way other
parts (the notifier, later analytics) learn that a grievance changed. Never carries personal data."""

from __future__ import annotations

import json
from typing import Any

from grievance.domain import Grievance, StatusChange
from grievance.settings import settings
from pmc_common.clients import put_event

SOURCE = "pmc.grievance"


def _put(detail_type: str, detail: dict[str, Any]) -> None:
    put_event(SOURCE, detail_type, json.dumps(detail, ensure_ascii=False), settings().event_bus_name)


def status_changed(change: StatusChange, at: str) -> None:
    """`GrievanceStatusChanged` (API.md 3.11); creation has from_status null."""
    if not change.moves_status:
        return
    g = change.grievance
    _put(
        "GrievanceStatusChanged",
        {
            "grievance_id": g.id,
            "from_status": change.from_status,
            "to_status": change.to_status,
            "category": g.category,
            "ward": g.ward,
            "department": g.department,
            "at": at,
        },
    )


def escalated(g: Grievance, level: int) -> None:
    """`GrievanceEscalated` (API.md 3.10)."""
    _put(
        "GrievanceEscalated",
        {
            "grievance_id": g.id,
            "level": level,
            "category": g.category,
            "ward": g.ward,
            "department": g.department,
            "due_at": g.due_at,
        },
    )
