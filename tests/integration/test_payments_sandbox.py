"""The sandbox gateway on DynamoDB Local (API.md 4.11, issue 17): its ledger in PaymentsTable, shared by every
payments function; the checkout page; the pay route, which records an attempt and delivers the signed webhook
to the payments API app in process; every bad input a problem+json with nothing recorded; lines held by an
open payment shown `in_payment` in dues and bills (4.4, 4.5) until the order expires."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from local.aws import LocalAws
from local.dynamodb_local import MOTO
from pmc_common.clock import FixedClock
from tests.harness import Api, Caller
from tests.integration.test_payments_create import DATA, UNPAID, fresh_citizen, linked, pay
from tests.integration.test_payments_intake import clock, drained, payments_seed

__all__ = ["clock", "payments_seed"]  # the same fixtures

HTML = "text/html; charset=utf-8"
CONNECTIONS: list[dict[str, Any]] = json.loads((DATA / "water_connections.json").read_text(encoding="utf-8"))


@pytest.fixture
def sandbox(api: Api) -> TestClient:
    """The sandbox app as the local stack serves it (in the payments API's environment: its variables)."""
    from local import sandbox_gateway as sandbox_app

    return TestClient(sandbox_app.app, base_url="http://127.0.0.1:3000")


@pytest.fixture
def queue(local_aws: LocalAws) -> LocalAws:
    """The ReconciliationQueue, holding nothing another test enqueued."""
    drained(local_aws)
    return local_aws


def ledger() -> Any:
    from payments.sandbox_ledger import TableSandboxLedger

    return TableSandboxLedger()


def new_order(amount_paise: int = 1208000) -> Any:
    from payments import orders

    return orders.gateway().create_order(amount_paise, "PAY-TEST", {})


def new_payment(api: Api) -> tuple[Caller, dict[str, Any], dict[str, Any]]:
    record = next(UNPAID)
    caller = linked(api, record)
    reply = pay(api, caller, {"kind": "property_tax", "reference": record["property_id"]})
    assert reply.status == 201, reply.body
    return caller, reply.json(), record


def snapshot(order_id: str) -> tuple[Any, list[Any]]:
    """What the ledger holds of an order: the order and its attempts."""
    return ledger().get_order(order_id), ledger().order_payments(order_id)


# --- the ledger ----------------------------------------------------------------------------------


def test_the_gateway_of_the_local_stack_keeps_its_orders_in_payments_table(api: Api) -> None:
    from payments import orders
    from payments.sandbox_ledger import TableSandboxLedger

    order = new_order()
    # Another process (another function's environment) sees the same order through its own ledger.
    assert TableSandboxLedger().get_order(order.id) == order
    attempt = orders.gateway().pay(order.id, "captured")  # type: ignore[attr-defined]
    assert TableSandboxLedger().get_payment(attempt.payment.id) == attempt.payment
    assert TableSandboxLedger().order_payments(order.id) == [attempt.payment]
    assert TableSandboxLedger().get_order(order.id).status == "paid"


def test_the_ledger_refuses_an_attempt_on_a_paid_or_unknown_order_and_records_nothing(api: Api) -> None:
    from payments.gateways import GatewayPayment

    order = new_order()
    first = GatewayPayment("pay_FIRST000000001", order.id, order.amount_paise, "INR", "captured")
    assert ledger().add_attempt(first, order.__class__(**{**order.__dict__, "status": "paid"}))
    second = GatewayPayment("pay_SECOND00000001", order.id, order.amount_paise, "INR", "captured")
    assert not ledger().add_attempt(second, order)
    assert ledger().order_payments(order.id) == [first]
    assert ledger().get_payment(second.id) is None
    unknown = GatewayPayment("pay_UNKNOWN0000001", "order_NOSUCHORDER001", 100, "INR", "failed")
    assert not ledger().add_attempt(unknown, order.__class__("order_NOSUCHORDER001", 100, "INR", "created", "r"))
    assert ledger().get_payment(unknown.id) is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcomes=st.lists(st.sampled_from(["captured", "failed"]), min_size=1, max_size=5))
