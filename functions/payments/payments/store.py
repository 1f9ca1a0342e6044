"""PaymentsTable access: the only module of the payments service that talks to DynamoDB.

Access patterns (template.yaml's PaymentsTable, keys pk and sk; none needs an index yet):
- a record and its lines: Query pk = `property#<property_id>` or `water#<consumer_no>`; sk = `record` (owner,
  ward, locality, connection type) and `line#<line id>` (a demand installment or a water bill);
- a citizen's links of one kind, by linked_at: Query pk = `citizen#<sub>`, sk begins with `link#<kind>#`
  (at most 20, ordered in memory); one link: GetItem sk = `link#<kind>#<reference>`;
- a citizen's count of links of one kind: sk = `links#<kind>`, kept in the link's and unlink's transaction
  with a condition, so parallel links never pass the limit;
- a citizen's owner-name mismatches in one UTC hour: sk = `mismatches#<YYYY-MM-DDTHH>`, an atomic conditional
  ADD, removed by TTL (`expires_at`) after the hour."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from payments.domain import DemandLine, WaterBill
from payments.settings import payments_table_name
from pmc_common import dynamo

RecordKind = Literal["property", "water"]
LinkOutcome = Literal["linked", "already_linked", "limit_reached"]
RECORD = "record"
CONFLICT_ATTEMPTS = 5


class PaymentsItem(dynamo.TableModel):
    class Meta:
        table_name = payments_table_name()

    doc = JSONAttribute(null=True)  # a record's or a line's fields, as in data/
    linked_at = UnicodeAttribute(null=True)
    tally = NumberAttribute(null=True)  # counter items
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds


@dataclass(frozen=True)
class PropertyRecord:
    property_id: str
    ward: str
    owner_name: str
    locality: dict[str, str]
    lines: tuple[DemandLine, ...]


@dataclass(frozen=True)
class WaterConnection:
    consumer_no: str
    ward: str
    owner_name: str
    connection_type: str
    locality: dict[str, str]
    bills: tuple[WaterBill, ...]


@dataclass(frozen=True)
class Link:
    reference: str
    linked_at: str


def _record_pk(kind: RecordKind, reference: str) -> str:
    return f"{kind}#{reference}"


def _citizen_pk(sub: str) -> str:
    return f"citizen#{sub}"


def _link_sk(kind: RecordKind, reference: str) -> str:
    return f"link#{kind}#{reference}"


def _stored(kind: RecordKind, reference: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    record: dict[str, Any] | None = None
    lines: list[dict[str, Any]] = []
    for item in PaymentsItem.query(_record_pk(kind, reference)):
        if item.sk == RECORD:
            record = item.doc
        else:
            lines.append(item.doc)
    return (record, lines) if record is not None else None


def property_record(property_id: str) -> PropertyRecord | None:
    found = _stored("property", property_id)
    if found is None:
        return None
    doc, lines = found
    return PropertyRecord(
        property_id=doc["property_id"],
        ward=doc["ward"],
        owner_name=doc["owner_name"],
        locality=doc["locality"],
        lines=tuple(sorted((DemandLine(**line) for line in lines), key=lambda line: line.id)),
    )


def water_connection(consumer_no: str) -> WaterConnection | None:
    found = _stored("water", consumer_no)
    if found is None:
        return None
    doc, bills = found
    return WaterConnection(
        consumer_no=doc["consumer_no"],
        ward=doc["ward"],
        owner_name=doc["owner_name"],
        connection_type=doc["connection_type"],
        locality=doc["locality"],
        bills=tuple(sorted((WaterBill(**bill) for bill in bills), key=lambda bill: bill.id)),
    )


# --- links ---------------------------------------------------------------------------------------


def _transact(writes: Callable[[TransactWrite], object]) -> TransactWriteError | None:
    """One transaction of `writes`: None when committed, the error when one of its conditions failed (nothing
    written). DynamoDB cancels a transaction meeting another on the same item (a citizen's parallel links
    share the count item); nothing was written then, so it is tried again."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            with dynamo.transaction(PaymentsItem) as tx:
                writes(tx)
        except TransactWriteError as error:
            if dynamo.condition_failed(error):
                return error
            if attempt + 1 < CONFLICT_ATTEMPTS and dynamo.transaction_conflicted(error):
                continue
            raise
        return None
    raise AssertionError("unreachable")


