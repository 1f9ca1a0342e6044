"""Payments on PaymentsTable (API.md 4.5): the only module that reads and writes payment items.

Access patterns (keys pk and sk, beside store.py's records and links):
- one payment: GetItem pk = `payment#<id>`, sk = `payment` (the document as 4.5 shows it, with its owner);
- a citizen's payments, newest first: Query pk = `citizen#<sub>`, sk begins with `payment#` descending (ids are
  ULIDs, so sk order is creation order); each item carries a copy of the document, kept with the payment;
- a line held by an open payment ("line lock"): pk = `lock#<kind>#<reference>`, sk = `line#<line id>`, with
  the payment's `expires_at` (epoch seconds, also the TTL). A new payment puts its locks in its own transaction
  on condition that none exists or it expired, so two payments can never both hold a line;
- a gateway order's payment (the webhook names only the order): GetItem pk = `order#<order id>`, sk = `order`,
  written in the payment's transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pynamodb.exceptions import TransactWriteError

from payments.domain import Payment, PaymentLine, Rebate
from payments.store import PaymentsItem, RecordKind
from pmc_common import dynamo

PAYMENT = "payment"


def _payment_pk(payment_id: str) -> str:
    return f"payment#{payment_id}"


def _citizen_pk(sub: str) -> str:
    return f"citizen#{sub}"


def _lock_pk(kind: RecordKind, reference: str) -> str:
    return f"lock#{kind}#{reference}"


def document(payment: Payment) -> dict[str, Any]:
    return asdict(payment)


def from_document(doc: dict[str, Any]) -> Payment:
    return Payment(
        **{
            **doc,
            "lines": tuple(PaymentLine(**line) for line in doc["lines"]),
            "rebates": tuple(Rebate(**rebate) for rebate in doc["rebates"]),
        }
    )


def held_lines(kind: RecordKind, reference: str, now_epoch: int) -> set[str]:
    """Line ids of the record held by an open payment (lock not yet expired)."""
    return {
        item.sk.removeprefix("line#")
        for item in PaymentsItem.query(_lock_pk(kind, reference), consistent_read=True)
        if item.expires_at is not None and int(item.expires_at) > now_epoch
    }


def create(payment: Payment, record_kind: RecordKind, expires_epoch: int, now_epoch: int) -> bool:
    """Store a new payment, its copy in the owner's list and a lock per line, in one transaction. False
    (nothing written) when a line is held by another open payment, also one committed concurrently."""
    doc = document(payment)
    try:
        with dynamo.transaction(PaymentsItem) as tx:
            tx.save(PaymentsItem(_payment_pk(payment.id), PAYMENT, doc=doc), condition=PaymentsItem.pk.does_not_exist())
            tx.save(PaymentsItem(_citizen_pk(payment.owner_sub), f"payment#{payment.id}", doc=doc))
            tx.save(PaymentsItem(f"order#{payment.gateway_order_id}", "order", doc={"payment_id": payment.id}))
            for line in payment.lines:
                tx.save(
                    PaymentsItem(
                        _lock_pk(record_kind, payment.reference),
                        f"line#{line.id}",
                        doc={"payment_id": payment.id},
                        expires_at=expires_epoch,
                    ),
                    condition=PaymentsItem.pk.does_not_exist() | (PaymentsItem.expires_at <= now_epoch),
                )
    except TransactWriteError as error:
        reasons = error.cancellation_reasons or ()
        if dynamo.condition_failed(error) or any(r is not None and r.code == "TransactionConflict" for r in reasons):
            return False
        raise
    return True


def get(payment_id: str) -> Payment | None:
    try:
        item = PaymentsItem.get(_payment_pk(payment_id), PAYMENT, consistent_read=True)
    except PaymentsItem.DoesNotExist:
        return None
    return from_document(item.doc)


def payment_of_order(order_id: str) -> str | None:
    """The id of our payment for a gateway order; None when the order is not ours."""
    try:
        item = PaymentsItem.get(f"order#{order_id}", "order", consistent_read=True)
    except PaymentsItem.DoesNotExist:
        return None
    return str(item.doc["payment_id"])


def citizen_page(
    sub: str, status: str | None, limit: int, start: dict[str, Any] | None
) -> tuple[list[Payment], dict[str, Any] | None]:
    """Up to `limit` of the citizen's payments (of `status` when given), newest first, and where the next page
    starts (None: this is the last)."""
    found: list[Payment] = []
    items = PaymentsItem.query(
        _citizen_pk(sub),
        PaymentsItem.sk.startswith("payment#"),
        scan_index_forward=False,
        consistent_read=True,
        last_evaluated_key=start,
        page_size=max(limit, 20),
    )
    for item in items:
        payment = from_document(item.doc)
        if status is not None and payment.status != status:
            continue
        found.append(payment)
        if len(found) == limit:
            return found, {"pk": {"S": item.pk}, "sk": {"S": item.sk}}
    return found, None
