"""What every store shares over PynamoDB: the base model of a table (keys, region, the endpoint of a local
engine), one connection per table and its transactions, condition-failed detection, the fresh-id retry.

In AWS no endpoint is set; locally AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL) points at moto
or DynamoDB Local. Read when a model class is defined, so set the environment before importing a store.
Table names come from each service's settings (pmc_common.settings), never from here."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from pmc_common.errors import Internal

if TYPE_CHECKING:
    from pynamodb.connection import Connection


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-south-1"


def endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None


class TableModel(Model):
    """An item of one of the house's tables, keyed (pk, sk). A model names its table and nothing else:

        class GrievanceItem(TableModel):
            class Meta:
                table_name = load(GrievanceTable).grievances_table_name

    and gets the region and local endpoint (above) when it is defined, as PynamoDB reads them."""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    def __init_subclass__(cls, **options: Any) -> None:
        # Runs before PynamoDB's metaclass reads the Meta, which takes the region and host given here.
        meta = cls.__dict__.get("Meta")
        if meta is not None:
            meta.region = getattr(meta, "region", None) or region()
            meta.host = getattr(meta, "host", None) or endpoint()
        super().__init_subclass__(**options)


def share_connection(table_model: type[Model], *others: type[Model]) -> Connection:
    """One connection, so one botocore client, for every model of one table, and for its transactions.

    PynamoDB gives each model class its own connection, each with its own botocore session and client,
    and the first call through each loads DynamoDB's service model again (tens of milliseconds of a cold
    start). The models share `table_model`'s key schema (pk, sk), so its connection serves them all. Call
    at import, before any model is used; this makes no client and no request."""
    table = table_model._get_connection()
    for model in others:
        model._connection = table
    return table.connection


def transaction(table_model: type[Model]) -> TransactWrite:
    """One TransactWriteItems on the connection of `table_model`'s table (shared by its models through
    share_connection); PynamoDB 6 needs the connection given."""
    return TransactWrite(connection=table_model._get_connection().connection)


def committed(table_model: type[Model], writes: Callable[[TransactWrite], object]) -> bool:
    """Make `writes` one TransactWriteItems on `table_model`'s table: True when it committed, False when one of
    its conditions failed (nothing written); any other failure raises."""
    try:
        with transaction(table_model) as tx:
            writes(tx)
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def condition_failed(error: Exception, at: int | None = None) -> bool:
    """Whether a PynamoDB write failed only on its condition: a single write's
    ConditionalCheckFailedException, or a transaction cancelled by a ConditionalCheckFailed reason (with
    `at`, the reason of the transaction's write at that index: which of its conditions failed)."""
    reasons = getattr(error, "cancellation_reasons", None)
    if reasons:
        if at is not None:
            reasons = reasons[at : at + 1]
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons)
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def transaction_conflicted(error: Exception) -> bool:
    """Whether DynamoDB cancelled a transaction because another one touched the same item meanwhile
    (a TransactionConflict reason): nothing was written, so trying again is safe."""
    reasons = getattr(error, "cancellation_reasons", None) or ()
    return any(r is not None and r.code == "TransactionConflict" for r in reasons)


ID_ATTEMPTS = 5  # ids carry 30+ random bits (API.md 1.2): one taken id is rare, five in a row never happen


def with_fresh_id[T](draw: Callable[[], T], write: Callable[[T], bool], attempts: int = ID_ATTEMPTS) -> T:
    """Write a new item under a random id (API.md 1.2: a conditional put, a collision retried): `write`
    answers False when the id is taken, and another is drawn. Raises Internal after `attempts` tries."""
    for _ in range(attempts):
        candidate = draw()
        if write(candidate):
            return candidate
    raise Internal("Could not allocate an id")
