"""Payments on PaymentsTable (API.md 4.5): the only module that reads and writes payment items.

Access patterns (keys pk and sk, beside store.py's records and links):
- one payment: GetItem pk = `payment#<id>`, sk = `payment` (the document as 4.5 shows it, with its owner);
- a citizen's payments, newest first: Query pk = `citizen#<sub>`, sk begins with `payment#` descending (ids are
  ULIDs, so sk order is creation order); each item carries a copy of the document, kept with the payment;
- a line held by an open payment ("line lock"): pk = `lock#<kind>#<reference>`, sk = `line#<line id>`, with
  the payment's `expires_at` (epoch seconds, also the TTL). A new payment puts its locks in its own transaction
  on condition that none exists or it expired, so two payments can never both hold a line;
- payments stale_payments watches, oldest first: Query pk = `open-payments`, sk < `<created_at>#~`; an item
  `<created_at>#<id>` put in the payment's transaction and deleted in the one that moves it out of
  `created`/`pending`/`failed`/`expired`, or by `unwatch` a day after a failed or expired payment's order expired;
- captured orders stale_payments checks for a second capture whose every message was lost (API.md 4.6
  `duplicate_capture`), by when each check is due: Query pk = `capture-checks`, sk < `<now>#~` (at most
  MAX_CAPTURE_CHECKS per run); an item `<check_at>#<payment id>` put in the transaction that moves the payment
  into captured/flagged/refund_due (due 15 minutes after the capture), moved to its next check by
  `reschedule_capture_check` and deleted by `end_capture_check` once the window after the capture has passed;
- a gateway order's payment (the webhook names only the order): GetItem pk = `order#<order id>`, sk = `order`,
  written in the payment's transaction (a duplicate capture's record has the same order and is not named here:
  the reconciler finds the order's payment captured and makes the new record)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from payments.domain import FINAL, FIRST_CAPTURE_CHECK, OPEN, Payment, PaymentLine, Rebate
from payments.store import PaymentsItem, RecordKind
from pmc_common import dynamo
from pmc_common.clock import iso, parse_iso

PAYMENT = "payment"
OPEN_PK = "open-payments"
# Watched by stale_payments: open ones, and failed or expired ones for a day after their order expired (a later
# attempt may still be captured, late, and its webhook may be lost: 4.6 counts a late capture).
WATCHED = (*OPEN, "failed", "expired")
WATCH_AFTER_EXPIRY = timedelta(hours=24)
CAPTURE_CHECKS_PK = "capture-checks"
MAX_CAPTURE_CHECKS = 500  # read per stale_payments run; the rest stay due for the next run


def _open_sk(payment: Payment) -> str:
    return f"{payment.created_at}#{payment.id}"


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
            tx.save(PaymentsItem(OPEN_PK, _open_sk(payment), doc={"payment_id": payment.id}))
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
        if dynamo.condition_failed(error) or dynamo.transaction_conflicted(error):
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


# --- the reconciler's reads and its one transaction per message (API.md 4.6) -----------------------


class Stale(Exception):
    """Something read for a message changed before its transaction committed (or DynamoDB cancelled it for a
    conflict): nothing was written; read again and retry."""


@dataclass(frozen=True)
class Versioned:
    """An item as read, with its version (`tally`; 0 when it has none yet), to write back on that condition."""

    pk: str
    sk: str
    doc: dict[str, Any]
    version: int


def _versioned(pk: str, sk: str) -> Versioned | None:
    try:
        item = PaymentsItem.get(pk, sk, consistent_read=True)
    except PaymentsItem.DoesNotExist:
        return None
    return Versioned(pk, sk, item.doc or {}, int(item.tally or 0))


def payment_for_update(payment_id: str) -> Versioned | None:
    return _versioned(_payment_pk(payment_id), PAYMENT)


@dataclass(frozen=True)
class MoveReads:
    """What moving a payment reads beside it, in one BatchGetItem (consistent): its lines as stored (each with its
    version), the line locks it still holds (sk, expires_at) and, for a capture, the FY's receipt counter."""

    lines: list[Versioned]
    locks: list[tuple[str, int]]
    receipts: int


def for_move(
    kind: RecordKind, reference: str, payment_id: str, line_ids: list[str], financial_year: str | None
) -> MoveReads:
    """The reads of MoveReads, one round trip (at most 2 × 20 lines + 1 counter, within BatchGetItem's 100 keys)."""
    line_keys = [(f"{kind}#{reference}", f"line#{line_id}") for line_id in line_ids]
    lock_keys = [(_lock_pk(kind, reference), f"line#{line_id}") for line_id in line_ids]
    counter_key = (f"receipts#{financial_year}", "counter")
    keys = [*line_keys, *lock_keys, *([counter_key] if financial_year else [])]
    found = {(item.pk, item.sk): item for item in PaymentsItem.batch_get(keys, consistent_read=True)}
    lines = [
        Versioned(pk, sk, found[pk, sk].doc or {}, int(found[pk, sk].tally or 0))
        for pk, sk in line_keys
        if (pk, sk) in found
    ]
    locks = [
        (sk, int(lock.expires_at))
        for key in lock_keys
        if (lock := found.get(key)) is not None
        and (lock.doc or {}).get("payment_id") == payment_id
        and lock.expires_at is not None
        for sk in [key[1]]
    ]
    counter = found.get(counter_key)
    return MoveReads(lines, locks, int(counter.tally or 0) if counter is not None else 0)


