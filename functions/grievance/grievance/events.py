"""Domain events of the grievance service (source `pmc.grievance`), decided from what a change did: the only
way other parts (the notifier, later analytics) learn that a grievance changed. Pure: the store writes them
to the outbox in the change's own transaction, the relay publishes them. Never carries personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmc_common.clock import parse_iso
from pmc_common.outbox import DomainEvent

if TYPE_CHECKING:
    from grievance.domain import Grievance

SOURCE = "pmc.grievance"
STATUS_CHANGED = "GrievanceStatusChanged"
ESCALATED = "GrievanceEscalated"


def emitted(before: Grievance | None, after: Grievance) -> list[DomainEvent]:
    """The events a change from `before` (None: logged now) to `after` emits, stamped with the change's time
    (`after.updated_at`, the injected clock's now): one per status change (API.md 3.11) and one per
    escalation (3.10); assignee changes, notes and re-routing within a status emit none."""
    now = parse_iso(after.updated_at)
    found = []
    detail: dict[str, str | int | None]
    from_status = before.status if before is not None else None
    if from_status != after.status:
        detail = {
            "grievance_id": after.id,
            "from_status": from_status,
            "to_status": after.status,
            "category": after.category,
            "ward": after.ward,
            "department": after.department,
            "at": after.updated_at,
        }
        found.append(DomainEvent.of(SOURCE, STATUS_CHANGED, detail, now))
    if before is not None and after.escalation_level > before.escalation_level:
        detail = {
            "grievance_id": after.id,
            "level": after.escalation_level,
            "category": after.category,
            "ward": after.ward,
            "department": after.department,
            "due_at": after.due_at,
        }
        found.append(DomainEvent.of(SOURCE, ESCALATED, detail, now))
    return found