def test_an_orders_attempts_are_a_recount_of_what_was_paid(api: Api, outcomes: list[str]) -> None:
    """The order's count of attempts (its version) and status always equal a recount of its stored attempts,
    and nothing follows a capture."""
    from payments import orders
    from pmc_common.errors import Conflict

    gateway = orders.gateway()
    order = new_order(5000)
    accepted = []
    for outcome in outcomes:
        try:
            accepted.append(gateway.pay(order.id, outcome).payment)  # type: ignore[attr-defined]
        except Conflict:
            assert "captured" in [p.status for p in accepted]
    stored_order, attempts = snapshot(order.id)
    assert attempts == accepted
    expected = outcomes[: outcomes.index("captured") + 1] if "captured" in outcomes else outcomes
    assert [p.status for p in attempts] == expected
    assert stored_order.status == ("paid" if "captured" in expected else "attempted")
    from payments.store import PaymentsItem

    assert PaymentsItem.get(f"sandbox-order#{order.id}", "order").tally == len(attempts)


def test_parallel_captures_of_one_order_capture_it_once(api: Api, dynamodb_engine_name: str) -> None:
    if dynamodb_engine_name == MOTO:
        pytest.skip("moto's transactions are not isolated across threads (DynamoDB Local runs this)")
    from payments import orders
    from pmc_common.errors import Conflict

    order = new_order()

    def capture(_: int) -> str:
        try:
            orders.gateway().pay(order.id, "captured")  # type: ignore[attr-defined]
        except Conflict:
            return "refused"
        return "captured"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(capture, range(4)))
    assert results.count("captured") == 1
    assert [p.status for p in ledger().order_payments(order.id)] == ["captured"]


# --- the checkout page ---------------------------------------------------------------------------


def test_the_checkout_page_shows_the_amount_reference_and_buttons(
    api: Api, clock: FixedClock, sandbox: TestClient
) -> None:
    _, payment, record = new_payment(api)
    page = sandbox.get(f"/sandbox-gateway/checkout/{payment['gateway_order_id']}")
    assert page.status_code == 200
    assert page.headers["content-type"] == HTML
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'sha256-" in page.headers["content-security-policy"]
    from pmc_common.money import rupees

    assert f'<dd id="amount">{rupees(payment["amount_paise"])}</dd>' in page.text
    assert f'<dd id="reference">{record["property_id"]}</dd>' in page.text
    assert '<button id="pay" type="button">Pay</button>' in page.text
    assert '<button id="fail" type="button">Fail</button>' in page.text
    assert "src=" not in page.text  # no outside resources: the script and style are inline
    assert "href=" not in page.text
    assert record["owner_name"] not in page.text


@pytest.mark.parametrize("order_id", ["order_NOSUCHORDER001", "order_short", "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY"])
def test_an_unknown_order_has_no_checkout_page(api: Api, sandbox: TestClient, order_id: str) -> None:
    reply = sandbox.get(f"/sandbox-gateway/checkout/{order_id}")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["status"] == 404


# --- paying ----------------------------------------------------------------------------------------


