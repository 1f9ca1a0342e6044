"""A hypothesis state machine (issue 17) delivering any interleaving of duplicated, reordered and dropped
webhook / confirm / stale-payment messages for several payments to the reconciler on DynamoDB Local, then what
stale_payments would enqueue at the end (what rescues dropped messages). It asserts, at every step and at the
end: every capture the gateway made recorded at most once and, once delivered, exactly once, none of the
payments lost; no line paid by two payments (the second capture of a line is `refund_due`); a second capture on
one order a new `refund_due` record (`duplicate_capture`); a failure after a capture ignored; receipt numbers
gap-free; and the day's collections, the receipt counter and the applied markers equal a recount of the records.

Each example makes its own property (a fresh id, not in data/, four lines) and three payments: A and, once A's
order expired without `expired` being recorded, B for the same two lines (both captured at the gateway: one
`captured`, the other `refund_due`), each order captured twice at the gateway (A: two attempts of the right
amount; C, for the other two lines, a failed attempt, then one of the right amount and one of another amount, so
C ends `captured` or `flagged` by whichever capture comes first, and the other is a duplicate).
A capture whose every message is dropped is not recorded: stale_payments reports the first capture of an order it
still watches, and watches no order after its capture, so a second capture is known only from its own messages.

Cheap per example (bench/RESULTS.md): one batch write of a property, payments stored as POST /payments stores them
without its reads, the sandbox's ledger in memory (the gateway is not under test), one Query of the owner's
payments per invariant check, one BatchGetItem for the records and markers at the end. 500 examples of up to 12
steps in `make test`, 10 on moto; PAYMENTS_INTERLEAVINGS=N runs N (bench/interleavings.py runs 10,000). The
examples run are counted (`RUN`) and the test fails if fewer than asked ran."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from local.dynamodb_local import DYNAMODB_LOCAL, MOTO
from pmc_common.auth import Caller
from pmc_common.clock import FixedClock, ist_date
from tests.harness import Api

DATA = Path(__file__).resolve().parents[2] / "data"
SEEDED = {p["property_id"] for p in json.loads((DATA / "properties.json").read_text(encoding="utf-8"))}
T0 = datetime(2026, 5, 12, 6, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=32)  # when messages are delivered: A's order has expired
FINAL = T0 + timedelta(minutes=50)  # the last stale_payments sweep: every payment is 15 minutes old
DAY = ist_date(LATER).isoformat()  # the IST day of every capture here
FY = "2026-27"
WARD = "W07"
# moto's DynamoDB is about ten times slower than DynamoDB Local here: fewer examples in `make test-moto`.
ON_MOTO = os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO
EXAMPLES = int(os.environ.get("PAYMENTS_INTERLEAVINGS", "10" if ON_MOTO else "500"))
NUMBERS = itertools.count(100000 + uuid.uuid4().int % 800000)
FINAL_STATUSES = ("captured", "flagged", "refund_due")


@dataclass
class Run:
    """Examples run to the end (initialize, steps, teardown) in this process, for the test and the bench."""

    examples: int = 0


RUN = Run()


def fresh_property() -> str:
    while True:
        property_id = f"PMC-{WARD}-{next(NUMBERS) % 1000000:06d}"
        if property_id not in SEEDED:
            return property_id


LINES = [(fy, half) for fy in ("2025-26", FY) for half in ("H1", "H2")]


def make_property(property_id: str) -> None:
    """Four unpaid lines (2025-26 and 2026-27): one batch write."""
    from payments import store

    doc = {
        "property_id": property_id,
        "ward": WARD,
        "owner_name": "Test Owner",
        "locality": {"en": "Kasba Peth", "mr": "कसबा पेठ"},
    }
    lines = [
        {"id": f"{fy}-{half}", "principal_paise": 500000, "general_tax_paise": 300000, "paid_principal_paise": 0}
        for fy, half in LINES
    ]
    store.put_records("property", [(property_id, doc, lines)])


def webhook(payment: Any, attempt: Any, status: str | None = None) -> dict[str, Any]:
    return {
        "source": "webhook",
        "event_id": f"evt_{uuid.uuid4().hex[:14]}",
        "event": "payment.captured" if (status or attempt.status) == "captured" else "payment.failed",
        "payment_id": payment.id,
        "gateway_order_id": payment.gateway_order_id,
        "gateway_payment_id": attempt.id,
        "amount_paise": attempt.amount_paise,
        "currency": attempt.currency,
        "status": status or attempt.status,
    }


def confirm(payment: Any, attempt: Any) -> dict[str, Any]:
    return {
        "source": "confirm",
        "payment_id": payment.id,
        "gateway_order_id": payment.gateway_order_id,
        "gateway_payment_id": attempt.id,
    }


def stored_items(pks: list[str]) -> dict[str, Any]:
    """Payments (sk `payment`) and markers (sk `applied`) by pk, in one BatchGetItem: pk -> doc."""
    from payments.store import PaymentsItem

    keys = [(pk, "payment" if pk.startswith("payment#") else "applied") for pk in pks]
    return {item.pk: item.doc for item in PaymentsItem.batch_get(keys, consistent_read=True)}


class TwiceCapturing:
    """The sandbox gateway (its ledger in memory), with second captures on orders it has already captured: its
    pay route refuses a paid order, and Razorpay may still capture an order twice (two checkouts)."""

    def __init__(self) -> None:
        from payments.gateways import InMemorySandboxLedger, SandboxGateway

        self.sandbox = SandboxGateway(InMemorySandboxLedger())
        self.seconds: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sandbox, name)

    def capture_again(self, order_id: str, amount_paise: int) -> Any:
        from payments.gateways import GatewayPayment, gateway_id

        second = GatewayPayment(gateway_id("pay"), order_id, amount_paise, "INR", "captured")
        self.seconds[second.id] = second
        return second

    def fetch_payment(self, payment_id: str) -> Any:
        return self.seconds.get(payment_id) or self.sandbox.fetch_payment(payment_id)

    def fetch_order_payments(self, order_id: str) -> list[Any]:
        later = [p for p in self.seconds.values() if p.order_id == order_id]
        return [*self.sandbox.fetch_order_payments(order_id), *later]


class Interleavings(RuleBasedStateMachine):
    """The messages a payment's life may produce, delivered in any order, any number of times, or never."""

    @initialize()
    def payments(self) -> None:
        from payments import domain, payment_store
        from pmc_common.clock import iso
        from pmc_common.ids import ulid

        self.gateway = TwiceCapturing()
        self.caller = Caller(sub=f"sub-{uuid.uuid4()}", phone_number="+919800000001", groups=frozenset(), ward=None)
        self.reference = fresh_property()
        make_property(self.reference)
        self.receipts_before = payment_store.receipt_counter(FY)
        self.collections_before = payment_store.collections_of(DAY)
        on_record = [domain.DemandLine(f"{fy}-{half}", 500000, 300000) for fy, half in LINES]

        def create(items: list[str], at: datetime) -> domain.Payment:
            """POST /payments without its reads (tested elsewhere): priced from the lines made above, stored with
            its line locks by payment_store.create, which refuses a line another open payment holds."""
            quote = domain.quote_property(on_record, items, ist_date(at))
            payment_id = f"PAY-{ulid(at)}"
            order = self.gateway.create_order(quote.amount_paise, payment_id, {"reference": self.reference})
            expires = at + domain.ORDER_TTL
            payment = domain.Payment(
                id=payment_id,
                owner_sub=self.caller.sub,
                kind="property_tax",
                reference=self.reference,
                ward=WARD,
                amount_paise=quote.amount_paise,
                lines=quote.lines,
                rebates=quote.rebates,
                gateway="sandbox",
                gateway_order_id=order.id,
                gateway_key_id=self.gateway.key_id,
                checkout_url=None,
                created_at=iso(at),
                expires_at=iso(expires),
            )
            assert payment_store.create(payment, "property", int(expires.timestamp()), int(at.timestamp()))
            return payment

        a = create([f"{FY}-H1", f"{FY}-H2"], T0)
        b = create([f"{FY}-H1", f"{FY}-H2"], T0 + timedelta(minutes=31))  # A's lines are free again: expired
        c = create(["2025-26-H1", "2025-26-H2"], T0)
        self.a, self.b, self.c = a.id, b.id, c.id
        self.captures: dict[str, str] = {}  # every capture the gateway made: its id -> the payment of its order
        self.delivered: set[str] = set()  # the captures whose news reached the reconciler
        self.messages: list[dict[str, Any]] = []
        self.changed = True  # records to check
        c_failed = self.gateway.pay(c.gateway_order_id, "failed").payment
        self.messages.append(webhook(c, c_failed))
        for payment in (a, b, c):
            attempt = self.gateway.pay(payment.gateway_order_id, "captured").payment
            self.captures[attempt.id] = payment.id
            self.messages += [webhook(payment, attempt), webhook(payment, attempt), confirm(payment, attempt)]
            # a second capture on the same order (C's of another amount)
            amount = payment.amount_paise + (100 if payment is c else 0)
            second = self.gateway.capture_again(payment.gateway_order_id, amount)
            self.captures[second.id] = payment.id
            if payment is not b:
                self.messages += [webhook(payment, second), confirm(payment, second)]
        self.messages.append(  # what stale_payments says of A, had it asked before any capture
            {"source": "stale", "payment_id": a.id, "gateway_order_id": a.gateway_order_id, "status": "expired"}
        )
        c_first = next(gid for gid, pid in self.captures.items() if pid == c.id)
        late = self.gateway.fetch_payment(c_first)
        self.messages.append(webhook(c, late, status="failed"))  # a late failure of C's first capture

    def _deliver(self, message: dict[str, Any], at: datetime = LATER) -> None:
        from payments import reconciler

        news = reconciler.Message.model_validate(message)
        if reconciler.reconcile(news, lambda: self.gateway, FixedClock(at)) == "applied":
            self.changed = True
        attempt = self.gateway.fetch_payment(message.get("gateway_payment_id") or "")
        if attempt is not None and attempt.status == "captured" and message.get("status") != "failed":
            self.delivered.add(attempt.id)

    @rule(data=st.data())
    def deliver_one(self, data: st.DataObject) -> None:
        self._deliver(data.draw(st.sampled_from(self.messages)))

    @rule(picks=st.lists(st.integers(0, 100), min_size=1, max_size=4))
    def deliver_several(self, picks: list[int]) -> None:
        for pick in picks:
            self._deliver(self.messages[pick % len(self.messages)])

    def _records(self) -> dict[str, Any]:
        """Every payment of this example's owner (its three and any duplicate capture's), in one Query."""
        from payments import payment_store

        found, more = payment_store.citizen_page(self.caller.sub, None, 100, None)
        assert more is None
        return {p.id: p for p in found}

    @invariant()
    def never_doubled(self) -> None:
        if not getattr(self, "changed", False):
            return  # nothing applied since the last check: the records it checked are as they were
        self.changed = False
        records = self._records()
        a, b, c = records[self.a], records[self.b], records[self.c]
        duplicates = [p for p in records.values() if p.id not in (self.a, self.b, self.c)]
        assert not (a.status == "captured" and b.status == "captured")  # A and B share their lines
        recorded = [p.gateway_payment_id for p in records.values() if p.status in FINAL_STATUSES]
        assert len(recorded) == len(set(recorded))  # no capture recorded twice
        assert set(recorded) <= self.delivered
        for p in records.values():
            assert (p.receipt_no is not None) == (p.status == "captured")
        for d in duplicates:
            original = records[self.captures[d.gateway_payment_id]]
            assert (d.status, d.status_reason) == ("refund_due", "duplicate_capture")
            assert d.gateway_order_id == original.gateway_order_id
            assert original.status in FINAL_STATUSES
            assert original.gateway_payment_id != d.gateway_payment_id
            assert d.owner_sub == original.owner_sub
        for p in (a, b, c):
            if p.status in FINAL_STATUSES:
                assert self.captures[p.gateway_payment_id] == p.id  # its own order's capture
        numbers = sorted(int(p.receipt_no.rsplit("/", 1)[1]) for p in records.values() if p.receipt_no)
        assert numbers == list(range(self.receipts_before + 1, self.receipts_before + 1 + len(numbers)))

    def teardown(self) -> None:
        if not hasattr(self, "a"):
            return
        from payments import payment_store, stale, store
        from pmc_common.clock import iso

        ours = {self.a, self.b, self.c}
        watched = payment_store.open_created_before(iso(FINAL - stale.AFTER))
        for payment_id in [p for p in watched if p in ours]:  # what stale_payments enqueues for ours
            payment = payment_store.get(payment_id)
            assert payment is not None
            message = stale.news(payment, self.gateway, FINAL)
            if message is not None:
                self._deliver(message, FINAL)
        self.changed = True
        self.never_doubled()
        records = self._records()
        a, b, c = records[self.a], records[self.b], records[self.c]
        assert {a.status, b.status} == {"captured", "refund_due"}  # none lost, the shared lines paid once
        assert c.status in ("captured", "flagged")  # the late failure ignored
        recorded = {p.gateway_payment_id: p for p in records.values() if p.status in FINAL_STATUSES}
        assert set(recorded) == self.delivered  # every capture delivered recorded, exactly once (invariant)
        assert set(records) - ours == {p.id for p in recorded.values()} - ours
        stored = stored_items([f"payment#{pid}" for pid in records] + [f"applied#{gid}#capture" for gid in recorded])
        for p in records.values():
            assert payment_store.from_document(stored[f"payment#{p.id}"]) == p  # the owner's copy is the payment
        for gid in recorded:
            assert f"applied#{gid}#capture" in stored  # and its marker
        record = store.property_record(self.reference)
        assert record is not None
        paid = {line.id for line in record.lines if line.unpaid_principal_paise == 0}
        expected = {line.id for p in records.values() if p.status == "captured" for line in p.lines}
        assert paid == expected
        self._recount(list(records.values()))
        RUN.examples += 1

    def _recount(self, records: list[Any]) -> None:
        """The day's aggregates and the FY's receipt counter moved by exactly what the records say."""
        from payments import payment_store

        now = payment_store.collections_of(DAY)
        moved = {k: now.get(k, 0) - self.collections_before.get(k, 0) for k in set(now) | set(self.collections_before)}
        expected: dict[str, int] = {}

        def add(cell: str, amount: int) -> None:
            expected[f"{cell}#count"] = expected.get(f"{cell}#count", 0) + 1
            expected[f"{cell}#amount"] = expected.get(f"{cell}#amount", 0) + amount

        for p in records:
            if p.status == "captured":
                add(f"{WARD}#property_tax", p.amount_paise)
            elif p.status in ("flagged", "refund_due"):
                add(f"exceptions#{p.status}#{WARD}", p.captured_amount_paise)
        assert {k: v for k, v in moved.items() if v} == expected
        captured = sum(p.status == "captured" for p in records)
        assert payment_store.receipt_counter(FY) == self.receipts_before + captured


@pytest.mark.skipif(EXAMPLES == 0, reason="PAYMENTS_INTERLEAVINGS=0")
def test_any_interleaving_applies_every_capture_exactly_once(api: Api, record_property: Any) -> None:
    Interleavings.TestCase.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    before = RUN.examples
    Interleavings.TestCase().runTest()
    ran = RUN.examples - before
    record_property("examples", ran)
    print(f"payments interleavings: {ran} examples run")  # shown with -s or -rP
    assert ran >= EXAMPLES
