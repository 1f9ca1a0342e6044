"""ReconcilerFunction (API.md 4.6, DESIGN.md "Asynchronous paths"): applies each ReconciliationQueue message once.

A message (payments.intake, payments.stale) says what the gateway reported of one payment attempt. Each is
applied in ONE DynamoDB transaction: a conditional "applied" marker keyed on the gateway payment id (the
payment id for an expiry) and the move, so a duplicate is a no-op; the payment moved by domain.transition
(its item and the owner's list copy, on the version read); on a capture the lines marked paid (each on its
version), the FY's next receipt number from its counter (on the value read, so numbers are gap-free and never
repeat) and the IST day's collections; the line locks released when the payment leaves `created`/`pending`.
A second capture (another gateway payment) on an order already captured, flagged or refund_due leaves the payment
as it is and puts a new `refund_due` record (`duplicate_capture`, same owner and order) with its staff-list items
and the day's exceptions in the same transaction. A move the status table refuses (a repeat, a late failure, a
failure or expiry after a capture) is ignored. Once a transaction committed, each record it made `flagged` or
`refund_due` is counted in the FlaggedPayments / RefundDuePayments metric that the alarms watch.
When something read changed meanwhile the message is read and tried again; a malformed message raises, is
reported as a batch item failure, and reaches the DLQ after 5 receives with nothing applied."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field

from payments import domain, orders, payment_store
from payments.gateways import Gateway
from payments.payment_store import Application, Stale, Versioned
from payments.store import RecordKind
from pmc_common.batches import batch_handler
from pmc_common.clock import Clock, SystemClock, financial_year, ist_date, parse_iso
from pmc_common.errors import Conflict
from pmc_common.ids import ulid
from pmc_common.instrument import instrumented

logger = Logger(service="payments")
# Flushed by @instrumented once per invocation. The template sets the namespace; instrument.py's is the default,
# so the flush Powertools makes by itself at 100 values of a metric never lacks one.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "PuneConnect"), service="payments")
ATTEMPTS = 8  # reads and tries again when a concurrent message moved something first


class Message(BaseModel):
    """A ReconciliationQueue message; anything else is malformed (→ DLQ after 5 receives)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    source: Literal["confirm", "webhook", "stale"]
    payment_id: str = Field(pattern=r"^PAY-[0-9A-HJKMNP-TV-Z]{26}$")
    gateway_order_id: str = Field(pattern=r"^order_[A-Za-z0-9]{14}$")
    gateway_payment_id: str | None = Field(None, pattern=r"^pay_[A-Za-z0-9]{14}$")
    event: str | None = None
    event_id: str | None = None
    status: Literal["created", "authorized", "captured", "refunded", "failed", "expired"] | None = None
    amount_paise: int | None = None
    currency: str | None = None


def _news(message: Message, gateway: Callable[[], Gateway]) -> Message | None:
    """What the gateway says of the attempt: a webhook and stale_payments tell it; a confirm asks the gateway.
    None: nothing to apply."""
    if message.source != "confirm":
        return message
    if message.gateway_payment_id is None:
        raise ValueError("a confirm names the gateway payment")
    found = gateway().fetch_payment(message.gateway_payment_id)
    if found is None or found.order_id != message.gateway_order_id:
        return None
    return message.model_copy(
        update={"status": found.status, "amount_paise": found.amount_paise, "currency": found.currency}
    )


def _via(message: Message) -> str | None:
    """The status table's `via` for the gateway's news (a confirm of an attempt not yet final is `confirm`)."""
    match message.status:
        case "captured" | "refunded":
            return "capture"
        case "failed":
            return "fail"
        case "authorized" | "created":
            return "confirm" if message.source == "confirm" else "authorize"
        case "expired":
            return "expire"
    return None


def _record_kind(payment: domain.Payment) -> RecordKind:
    return "property" if payment.kind == "property_tax" else "water"


def _paid(kind: RecordKind, doc: dict[str, Any]) -> bool:
    if kind == "property":
        return bool(doc["paid_principal_paise"] >= doc["principal_paise"])
    return bool(doc["paid_paise"] >= doc["amount_paise"])


def _settled(kind: RecordKind, doc: dict[str, Any]) -> dict[str, Any]:
    if kind == "property":
        return {**doc, "paid_principal_paise": doc["principal_paise"]}
    return {**doc, "paid_paise": doc["amount_paise"]}


def _plan(message: Message, via: str, read: Versioned, now: datetime) -> Application | None:
    """The one transaction for this message, or None when the status table refuses the move (ignored). Beside the
    payment it reads, in one round trip, what the move writes on: lines, locks and the receipt counter."""
    current = payment_store.from_document(read.doc)
    if via == "capture" and current.status in domain.FINAL:
        return _duplicate(message, read, current, now)
    if via == "capture":
        return _capture(message, read, current, now)
    try:
        move = domain.transition(current, via, given={"gateway_payment_id": message.gateway_payment_id}, now=now)
    except Conflict:
        return None  # a repeat, a late failure, a failure or expiry after a capture: nothing to apply
    locks: list[tuple[str, int]] = []
    if move.after.status not in domain.OPEN:
        line_ids = [line.id for line in current.lines]
        locks = payment_store.for_move(_record_kind(current), current.reference, current.id, line_ids, None).locks
    key = message.gateway_payment_id if via != "expire" else current.id
    return Application(f"{key}#{via}", read, move.after, _record_kind(current), [], locks, None, [])