def test_paying_records_the_attempt_and_delivers_the_signed_webhook_before_answering(
    api: Api, clock: FixedClock, sandbox: TestClient, queue: LocalAws
) -> None:
    from payments import orders

    caller, payment, _ = new_payment(api)
    order_id = payment["gateway_order_id"]
    reply = sandbox.post(f"/sandbox-gateway/orders/{order_id}/pay", json={"outcome": "captured"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    gateway_payment = body["razorpay_payment_id"]
    assert body == {
        "order_id": order_id,
        "razorpay_payment_id": gateway_payment,
        "razorpay_order_id": order_id,
        "razorpay_signature": body["razorpay_signature"],
        "status": "captured",
        "amount_paise": payment["amount_paise"],
        "webhook": {"event_id": body["webhook"]["event_id"], "status": 200},
    }
    assert orders.gateway().verify_checkout_signature(order_id, gateway_payment, body["razorpay_signature"])
    assert ledger().get_payment(gateway_payment).status == "captured"
    # The webhook reached the payments API, which enqueued it for the reconciler (nothing else changed yet).
    enqueued = drained(queue)
    assert [(m["source"], m["event_id"], m["gateway_payment_id"]) for m in enqueued] == [
        ("webhook", body["webhook"]["event_id"], gateway_payment)
    ]
    assert enqueued[0]["payment_id"] == payment["id"]
    assert enqueued[0]["amount_paise"] == payment["amount_paise"]
    assert api.get(f"/payments/{payment['id']}", caller=caller).json()["status"] == "created"
    # Confirm with what Checkout handed over is accepted (the reconciler will ask the same ledger).
    confirm = api.request(
        "POST",
        f"/payments/{payment['id']}/confirm",
        json_body={k: body[k] for k in ("razorpay_payment_id", "razorpay_order_id", "razorpay_signature")},
        caller=caller,
    )
    assert confirm.status == 202, confirm.body


def test_a_failed_attempt_has_no_signature_and_a_later_one_may_capture(
    api: Api, clock: FixedClock, sandbox: TestClient, queue: LocalAws
) -> None:
    _, payment, _ = new_payment(api)
    order_id = payment["gateway_order_id"]
    failed = sandbox.post(f"/sandbox-gateway/orders/{order_id}/pay", json={"outcome": "failed"}).json()
    assert (failed["status"], failed["razorpay_signature"], failed["webhook"]["status"]) == ("failed", None, 200)
    mismatch = sandbox.post(f"/sandbox-gateway/orders/{order_id}/pay", json={"outcome": "captured", "amount_paise": 1})
    assert mismatch.json()["amount_paise"] == 1
    assert [m["status"] for m in drained(queue)] == ["failed", "captured"]
    assert [p.amount_paise for p in ledger().order_payments(order_id)] == [payment["amount_paise"], 1]


def test_paying_a_paid_order_is_409_and_records_nothing(
    api: Api, clock: FixedClock, sandbox: TestClient, queue: LocalAws
) -> None:
    order = new_order()
    assert sandbox.post(f"/sandbox-gateway/orders/{order.id}/pay", json={"outcome": "captured"}).status_code == 200
    drained(queue)
    before = snapshot(order.id)
    for outcome in ("captured", "failed"):
        reply = sandbox.post(f"/sandbox-gateway/orders/{order.id}/pay", json={"outcome": outcome})
        assert reply.status_code == 409
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json()["code"] == "order_already_paid"
    assert snapshot(order.id) == before
    assert drained(queue) == []


BAD_BODIES: list[tuple[Any, int, str]] = [
    ({"outcome": "refunded"}, 422, "body.outcome"),
    ({"outcome": "CAPTURED"}, 422, "body.outcome"),
    ({}, 422, "body.outcome"),
    ({"outcome": "captured", "amount_paise": 0}, 422, "body.amount_paise"),
    ({"outcome": "captured", "amount_paise": -5}, 422, "body.amount_paise"),
    ({"outcome": "captured", "amount_paise": "500"}, 422, "body.amount_paise"),
    ({"outcome": "captured", "amount_paise": 500.0}, 422, "body.amount_paise"),
    ({"outcome": "captured", "amount_paise": 10**13}, 422, "body.amount_paise"),
    ({"outcome": "captured", "status": "captured"}, 422, "body.status"),
    (["captured"], 422, "body"),
]


@pytest.mark.parametrize(("payload", "status", "field"), BAD_BODIES)
def test_a_bad_pay_body_is_422_and_records_nothing(
    api: Api, sandbox: TestClient, queue: LocalAws, payload: Any, status: int, field: str
) -> None:
    order = new_order()
    before = snapshot(order.id)
    reply = sandbox.post(f"/sandbox-gateway/orders/{order.id}/pay", json=payload)
    assert reply.status_code == status
    assert reply.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in reply.json()["errors"]] == [field]
    assert snapshot(order.id) == before
    assert drained(queue) == []


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"outcome": "captured", "pad": "' + b"x" * (300 * 1024) + b'"}', 413),  # over 256 KiB
        (b"[" * 10_000 + b"]" * 10_000, 400),  # deeper than the bounded parser reads
        (b'{"outcome": "captured"', 400),  # not JSON
        (b'{"outcome": "captured", "outcome": "failed"}', 400),  # a duplicate member
    ],
)
def test_an_unreadable_pay_body_is_refused_and_records_nothing(
    api: Api, sandbox: TestClient, queue: LocalAws, raw: bytes, status: int
) -> None:
    order = new_order()
    before = snapshot(order.id)
    reply = sandbox.post(
        f"/sandbox-gateway/orders/{order.id}/pay", content=raw, headers={"content-type": "application/json"}
    )
    assert reply.status_code == status
    assert reply.headers["content-type"] == "application/problem+json"
    assert snapshot(order.id) == before
    assert drained(queue) == []


