"""The sandbox gateway's checkout page and pay route (API.md 4.11), for the local stack only. It lives under
local/, outside every CodeUri, so `sam build` never packages it (nor httpx, a development dependency), and it
is never in template.yaml: the local stack serves it under /sandbox-gateway/ in the PaymentsApiFunction's
execution environment, where the payments package it imports is on the path. The pay route records an
attempt, then delivers its signed webhook to the payments API app in process, with the exact bytes and
headers Razorpay would send."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Annotated, Any, Literal

import httpx
from aws_lambda_powertools import Logger
from pydantic import Field

from payments import api, orders, payment_store
from payments.gateways import GatewayOrder, SandboxAttempt, SandboxGateway
from pmc_common.app import Response, create_app, lambda_handler
from pmc_common.errors import NotFound
from pmc_common.models import Body, View
from pmc_common.money import rupees
from pmc_common.views import json_response

__all__ = ["app", "handler"]

logger = Logger(service="payments-sandbox")
app = create_app("payments-sandbox", "PuneConnect sandbox gateway (local stack only)", logger)
ORDER_ID = re.compile(r"^order_[A-Za-z0-9]{14}$")
# An attempt's amount is at most Rs 1,00,00,00,000.00 (10^12 paise): enough for any mismatch to simulate,
# and far below what a DynamoDB number holds.
MAX_AMOUNT_PAISE = 10**12


class SandboxPayBody(Body):
    outcome: Literal["captured", "failed"]
    amount_paise: Annotated[int, Field(ge=1, le=MAX_AMOUNT_PAISE)] | None = None


class WebhookDelivery(View):
    event_id: str
    status: int


class SandboxPayView(View):
    order_id: str
    razorpay_payment_id: str
    razorpay_order_id: str
    razorpay_signature: str | None
    status: Literal["captured", "failed"]
    amount_paise: int
    webhook: WebhookDelivery


def _sandbox() -> SandboxGateway:
    gateway = orders.gateway()
    if not isinstance(gateway, SandboxGateway):
        raise NotFound("The sandbox gateway is not configured")
    return gateway


def _order(order_id: str) -> GatewayOrder:
    """The sandbox order; an id not of an order's shape is unknown too (API.md 1.2), never read."""
    if not ORDER_ID.match(order_id):
        raise NotFound("No sandbox order with that id")
    return _sandbox().get_order(order_id)


# --- the checkout page ---------------------------------------------------------------------------

# The page's one script, static so the Content-Security-Policy can name its hash: it POSTs the outcome to the
# pay route and shows what Checkout hands the app (the three fields to confirm with) or the problem.
SCRIPT = """
const page = document.getElementById("checkout");
const result = document.getElementById("result");
async function pay(outcome) {
  for (const button of document.querySelectorAll("button")) button.disabled = true;
  const answer = await fetch(page.dataset.payUrl, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({outcome})});
  const body = await answer.json();
  const shown = answer.ok ? {
    razorpay_payment_id: body.razorpay_payment_id, razorpay_order_id: body.razorpay_order_id,
    razorpay_signature: body.razorpay_signature, status: body.status, webhook: body.webhook} : body;
  result.textContent = JSON.stringify(shown, null, 2);
  result.hidden = false;
  if (answer.ok) document.getElementById("status").textContent = body.status === "captured" ? "paid" : "attempted";
  else for (const button of document.querySelectorAll("button")) button.disabled = false;
}
document.getElementById("pay").addEventListener("click", () => pay("captured"));
document.getElementById("fail").addEventListener("click", () => pay("failed"));
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src 'sha256-{SCRIPT_HASH}'; connect-src 'self'; style-src 'unsafe-inline'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:2rem auto}dt{font-weight:bold}"
    "pre{background:#eee;white-space:pre-wrap;overflow-wrap:anywhere}"
)


def _reference(order: GatewayOrder) -> str:
    """What the order pays for: our payment's property or connection, else the order's receipt."""
    payment_id = payment_store.payment_of_order(order.id)
    payment = payment_store.get(payment_id) if payment_id else None
    return payment.reference if payment is not None else order.receipt


def checkout_page(order: GatewayOrder, reference: str) -> str:
    e = html.escape
    paid = order.status == "paid"
    disabled = " disabled" if paid else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout {e(order.id)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><main id="checkout" data-pay-url="/sandbox-gateway/orders/{e(order.id)}/pay">
<h1>Sandbox checkout</h1>
<p>Local stack only: no money moves.</p>
<dl>
<dt>Amount</dt><dd id="amount">{e(rupees(order.amount_paise))}</dd>
<dt>Reference</dt><dd id="reference">{e(reference)}</dd>
<dt>Receipt</dt><dd>{e(order.receipt)}</dd>
<dt>Order</dt><dd>{e(order.id)}</dd>
<dt>Status</dt><dd id="status">{e(order.status)}</dd>
</dl>
<button id="pay" type="button"{disabled}>Pay</button> <button id="fail" type="button"{disabled}>Fail</button>
<pre id="result" hidden></pre>
</main><script>{SCRIPT}</script></body></html>
"""


@app.get("/sandbox-gateway/checkout/{order_id}", name="sandbox_checkout", responses={404: []})
def checkout(order_id: str) -> Response:
    order = _order(order_id)
    return Response(
        checkout_page(order, _reference(order)),
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-store", "Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )


# --- paying ----------------------------------------------------------------------------------------


async def deliver(attempt: SandboxAttempt) -> int:
    """POST the attempt's webhook to the payments API app, in process (no network): its HTTP status."""
    transport = httpx.ASGITransport(app=api.app)  # type: ignore[arg-type]  # App is an ASGI callable
    async with httpx.AsyncClient(transport=transport, base_url="http://payments.local") as client:
        answer = await client.post("/webhooks/razorpay", content=attempt.webhook.body, headers=attempt.webhook.headers)
    return answer.status_code


@app.post(
    "/sandbox-gateway/orders/{order_id}/pay",
    response_model=SandboxPayView,
    name="sandbox_pay",
    responses={404: [], 409: ["order_already_paid"]},
)
async def pay(order_id: str, body: SandboxPayBody) -> Response:
    order = _order(order_id)
    attempt = _sandbox().pay(order.id, body.outcome, body.amount_paise)
    status = await deliver(attempt)
    payment = attempt.payment
    view: dict[str, Any] = {
        "order_id": order.id,
        "razorpay_payment_id": payment.id,
        "razorpay_order_id": order.id,
        "razorpay_signature": attempt.checkout_signature,
        "status": payment.status,
        "amount_paise": payment.amount_paise,
        "webhook": {"event_id": attempt.webhook.event_id, "status": status},
    }
    logger.info("sandbox attempt", extra={"order_id": order.id, "outcome": payment.status, "webhook_status": status})
    return json_response(view)


handler = lambda_handler(app, "payments-sandbox", logger)
