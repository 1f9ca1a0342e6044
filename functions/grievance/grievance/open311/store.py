"""GrievancesTable access for Open311 (issue 19): API keys (stored as SHA-256, never the key), their
per-minute rate windows, request tokens and contact fields, and the reads of GET requests. Only DynamoDB here.

Items (pk, sk):
- key          ("open311-keys", <key id>): the key's record (name, contact email, prefix, hash, times)
- key by hash  ("open311-key#<sha256 hex>", "key"): the key id and revoked_at, for POST's one read
- rate window  ("open311-rate#<key id>", <UTC minute>): `tally` requests that minute, TTL an hour later
- token        ("open311-token#<token>", "token"): the request id it resolves to
- contact      (<grievance id>, "open311-contact"): the POST's contact fields and media_url, never returned
GET requests reads Open311ByRequested (category#open|closed, created_at#id): one partition per service
and status inside the window, merged newest first, each paged with its share of what is still wanted.
A grievance stored before that index has no keys in it until backfill_index_keys (tools/open311_backfill.py)."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from grievance.domain import Grievance
from grievance.open311.mapping import RequestsQuery
from grievance.store import GRIEVANCE, GrievanceItem, _grievance, index_keys
from pmc_common import dynamo
from pmc_common.clock import iso

KEYS = "open311-keys"
KEY_HASH = "open311-key#"
RATE = "open311-rate#"
TOKEN_PREFIX = "open311-token#"  # noqa: S105  (a key prefix, no secret)
CONTACT = "open311-contact"
RATE_KEPT = timedelta(hours=1)


# --- keys ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRecord:
    id: str
    name: str
    contact_email: str | None
    key_prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


def _record(item: GrievanceItem) -> KeyRecord:
    doc = item.doc or {}
    return KeyRecord(
        id=item.sk,
        name=doc["name"],
        contact_email=doc.get("contact_email"),
        key_prefix=doc["key_prefix"],
        created_at=doc["created_at"],
        last_used_at=doc.get("last_used_at"),
        revoked_at=doc.get("revoked_at"),
    )


def add_key(record: KeyRecord, key_hash: str) -> bool:
    """The key's record and its hash item in one transaction; False when the id or hash is taken."""
    doc = {
        "name": record.name,
        "contact_email": record.contact_email,
        "key_prefix": record.key_prefix,
        "key_hash": key_hash,
        "created_at": record.created_at,
        "last_used_at": None,
        "revoked_at": None,
    }

    def writes(tx: TransactWrite) -> None:
        tx.save(
            GrievanceItem(KEYS, record.id, kind="open311_key", doc=doc), condition=GrievanceItem.pk.does_not_exist()
        )
        tx.save(
            GrievanceItem(
                KEY_HASH + key_hash, "key", kind="open311_key_hash", doc={"key_id": record.id, "revoked_at": None}
            ),
            condition=GrievanceItem.pk.does_not_exist(),
        )

    return dynamo.committed(GrievanceItem, writes)


def all_keys() -> list[KeyRecord]:
    """Every key, issued ones and revoked ones, by id: one Query of their partition."""
    return [_record(item) for item in GrievanceItem.query(KEYS)]


def key_by_hash(key_hash: str) -> str | None:
    """The id of the live key with this hash; None when unknown or revoked."""
    try:
        item = GrievanceItem.get(KEY_HASH + key_hash, "key", consistent_read=True)
    except GrievanceItem.DoesNotExist:
        return None
    doc = item.doc or {}
    return None if doc.get("revoked_at") else str(doc["key_id"])


def revoke(key_id: str, now_iso: str) -> bool:
    """Mark a key and its hash item revoked (idempotent: the first time stays); False for an unknown id."""
    try:
        item = GrievanceItem.get(KEYS, key_id, consistent_read=True)
    except GrievanceItem.DoesNotExist:
        return False
    doc = dict(item.doc or {})
    if doc.get("revoked_at"):
        return True
    doc["revoked_at"] = now_iso

    def writes(tx: TransactWrite) -> None:
        tx.update(
            GrievanceItem(KEYS, key_id), actions=[GrievanceItem.doc.set(doc)], condition=GrievanceItem.pk.exists()
        )
        tx.update(
            GrievanceItem(KEY_HASH + doc["key_hash"], "key"),
            actions=[GrievanceItem.doc.set({"key_id": key_id, "revoked_at": now_iso})],
            condition=GrievanceItem.pk.exists(),
        )

    return dynamo.committed(GrievanceItem, writes)


def count_use(key_id: str, now: datetime, limit: int) -> bool:
    """Count one request of the key in its fixed UTC minute: False (nothing counted) once `limit` are.
    Also notes the key's last use, at most once a minute (the window's first request)."""
    minute = now.strftime("%Y-%m-%dT%H:%MZ")
    window = GrievanceItem(RATE + key_id, minute)
    try:
        window.update(
            actions=[
                GrievanceItem.tally.add(1),
                GrievanceItem.expires_at.set(int((now + RATE_KEPT).timestamp())),
            ],
            condition=GrievanceItem.tally.does_not_exist() | (GrievanceItem.tally < limit),
        )
    except UpdateError as error:
        if dynamo.condition_failed(error):
            return False
        raise
    if int(window.tally or 0) == 1:
        _note_use(key_id, iso(now))
    return True


def _note_use(key_id: str, now_iso: str) -> None:
    try:
        item = GrievanceItem.get(KEYS, key_id)
    except GrievanceItem.DoesNotExist:
        return
    doc = dict(item.doc or {}, last_used_at=now_iso)
    GrievanceItem(KEYS, key_id).update(actions=[GrievanceItem.doc.set(doc)], condition=GrievanceItem.pk.exists())


