"""Paying through the sandbox gateway over HTTP on the local stack (API.md 4.5, 4.7-4.11, issue 17): a citizen
links the demo property, creates a payment, opens the checkout page, pays, confirms; the reconciler captures it
with a receipt (JSON and PDF); replaying the very same signed webhook and the confirm changes nothing: one
captured payment, one receipt, lines paid once, the day's collections counting it once. Then a failed attempt
and a successful one on a water connection."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from pmc_common.money import rupees
from tests.e2e.conftest import TokenFactory

RECEIPT_NO = re.compile(r"^PMC/20[0-9]{2}-[0-9]{2}/[0-9]{6}$")
SETTLE_SECONDS = 30  # the reconciler's queue is polled by the stack; a capture lands well within this
POLL_SECONDS = 0.2
REPLAY_SECONDS = 3  # the first capture took well under this from webhook to captured


def citizen_headers(token: TokenFactory) -> dict[str, str]:
    return {"authorization": f"Bearer {token(f'+9196{uuid.uuid4().int % 10**8:08d}')}"}


def until(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it answers something truthy, for at most SETTLE_SECONDS."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"{what} did not happen within {SETTLE_SECONDS}s")


def holds(check: Callable[[], None], seconds: float) -> None:
    """`check` passes again and again for `seconds` (nothing happens late that it would catch)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        check()
        time.sleep(POLL_SECONDS)
    check()


def captured(http: httpx.Client, payment_id: str, headers: dict[str, str]) -> dict[str, Any] | None:
    payment: dict[str, Any] = http.get(f"/payments/{payment_id}", headers=headers).json()
    return payment if payment["status"] not in ("created", "pending") else None


def collected(http: httpx.Client, staff: dict[str, str], ward: str, kind: str) -> tuple[int, int]:
    reply = http.get("/staff/collections", params={"ward": ward}, headers=staff)
    assert reply.status_code == 200, reply.text
    row = next(r for r in reply.json()["by_ward"] if r["ward"] == ward)
    cell = next((k for k in row["by_kind"] if k["kind"] == kind), {"count": 0, "amount_paise": 0})
    return cell["count"], cell["amount_paise"]


