"""stale_payments on DynamoDB Local with the sandbox's ledger (API.md 4.6 `duplicate_capture`): a second capture
on an already captured order whose every message was lost is found by asking the gateway about captured orders
for SECOND_CAPTURE_WATCH_HOURS after their capture, and recorded once through the reconciler as a new
`refund_due` payment; after the window the order is not looked at again."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pmc_common.clock import FixedClock
from tests.harness import Api, Caller
from tests.integration.test_payments_intake import clock, payments_seed
from tests.integration.test_payments_reconciler import (
    CAPTURED_AT,
    gateway_payment_id,
    new_payment,
    run,
    webhook_message,
)

__all__ = ["clock", "payments_seed"]  # the same fixtures

WINDOW = timedelta(hours=72)


def captured(api: Api) -> tuple[Caller, dict[str, Any], str]:
    """A payment paid through the sandbox and captured by its webhook at CAPTURED_AT: (owner, payment, the
    gateway payment id recorded)."""
    from payments import orders

    caller, payment = new_payment(api)
    first = orders.gateway().pay(payment["gateway_order_id"], "captured")  # type: ignore[attr-defined]
    assert run([webhook_message(payment, first.payment.id, "captured")]) == {"batchItemFailures": []}
    return caller, payment, first.payment.id


def captured_again(payment: dict[str, Any], amount_paise: int) -> str:
    """Razorpay captures a second payment on the order (a second tab, a retried UPI collect) and every message
    of it is lost: only the gateway knows. The sandbox's pay route refuses a paid order, so the attempt goes
    into its ledger as Razorpay would list it: the order's next attempt and the attempt by its id."""
    from payments.gateways import GatewayPayment
    from payments.store import PaymentsItem

    order_id = payment["gateway_order_id"]
    second = GatewayPayment(gateway_payment_id(), order_id, amount_paise, "INR", "captured")
    order = PaymentsItem.get(f"sandbox-order#{order_id}", "order", consistent_read=True)
    count = int(order.tally or 0) + 1
    PaymentsItem(f"sandbox-order#{order_id}", f"attempt#{count:06d}", doc=asdict(second)).save()
    PaymentsItem(f"sandbox-payment#{second.id}", "payment", doc=asdict(second)).save()
    order.update(actions=[PaymentsItem.tally.set(count)])
    return second.id


class Asked:
    """The sandbox gateway, noting the orders stale_payments asks about."""

    def __init__(self) -> None:
        from payments import orders

        self.gateway = orders.gateway()
        self.orders: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)

    def fetch_order_payments(self, order_id: str) -> Any:
        self.orders.append(order_id)
        return self.gateway.fetch_order_payments(order_id)


def sweep(at: datetime, ours: set[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every capture check due at `at` (other tests' too: runs until none is left, each run at most
    MAX_CAPTURE_CHECKS), and of ours the messages enqueued and the orders asked about."""
    from payments import stale

    gateway, sent = Asked(), list[dict[str, Any]]()
    while sum(stale.capture_sweep(at, gateway, sent.append, WINDOW)[::2]):  # type: ignore[arg-type]
        pass
    return [m for m in sent if m["payment_id"] in ours], gateway.orders


def checks_of(payment: dict[str, Any]) -> list[str]:
    """When the payment's capture checks are due (the whole partition read: other tests' checks are there)."""
    from payments.payment_store import CAPTURE_CHECKS_PK
    from payments.store import PaymentsItem

    items = PaymentsItem.query(CAPTURE_CHECKS_PK, consistent_read=True)
    return [item.sk.split("#", 1)[0] for item in items if item.doc["payment_id"] == payment["id"]]


def duplicates(api: Api, caller: Caller, payment: dict[str, Any]) -> list[dict[str, Any]]:
    mine = api.get("/me/payments", query={"limit": 100}, caller=caller).json()["items"]
    return [p for p in mine if p["gateway_order_id"] == payment["gateway_order_id"] and p["id"] != payment["id"]]


def test_a_lost_second_capture_is_recorded_once_as_refund_due(api: Api, clock: FixedClock) -> None:
    from payments import payment_store

    caller, payment, first = captured(api)
    second = captured_again(payment, payment["amount_paise"])
    ours = {payment["id"]}
    order = payment["gateway_order_id"]

    assert sweep(CAPTURED_AT + timedelta(minutes=10), ours) == ([], [])  # not due: 15 minutes after the capture
    at = CAPTURED_AT + timedelta(minutes=16)
    found, asked = sweep(at, ours)
    assert found == [
        {
            "source": "stale",
            "payment_id": payment["id"],
            "gateway_order_id": order,
            "gateway_payment_id": second,
            "status": "captured",
            "amount_paise": payment["amount_paise"],
            "currency": "INR",
        }
    ]
    assert asked.count(order) == 1
    assert run(found, at) == {"batchItemFailures": []}
    [duplicate] = duplicates(api, caller, payment)
    assert (duplicate["status"], duplicate["status_reason"]) == ("refund_due", "duplicate_capture")
    assert duplicate["gateway_payment_id"] == second
    assert duplicate["captured_amount_paise"] == payment["amount_paise"]
    original = api.get(f"/payments/{payment['id']}", caller=caller).json()
    assert (original["status"], original["gateway_payment_id"]) == ("captured", first)  # left as it was

    # Again: the message delivered twice, and the next due check: still one record, nothing more enqueued.
    assert run(found, at) == {"batchItemFailures": []}
    assert sweep(at, ours) == ([], [])  # its next check is 30 minutes after the capture
    found, asked = sweep(CAPTURED_AT + timedelta(minutes=40), ours)
    assert (found, asked.count(order)) == ([], 1)  # asked again; the second capture is recorded (its marker)
    assert payment_store.applied(f"{second}#capture")
    assert duplicates(api, caller, payment) == [duplicate]


def test_a_captured_order_is_not_looked_at_after_the_window(api: Api, clock: FixedClock) -> None:
    caller, payment, _ = captured(api)
    captured_again(payment, 100)
    ours = {payment["id"]}
    assert checks_of(payment) == ["2026-05-10T06:20:00Z"]  # one check, 15 minutes after the capture

    found, asked = sweep(CAPTURED_AT + WINDOW + timedelta(minutes=1), ours)
    assert found == []
    assert payment["gateway_order_id"] not in asked  # not asked about: the window had passed
    assert checks_of(payment) == []
    assert duplicates(api, caller, payment) == []


def test_the_checks_of_a_captured_order_end_with_the_window(api: Api, clock: FixedClock) -> None:
    """Checked at each due time (doubling intervals), the last 15 minutes before the window ends; then gone."""
    _, payment, _ = captured(api)
    ours, order = {payment["id"]}, payment["gateway_order_id"]
    times = []
    while due := checks_of(payment):
        [check_at] = due
        at = datetime.fromisoformat(check_at)
        found, asked = sweep(at, ours)
        assert (found, asked.count(order)) == ([], 1)
        times.append((at - CAPTURED_AT) / timedelta(minutes=1))
    assert times == [15, 30, 60, 120, 240, 480, 960, 1920, 3840, 72 * 60 - 15]