def _capture(message: Message, read: Versioned, current: domain.Payment, now: datetime) -> Application | None:
    """A capture on a payment not yet captured: captured (lines paid, the FY's next receipt number, the day's
    collections), or flagged / refund_due (nothing allocated, the day's exceptions); its locks released."""
    if message.amount_paise is None or message.currency is None:
        raise ValueError("a capture names its amount and currency")
    kind = _record_kind(current)
    day = ist_date(now)
    fy = financial_year(day)
    line_ids = [line.id for line in current.lines]
    reads = payment_store.for_move(kind, current.reference, current.id, line_ids, fy)
    elsewhere = len(reads.lines) != len(line_ids) or any(_paid(kind, line.doc) for line in reads.lines)
    given: dict[str, Any] = {
        "gateway_payment_id": message.gateway_payment_id,
        "amount_paise": message.amount_paise,
        "currency": message.currency,
        "lines_paid_elsewhere": elsewhere,
    }
    to = domain.capture_outcome(current, message.amount_paise, message.currency, elsewhere)
    lines: list[Versioned] = []
    receipt: tuple[str, int] | None = None
    if to == "captured":
        number = reads.receipts + 1
        receipt = (fy, number)
        given["receipt_no"] = f"PMC/{fy}/{number:06d}"
        lines = [replace(line, doc=_settled(kind, line.doc)) for line in reads.lines]
        cell, amount = f"{current.ward}#{current.kind}", current.amount_paise
    else:
        cell, amount = f"exceptions#{to}#{current.ward}", message.amount_paise
    try:
        move = domain.transition(current, "capture", given=given, now=now, to=to)
    except Conflict:
        return None
    collections = [(f"collections#{day}", f"{cell}#count", 1), (f"collections#{day}", f"{cell}#amount", amount)]
    marker = f"{message.gateway_payment_id}#capture"
    return Application(marker, read, move.after, kind, lines, reads.locks, receipt, collections)


def _duplicate(message: Message, read: Versioned, current: domain.Payment, now: datetime) -> Application | None:
    """A capture on an order whose payment is captured, flagged or refund_due: if it is another gateway payment
    than the one recorded, its money goes on a new `refund_due` record (`duplicate_capture`) counted in the
    day's exceptions, the payment left as read; the same one is a repeat (None: ignored)."""
    if message.amount_paise is None or message.currency is None:
        raise ValueError("a capture names its amount and currency")
    given = {
        "gateway_payment_id": message.gateway_payment_id,
        "amount_paise": message.amount_paise,
        "currency": message.currency,
    }
    try:
        move = domain.transition(current, "capture", given=given, now=now)
    except Conflict:
        return None
    if "duplicate_capture" not in move.rule.records:
        raise AssertionError(f"a capture on a {current.status} payment records a duplicate capture")
    created = domain.duplicate_capture(current, f"PAY-{ulid(now)}", given, now)
    cell = f"exceptions#{created.status}#{created.ward}"
    collections = [
        (f"collections#{ist_date(now)}", f"{cell}#count", 1),
        (f"collections#{ist_date(now)}", f"{cell}#amount", message.amount_paise),
    ]
    marker = f"{message.gateway_payment_id}#capture"
    return Application(marker, read, move.after, _record_kind(current), [], [], None, collections, created=created)


# The alarms of template.yaml watch these (EMF, namespace POWERTOOLS_METRICS_NAMESPACE): one per record that
# became flagged or refund_due, counted once its transaction committed.
EXCEPTION_METRICS = {"flagged": "FlaggedPayments", "refund_due": "RefundDuePayments"}


def _count_exceptions(change: Application) -> None:
    for payment in change.exceptions:
        metrics.add_metric(name=EXCEPTION_METRICS[payment.status], unit=MetricUnit.Count, value=1)


def reconcile(message: Message, gateway: Callable[[], Gateway], clock: Clock) -> str:
    """Apply one message; what happened: `applied`, `duplicate`, `ignored`."""
    news = _news(message, gateway)
    if news is None:
        return "ignored"
    via = _via(news)
    if via is None or (via != "expire" and news.gateway_payment_id is None):
        return "ignored"
    for attempt in range(ATTEMPTS):
        read = payment_store.payment_for_update(news.payment_id)
        if read is None:
            return "ignored"  # not ours (intake only enqueues our orders; a hand-made message)
        now = clock.now()
        change = _plan(news, via, read, now)
        if change is None:
            current = payment_store.from_document(read.doc)
            watched_until = parse_iso(current.expires_at) + payment_store.WATCH_AFTER_EXPIRY
            if via == "expire" and current.status in ("failed", "expired") and now >= watched_until:
                payment_store.unwatch(current)  # a day after its order expired: nothing left to ask
            return "ignored"
        try:  # a marker already there (applied before) fails the transaction, nothing written: a duplicate
            if not payment_store.apply(change):
                return "duplicate"
            _count_exceptions(change)  # committed, and by this delivery only
            return "applied"
        except Stale:
            if attempt + 1 == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def record_handler(clock: Clock | None = None, gateway: Callable[[], Gateway] = orders.gateway) -> Callable[[Any], str]:
    """One SQS record → reconcile; a body that is not a message raises (a batch item failure)."""
    used = clock or SystemClock()

    def handle(record: Any) -> str:
        message = Message.model_validate(json.loads(record.body))
        outcome = reconcile(message, gateway, used)
        logger.info(
            "reconciled", extra={"payment_id": message.payment_id, "source": message.source, "outcome": outcome}
        )
        return outcome

    return handle


handler = instrumented("payments", logger)(batch_handler("SQS", record_handler()))