# --- tokens and contact fields ----------------------------------------------------------------------


def companions(token: str, contact: dict[str, Any]) -> Any:
    """The items an Open311 POST stores in its grievance's creating transaction (grievance.store.create)."""

    def items(g: Grievance) -> list[GrievanceItem]:
        return [
            GrievanceItem(TOKEN_PREFIX + token, "token", kind="open311_token", doc={"service_request_id": g.id}),
            GrievanceItem(g.id, CONTACT, kind="open311_contact", doc=contact),
        ]

    return items


def request_of_token(token: str) -> str | None:
    try:
        item = GrievanceItem.get(TOKEN_PREFIX + token, "token", consistent_read=True)
    except GrievanceItem.DoesNotExist:
        return None
    return str((item.doc or {})["service_request_id"])


# --- GET requests ----------------------------------------------------------------------------------


def by_ids(ids: tuple[str, ...]) -> list[Grievance]:
    """The grievances among these ids, in the order asked (BatchGetItem, 100 keys a call)."""
    found = {item.pk: _grievance(item) for item in GrievanceItem.batch_get([(i, GRIEVANCE) for i in ids if i])}
    return [found[i] for i in ids if i in found]


Page = tuple[list[GrievanceItem], dict[str, Any] | None]
FIRST_PAGES_AT_ONCE = 8  # partitions whose first page is read concurrently (a list may span 42 of them)


def _page(key: str, low: str, high: str, size: int, start: dict[str, Any] | None) -> Page:
    """One page of a partition, newest first: at most `size` items, and where the next page starts."""
    result = GrievanceItem.open311_by_requested.query(
        key,
        GrievanceItem.open311_sk.between(low, high),
        scan_index_forward=False,
        limit=size,
        last_evaluated_key=start,
    )
    return list(result), result.last_evaluated_key


def _stream(key: str, low: str, high: str, size: int, first: Page) -> Iterator[tuple[str, Grievance]]:
    items, start = first
    while True:
        for item in items:
            yield str(item.open311_sk), _grievance(item)
        if start is None:
            return
        items, start = _page(key, low, high, size, start)


def requested_between(query: RequestsQuery, codes: tuple[str, ...], limit: int) -> list[Grievance]:
    """At most `limit` grievances of these services and Open311 statuses created in the window, newest
    first (ties by id): each partition is read a page at a time with a page size of its share of `limit`,
    so an answer reads at most `limit` items plus one page per partition beyond what it returns. The first
    pages are read a few at a time concurrently: an unfiltered list spans every service in both statuses,
    and one Query after another would add their latencies."""
    low, high = iso(query.start), iso(query.end) + "#~"
    partitions = [f"{code}#{status}" for code in codes for status in query.statuses]
    if not partitions:
        return []
    size = max(10, math.ceil(limit / len(partitions)) + 1)
    from concurrent.futures import ThreadPoolExecutor  # here: about 7 ms of imports only this route pays

    with ThreadPoolExecutor(max_workers=min(FIRST_PAGES_AT_ONCE, len(partitions))) as pool:
        firsts = list(pool.map(lambda key: _page(key, low, high, size, None), partitions))
    streams = [_stream(key, low, high, size, first) for key, first in zip(partitions, firsts, strict=True)]
    merged = heapq.merge(*streams, key=lambda pair: pair[0], reverse=True)
    return [g for _, g in islice(merged, limit)]


# --- operations: the index keys of grievances stored before Open311ByRequested ---------------------------


@dataclass(frozen=True)
class Backfill:
    read: int  # grievances the Scan returned
    written: int  # of them, those whose Open311 index keys were missing or stale and were set


def backfill_index_keys(attempts: int = 5) -> Backfill:
    """Operations only, never a route (tools/open311_backfill.py): give every stored grievance the
    Open311ByRequested keys its record implies (grievance.store.index_keys), from one paged Scan. Each is set
    on the version read, so a change committed meanwhile is re-read rather than overwritten with stale keys;
    one already right is not written, so a rerun writes nothing. Run once after the index is deployed and
    the new code takes every write: until then such grievances are missing from GET requests lists."""
    read = written = 0
    for item in GrievanceItem.scan(GrievanceItem.sk == GRIEVANCE):
        read += 1
        written += _backfill_one(item, attempts)
    return Backfill(read, written)


def _backfill_one(item: GrievanceItem, attempts: int) -> bool:
    """Set one grievance's Open311 keys if they are not what its record implies; True when written."""
    for _ in range(attempts):
        keys = index_keys(_grievance(item))
        wanted = (str(keys["open311_key"]), str(keys["open311_sk"]))  # never None: every grievance is listed
        if (item.open311_key, item.open311_sk) == wanted:
            return False
        same_version = (
            GrievanceItem.version.does_not_exist() if item.version is None else GrievanceItem.version == item.version
        )
        try:
            GrievanceItem(item.pk, item.sk).update(
                actions=[GrievanceItem.open311_key.set(wanted[0]), GrievanceItem.open311_sk.set(wanted[1])],
                condition=GrievanceItem.pk.exists() & same_version,
            )
            return True
        except UpdateError as error:
            if not dynamo.condition_failed(error):
                raise
        try:
            item = GrievanceItem.get(item.pk, item.sk, consistent_read=True)
        except GrievanceItem.DoesNotExist:
            return False
    raise RuntimeError(f"{item.pk} changed {attempts} times during the backfill: run it again")
