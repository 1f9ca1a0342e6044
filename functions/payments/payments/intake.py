"""Confirm and webhook (API.md 4.7, 4.8): verify, then enqueue one message to the ReconciliationQueue. Neither
changes a payment: the reconciler applies each message once (DESIGN.md "Asynchronous paths").

A message (JSON, sorted keys) names its `source` (`confirm` or `webhook`), our `payment_id`, the gateway's
`gateway_order_id` and `gateway_payment_id`; a webhook's also carries `event_id`, `event`, `status`,
`amount_paise` and `currency` as the gateway sent them (the reconciler asks the gateway after a confirm)."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from payments import orders, payment_store
from payments.domain import Payment
from payments.gateways import signature_matches
from payments.models import ConfirmBody
from pmc_common import clients
from pmc_common.auth import Caller
from pmc_common.errors import BadRequest, InvalidSignature, NotFound
from pmc_common.settings import Settings, load

# Events that tell something of a payment (payload.payment.entity); any other is acknowledged and ignored.
EVENTS = frozenset({"payment.captured", "payment.failed", "payment.authorized", "order.paid"})
GATEWAY_PAYMENT_ID = re.compile(r"^pay_[A-Za-z0-9]{14}$")
GATEWAY_ORDER_ID = re.compile(r"^order_[A-Za-z0-9]{14}$")


class ReconciliationQueue(Settings):
    reconciliation_queue_url: str


def enqueue(message: dict[str, Any]) -> None:
    url = load(ReconciliationQueue).reconciliation_queue_url
    clients.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(message, sort_keys=True))


def confirm(payment_id: str, body: ConfirmBody, caller: Caller) -> Payment:
    """Owner only (anyone else 404, as for an unknown id); the order must be the stored one and the signature
    that of the stored order and the given payment id, compared constant-time (else 401, nothing enqueued)."""
    found = payment_store.get(payment_id) if orders.PAYMENT_ID.match(payment_id) else None
    if found is None or found.owner_sub != caller.sub:
        raise NotFound("No payment with that id")
    same_order = signature_matches(found.gateway_order_id, body.razorpay_order_id)
    signed = orders.gateway().verify_checkout_signature(
        found.gateway_order_id, body.razorpay_payment_id, body.razorpay_signature
    )
    if not (same_order and signed):
        raise InvalidSignature("The checkout signature does not verify")
    enqueue(
        {
            "source": "confirm",
            "payment_id": found.id,
            "gateway_order_id": found.gateway_order_id,
            "gateway_payment_id": body.razorpay_payment_id,
        }
    )
    return found


def _entity(document: Any) -> dict[str, Any]:
    try:
        entity = document["payload"]["payment"]["entity"]
        fields = {
            "gateway_payment_id": entity["id"],
            "gateway_order_id": entity["order_id"],
            "amount_paise": entity["amount"],
            "currency": entity["currency"],
            "status": entity["status"],
        }
    except (KeyError, TypeError):
        raise BadRequest("The webhook has no usable payment entity") from None
    if not (
        isinstance(fields["gateway_payment_id"], str)
        and GATEWAY_PAYMENT_ID.match(fields["gateway_payment_id"])
        and isinstance(fields["gateway_order_id"], str)
        and GATEWAY_ORDER_ID.match(fields["gateway_order_id"])
        and type(fields["amount_paise"]) is int
        and isinstance(fields["currency"], str)
        and isinstance(fields["status"], str)
    ):
        raise BadRequest("The webhook has no usable payment entity")
    return fields


def webhook(raw_body: bytes, signature: str | None, event_id: str | None) -> Literal["enqueued", "ignored"]:
    """The signature over the raw bytes first (401), then the event id (400), then the body (400)."""
    if not orders.gateway().verify_webhook_signature(raw_body, signature):
        raise InvalidSignature("The webhook signature does not verify")
    if not event_id:
        raise BadRequest("The webhook needs an X-Razorpay-Event-Id header")
    try:
        document = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The webhook body is not JSON") from None
    if not isinstance(document, dict) or document.get("event") not in EVENTS:
        return "ignored"
    fields = _entity(document)
    payment_id = payment_store.payment_of_order(fields["gateway_order_id"])
    if payment_id is None:
        return "ignored"
    enqueue(
        {
            "source": "webhook",
            "event_id": event_id[:128],
            "event": document["event"],
            "payment_id": payment_id,
            **fields,
        }
    )
    return "enqueued"
