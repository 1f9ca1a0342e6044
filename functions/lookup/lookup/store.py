"""LookupTable access: the only module of the lookup service that talks to DynamoDB.

Access patterns (template.yaml's LookupTable):
- every item of a kind (contacts, departments, offices, facility categories, who's who, facilities
  paged by id): Query pk = kind, sk = id;
- one item: GetItem (pk = kind, sk = id);
- facilities of one category paged by id: Query ByCategory, category_key = "facility#<category>";
- facilities near a point: Query ByGeohash5 / ByGeohash6 for each cell the circle meets (at most
  geo.MAX_CELLS), so reads grow with the facilities near the point, never with the table.
Writes are conditional: a create never overwrites, a replace or delete applies only to the version read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from lookup.domain import geohashes
from pmc_common import dynamo
from pmc_common.errors import PreconditionFailed
from pmc_common.geo import MAX_CELLS

FACILITY = "facility"
KINDS = ("contact", "department", "office", "facility_category", FACILITY, "whos_who")


class ByCategory(GlobalSecondaryIndex["LookupItem"]):
    class Meta:
        index_name = "ByCategory"
        projection = AllProjection()

    category_key = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ByGeohash5(GlobalSecondaryIndex["LookupItem"]):
    class Meta:
        index_name = "ByGeohash5"
        projection = AllProjection()

    gh5 = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ByGeohash6(GlobalSecondaryIndex["LookupItem"]):
    class Meta:
        index_name = "ByGeohash6"
        projection = AllProjection()

    gh6 = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class LookupItem(Model):
    class Meta:
        table_name = dynamo.table_name("LOOKUP_TABLE_NAME")
        region = dynamo.region()
        host = dynamo.endpoint()

    pk = UnicodeAttribute(hash_key=True)  # the kind
    sk = UnicodeAttribute(range_key=True)  # the id
    doc = JSONAttribute()  # the API.md object, as served
    category_key = UnicodeAttribute(null=True)
    gh5 = UnicodeAttribute(null=True)
    gh6 = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_category = ByCategory()
    by_geohash5 = ByGeohash5()
    by_geohash6 = ByGeohash6()


@dataclass(frozen=True)
class Stored:
    doc: dict[str, Any]
    version: int


@dataclass(frozen=True)
class Nearby:
    facilities: list[dict[str, Any]]
    items_read: int


def _item(kind: str, doc: dict[str, Any]) -> LookupItem:
    item = LookupItem(kind, doc["id"], doc=doc)
    if kind == FACILITY:
        item.category_key = f"{FACILITY}#{doc['category']}"
        item.gh5, item.gh6 = geohashes(doc["lat"], doc["lng"])
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


def facilities_in_cells(precision: int, cells: Iterable[str]) -> Nearby:
    """One Query per cell: never more than MAX_CELLS of them, whatever the caller passes."""
    index = LookupItem.by_geohash6 if precision == 6 else LookupItem.by_geohash5
    ordered = sorted(cells)
    if len(ordered) > MAX_CELLS:
        raise ValueError(f"{len(ordered)} cells: a search reads at most {MAX_CELLS}")
    facilities: list[dict[str, Any]] = []
    for cell in ordered:
        facilities.extend(item.doc for item in index.query(cell))
    return Nearby(facilities, items_read=len(facilities))


def create(kind: str, doc: dict[str, Any]) -> bool:
    """Put a new item; False when the id is taken (the caller draws another)."""
    try:
        _item(kind, doc).save(condition=LookupItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def replace(kind: str, doc: dict[str, Any], read: Stored) -> None:
    """Replace the item as it was read; a concurrent change in between is a 412."""
    item = _item(kind, doc)
    item.version = read.version
    try:
        item.save(condition=LookupItem.pk.exists())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PreconditionFailed("The object changed while you were saving it") from None
        raise


def delete(kind: str, item_id: str, read: Stored) -> None:
    item = LookupItem(kind, item_id)
    item.version = read.version
    try:
        item.delete()
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
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
