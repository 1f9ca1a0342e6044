"""The gateways behind one interface (API.md 4.5–4.8, 4.11): signatures exactly as Razorpay computes them,
checked constant-time on raw bytes; the sandbox's orders, attempts and signed webhooks; RazorpayGateway on the
official client against a small fake of Razorpay's endpoints on 127.0.0.1; settings refusing local secrets
outside the local stack."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import razorpay  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from payments import gateways
from payments.gateways import (
    Gateway,
    GatewayError,
    GatewayPayment,
    GatewaySettings,
    InMemorySandboxLedger,
    RazorpayGateway,
    SandboxGateway,
)
from pmc_common.errors import Conflict, NotFound

# API.md 4.7's example, signed with the sandbox's local key secret.
ORDER = "order_Q4m8ZtY2xKp1Vd"
PAYMENT = "pay_Q4m9Lr7bNc2XyA"
ID_SHAPE = re.compile(r"^(order|pay)_[0-9A-Za-z]{14}$")


def sequential_ids() -> Any:
    counter = itertools.count(1)
    return lambda prefix: f"{prefix}_{next(counter):014d}"


def sandbox() -> SandboxGateway:
    events = itertools.count(1)
    return SandboxGateway(InMemorySandboxLedger(), new_id=sequential_ids(), new_event_id=lambda: f"evt_{next(events)}")


# --- signatures -------------------------------------------------------------------------------------------------


def test_checkout_signature_is_hmac_sha256_of_order_bar_payment_in_hex() -> None:
    expected = hmac.new(b"local-key-secret", f"{ORDER}|{PAYMENT}".encode(), hashlib.sha256).hexdigest()
    assert gateways.checkout_signature("local-key-secret", ORDER, PAYMENT) == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)


def test_our_signatures_pass_the_official_clients_own_checks() -> None:
    client = razorpay.Client(auth=("rzp_test_x", "s3cret"))
    signature = gateways.checkout_signature("s3cret", ORDER, PAYMENT)
    assert client.utility.verify_payment_signature(
        {"razorpay_order_id": ORDER, "razorpay_payment_id": PAYMENT, "razorpay_signature": signature}
    )
    body = b'{"event":"payment.captured"}'
    assert client.utility.verify_webhook_signature(body.decode(), gateways.webhook_signature("wh", body), "wh")


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "0" * 64,
        "ü" * 64,  # non-ASCII: a mismatch, not a TypeError from compare_digest
        gateways.checkout_signature("local-key-secret", ORDER, PAYMENT).upper(),  # hex is lower case
        gateways.checkout_signature("another-secret", ORDER, PAYMENT),
        gateways.checkout_signature("local-key-secret", ORDER, "pay_Q4m9Lr7bNc2XyB"),
    ],
)
def test_a_wrong_checkout_signature_is_refused(signature: str | None) -> None:
    gateway = sandbox()
    assert not gateway.verify_checkout_signature(ORDER, PAYMENT, signature or "")


def test_the_right_checkout_signature_is_accepted() -> None:
    gateway = sandbox()
    signature = gateways.checkout_signature("local-key-secret", ORDER, PAYMENT)
    assert gateway.verify_checkout_signature(ORDER, PAYMENT, signature)


@given(st.binary(max_size=300), st.integers(min_value=0))
def test_editing_any_byte_of_a_webhook_body_breaks_its_signature(body: bytes, position: int) -> None:
    gateway = sandbox()
    signature = gateways.webhook_signature("local-webhook-secret", body)
    assert gateway.verify_webhook_signature(body, signature)
    edited = bytearray(body or b"x")
    edited[position % len(edited)] ^= 0x01
    assert not gateway.verify_webhook_signature(bytes(edited), signature)


def test_a_webhook_without_a_signature_is_refused() -> None:
    assert not sandbox().verify_webhook_signature(b"{}", None)


def test_a_non_utf8_body_is_checked_byte_for_byte() -> None:
    body = b'{"event":"\xff"}'
    assert sandbox().verify_webhook_signature(body, gateways.webhook_signature("local-webhook-secret", body))


# --- the sandbox ------------------------------------------------------------------------------------------------


def test_sandbox_orders_have_razorpay_shaped_ids_and_are_kept_in_the_ledger() -> None:
    ledger = InMemorySandboxLedger()
    gateway: Gateway = SandboxGateway(ledger)
    order = gateway.create_order(1208000, "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY", {"reference": "PMC-W07-000001"})
    assert ID_SHAPE.match(order.id)
    assert (order.amount_paise, order.currency, order.status) == (1208000, "INR", "created")
    assert ledger.get_order(order.id) == order
    assert gateway.name == "sandbox"
    assert gateway.key_id == "rzp_test_sandbox"
    assert gateway.fetch_order_payments(order.id) == []


def test_sandbox_refuses_an_order_below_one_rupee() -> None:
    with pytest.raises(ValueError, match="100 paise"):
        sandbox().create_order(99, "r", {})


def test_a_captured_sandbox_attempt_is_signed_like_checkout_and_delivers_razorpays_webhook() -> None:
    gateway = sandbox()
    order = gateway.create_order(1208000, "r", {})
    attempt = gateway.pay(order.id, "captured")

    payment = attempt.payment
    assert ID_SHAPE.match(payment.id)
    assert payment == GatewayPayment(payment.id, order.id, 1208000, "INR", "captured")
    assert attempt.checkout_signature is not None
    assert gateway.verify_checkout_signature(order.id, payment.id, attempt.checkout_signature)
    assert gateway.fetch_payment(payment.id) == payment
    assert gateway.fetch_order_payments(order.id) == [payment]
    assert gateway.get_order(order.id).status == "paid"

    webhook = attempt.webhook
    assert (
        webhook.headers["X-Razorpay-Signature"]
        == hmac.new(b"local-webhook-secret", webhook.body, hashlib.sha256).hexdigest()
    )
    assert webhook.headers["X-Razorpay-Event-Id"] == "evt_1"
    assert gateway.verify_webhook_signature(webhook.body, webhook.signature)
    assert json.loads(webhook.body) == {
        "event": "payment.captured",
        "payload": {
            "payment": {
                "entity": {
                    "id": payment.id,
                    "order_id": order.id,
                    "amount": 1208000,
                    "currency": "INR",
                    "status": "captured",
                }
            }
        },
    }


def test_a_failed_attempt_has_no_checkout_signature_and_a_payment_failed_webhook() -> None:
    gateway = sandbox()
    order = gateway.create_order(86778, "r", {})
    attempt = gateway.pay(order.id, "failed")
    assert attempt.checkout_signature is None
    body = json.loads(attempt.webhook.body)
    assert body["event"] == "payment.failed"
    assert body["payload"]["payment"]["entity"]["status"] == "failed"
    assert gateway.get_order(order.id).status == "attempted"
    retry = gateway.pay(order.id, "captured")  # a later attempt may still succeed
    assert [p.status for p in gateway.fetch_order_payments(order.id)] == ["failed", "captured"]
    assert retry.webhook.event_id == "evt_2"


def test_another_amount_simulates_a_mismatch() -> None:
    gateway = sandbox()
    order = gateway.create_order(1208000, "r", {})
    attempt = gateway.pay(order.id, "captured", amount_paise=5000)
    assert attempt.payment.amount_paise == 5000
    assert json.loads(attempt.webhook.body)["payload"]["payment"]["entity"]["amount"] == 5000


def test_paying_a_paid_sandbox_order_is_a_conflict_and_records_nothing() -> None:
    gateway = sandbox()
    order = gateway.create_order(1208000, "r", {})
    gateway.pay(order.id, "captured")
    with pytest.raises(Conflict) as raised:
        gateway.pay(order.id, "captured")
    assert raised.value.code == "order_already_paid"
    assert len(gateway.fetch_order_payments(order.id)) == 1


def test_an_unknown_sandbox_order_is_not_found() -> None:
    gateway = sandbox()
    with pytest.raises(NotFound):
        gateway.pay("order_00000000000000", "captured")
    assert gateway.fetch_payment("pay_00000000000000") is None


# --- Razorpay, through the official client, against a local fake -------------------------------------------------


class FakeRazorpay(BaseHTTPRequestHandler):
    """Razorpay's /v1/orders, /v1/payments/{id} and /v1/orders/{id}/payments, as far as the gateway uses them."""

    orders: ClassVar[dict[str, dict[str, Any]]] = {}
    payments: ClassVar[dict[str, dict[str, Any]]] = {}
    requests: ClassVar[list[tuple[str, str, Any]]] = []
    auth = "Basic " + base64.b64encode(b"rzp_test_fake:fake-key-secret").decode()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == self.auth:
            return True
        self._answer(401, {"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}})
        return False

    def _missing(self) -> None:
        self._answer(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "The id provided does not exist"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(("POST", self.path, body))
        if not self._authorized():
            return
        if self.path != "/v1/orders":
            return self._missing()
        if self.headers.get("Content-Type") != "application/json":
            return self._answer(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not json"}})
        order_id = f"order_FAKE{len(self.orders):010d}"
        self.orders[order_id] = order = {
            "id": order_id,
            "entity": "order",
            "amount": body["amount"],
            "amount_paid": 0,
            "currency": body["currency"],
            "receipt": body["receipt"],
            "status": "created",
            "notes": body["notes"],
            "created_at": 1778392800,
        }
        self._answer(200, order)

    def do_GET(self) -> None:
        self.requests.append(("GET", self.path, None))
        if not self._authorized():
            return
        if match := re.fullmatch(r"/v1/payments/(\w+)", self.path):
            payment = self.payments.get(match.group(1))
            return self._answer(200, payment) if payment else self._missing()
        if match := re.fullmatch(r"/v1/orders/(\w+)/payments", self.path):
            items = [p for p in self.payments.values() if p["order_id"] == match.group(1)]
            return self._answer(200, {"entity": "collection", "count": len(items), "items": items})
        if self.path == "/v1/broken":
            return self._answer(500, {"error": {"code": "SERVER_ERROR", "description": "boom"}})
        return self._missing()


@pytest.fixture
def fake_razorpay() -> Iterator[str]:
    FakeRazorpay.orders.clear()
    FakeRazorpay.payments.clear()
    FakeRazorpay.requests.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRazorpay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def razorpay_gateway(base_url: str, key_secret: str | None = None) -> RazorpayGateway:
    return RazorpayGateway(
        key_id="rzp_test_fake",
        key_secret=key_secret or "fake-key-secret",
        webhook_secret="fake-webhook-secret",
        base_url=base_url,
        timeout_seconds=5,
    )


def test_razorpay_creates_an_order_through_the_official_client(fake_razorpay: str) -> None:
    gateway: Gateway = razorpay_gateway(fake_razorpay)
    order = gateway.create_order(1208000, "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY", {"reference": "PMC-W07-000001"})
    assert (order.amount_paise, order.currency, order.status) == (1208000, "INR", "created")
    assert order.receipt == "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY"
    [(method, path, body)] = FakeRazorpay.requests
    assert (method, path) == ("POST", "/v1/orders")
    assert body == {
        "amount": 1208000,
        "currency": "INR",
        "receipt": "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY",
        "notes": {"reference": "PMC-W07-000001"},
    }
    assert gateway.name == "razorpay"
    assert gateway.key_id == "rzp_test_fake"


def test_razorpay_fetches_a_payment_and_an_orders_payments(fake_razorpay: str) -> None:
    gateway = razorpay_gateway(fake_razorpay)
    order = gateway.create_order(86778, "r", {})
    for payment_id, status in (("pay_FAILED00000001", "failed"), ("pay_CAPTURED000001", "captured")):
        FakeRazorpay.payments[payment_id] = {
            "id": payment_id,
            "entity": "payment",
            "order_id": order.id,
            "amount": 86778,
            "currency": "INR",
            "status": status,
            "method": "upi",  # extra fields are ignored
        }
    assert gateway.fetch_payment("pay_CAPTURED000001") == GatewayPayment(
        "pay_CAPTURED000001", order.id, 86778, "INR", "captured"
    )
    assert [p.status for p in gateway.fetch_order_payments(order.id)] == ["failed", "captured"]
    assert gateway.fetch_order_payments("order_NOPAYMENTS0000") == []


def test_razorpay_answers_none_for_an_unknown_payment(fake_razorpay: str) -> None:
    assert razorpay_gateway(fake_razorpay).fetch_payment("pay_UNKNOWN0000000") is None


def test_razorpay_errors_become_gateway_errors_never_a_verdict(fake_razorpay: str) -> None:
    with pytest.raises(GatewayError):  # wrong credentials: a refusal, not "no such payment"
        razorpay_gateway(fake_razorpay, key_secret="wrong").create_order(100, "r", {})


def test_an_unreachable_razorpay_is_a_gateway_error() -> None:
    gateway = razorpay_gateway("http://127.0.0.1:9")  # discard port: connection refused
    with pytest.raises(GatewayError):
        gateway.fetch_order_payments("order_Q4m8ZtY2xKp1Vd")


def test_razorpay_verifies_signatures_with_its_secrets_without_calling_the_api(fake_razorpay: str) -> None:
    gateway = razorpay_gateway(fake_razorpay)
    body = b'{"event":"payment.captured"}'
    assert gateway.verify_webhook_signature(body, gateways.webhook_signature("fake-webhook-secret", body))
    assert not gateway.verify_webhook_signature(body, gateways.webhook_signature("local-webhook-secret", body))
    assert gateway.verify_checkout_signature(
        ORDER, PAYMENT, gateways.checkout_signature("fake-key-secret", ORDER, PAYMENT)
    )
    assert FakeRazorpay.requests == []


# --- configuration ----------------------------------------------------------------------------------------------


def test_the_local_stack_defaults_to_the_sandbox_with_documented_secrets() -> None:
    settings = GatewaySettings.model_validate({"environment": "local"})
    assert settings.payment_gateway == "sandbox"
    assert (settings.razorpay_key_id, settings.razorpay_key_secret, settings.razorpay_webhook_secret) == (
        "rzp_test_sandbox",
        "local-key-secret",
        "local-webhook-secret",
    )
    gateway = gateways.gateway_from(settings)
    assert isinstance(gateway, SandboxGateway)


@pytest.mark.parametrize(
    "given",
    [
        {"environment": "prod"},  # sandbox outside local
        {"environment": "dev", "payment_gateway": "razorpay"},  # local secrets
        {"environment": "prod", "payment_gateway": "razorpay", "razorpay_key_secret": "real"},
        {"environment": "prod", "payment_gateway": "razorpay", "razorpay_webhook_secret": "real"},
    ],
)
def test_deployed_stacks_refuse_the_sandbox_and_the_local_secrets(given: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="local"):
        GatewaySettings.model_validate(given)


def test_deployed_stacks_build_razorpay_from_their_secrets() -> None:
    settings = GatewaySettings.model_validate(
        {
            "environment": "prod",
            "payment_gateway": "razorpay",
            "razorpay_key_id": "rzp_live_x",
            "razorpay_key_secret": "k",
            "razorpay_webhook_secret": "w",
        }
    )
    gateway = gateways.gateway_from(settings)
    assert isinstance(gateway, RazorpayGateway)
    assert gateway.key_id == "rzp_live_x"