def test_a_pay_body_must_be_json(api: Api, sandbox: TestClient, queue: LocalAws) -> None:
    order = new_order()
    reply = sandbox.post(
        f"/sandbox-gateway/orders/{order.id}/pay", content=b"outcome=captured", headers={"content-type": "text/plain"}
    )
    assert reply.status_code == 400
    assert snapshot(order.id)[1] == []
    assert drained(queue) == []


@pytest.mark.parametrize("order_id", ["order_NOSUCHORDER001", "order_bad", "nothing"])
def test_paying_an_unknown_order_is_404_and_delivers_nothing(
    api: Api, sandbox: TestClient, queue: LocalAws, order_id: str
) -> None:
    reply = sandbox.post(f"/sandbox-gateway/orders/{order_id}/pay", json={"outcome": "captured"})
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"
    assert ledger().order_payments(order_id) == []
    assert drained(queue) == []


def test_the_sandbox_is_no_route_of_the_api_or_the_template(api: Api) -> None:
    from payments import api as payments_api

    assert not [r.path for r in payments_api.app.routes if r.path.startswith("/sandbox-gateway")]
    assert not [r for r in api.router.routes if "sandbox" in r.path]


# --- lines held by an open payment (4.4, 4.5) -------------------------------------------------------


def line_statuses(api: Api, caller: Caller, property_id: str) -> dict[str, str]:
    reply = api.get(f"/me/properties/{property_id}/dues", caller=caller)
    assert reply.status == 200, reply.body
    return {line["id"]: line["status"] for year in reply.json()["years"] for line in year["lines"]}


def test_dues_show_lines_of_an_open_payment_in_payment_until_it_expires(api: Api, clock: FixedClock) -> None:
    record = next(UNPAID)
    property_id = record["property_id"]
    caller = linked(api, record)
    other = linked(api, record)  # another citizen who linked the same property sees the hold too
    before = line_statuses(api, caller, property_id)
    line = next(line_id for line_id, status in before.items() if status in ("unpaid", "partly_paid"))
    reply = pay(api, caller, {"kind": "property_tax", "reference": property_id, "items": [line]})
    assert reply.status == 201, reply.body
    held = before | {line: "in_payment"}
    assert line_statuses(api, caller, property_id) == held
    assert line_statuses(api, other, property_id) == held
    dues = api.get(f"/me/properties/{property_id}/dues", caller=caller).json()
    assert api.get(f"/properties/{property_id}").json()["outstanding_paise"] == dues["total_paise"]
    assert [link["outstanding_paise"] for link in api.get("/me/properties", caller=caller).json()["items"]] == [
        dues["total_paise"]
    ]
    clock.advance(timedelta(minutes=30, seconds=1))  # the order expired: its lines are free again (4.5)
    assert line_statuses(api, caller, property_id) == before


