"""The sandbox's in-memory ledger (unit tests' SandboxLedger): an attempt is recorded with its order's new status
only while the order is not paid, so a capture that lands between reading the order and recording another
attempt makes the second one a 409 with nothing recorded (PaymentsTable's ledger does the same in one
transaction: tests/integration/test_payments_sandbox.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from payments.gateways import GatewayOrder, GatewayPayment, InMemorySandboxLedger, SandboxGateway
from pmc_common.errors import Conflict


class CapturedMeanwhile(InMemorySandboxLedger):
    """A ledger whose order is captured by someone else right after the gateway read it."""

    def __init__(self) -> None:
        super().__init__()
        self.raced = False

    def get_order(self, order_id: str) -> GatewayOrder | None:
        order = super().get_order(order_id)
        if order is not None and not self.raced:
            self.raced = True
            other = GatewayPayment("pay_OTHERCAPTURE01", order_id, order.amount_paise, "INR", "captured")
            assert self.add_attempt(other, replace(order, status="paid"))
        return order


def test_an_attempt_on_an_order_captured_meanwhile_is_a_conflict_and_records_nothing() -> None:
    ledger = CapturedMeanwhile()
    gateway = SandboxGateway(ledger)
    order = gateway.create_order(1208000, "PAY-TEST", {})
    with pytest.raises(Conflict) as raised:
        gateway.pay(order.id, "captured")
    assert raised.value.code == "order_already_paid"
    assert [p.id for p in ledger.order_payments(order.id)] == ["pay_OTHERCAPTURE01"]


def test_the_ledger_refuses_an_attempt_on_an_unknown_order() -> None:
    ledger = InMemorySandboxLedger()
    order = GatewayOrder("order_NOSUCHORDER001", 100, "INR", "created", "r")
    attempt = GatewayPayment("pay_UNKNOWN0000001", order.id, 100, "INR", "failed")
    assert not ledger.add_attempt(attempt, replace(order, status="attempted"))
    assert ledger.get_payment(attempt.id) is None
    assert ledger.get_order(order.id) is None
