"""stale_payments (API.md 4.6), every 10 minutes: each payment still `created`/`pending` 15 minutes after its
creation (or `failed`/`expired`, for a day after the order expired: a late capture counts) is checked with the gateway,
and what the gateway says is enqueued for the reconciler (a capture, a failure, or the expiry once `expires_at`
has passed without a capture), so a lost webhook still ends in a capture. It changes no payment itself; a
repeat of the same event only enqueues harmless duplicates.

now = the event's time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from payments import intake, orders, payment_store
from payments.domain import OPEN, Payment
from payments.gateways import Gateway
from pmc_common.clock import iso, parse_iso
from pmc_common.instrument import instrumented

logger = Logger(service="payments")
AFTER = timedelta(minutes=15)


def news(payment: Payment, gateway: Gateway, now: datetime) -> dict[str, Any] | None:
    """The message the gateway's answer makes for one open payment; None: nothing to tell yet."""
    attempts = gateway.fetch_order_payments(payment.gateway_order_id)
    message: dict[str, Any] = {
        "source": "stale",
        "payment_id": payment.id,
        "gateway_order_id": payment.gateway_order_id,
    }
    captured = [a for a in attempts if a.status in ("captured", "refunded")]
    if captured:
        a = captured[0]
        return message | {
            "gateway_payment_id": a.id,
            "status": "captured",
            "amount_paise": a.amount_paise,
            "currency": a.currency,
        }
    expires_at = parse_iso(payment.expires_at)
    if payment.status in OPEN and now >= expires_at:
        return message | {"status": "expired"}
    if payment.status not in OPEN and now >= expires_at + payment_store.WATCH_AFTER_EXPIRY:
        return message | {"status": "expired"}  # the reconciler stops the watch
    failed = [a for a in attempts if a.status == "failed"]
    if failed and payment.status == "created":
        return message | {"gateway_payment_id": failed[-1].id, "status": "failed"}
    return None


def sweep(now: datetime, gateway: Gateway, enqueue: Callable[[dict[str, Any]], None]) -> tuple[int, int]:
    """(checked, enqueued) for the payments open 15 minutes after creation."""
    checked = enqueued = 0
    for payment_id in payment_store.open_created_before(iso(now - AFTER)):
        payment = payment_store.get(payment_id)
        if payment is None or payment.status not in payment_store.WATCHED:
            continue
        checked += 1
        message = news(payment, gateway, now)
        if message is not None:
            enqueue(message)
            enqueued += 1
    return checked, enqueued


@instrumented("payments", logger)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = parse_iso(event["time"])
    checked, enqueued = sweep(now, orders.gateway(), intake.enqueue)
    result = {"event_id": str(event["id"]), "time": iso(now), "checked": checked, "enqueued": enqueued}
    logger.info("stale payments checked", extra=result)
    return result