def test_bills_show_bills_of_an_open_payment_in_payment(api: Api, clock: FixedClock) -> None:
    # From the end of the list: other modules take connections from its start.
    record = next(
        c
        for c in reversed(CONNECTIONS)
        if c["consumer_no"] != "WC-1000001"
        and any(b["paid_paise"] < b["amount_paise"] and b["id"] < "2026-27" for b in c["bills"])  # issued by May
    )
    consumer_no = record["consumer_no"]
    caller = fresh_citizen()
    body = {"consumer_no": consumer_no, "owner_name": record["owner_name"]}
    assert api.request("POST", "/me/water-connections", json_body=body, caller=caller).status == 201

    def statuses() -> dict[str, str]:
        reply = api.get(f"/me/water-connections/{consumer_no}/bills", caller=caller)
        assert reply.status == 200, reply.body
        return {bill["id"]: bill["status"] for bill in reply.json()["bills"]}

    before = statuses()
    bill = next(bill_id for bill_id, status in before.items() if status in ("unpaid", "partly_paid"))
    reply = pay(api, caller, {"kind": "water_bill", "reference": consumer_no, "items": [bill]})
    assert reply.status == 201, reply.body
    assert statuses() == before | {bill: "in_payment"}


def test_a_confirm_alone_captures_through_a_ledger_another_process_wrote(
    api: Api, clock: FixedClock, queue: LocalAws
) -> None:
    """The webhook lost: the attempt was recorded by one gateway (the sandbox's), the reconciler of another
    process (a fresh gateway, nothing in memory) learns it from the shared ledger when the confirm arrives."""
    from payments import orders
    from payments.gateways import SandboxGateway
    from payments.sandbox_ledger import TableSandboxLedger
    from tests.integration.test_payments_reconciler import CAPTURED_AT, run

    caller, payment, _ = new_payment(api)
    attempt = SandboxGateway(TableSandboxLedger()).pay(payment["gateway_order_id"], "captured")  # no delivery
    checkout = {
        "razorpay_payment_id": attempt.payment.id,
        "razorpay_order_id": payment["gateway_order_id"],
        "razorpay_signature": attempt.checkout_signature,
    }
    assert api.request("POST", f"/payments/{payment['id']}/confirm", json_body=checkout, caller=caller).status == 202
    [message] = drained(queue)
    assert message["source"] == "confirm"
    orders.gateway.cache_clear()  # the reconciler's own process: its gateway built afresh
    try:
        assert run([message], CAPTURED_AT) == {"batchItemFailures": []}
    finally:
        orders.gateway.cache_clear()
    after = api.get(f"/payments/{payment['id']}", caller=caller).json()
    assert (after["status"], after["gateway_payment_id"]) == ("captured", attempt.payment.id)
    assert after["receipt_no"].startswith("PMC/2026-27/")


def test_stale_payments_of_another_process_learn_a_capture_whose_webhook_was_lost(api: Api, clock: FixedClock) -> None:
    from payments import stale
    from payments.gateways import SandboxGateway
    from payments.sandbox_ledger import TableSandboxLedger
    from tests.integration.test_payments_create import MAY_10

    _, payment, _ = new_payment(api)
    attempt = SandboxGateway(TableSandboxLedger()).pay(payment["gateway_order_id"], "captured")  # no delivery
    sent: list[dict[str, Any]] = []
    stale.sweep(MAY_10 + timedelta(minutes=16), SandboxGateway(TableSandboxLedger()), sent.append)
    ours = [m for m in sent if m["payment_id"] == payment["id"]]
    assert [(m["gateway_payment_id"], m["status"]) for m in ours] == [(attempt.payment.id, "captured")]
