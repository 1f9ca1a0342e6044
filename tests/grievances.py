"""domain.log of the tests' usual grievance, so a test names only what it is about: garbage not collected in
Kasba Peth (W07), solid waste management's 48-hour SLA, logged in the app by a citizen without a phone
number. Any argument of domain.log can be changed; POTHOLE_W09 is the notifier and outbox tests' other one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grievance import domain

USUAL: dict[str, Any] = {
    "grievance_id": "GRV-2606-7K3M9Q",
    "category": "garbage_not_collected",
    "department": "solid_waste_management",
    "sla_hours": 48,
    "ward": "W07",
    "description": "Garbage not collected behind Kasba Ganpati for three days.",
    "lat": 18.52,
    "lng": 73.85,
    "owner_sub": "owner-sub",
    "owner_phone_number": None,
    "channel": "app",
}
POTHOLE_W09: dict[str, Any] = {
    "category": "pothole",
    "department": "roads",
    "sla_hours": 72,
    "ward": "W09",
    "description": "Deep pothole near Karve Road signal.",
    "lat": 18.507,
    "lng": 73.807,
}


def logged(now: datetime, **changes: Any) -> domain.StatusChange:
    """The status change logging the usual grievance at `now`, with `changes` to its arguments."""
    return domain.log(**(USUAL | changes), now=now)
