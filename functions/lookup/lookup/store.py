"""LookupTable access: the only module of the lookup service that talks to DynamoDB.

Access patterns (template.yaml's LookupTable):
- every item of a kind (contacts, departments, offices, facility categories, who's who, facilities
  paged by id): Query pk = kind, sk = id;
- one item: GetItem (pk = kind, sk = id);
- facilities of one category paged by id: Query ByCategory, category_key = "facility#<category>";
- facilities near a point, nearest first: ByCell (cell = 5-character geohash, spot = geohash12#id), or
  ByCategoryCell (category_cell = category#cell) when a category is asked, read best first by
  pmc_common.nearest from the cells the circle meets (at most geo.MAX_CELLS): each Query reads one
  block of a cell with a Limit of what the answer still needs, so reads follow `limit`, not the table.
- city updates (API.md 2.4), no index needed: the update is (city_update, id), and one transaction keeps
  copies of it in list partitions of the same table, read with consistent Queries (a withdraw is off the
  public list at once, which a GSI's eventual consistency would not promise):
  - public: (city_update#live#<ward|city>, starts_at#id) and (city_update#live#all, starts_at#id), only
    while not withdrawn; read newest start first from now back to now - 90 days (no update spans more,
    so whatever started earlier has ended): ended ones drop out by the clock, without a sweep;
  - staff: (city_update#staff#<ward|city>, created_at#id) and (city_update#staff#all, created_at#id).
  A page examines at most READ_BUDGET items whatever its filters, and its cursor is the last key examined.
Writes are conditional: a create never overwrites, a replace or delete applies only to the version read."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from lookup import domain
from lookup.settings import LookupTable
from pmc_common import dynamo, ids
from pmc_common.errors import PreconditionFailed
from pmc_common.geo import encode
from pmc_common.nearest import Nearest, Span, Spot, nearest, spot_key
from pmc_common.settings import load

FACILITY = "facility"
CELL_PRECISION = 5  # index partitions of ≈ 4.9 × 4.6 km: a 10 km search's cover fits MAX_CELLS
KINDS = ("contact", "department", "office", "facility_category", FACILITY, "whos_who")


class ByCategory(GlobalSecondaryIndex["LookupItem"]):
    class Meta:
        index_name = "ByCategory"
        projection = AllProjection()

    category_key = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ByCell(GlobalSecondaryIndex["LookupItem"]):
    class Meta:
        index_name = "ByCell"
        projection = AllProjection()

    cell = UnicodeAttribute(hash_key=True)
    spot = UnicodeAttribute(range_key=True)


class ByCategoryCell(GlobalSecondaryIndex["LookupItem"]):
    class Meta:
        index_name = "ByCategoryCell"
        projection = AllProjection()

    category_cell = UnicodeAttribute(hash_key=True)
    spot = UnicodeAttribute(range_key=True)


class LookupItem(dynamo.TableModel):
    """pk: the kind, sk: the id."""

    class Meta:
        table_name = load(LookupTable).lookup_table_name

    doc = JSONAttribute()  # the API.md object, as served
    category_key = UnicodeAttribute(null=True)
    cell = UnicodeAttribute(null=True)
    category_cell = UnicodeAttribute(null=True)
    spot = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_category = ByCategory()
    by_cell = ByCell()
    by_category_cell = ByCategoryCell()


@dataclass(frozen=True)
class Stored:
    doc: dict[str, Any]
    version: int


def _item(kind: str, doc: dict[str, Any]) -> LookupItem:
    item = LookupItem(kind, doc["id"], doc=doc)
    if kind == FACILITY:
        item.category_key = f"{FACILITY}#{doc['category']}"
        item.cell = encode(doc["lat"], doc["lng"], CELL_PRECISION)
        item.category_cell = f"{doc['category']}#{item.cell}"
        item.spot = spot_key(doc["lat"], doc["lng"], doc["id"])
    return item


def all_of(kind: str) -> list[dict[str, Any]]:
    return [item.doc for item in LookupItem.query(kind)]


def get(kind: str, item_id: str) -> Stored | None:
    try:
        item = LookupItem.get(kind, item_id, consistent_read=True)
    except LookupItem.DoesNotExist:
        return None
    return Stored(item.doc, int(item.version or 0))


def exists(kind: str, item_id: str) -> bool:
    return get(kind, item_id) is not None


def facilities_page(
    category: str | None, limit: int, start: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of facilities by id, optionally of one category."""
    if category is None:
        result = LookupItem.query(FACILITY, limit=limit, last_evaluated_key=start)
    else:
        result = LookupItem.by_category.query(f"{FACILITY}#{category}", limit=limit, last_evaluated_key=start)
    docs = [item.doc for item in result]
    return docs, result.last_evaluated_key


