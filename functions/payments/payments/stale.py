"""stale_payments (API.md 4.6), every 10 minutes: each payment still `created`/`pending` 15 minutes after its
creation (or `failed`/`expired`, for a day after the order expired: a late capture counts) is checked with the gateway,
and what the gateway says is enqueued for the reconciler (a capture, a failure, or the expiry once `expires_at`
has passed without a capture), so a lost webhook still ends in a capture. Each captured, flagged or
refund_due order is also asked about again for SECOND_CAPTURE_WATCH_HOURS (72 by default) after its capture,
at doubling intervals (15 min, 30 min, 1 h, ... 64 h, and once more 15 minutes before the window ends): every
captured gateway payment on it not yet recorded (no applied marker) is enqueued as a capture, which the
reconciler records as a new `refund_due` payment (`duplicate_capture`), so a second capture whose webhook and
confirm were both lost is still recorded. It changes no payment itself; a repeat of the same event only
enqueues harmless duplicates (the reconciler's marker applies each gateway payment once).

now = the event's time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from payments import intake, orders, payment_store, settings
from payments.domain import FINAL, OPEN, Payment, next_capture_check
from payments.gateways import Gateway
from payments.payment_store import CaptureCheck
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


# --- captured orders: a second capture whose every message was lost (API.md 4.6 duplicate_capture) -------------


def second_captures(payment: Payment, gateway: Gateway) -> list[dict[str, Any]]:
    """A capture message for each captured gateway payment on the payment's order other than the one it recorded
    and not yet recorded (its applied marker absent): what the reconciler makes a `duplicate_capture`."""
    messages = []
    for attempt in gateway.fetch_order_payments(payment.gateway_order_id):
        if attempt.status not in ("captured", "refunded") or attempt.id == payment.gateway_payment_id:
            continue
        if payment_store.applied(f"{attempt.id}#capture"):
            continue
        messages.append(
            {
                "source": "stale",
                "payment_id": payment.id,
                "gateway_order_id": payment.gateway_order_id,
                "gateway_payment_id": attempt.id,
                "status": "captured",
                "amount_paise": attempt.amount_paise,
                "currency": attempt.currency,
            }
        )
    return messages


def capture_sweep(
    now: datetime, gateway: Gateway, enqueue: Callable[[dict[str, Any]], None], window: timedelta
) -> tuple[int, int, int]:
    """(checked, enqueued, ended) for the capture checks due at `now` (at most MAX_CAPTURE_CHECKS: the rest
    stay due for the next run). A check past its window ends unasked: nothing is looked at after it."""
    checked = enqueued = ended = 0
    for check in payment_store.capture_checks_due(iso(now)):
        captured_at = parse_iso(check.captured_at)
        payment = payment_store.get(check.payment_id)
        if payment is None or payment.status not in FINAL or now > captured_at + window:
            payment_store.end_capture_check(check)
            ended += 1
            continue
        checked += 1
        for message in second_captures(payment, gateway):
            enqueue(message)
            enqueued += 1
        _reschedule(check, captured_at, now, window)
    return checked, enqueued, ended


def _reschedule(check: CaptureCheck, captured_at: datetime, now: datetime, window: timedelta) -> None:
    following = next_capture_check(captured_at, now, window)
    if following is None:
        payment_store.end_capture_check(check)
    else:
        payment_store.reschedule_capture_check(check, iso(following))


@instrumented("payments", logger)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = parse_iso(event["time"])
    gateway = orders.gateway()
    checked, enqueued = sweep(now, gateway, intake.enqueue)
    window = timedelta(hours=settings.second_capture_watch_hours())
    captures_checked, captures_enqueued, _ = capture_sweep(now, gateway, intake.enqueue, window)
    result = {
        "event_id": str(event["id"]),
        "time": iso(now),
        "checked": checked + captures_checked,
        "enqueued": enqueued + captures_enqueued,
    }
    logger.info("stale payments checked", extra=result)
    return result