def receipt_counter(financial_year: str) -> int:
    """The last receipt number of the FY (0: none yet)."""
    found = _versioned(f"receipts#{financial_year}", "counter")
    return found.version if found else 0


EXCEPTION_STATUSES = ("flagged", "refund_due")


def _exceptions_pks(status: str, ward: str) -> tuple[str, str]:
    return f"exceptions#{status}", f"exceptions#{status}#{ward}"


def exceptions_page(
    status: str, ward: str | None, limit: int, start: dict[str, Any] | None
) -> tuple[list[Payment], dict[str, Any] | None]:
    """Up to `limit` flagged or refund_due payments (of one ward, or city-wide), newest created first."""
    city, of_ward = _exceptions_pks(status, ward or "")
    found: list[Payment] = []
    items = PaymentsItem.query(
        of_ward if ward else city,
        PaymentsItem.sk.startswith("payment#"),
        scan_index_forward=False,
        consistent_read=True,
        last_evaluated_key=start,
        page_size=limit,
    )
    for item in items:
        found.append(from_document(item.doc))
        if len(found) == limit:
            return found, {"pk": {"S": item.pk}, "sk": {"S": item.sk}}
    return found, None


def _receipt_pk(receipt_no: str) -> str:
    return f"receipt#{receipt_no}"


def payment_of_receipt(receipt_no: str) -> str | None:
    """The payment a receipt number was allocated to, or None."""
    try:
        item = PaymentsItem.get(_receipt_pk(receipt_no), "receipt")
    except PaymentsItem.DoesNotExist:
        return None
    found = (item.doc or {}).get("payment_id")
    return str(found) if found else None


def applied(marker: str) -> bool:
    try:
        PaymentsItem.get(f"applied#{marker}", "applied", consistent_read=True)
    except PaymentsItem.DoesNotExist:
        return False
    return True


def collections_of(day: str) -> dict[str, int]:
    """A day's aggregates, sk → tally: `<ward>#<kind>#count|amount`, `exceptions#<status>#<ward>#count|amount`."""
    return {item.sk: int(item.tally or 0) for item in PaymentsItem.query(f"collections#{day}", consistent_read=True)}


@dataclass(frozen=True)
class Application:
    """Everything one message changes, written in one transaction or not at all."""

    marker: str  # `<gateway payment id or payment id>#<via>`: applied at most once
    payment: Versioned
    after: Payment
    record_kind: RecordKind
    lines: list[Versioned]  # their new docs, each written on its version
    locks: list[tuple[str, int]]  # line locks to release (sk, expires_at as read)
    receipt: tuple[str, int] | None  # (FY, the counter's new value) when a receipt number is allocated
    collections: list[tuple[str, str, int]]  # (pk, sk, increment)
    created: Payment | None = None  # a new record (a duplicate capture's), put on condition that its id is new

    @property
    def before(self) -> Payment:
        return from_document(self.payment.doc)

    @property
    def moves(self) -> bool:
        """Whether the payment read changes (a duplicate capture leaves it as it is)."""
        return self.after != self.before

    @property
    def exceptions(self) -> list[Payment]:
        """The records this change makes `flagged` or `refund_due`: staff list them, and they are counted."""
        became = [self.after] if self.moves and self.after.status in EXCEPTION_STATUSES else []
        return became + ([self.created] if self.created is not None else [])


def _listed(tx: Any, payment: Payment, doc: dict[str, Any]) -> None:
    """A payment's copy in its owner's list and, when flagged or refund_due, in the staff lists (API.md 4.10):
    city-wide and its ward's, newest created first."""
    tx.save(PaymentsItem(_citizen_pk(payment.owner_sub), f"payment#{payment.id}", doc=doc))
    if payment.status in EXCEPTION_STATUSES:
        sk = f"payment#{payment.created_at}#{payment.id}"
        for pk in _exceptions_pks(payment.status, payment.ward):
            tx.save(PaymentsItem(pk, sk, doc=doc))