def link(kind: RecordKind, sub: str, reference: str, linked_at: str, limit: int) -> LinkOutcome:
    """Link a record to a citizen, unless linked already or `limit` links of the kind exist: the link and its
    count in one transaction, each with its condition, so parallel links cannot pass the limit."""

    def writes(tx: TransactWrite) -> None:
        tx.save(
            PaymentsItem(_citizen_pk(sub), _link_sk(kind, reference), linked_at=linked_at),
            condition=PaymentsItem.pk.does_not_exist(),
        )
        tx.update(
            PaymentsItem(_citizen_pk(sub), f"links#{kind}"),
            actions=[PaymentsItem.tally.add(1)],
            condition=PaymentsItem.tally.does_not_exist() | (PaymentsItem.tally < limit),
        )

    failed = _transact(writes)
    if failed is None:
        return "linked"
    return "already_linked" if dynamo.condition_failed(failed, at=0) else "limit_reached"


def unlink(kind: RecordKind, sub: str, reference: str) -> bool:
    """Remove a citizen's link and count it out; False (nothing changed) when there is none."""

    def writes(tx: TransactWrite) -> None:
        tx.delete(PaymentsItem(_citizen_pk(sub), _link_sk(kind, reference)), condition=PaymentsItem.pk.exists())
        tx.update(PaymentsItem(_citizen_pk(sub), f"links#{kind}"), actions=[PaymentsItem.tally.add(-1)])

    return _transact(writes) is None


def linked_at(kind: RecordKind, sub: str, reference: str) -> str | None:
    try:
        item = PaymentsItem.get(_citizen_pk(sub), _link_sk(kind, reference), consistent_read=True)
    except PaymentsItem.DoesNotExist:
        return None
    return item.linked_at


def links(kind: RecordKind, sub: str) -> list[Link]:
    """A citizen's links of one kind, by linked_at (ties by reference)."""
    prefix = f"link#{kind}#"
    found = [
        Link(item.sk.removeprefix(prefix), item.linked_at or "")
        for item in PaymentsItem.query(_citizen_pk(sub), PaymentsItem.sk.startswith(prefix), consistent_read=True)
    ]
    return sorted(found, key=lambda link: (link.linked_at, link.reference))


# --- owner-name mismatches (API.md 1.11) ---------------------------------------------------------


def _mismatch_key(sub: str, hour: str) -> PaymentsItem:
    return PaymentsItem(_citizen_pk(sub), f"mismatches#{hour}")


def mismatches(sub: str, hour: str) -> int:
    try:
        item = PaymentsItem.get(_citizen_pk(sub), f"mismatches#{hour}", consistent_read=True)
    except PaymentsItem.DoesNotExist:
        return 0
    return int(item.tally or 0)


def count_mismatch(sub: str, hour: str, limit: int, expires_at: int) -> bool:
    """Count one mismatch in the hour, atomically; False (not counted) when `limit` are counted already."""
    try:
        _mismatch_key(sub, hour).update(
            actions=[PaymentsItem.tally.add(1), PaymentsItem.expires_at.set(expires_at)],
            condition=PaymentsItem.tally.does_not_exist() | (PaymentsItem.tally < limit),
        )
    except UpdateError as error:
        if dynamo.condition_failed(error):
            return False
        raise
    return True


# --- seed data (local stack and tests) -----------------------------------------------------------


def put_records(kind: RecordKind, records: Iterable[tuple[str, dict[str, Any], Iterable[dict[str, Any]]]]) -> int:
    """Load records and their lines (seed): overwrite by id."""
    count = 0
    with PaymentsItem.batch_write() as batch:
        for reference, doc, lines in records:
            pk = _record_pk(kind, reference)
            batch.save(PaymentsItem(pk, RECORD, doc=doc))
            for line in lines:
                batch.save(PaymentsItem(pk, f"line#{line['id']}", doc=line))
            count += 1
    return count