def test_pay_the_demo_property_through_the_sandbox_and_replays_change_nothing(stack: str, token: TokenFactory) -> None:
    with httpx.Client(base_url=stack, timeout=30) as http:
        citizen = citizen_headers(token)
        staff = {"authorization": f"Bearer {token('+919800000100', ['staff'])}"}
        linked = http.post(
            "/me/properties", json={"property_id": "PMC-W07-000001", "owner_name": "Ramesh Kulkarni"}, headers=citizen
        )
        assert linked.status_code == 201, linked.text
        dues = http.get("/me/properties/PMC-W07-000001/dues", headers=citizen).json()
        unpaid = [line["id"] for y in dues["years"] for line in y["lines"] if line["total_paise"] > 0]
        assert unpaid
        collections_before = collected(http, staff, "W07", "property_tax")

        created = http.post(
            "/payments",
            json={"kind": "property_tax", "reference": "PMC-W07-000001"},
            headers=citizen | {"Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        payment = created.json()
        assert payment["status"] == "created"
        assert payment["amount_paise"] == dues["total_paise"]
        assert [line["id"] for line in payment["lines"]] == unpaid
        held = http.get("/me/properties/PMC-W07-000001/dues", headers=citizen).json()
        assert {line["status"] for y in held["years"] for line in y["lines"] if line["id"] in unpaid} == {"in_payment"}

        # The checkout page the app opens, on this stack.
        assert payment["checkout_url"] == f"{stack}/sandbox-gateway/checkout/{payment['gateway_order_id']}"
        page = http.get(payment["checkout_url"])
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert f'<dd id="amount">{rupees(payment["amount_paise"])}</dd>' in page.text
        assert "PMC-W07-000001" in page.text
        assert ">Pay</button>" in page.text
        assert ">Fail</button>" in page.text
        assert http.get("/sandbox-gateway/checkout/order_NOSUCHORDER001").status_code == 404

        paid = http.post(f"/sandbox-gateway/orders/{payment['gateway_order_id']}/pay", json={"outcome": "captured"})
        assert paid.status_code == 200, paid.text
        attempt = paid.json()
        assert attempt["status"] == "captured"
        assert attempt["amount_paise"] == payment["amount_paise"]
        assert attempt["webhook"]["status"] == 200
        checkout = {k: attempt[k] for k in ("razorpay_payment_id", "razorpay_order_id", "razorpay_signature")}
        confirmed = http.post(f"/payments/{payment['id']}/confirm", json=checkout, headers=citizen)
        assert confirmed.status_code == 202, confirmed.text
        assert confirmed.json()["accepted"] is True

        done = until(lambda: captured(http, payment["id"], citizen), "the capture")
        assert done["status"] == "captured", done
        assert done["gateway_payment_id"] == attempt["razorpay_payment_id"]
        assert done["captured_amount_paise"] == payment["amount_paise"]
        receipt_no = done["receipt_no"]
        assert RECEIPT_NO.match(receipt_no)

        receipt = http.get(f"/payments/{payment['id']}/receipt", headers=citizen)
        assert receipt.status_code == 200
        assert receipt.json()["receipt_no"] == receipt_no
        assert receipt.json()["payer_name"] == "Ramesh Kulkarni"
        assert receipt.json()["amount_paise"] == payment["amount_paise"]
        pdf = http.get(f"/payments/{payment['id']}/receipt", params={"format": "pdf"}, headers=citizen)
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        collections_after = collected(http, staff, "W07", "property_tax")
        assert collections_after[0] == collections_before[0] + 1
        assert collections_after[1] == collections_before[1] + payment["amount_paise"]

        # Replays: the paid order, the same signed webhook bytes, the same confirm.
        again = http.post(f"/sandbox-gateway/orders/{payment['gateway_order_id']}/pay", json={"outcome": "captured"})
        assert again.status_code == 409
        assert again.json()["code"] == "order_already_paid"
        # The webhook the sandbox delivered, byte for byte: 4.8's body, compact, signed with the local secret
        # (a byte of difference would be a 401, not a replay).
        body = json.dumps(
            {
                "event": "payment.captured",
                "payload": {
                    "payment": {
                        "entity": {
                            "id": attempt["razorpay_payment_id"],
                            "order_id": payment["gateway_order_id"],
                            "amount": payment["amount_paise"],
                            "currency": "INR",
                            "status": "captured",
                        }
                    }
                },
            },
            separators=(",", ":"),
        ).encode()
        signature = hmac.new(b"local-webhook-secret", body, hashlib.sha256).hexdigest()
        for _ in range(2):
            replay = http.post(
                "/webhooks/razorpay",
                content=body,
                headers={
                    "content-type": "application/json",
                    "x-razorpay-signature": signature,
                    "x-razorpay-event-id": attempt["webhook"]["event_id"],
                },
            )
            assert replay.status_code == 200, replay.text
            assert replay.json() == {"status": "enqueued"}
            assert http.post(f"/payments/{payment['id']}/confirm", json=checkout, headers=citizen).status_code == 202

        # The replays reach the reconciler as the first messages did; for a while after, nothing has doubled.
        def unchanged() -> None:
            mine = http.get("/me/payments", headers=citizen).json()["items"]
            assert [(p["id"], p["status"], p["receipt_no"]) for p in mine] == [(payment["id"], "captured", receipt_no)]
            assert http.get(f"/payments/{payment['id']}", headers=citizen).json() == done
            assert collected(http, staff, "W07", "property_tax") == collections_after

        holds(unchanged, REPLAY_SECONDS)
        after = http.get("/me/properties/PMC-W07-000001/dues", headers=citizen).json()
        assert {(line["id"], line["total_paise"], line["status"]) for y in after["years"] for line in y["lines"]} >= {
            (line_id, 0, "paid") for line_id in unpaid
        }
        assert http.get("/properties/PMC-W07-000001").json()["outstanding_paise"] == after["total_paise"]
        assert collected(http, staff, "W07", "property_tax") == collections_after
        assert http.get(f"/payments/{payment['id']}/receipt", headers=citizen).json()["receipt_no"] == receipt_no


def test_a_failed_attempt_then_a_successful_one_on_a_water_connection(stack: str, token: TokenFactory) -> None:
    with httpx.Client(base_url=stack, timeout=30) as http:
        citizen = citizen_headers(token)
        linked = http.post(
            "/me/water-connections",
            json={"consumer_no": "WC-1000001", "owner_name": "Ramesh Kulkarni"},
            headers=citizen,
        )
        assert linked.status_code == 201, linked.text
        created = http.post(
            "/payments",
            json={"kind": "water_bill", "reference": "WC-1000001"},
            headers=citizen | {"Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        payment = created.json()
        pay_url = f"/sandbox-gateway/orders/{payment['gateway_order_id']}/pay"

        failed = http.post(pay_url, json={"outcome": "failed"}).json()
        assert (failed["status"], failed["razorpay_signature"], failed["webhook"]["status"]) == ("failed", None, 200)
        until(lambda: captured(http, payment["id"], citizen), "the failure")
        assert http.get(f"/payments/{payment['id']}", headers=citizen).json()["status"] == "failed"
        assert http.get(f"/payments/{payment['id']}/receipt", headers=citizen).status_code == 409

        success = http.post(pay_url, json={"outcome": "captured"}).json()
        checkout = {k: success[k] for k in ("razorpay_payment_id", "razorpay_order_id", "razorpay_signature")}
        assert http.post(f"/payments/{payment['id']}/confirm", json=checkout, headers=citizen).status_code == 202
        done = until(
            lambda: (p := captured(http, payment["id"], citizen)) and p["status"] == "captured" and p,
            "the later capture",
        )
        assert done["gateway_payment_id"] == success["razorpay_payment_id"]
        assert RECEIPT_NO.match(done["receipt_no"])
        bills = http.get("/me/water-connections/WC-1000001/bills", headers=citizen).json()
        assert bills["total_paise"] == 0


def test_the_stack_bounds_what_reaches_the_sandbox(stack: str) -> None:
    with httpx.Client(base_url=stack, timeout=30) as http:
        pay = "/sandbox-gateway/orders/order_NOSUCHORDER001/pay"
        huge = http.post(pay, content=b"{" + b" " * (300 * 1024) + b"}", headers={"content-type": "application/json"})
        assert huge.status_code == 413
        assert huge.headers["content-type"] == "application/problem+json"
        deep = http.post(pay, content=b"[" * 5000 + b"]" * 5000, headers={"content-type": "application/json"})
        assert deep.status_code == 400
        assert deep.headers["content-type"] == "application/problem+json"
        assert http.post(pay, json={"outcome": "captured"}).status_code == 404
        assert http.get("/sandbox-gateway/nothing-here").status_code == 404
        assert http.get("/sandbox-gateway/checkout/order_NOSUCHORDER001").json()["status"] == 404
        assert "/sandbox-gateway/checkout/{order_id}" not in http.get("/openapi.json").json()["paths"]
