"""Confirm and the Razorpay webhook (API.md 4.7, 4.8, 4.12): each only verifies and enqueues to the
ReconciliationQueue. A wrong checkout signature, another order, a forged or edited webhook → 401 with nothing
enqueued; a missing event id → 400; events we do not handle and orders not ours → 200 ignored; someone else's
payment → 404; nothing changes the payment itself."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.aws import LocalAws
from pmc_common.clock import FixedClock
from tests.harness import Api, Caller, Reply, fixed_clock
from tests.integration.test_payments_create import (  # the same seed, clock and helpers
    MAY_10,
    UNPAID,
    assert_problem,
    fresh_citizen,
    linked,
    pay,
)

KEY_SECRET = "local-key-secret"  # API.md 4.7: the documented local default
WEBHOOK_SECRET = "local-webhook-secret"  # API.md 4.8: the documented local default
PAYMENT_ID = "pay_Q4m9Lr7bNc2XyA"

__all__ = ["MAY_10"]


@pytest.fixture(scope="module")
def payments_seed(api: Api) -> None:
    from payments import seed
    from tests.integration.test_payments_create import DATA

    seed.load(DATA)


@pytest.fixture
def clock(api: Api, payments_seed: None) -> Iterator[FixedClock]:
    yield from fixed_clock("payments", MAY_10)


@pytest.fixture
def queue(local_aws: LocalAws) -> None:
    """The ReconciliationQueue holds nothing another test enqueued."""
    drained(local_aws)


def drained(local_aws: LocalAws) -> list[dict[str, Any]]:
    sqs = local_aws.client("sqs")
    url = local_aws.queue_urls["ReconciliationQueue"]
    found = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return found
        for m in messages:
            found.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def signed(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_payment(api: Api) -> tuple[Caller, dict[str, Any]]:
    record = next(UNPAID)
    caller = linked(api, record)
    reply = pay(api, caller, {"kind": "property_tax", "reference": record["property_id"]})
    assert reply.status == 201, reply.body
    return caller, reply.json()


def confirm(api: Api, caller: Caller, payment: dict[str, Any], **changes: str) -> Reply:
    order = payment["gateway_order_id"]
    body = {
        "razorpay_payment_id": PAYMENT_ID,
        "razorpay_order_id": order,
        "razorpay_signature": signed(KEY_SECRET, f"{order}|{PAYMENT_ID}".encode()),
    } | changes
    return api.request("POST", f"/payments/{payment['id']}/confirm", json_body=body, caller=caller)


def webhook_body(order_id: str, event: str = "payment.captured", amount: int = 100000) -> bytes:
    entity = {"id": PAYMENT_ID, "order_id": order_id, "amount": amount, "currency": "INR", "status": "captured"}
    return json.dumps({"event": event, "payload": {"payment": {"entity": entity}}}).encode()


def deliver(api: Api, body: bytes, signature: str | None, event_id: str | None = "evt_1") -> Reply:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-razorpay-signature"] = signature
    if event_id is not None:
        headers["x-razorpay-event-id"] = event_id
    return api.request("POST", "/webhooks/razorpay", body=body, headers=headers)


def test_a_valid_confirm_enqueues_one_message_and_changes_nothing(
    api: Api, clock: FixedClock, local_aws: LocalAws, queue: None
) -> None:
    caller, payment = new_payment(api)
    for _ in range(2):  # a repeat is 202 too, harmless
        reply = confirm(api, caller, payment)
        assert reply.status == 202, reply.body
        assert reply.json() == {"payment_id": payment["id"], "status": "created", "accepted": True}
    message = {
        "source": "confirm",
        "payment_id": payment["id"],
        "gateway_order_id": payment["gateway_order_id"],
        "gateway_payment_id": PAYMENT_ID,
    }
    assert drained(local_aws) == [message, message]
    assert api.get(f"/payments/{payment['id']}", caller=caller).json() == payment


def test_a_wrong_checkout_signature_is_401_and_enqueues_nothing(
    api: Api, clock: FixedClock, local_aws: LocalAws, queue: None
) -> None:
    caller, payment = new_payment(api)
    _, other = new_payment(api)
    order = payment["gateway_order_id"]
    wrong = [
        {"razorpay_signature": "0" * 64},
        {"razorpay_signature": signed("another-secret", f"{order}|{PAYMENT_ID}".encode())},
        {"razorpay_payment_id": "pay_AAAAAAAAAAAAAA"},  # signed for another payment id
        {  # another order, rightly signed for it
            "razorpay_order_id": other["gateway_order_id"],
            "razorpay_signature": signed(KEY_SECRET, f"{other['gateway_order_id']}|{PAYMENT_ID}".encode()),
        },
    ]
    for changes in wrong:
        assert_problem(confirm(api, caller, payment, **changes), 401)
        assert confirm(api, caller, payment, **changes).json()["type"].endswith("/invalid-signature")
    for changes in ({"razorpay_signature": "XYZ"}, {"razorpay_payment_id": "pay_1"}, {"razorpay_order_id": "o"}):
        assert_problem(confirm(api, caller, payment, **changes), 422)
    assert drained(local_aws) == []


def test_someone_elses_payment_cannot_be_confirmed(
    api: Api, clock: FixedClock, local_aws: LocalAws, queue: None
) -> None:
    _, payment = new_payment(api)
    assert_problem(confirm(api, fresh_citizen(), payment), 404)
    assert_problem(confirm(api, Caller("+919800000100", ("staff",)), payment), 404)
    assert_problem(confirm(api, fresh_citizen(), payment | {"id": "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY"}), 404)
    assert drained(local_aws) == []


def test_a_signed_webhook_is_enqueued_replays_too(
    api: Api, clock: FixedClock, local_aws: LocalAws, queue: None
) -> None:
    _, payment = new_payment(api)
    body = webhook_body(payment["gateway_order_id"], amount=payment["amount_paise"])
    for _ in range(2):
        reply = deliver(api, body, signed(WEBHOOK_SECRET, body))
        assert reply.status == 200, reply.body
        assert reply.json() == {"status": "enqueued"}
    message = {
        "source": "webhook",
        "event_id": "evt_1",
        "event": "payment.captured",
        "payment_id": payment["id"],
        "gateway_order_id": payment["gateway_order_id"],
        "gateway_payment_id": PAYMENT_ID,
        "amount_paise": payment["amount_paise"],
        "currency": "INR",
        "status": "captured",
    }
    assert drained(local_aws) == [message, message]


def test_forged_or_edited_webhooks_are_401_and_enqueue_nothing(
    api: Api, clock: FixedClock, local_aws: LocalAws, queue: None
) -> None:
    _, payment = new_payment(api)
    body = webhook_body(payment["gateway_order_id"], amount=payment["amount_paise"])
    edited = body.replace(str(payment["amount_paise"]).encode(), b"100")
    for sent, signature in [
        (body, None),
        (body, ""),
        (body, "0" * 64),
        (body, signed("another-secret", body)),
        (edited, signed(WEBHOOK_SECRET, body)),
        (body + b" ", signed(WEBHOOK_SECRET, body)),
        (body, signed(WEBHOOK_SECRET, body).upper()),
        (b"\xff\xfe", "\u00e9" * 64),
    ]:
        reply = deliver(api, sent, signature, event_id=None)  # the signature is checked before the event id
        problem = assert_problem(reply, 401)
        assert problem["type"].endswith("/invalid-signature")
    assert drained(local_aws) == []


def test_event_id_json_and_ignored_events(api: Api, clock: FixedClock, local_aws: LocalAws, queue: None) -> None:
    _, payment = new_payment(api)
    body = webhook_body(payment["gateway_order_id"])
    assert_problem(deliver(api, body, signed(WEBHOOK_SECRET, body), event_id=None), 400)
    for bad in (b"not json", b"\xff"):
        assert_problem(deliver(api, bad, signed(WEBHOOK_SECRET, bad)), 400)
    for ignored in (
        webhook_body(payment["gateway_order_id"], event="refund.created"),
        webhook_body("order_AAAAAAAAAAAAAA"),  # not ours
        b"[]",
    ):
        reply = deliver(api, ignored, signed(WEBHOOK_SECRET, ignored))
        assert reply.status == 200, reply.body
        assert reply.json() == {"status": "ignored"}
    assert drained(local_aws) == []