def nearest_facilities(
    lat: float, lng: float, radius_m: int, category: str | None, limit: int, cells: Iterable[str]
) -> Nearest[dict[str, Any]]:
    """The facilities (of one category, if given) nearest the point within the radius, best first
    from the cells of its cover (at most MAX_CELLS, each of CELL_PRECISION characters or more)."""

    def read(span: Span, limit: int | None) -> list[Spot[dict[str, Any]]]:
        cell = span.cell[:CELL_PRECISION]
        if category is None:
            items = LookupItem.by_cell.query(cell, LookupItem.spot.between(span.low, span.high), limit=limit)
        else:
            items = LookupItem.by_category_cell.query(
                f"{category}#{cell}", LookupItem.spot.between(span.low, span.high), limit=limit
            )
        return [Spot(str(i.spot), i.doc["id"], i.doc["lat"], i.doc["lng"], i.doc) for i in items]

    return nearest(lat, lng, radius_m, limit, cells, read)


def create(kind: str, prefix: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Put a new item under a fresh random id (`prefix-` + 8 Crockford), drawing another when one is taken;
    returns the document as stored."""

    def put(doc: dict[str, Any]) -> bool:
        try:
            _item(kind, doc).save(condition=LookupItem.pk.does_not_exist())
        except PutError as exc:
            if dynamo.condition_failed(exc):
                return False
            raise
        return True

    return dynamo.with_fresh_id(lambda: {"id": ids.new_id(prefix), **fields}, put)


def replace(kind: str, doc: dict[str, Any], read: Stored) -> None:
    """Replace the item as it was read; a concurrent change in between is a 412."""
    item = _item(kind, doc)
    item.version = read.version
    try:
        item.save(condition=LookupItem.pk.exists())
    except PutError as exc:
        if dynamo.condition_failed(exc):
            raise PreconditionFailed("The object changed while you were saving it") from None
        raise


def delete(kind: str, item_id: str, read: Stored) -> None:
    item = LookupItem(kind, item_id)
    item.version = read.version
    try:
        item.delete()
    except DeleteError as exc:
        if dynamo.condition_failed(exc):
            raise PreconditionFailed("The object changed while you were deleting it") from None
        raise


def put_all(kind: str, docs: Iterable[dict[str, Any]]) -> int:
    """Load reference data (seed): overwrite by id, version 1."""
    count = 0
    with LookupItem.batch_write() as batch:
        for doc in docs:
            item = _item(kind, doc)
            item.version = 1
            batch.save(item)
            count += 1
    return count


# --- city updates (API.md 2.4) ------------------------------------------------------------------------

CITY_UPDATE = "city_update"
READ_BUDGET = 200  # items a list page may examine, whatever its filters: bounded cost per request


class CityUpdateListing(dynamo.TableModel):
    """A copy of a city update in one of its list partitions (see the module's docstring); never versioned:
    only written in the transaction that writes the update itself, on the update's version."""

    class Meta:
        table_name = load(LookupTable).lookup_table_name

    doc = JSONAttribute()


dynamo.share_connection(LookupItem, CityUpdateListing)


def _live_keys(doc: dict[str, Any]) -> set[tuple[str, str]]:
    if doc.get("withdrawn_at"):
        return set()
    audience = doc["ward"] or domain.CITY_WIDE
    return {(f"{CITY_UPDATE}#live#{a}", f"{doc['starts_at']}#{doc['id']}") for a in (audience, domain.ALL_WARDS)}


def _staff_keys(doc: dict[str, Any]) -> set[tuple[str, str]]:
    audience = doc["ward"] or domain.CITY_WIDE
    return {(f"{CITY_UPDATE}#staff#{a}", f"{doc['created_at']}#{doc['id']}") for a in (audience, domain.ALL_WARDS)}


def _listings(doc: dict[str, Any]) -> list[CityUpdateListing]:
    return [CityUpdateListing(pk, sk, doc=doc) for pk, sk in sorted(_live_keys(doc) | _staff_keys(doc))]


def create_update(draw: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Store a new update and its list copies in one transaction, under a fresh id (`draw` makes the document
    for one); returns the document stored."""

    def put(doc: dict[str, Any]) -> bool:
        def writes(tx: TransactWrite) -> None:
            tx.save(LookupItem(CITY_UPDATE, doc["id"], doc=doc), condition=LookupItem.pk.does_not_exist())
            for listing in _listings(doc):
                tx.save(listing)

        return dynamo.committed(LookupItem, writes)

    return dynamo.with_fresh_id(draw, put)


def save_update(before: Stored, doc: dict[str, Any]) -> None:
    """The update as changed, with its list copies moved (a new start or a withdraw), only if it is still at
    the version read: else 412 and nothing changes."""
    stale = _live_keys(before.doc) - _live_keys(doc)

    def writes(tx: TransactWrite) -> None:
        item = LookupItem(CITY_UPDATE, doc["id"], doc=doc)
        item.version = before.version  # the transaction checks it and writes version + 1
        tx.save(item)
        for pk, sk in sorted(stale):
            tx.delete(CityUpdateListing(pk, sk))
        for listing in _listings(doc):
            tx.save(listing)

    if not dynamo.committed(LookupItem, writes):
        raise PreconditionFailed("The update changed while you were saving it")


def put_updates(docs: Iterable[dict[str, Any]]) -> int:
    """Seed: each update and its list copies, overwritten by id (a fresh table: no stale copy to remove)."""
    count = 0
    with LookupItem.batch_write() as batch, CityUpdateListing.batch_write() as listings:
        for doc in docs:
            item = LookupItem(CITY_UPDATE, doc["id"], doc=doc)
            item.version = 1
            batch.save(item)
            for listing in _listings(doc):
                listings.save(listing)
            count += 1
    return count


def _examined(partition: str, condition: Any, limit: int) -> Iterator[CityUpdateListing]:
    """The partition newest key first, read a page of about `limit` at a time as the merge asks for more."""
    page_size = min(limit + 1, READ_BUDGET)
    return iter(
        CityUpdateListing.query(
            partition, condition, scan_index_forward=False, consistent_read=True, page_size=page_size
        )
    )


def _page(
    streams: list[Iterator[CityUpdateListing]], keep: Callable[[dict[str, Any]], bool], limit: int, after: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `limit` documents that `keep` accepts from partitions read newest key first and merged, skipping
    the key `after` (a between() range is inclusive); the cursor is the last key examined, None at the end."""
    found: list[dict[str, Any]] = []
    examined = 0
    last: str | None = None
    for listing in heapq.merge(*streams, key=lambda item: str(item.sk), reverse=True):
        if listing.sk == after:
            continue
        examined += 1
        last = str(listing.sk)
        if keep(listing.doc):
            found.append(listing.doc)
        if len(found) == limit or examined == READ_BUDGET:
            return found, last
    return found, None


def live_page(
    audiences: Iterable[str],
    since: str,
    until: str,
    keep: Callable[[dict[str, Any]], bool],
    limit: int,
    after: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Not-withdrawn updates of these audiences that started between `since` and `until` (or before the key
    `after`), newest start first, those `keep` accepts."""
    if after is not None and after < since:  # a cursor the 90-day window has passed: nothing after it is live
        return [], None
    high = after or f"{until}#~"
    condition = CityUpdateListing.sk.between(since, high)
    streams = [_examined(f"{CITY_UPDATE}#live#{a}", condition, limit) for a in audiences]
    return _page(streams, keep, limit, after)


def staff_page(
    audience: str, keep: Callable[[dict[str, Any]], bool], limit: int, after: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The updates of one audience (a ward, or all), newest created first, those `keep` accepts."""
    condition = CityUpdateListing.sk < after if after else None
    return _page([_examined(f"{CITY_UPDATE}#staff#{audience}", condition, limit)], keep, limit, after)


def get_update(update_id: str) -> Stored | None:
    return get(CITY_UPDATE, update_id)
