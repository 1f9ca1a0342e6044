"""Creating a payment (API.md 4.5) in the checks' order, and who may read one (1.5).

Order of checks: body (kind against reference, repeated items) → 422; reference unknown or not linked by the
caller → 404; then domain pricing (item not a line → 422, paid → 409 `already_paid`, held by an open payment
→ 409 `payment_in_progress`, nothing due → 409 `nothing_due`, under 100 paise → 422); the gateway order; the
payment with a lock per line in one transaction (a concurrent create holding a line → 409)."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from functools import cache

from payments import access, domain, payment_store
from payments.gateways import Gateway, GatewaySettings, gateway_from
from payments.models import PaymentCreate
from payments.store import RecordKind
from pmc_common import ids
from pmc_common.access import owner_or_staff
from pmc_common.auth import Caller
from pmc_common.clock import iso, ist_date
from pmc_common.errors import Conflict, Invalid, NotFound
from pmc_common.settings import load

ORDER_MINUTES = 30
PAYMENT_ID = re.compile(r"^PAY-[0-9A-HJKMNP-TV-Z]{26}$")
# The sandbox's checkout page (4.11) is served by the local stack; its base URL, `PORT` honoured.
LOCAL_BASE_URL = "http://127.0.0.1:{port}"


@cache
def gateway() -> Gateway:
    """The configured gateway, once per process. The sandbox keeps its orders and attempts in PaymentsTable,
    so the API, the reconciler and stale_payments of the local stack all see the same ones (imported only
    then: a deployed function never loads the sandbox's ledger)."""
    settings = load(GatewaySettings)
    if settings.payment_gateway != "sandbox":
        return gateway_from(settings)
    from payments.sandbox_ledger import TableSandboxLedger

    return gateway_from(settings, TableSandboxLedger())


def _checkout_url(order_id: str) -> str | None:
    if gateway().name != "sandbox":
        return None
    base = os.environ.get("SANDBOX_BASE_URL") or LOCAL_BASE_URL.format(port=os.environ.get("PORT", "3000"))
    return f"{base.rstrip('/')}/sandbox-gateway/checkout/{order_id}"


def _checked(body: PaymentCreate) -> None:
    if (body.kind == "property_tax") != body.reference.startswith("PMC-"):
        raise Invalid.of("body.reference", f"is not a reference of kind {body.kind}")
    for n, item in enumerate(body.items or ()):
        if item in (body.items or [])[:n]:
            raise Invalid.of(f"body.items.{n}", "repeats an earlier line")


def create(body: PaymentCreate, caller: Caller, now: datetime) -> domain.Payment:
    _checked(body)
    today = ist_date(now)
    now_epoch = int(now.timestamp())
    record_kind: RecordKind
    if body.kind == "property_tax":
        record_kind = "property"
        record, _ = access.linked_property(body.reference, caller)
        ward = record.ward
        held = payment_store.held_lines(record_kind, body.reference, now_epoch)
        quote = domain.quote_property(record.lines, body.items, today, held)
    else:
        record_kind = "water"
        connection, _ = access.linked_connection(body.reference, caller)
        ward = connection.ward
        held = payment_store.held_lines(record_kind, body.reference, now_epoch)
        quote = domain.quote_water(connection.bills, body.items, today, held)
    payment_id = f"PAY-{ids.ulid(now)}"
    order = gateway().create_order(quote.amount_paise, payment_id, {"reference": body.reference})
    expires = now + timedelta(minutes=ORDER_MINUTES)
    payment = domain.Payment(
        id=payment_id,
        owner_sub=caller.sub,
        kind=body.kind,
        reference=body.reference,
        ward=ward,
        amount_paise=quote.amount_paise,
        lines=quote.lines,
        rebates=quote.rebates,
        gateway=gateway().name,
        gateway_order_id=order.id,
        gateway_key_id=gateway().key_id,
        checkout_url=_checkout_url(order.id),
        created_at=iso(now),
        expires_at=iso(expires),
    )
    if not payment_store.create(payment, record_kind, int(expires.timestamp()), now_epoch):
        raise Conflict("A line asked for is in another open payment", code="payment_in_progress")
    return payment


def readable(payment_id: str, caller: Caller) -> domain.Payment:
    """The payment for its owner or staff covering its ward; anyone else 404, as for an unknown id."""
    found = payment_store.get(payment_id) if PAYMENT_ID.match(payment_id) else None
    if found is None or owner_or_staff(caller, owner_sub=found.owner_sub, ward=found.ward) is None:
        raise NotFound("No payment with that id")
    return found
