"""Safe retries (API.md 1.10, 4.5): a POST sent again with the same `Idempotency-Key` gets its first reply back
instead of doing the work twice, on Powertools Idempotency over the template's IdempotencyTable.

Never stores an error (a retry runs again), and imports Powertools' idempotency (boto3, ~20 ms) only when a
request carries a key, so no other route's cold start pays for it.

A route declares the key as a dependency and runs its work through it:

    def log_grievance(body: GrievanceCreate, caller: CitizenCaller, retry: IdempotencyKey) -> Response:
        return retry.once(lambda: file(body, caller))

`IdempotencyKey` takes the header when sent; `idempotency(required=True)` (payments) refuses a request without
it. Records are scoped to the caller's `sub` and the key across the API: the same key on another route, path or
body is 422 `idempotency_key_reused`. Their 24 h run on the wall clock, not the injected Clock: Powertools reads
`datetime.now()` for expiry and in-progress checks, and DynamoDB's TTL sweeps on the wall clock too."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, cast

from aws_lambda_powertools import Logger

from pmc_common import clients
from pmc_common.app import Depends, Request, Response, parsed_body
from pmc_common.auth import Caller, citizen
from pmc_common.errors import BadRequest, Conflict, Invalid
from pmc_common.settings import IdempotencyTable, load

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.typing import LambdaContext

__all__ = ["IdempotencyKey", "Retry", "checked_key", "idempotency"]

HEADER = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
KEPT_SECONDS = 24 * 3600
RETRY_AFTER_SECONDS = 1
# One prefix for every service's records, so a key is the caller's across the API (API.md 1.10), and records
# outlive a renamed function (Powertools' default prefix is the Lambda function's name).
SCOPE = "idempotency-key"
# Used only when no Lambda context is at hand (an app called without Mangum): how long a request in progress
# holds its key before a retry may take it over, as the API functions' Timeout.
IN_PROGRESS_SECONDS = 10
# A reply's headers worth replaying; X-Request-Id and Cache-Control are the house rules' of each request.
KEPT_HEADERS = ("content-type", "location", "etag", "content-disposition")
FORMAT = "8-64 of A-Z, a-z, 0-9, _ and -, a UUID recommended"

logger = Logger(child=True)  # the service's JSON logger (POWERTOOLS_SERVICE_NAME), with its request id


def checked_key(value: str | None, *, required: bool) -> str | None:
    """The header's value when well formed; None when it is absent and optional; else 400.

    API.md 4.5 and 4.12 name one code for a missing and a malformed key, `idempotency_key_missing`."""
    if value is None:
        if required:
            raise BadRequest(f"This request needs an {HEADER} header ({FORMAT})", code="idempotency_key_missing")
        return None
    if not KEY.fullmatch(value):
        raise BadRequest(f"{HEADER} must be {FORMAT}", code="idempotency_key_missing")
    return value


@dataclass(frozen=True)
class Retry:
    """One request's key (None: none sent), its caller, and what the request was: method, path, JSON body."""

    key: str | None
    sub: str
    method: str
    path: str
    body: Any
    lambda_context: Any = None

    def once(self, answer: Callable[[], Response]) -> Response:
        """`answer()`'s reply; with a key, the stored reply of the first request that sent it, if it succeeded.

        The key with another request → 422 `idempotency_key_reused`; the first still running → 409
        `idempotency_in_progress` with Retry-After; an error (4xx or 5xx) is not stored, so a retry runs again."""
        if self.key is None:
            return answer()
        return _replies().once(self, answer)


@cache
def idempotency(*, required: bool = False) -> Callable[..., Retry]:
    """The dependency reading `Idempotency-Key` for a route (one per `required`, so it is solved once).

    Made when a service's api module is imported, so a missing table name fails that cold start."""
    load(IdempotencyTable)

    def idempotency_key(request: Request, caller: Annotated[Caller, Depends(citizen)]) -> Retry:
        key = checked_key(request.headers.get(HEADER), required=required)
        scope = request.scope
        body = parsed_body(request)  # API.md 4.5: the same key with another body is refused
        return Retry(key, caller.sub, scope["method"], scope["path"], body, scope.get("aws.context"))

    return idempotency_key


IdempotencyKey = Annotated[Retry, Depends(idempotency())]


# --- the records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Deadline:
    """A stand-in for the Lambda context, whose remaining time Powertools uses as the in-progress window."""

    seconds: int = IN_PROGRESS_SECONDS

    def get_remaining_time_in_millis(self) -> int:
        return self.seconds * 1000


class _Replies:
    """Replies kept in IdempotencyTable: record id = hash of (sub, key), validation = hash of the request."""

    def __init__(self, persistence: DynamoDBPersistenceLayer) -> None:
        self._persistence = persistence

    def once(self, retry: Retry, answer: Callable[[], Response]) -> Response:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        given: list[Response] = []

        def run(request: dict[str, Any]) -> dict[str, Any]:
            response = answer()  # a DomainError propagates: Powertools deletes the record, nothing is stored
            given.append(response)
            return stored(response)

        # Made per request for its Lambda context (the in-progress window); the persistence layer keeps the
        # first one's settings, which are the same for every request.
        config = IdempotencyConfig(
            event_key_jmespath="[sub, key]",
            payload_validation_jmespath="[method, path, body]",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=KEPT_SECONDS,
            hash_function="sha256",
            lambda_context=cast("LambdaContext", retry.lambda_context or _Deadline()),
            response_hook=lambda reply, record: {**reply, "replayed": True},
        )
        once = idempotent_function(
            run, data_keyword_argument="request", persistence_store=self._persistence, config=config, key_prefix=SCOPE
        )
        request = {"sub": retry.sub, "key": retry.key, "method": retry.method, "path": retry.path, "body": retry.body}
        try:
            reply: dict[str, Any] = once(request=request)
        except IdempotencyValidationError:
            raise Invalid.of(
                f"header.{HEADER}", "was already used with another request", code="idempotency_key_reused"
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                "A request with this Idempotency-Key is still in progress; retry shortly",
                code="idempotency_in_progress",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        except IdempotencyPersistenceLayerError:
            if not given:
                raise  # nothing was done: a 500, and the client's retry runs the request
            # The work is done but its reply could not be kept: answer it rather than invite a retry that
            # would do it again; the record in progress lapses after the in-progress window.
            logger.warning("idempotency reply not stored", exc_info=True)
            return given[0]
        return replayed(reply) if reply.get("replayed") else given[0]


def stored(response: Response) -> dict[str, Any]:
    """What is kept of a reply: status, the headers worth replaying, and the body as sent."""
    headers = {name: value for name, value in response.headers.items() if name in KEPT_HEADERS}
    return {"status": response.status_code, "headers": headers, "body": bytes(response.body).decode()}


def replayed(reply: dict[str, Any]) -> Response:
    headers = {**reply["headers"], REPLAYED: "true"}
    return Response(reply["body"].encode(), status_code=reply["status"], headers=headers)


@cache
def _replies() -> _Replies:
    """Made on the first request that carries a key: Powertools' import and, unless made already, the process's
    DynamoDB client (the stores' region and local endpoint; pmc_common.clients)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    persistence = DynamoDBPersistenceLayer(
        table_name=load(IdempotencyTable).idempotency_table_name, boto3_client=clients.client("dynamodb")
    )
    return _Replies(persistence)
