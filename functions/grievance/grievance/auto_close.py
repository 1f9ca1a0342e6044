"""The auto-close sweep (API.md 3.10), daily at 02:00 IST: grievances resolved at least 7 days before
the event's time without the owner's feedback are closed by the system.

Reads only the sparse ResolvedByTime index; a rerun of the same event finds nothing left to close."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from grievance import domain, store
from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Conflict
from pmc_common.instrument import instrumented

logger = Logger(service="grievance")


@instrumented("grievance", logger)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = parse_iso(event["time"])
    at = iso(now)
    # Listed first: closing an item takes it out of the very index being read.
    grievance_ids = list(store.resolved_before(iso(now - domain.AUTO_CLOSE_AFTER)))
    closed = 0
    for grievance_id in grievance_ids:
        current = store.get(grievance_id)
        if current is None:
            continue
        try:  # refused by the lifecycle's auto_close row, or rated or reopened meanwhile: the owner wins
            change = domain.transition(current, "closed", by="system", via="auto_close", given={}, now=now)
            store.save(change, read=current)  # with its GrievanceStatusChanged, in one transaction
        except Conflict:
            continue
        closed += 1
    result = {"event_id": str(event["id"]), "time": at, "examined": len(grievance_ids), "closed": closed}
    logger.info("auto-close sweep done", extra=result)
    return result