def apply(change: Application) -> bool:
    """Commit `change`; False (nothing written) when its marker exists: applied before. Stale when anything read
    for it changed meanwhile (or a new record's id was taken: planned again, it gets another)."""
    doc = document(change.after)
    payment = change.payment
    try:
        with dynamo.transaction(PaymentsItem) as tx:
            tx.save(
                PaymentsItem(f"applied#{change.marker}", "applied", doc={"payment_id": change.after.id}),
                condition=PaymentsItem.pk.does_not_exist(),
            )
            if change.moves:
                tx.save(
                    PaymentsItem(payment.pk, payment.sk, doc=doc, tally=payment.version + 1),
                    condition=_at_version(payment.version),
                )
                _listed(tx, change.after, doc)
                if change.after.status not in WATCHED:
                    tx.delete(PaymentsItem(OPEN_PK, _open_sk(change.after)))
                if change.after.status in FINAL and change.before.status not in FINAL:
                    tx.save(_first_capture_check(change.after))
            else:
                tx.condition_check(PaymentsItem, payment.pk, payment.sk, condition=_at_version(payment.version))
            if change.created is not None:
                created = document(change.created)
                tx.save(
                    PaymentsItem(_payment_pk(change.created.id), PAYMENT, doc=created, tally=1),
                    condition=PaymentsItem.pk.does_not_exist(),
                )
                _listed(tx, change.created, created)
            for line in change.lines:
                tx.save(
                    PaymentsItem(line.pk, line.sk, doc=line.doc, tally=line.version + 1),
                    condition=_at_version(line.version),
                )
            for sk, expires_at in change.locks:
                tx.delete(
                    PaymentsItem(_lock_pk(change.record_kind, change.after.reference), sk),
                    condition=PaymentsItem.expires_at == expires_at,
                )
            if change.receipt is not None:
                fy, number = change.receipt
                tx.save(PaymentsItem(f"receipts#{fy}", "counter", tally=number), condition=_at_version(number - 1))
                # the receipt number's payment, for the public verification link (API.md 4.9)
                tx.save(
                    PaymentsItem(
                        _receipt_pk(change.after.receipt_no or ""), "receipt", doc={"payment_id": change.after.id}
                    )
                )
            for pk, sk, increment in change.collections:
                tx.update(PaymentsItem(pk, sk), actions=[PaymentsItem.tally.add(increment)])
    except TransactWriteError as error:
        # PynamoDB sends condition checks and deletes before puts, so the marker's index varies: ask the marker
        if dynamo.condition_failed(error) and applied(change.marker):
            return False
        raise Stale from error
    return True


def _at_version(version: int) -> Any:
    return PaymentsItem.tally.does_not_exist() if version == 0 else PaymentsItem.tally == version


def open_created_before(created_before: str) -> list[str]:
    """Ids of payments still open that were created before `created_before` (an API timestamp), oldest first."""
    return [
        str(item.doc["payment_id"])
        for item in PaymentsItem.query(OPEN_PK, PaymentsItem.sk < created_before, consistent_read=True)
    ]


def unwatch(payment: Payment) -> None:
    """stale_payments stops asking about a failed or expired payment a day after its order expired."""
    PaymentsItem(OPEN_PK, _open_sk(payment)).delete()


# --- stale_payments' checks of captured orders for a second capture (API.md 4.6 duplicate_capture) ---------


@dataclass(frozen=True)
class CaptureCheck:
    """A captured order stale_payments asks the gateway about again at `check_at` (API timestamps)."""

    payment_id: str
    captured_at: str
    check_at: str

    @property
    def sk(self) -> str:
        return f"{self.check_at}#{self.payment_id}"


def _capture_check_item(check: CaptureCheck) -> PaymentsItem:
    doc = {"payment_id": check.payment_id, "captured_at": check.captured_at}
    return PaymentsItem(CAPTURE_CHECKS_PK, check.sk, doc=doc)


def _first_capture_check(payment: Payment) -> PaymentsItem:
    captured_at = payment.captured_at or payment.created_at
    check_at = iso(parse_iso(captured_at) + FIRST_CAPTURE_CHECK)
    return _capture_check_item(CaptureCheck(payment.id, captured_at, check_at))


def capture_checks_due(now: str) -> list[CaptureCheck]:
    """The checks due at `now` (an API timestamp), the longest due first: one Query of one partition, at most
    MAX_CAPTURE_CHECKS items (the rest stay due), never the checks due later."""
    items = PaymentsItem.query(
        CAPTURE_CHECKS_PK, PaymentsItem.sk < f"{now}#~", consistent_read=True, limit=MAX_CAPTURE_CHECKS
    )
    return [
        CaptureCheck(str(item.doc["payment_id"]), str(item.doc["captured_at"]), item.sk.split("#", 1)[0])
        for item in items
    ]


def reschedule_capture_check(check: CaptureCheck, check_at: str) -> None:
    """Move a check to `check_at`, in one transaction (a crash between leaves it due, checked again)."""
    with dynamo.transaction(PaymentsItem) as tx:
        tx.delete(PaymentsItem(CAPTURE_CHECKS_PK, check.sk))
        tx.save(_capture_check_item(CaptureCheck(check.payment_id, check.captured_at, check_at)))


def end_capture_check(check: CaptureCheck) -> None:
    PaymentsItem(CAPTURE_CHECKS_PK, check.sk).delete()
