"""The notifier (API.md 3.11): one SMS through SNS per recipient for each `GrievanceStatusChanged` and
`GrievanceEscalated` event on the project bus, in the recipient's language only (GET/PUT /me/preferences,
issue 16). Never logs a phone number: counts and the grievance id only."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent

from grievance import messages, preferences, store
from grievance.domain import Grievance
from pmc_common import clients
from pmc_common.instrument import instrumented
from pmc_common.settings import IdempotencyTable, load

logger = Logger(service="grievance")

STATUS_CHANGED = "GrievanceStatusChanged"
ESCALATED = "GrievanceEscalated"
# Transactional SMS are delivered even to numbers on India's do-not-disturb registry.
SMS_ATTRIBUTES = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}


def _sns() -> Any:
    return clients.client("sns")


# One SMS per domain event for a day, whatever delivers it again: EventBridge (at least once) or the outbox
# relay republishing a record after a partial failure, which puts a new envelope `id` on the same event, so
# the key is the outbox's `detail.event_id` (the envelope id only for an event published without one).
once_per_event = IdempotencyConfig(event_key_jmespath="detail.event_id || id", expires_after_seconds=24 * 3600)
persistence = DynamoDBPersistenceLayer(table_name=load(IdempotencyTable).idempotency_table_name)


@instrumented("grievance", logger)
@idempotent(config=once_per_event, persistence_store=persistence)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    detail_type = event.get("detail-type")
    detail = event.get("detail") or {}
    grievance_id = str(detail.get("grievance_id"))
    if detail_type not in (STATUS_CHANGED, ESCALATED):
        logger.warning("not a grievance event", extra={"detail_type": detail_type})
        return {"sent": 0}
    g = store.get(grievance_id)
    if g is None:
        logger.warning("grievance not found", extra={"grievance_id": grievance_id})
        return {"sent": 0}
    sent = 0
    for phone_number, text in texts(g, detail_type, detail):
        _sns().publish(PhoneNumber=phone_number, Message=text, MessageAttributes=SMS_ATTRIBUTES)
        sent += 1
    logger.info("sms sent", extra={"grievance_id": g.id, "detail_type": detail_type, "sent": sent})
    return {"sent": sent}


def texts(g: Grievance, detail_type: str, detail: dict[str, Any]) -> list[tuple[str, str]]:
    """(phone number, message) for the owner and each follower with a phone number, one per number, each in
    that recipient's language."""

    def text(recipient: preferences.Recipient) -> str:
        if detail_type == ESCALATED:
            return messages.escalated(g.id, int(detail["level"]), g.ward, g.department, recipient.language)
        return messages.status_changed(g.id, str(detail["to_status"]), recipient.role, recipient.language)

    return [(r.phone_number, text(r)) for r in preferences.recipients(g)]
