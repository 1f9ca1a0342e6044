"""The app factory: one FastAPI app per service with the house middleware, and its Lambda handler.

Adds request ids (echoed or generated, bound to every log line), JSON-only bodies up to 256 KiB read by
the bounded parser (pmc_common.bodies), `Cache-Control: no-store` by default, and the single mapping of
errors to problem+json: a fault of the request is never a 500."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from mangum import Mangum
from starlette.exceptions import HTTPException as StarletteHTTPException

from pmc_common.bodies import parse_json_body
from pmc_common.caching import NO_STORE, render
from pmc_common.errors import (
    PROBLEM_JSON,
    BadRequest,
    DomainError,
    FieldError,
    Forbidden,
    Internal,
    Invalid,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    problem_body,
)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_BODY_BYTES = 256 * 1024
JSON_TYPES = ("application/json",)
PATCH_TYPES = ("application/json", "application/merge-patch+json")

type LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or str(uuid.uuid4())


def problem_response(request: Request, error: DomainError) -> Response:
    headers = {"Cache-Control": NO_STORE, **error.headers}
    body = problem_body(error, instance=request.url.path, request_id=_request_id(request))
    return Response(render(body), status_code=error.status, media_type=PROBLEM_JSON, headers=headers)


# The names pydantic gives the members of a union (and the validators wrapping them) in an error's
# location: `str`, `int`, `list`, `constrained-str`, `list[str]`, `function-after[check(), str]`,
# `literal['a','b']`, `tagged-union[...]`, a model's class name, and `[key]` for a dict's key. None of them
# is a place in the request.
_MEMBER_LABEL = re.compile(
    r"^(?:constrained-)?(?:str|int|float|bool|bytes|none|decimal|date|time|datetime|timedelta|uuid|url"
    r"|list|dict|set|frozenset|tuple|any|json)$"
    r"|^[a-z][a-z-]*\[.*\]$"
    r"|^[A-Z][A-Za-z0-9]*$"
    r"|^\[key\]$",
    re.DOTALL,
)


def _field_name(loc: Iterable[Any], body: Any = None) -> str:
    """`body.`/`query.`/`path.`/`header.` + the dotted path of the place in the request (API.md 1.6).

    A body path is walked along the body itself, so a member the client sent is kept even when its name
    looks like a union label (an attribute called `int`); a label that names no member is dropped."""
    parts = list(loc)
    if not parts:
        return "body"
    kept = [str(parts[0])]
    node: Any = body if parts[0] == "body" else None
    for part in parts[1:]:
        if _sent(node, part):
            node = node[part]
        elif isinstance(part, str) and _MEMBER_LABEL.match(part):
            continue
        else:
            node = None  # a missing or unknown member: nothing below it was sent
        kept.append(str(part))
    return ".".join(kept)


def _sent(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("type") == "missing":
        return "is required"
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ")


def validation_error(exc: RequestValidationError) -> DomainError:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return BadRequest("The request body is not valid JSON")
    fields = [FieldError(_field_name(e.get("loc", ()), exc.body), _message(e)) for e in errors]
    count = len(fields)
    return Invalid(detail=f"{count} field{'s are' if count != 1 else ' is'} invalid", errors=fields)


# What FastAPI and Starlette raise themselves (a body they cannot read, no route, a method the route
# lacks), as the problem types of API.md 1.6; a 405 is a 404, as for an unknown route. Their own detail
# text is not passed on: it is not ours to word.
_FRAMEWORK_ERRORS: dict[int, Callable[[], DomainError]] = {
    400: lambda: BadRequest("The request could not be read"),
    401: lambda: Unauthorized("A valid bearer token is required"),
    403: lambda: Forbidden("Not allowed"),
    404: lambda: NotFound("No such resource"),
    405: lambda: NotFound("No such route for this method"),
    413: lambda: PayloadTooLarge("The request body is over 256 KiB"),
    422: lambda: Invalid.of("body", "is invalid"),
}


def framework_error(status: int) -> DomainError:
    """The problem for a framework's HTTPException: any other 4xx is a fault of the request too, so a 400;
    only a 5xx is ours."""
    if status in _FRAMEWORK_ERRORS:
        return _FRAMEWORK_ERRORS[status]()
    if 400 <= status < 500:
        return BadRequest("The request could not be handled")
    return Internal("The request could not be handled")


def _drop_empty_query_values(request: Request) -> None:
    """API.md 1.7: an empty query value is absent (`?category=` means no category filter)."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    if raw:
        kept = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=True) if v != ""]
        request.scope["query_string"] = urlencode(kept).encode("latin-1")


def create_app(service: str, title: str, logger: Logger, raw_body_paths: tuple[str, ...] = ()) -> FastAPI:
    """A FastAPI app for one service. `raw_body_paths` opt routes out of the JSON-only rule."""
    app = FastAPI(title=title, version="1.0.0", docs_url=None, redoc_url=None, openapi_url="/openapi.json")

    @app.middleware("http")
    async def house_rules(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if REQUEST_ID.match(given) else str(uuid.uuid4())
        logger.append_keys(request_id=request.state.request_id)
        _drop_empty_query_values(request)
        try:
            response = await _guard_body(request) or await call_next(request)
        except Exception as exc:  # the last line of defence: a generic 500, details only in the log
            logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
            response = problem_response(request, Internal("Something went wrong on our side; please try again"))
        response.headers["X-Request-Id"] = request.state.request_id
        response.headers.setdefault("Cache-Control", NO_STORE)
        route = request.scope.get("route")
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": getattr(route, "path", request.url.path),
                "status": response.status_code,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    async def _guard_body(request: Request) -> Response | None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return problem_response(request, PayloadTooLarge("The request body is over 256 KiB"))
        if not body or request.url.path.startswith(raw_body_paths or ("\0",)):
            return None
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        allowed = PATCH_TYPES if request.method == "PATCH" else JSON_TYPES
        if media_type not in allowed:
            return problem_response(request, BadRequest(f"Content-Type must be {allowed[0]}"))
        try:
            parse_json_body(body)  # FastAPI parses it again, unbounded: only a body that passed here
        except BadRequest as error:
            return problem_response(request, error)
        return None

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(request, validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(request, framework_error(exc.status_code))

    app.state.service = service
    return app


def instrumented(service: str, logger: Logger) -> Callable[[LambdaHandler], LambdaHandler]:
    """Powertools Logger (Lambda context, state cleared per call), Tracer and Metrics around any
    handler: the API functions' Mangum handler and the event handlers (schedules, S3, EventBridge)."""
    tracer = Tracer(service=service)
    metrics = Metrics(namespace="PuneConnect", service=service)

    def decorate(handler: LambdaHandler) -> LambdaHandler:
        @logger.inject_lambda_context(clear_state=True)
        @tracer.capture_lambda_handler(capture_response=False)
        @metrics.log_metrics(capture_cold_start_metric=True)
        def wrapped(event: dict[str, Any], context: Any) -> dict[str, Any]:
            metrics.add_metric(name="Invocations", unit=MetricUnit.Count, value=1)
            return handler(event, context)

        decorated: LambdaHandler = wrapped  # the Powertools decorators are untyped
        return decorated

    return decorate


def lambda_handler(app: FastAPI, service: str, logger: Logger) -> LambdaHandler:
    """The API function's entry point: Mangum (lifespan off), instrumented."""
    asgi = Mangum(app, lifespan="off")

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = asgi(event, context)  # type: ignore[arg-type,assignment]
        return response

    return instrumented(service, logger)(handler)
