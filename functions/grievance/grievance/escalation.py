"""The escalation sweep (API.md 3.10), every 15 minutes: each overdue open grievance goes one level up.

Reads only the sparse OpenByDue index for items due before the event's time, never the table; the
event's id and time make a replay of the same event escalate nothing twice. It also keeps the public
scorecard's "overdue now" (issue 20): an overdue grievance it cannot escalate (level 3) is counted overdue
in its ward × department, once (grievance.scorecard.settled)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from grievance import domain, reference, store
from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Conflict
from pmc_common.instrument import instrumented

logger = Logger(service="grievance")
metrics = Metrics(namespace="PuneConnect", service="grievance")  # flushed by @instrumented


@instrumented("grievance", logger)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = parse_iso(event["time"])
    event_id = str(event["id"])
    examined = escalated = 0
    for _, grievance_id in store.overdue_keys(reference.WARDS, iso(now)):
        examined += 1
        if escalate_one(grievance_id, event_id=event_id, now=now):
            escalated += 1
    result = {
        "event_id": event_id,
        "time": iso(now),
        "examined": examined,
        "escalated": escalated,
        "skipped": examined - escalated,
    }
    # the escalation backlog: EscalationBacklogAlarm watches overdue grievances sweep after sweep
    metrics.add_metric(name="OverdueGrievances", unit=MetricUnit.Count, value=examined)
    metrics.add_metric(name="GrievancesEscalated", unit=MetricUnit.Count, value=escalated)
    logger.info("escalation sweep done", extra=result)
    return result


def escalate_one(grievance_id: str, *, event_id: str, now: datetime) -> bool:
    """One level up for one overdue grievance; False when it is skipped: gone, no longer due, at
    level 3, already escalated by this event, or changed between the read and the conditional write
    (a later sweep looks at it again). Still overdue and not escalated, it is counted in its ward ×
    department's "overdue now" (once: a grievance counted already writes nothing)."""
    current = store.get(grievance_id)
    if current is None:
        return False
    # the category's SLA hours count only for a grievance stored before it kept its own (domain.kept_sla_hours)
    given = {"sla_hours": reference.category(current.category).sla_hours, "event_id": event_id}
    try:
        change = domain.transition(current, current.status, by="system", via="escalate", given=given, now=now)
    except Conflict:  # the lifecycle's escalation row refuses it (not open, not due, level 3, this event)
        if current.overdue(now):
            store.count_overdue(current)  # False when counted already or changed meanwhile: nothing to do
        return False
    return store.save_quietly(change.grievance, read=current)  # its GrievanceEscalated goes in the same write
