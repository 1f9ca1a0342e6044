"""The app factory: one ASGI app per service on Starlette's Request and Response (no FastAPI), the routes
declared with the API.md pydantic models, and the Lambda handler around it (Mangum, lifespan off).

A route is a plain function whose parameters say what it needs:
- `request: Request`: the request; a parameter named as a `{name}` in the path: that path parameter;
- a pydantic `BaseModel` subclass: the JSON body (errors at `body.<field>`); `Model | None = None`: a body
  the client may leave out (None then);
- `Annotated[T, Depends(f)]`: the result of `f` (itself taking `Request` or other dependencies), e.g. the
  caller (pmc_common.auth); solved once per request;
- anything else: a query parameter, with pydantic's constraints (`Annotated[int, Query(ge=1, le=100)] = 20`;
  errors at `query.<name>`).
How to call a route (its plan, with its query model) is worked out on its first call, so a cold start pays
for the route it serves only; the OpenAPI document is built from the same models when /openapi.json is
asked (pmc_common.openapi), never at import.

The house rules: request ids (echoed or generated, bound to every log line), JSON-only bodies up to 256 KiB
read once by the bounded parser (pmc_common.bodies), `Cache-Control: no-store` by default, and the single
mapping of errors to problem+json (API.md 1.6): a fault of the request is never a 500."""

from __future__ import annotations

import inspect
import re
import time
import types
import typing
import uuid
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl, urlencode

from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from pmc_common.bodies import parse_json_body
from pmc_common.caching import NO_STORE, render
from pmc_common.clock import Clock, SystemClock
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
from pmc_common.instrument import LambdaHandler, instrumented

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

__all__ = ["App", "Depends", "Now", "Query", "Request", "Response", "create_app", "lambda_handler", "system_clock"]

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_BODY_BYTES = 256 * 1024
JSON_TYPES = ("application/json",)
PATCH_TYPES = ("application/json", "application/merge-patch+json")
PATH_PARAMETER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")
Query = Field  # a query parameter's constraints are pydantic's own
_JSON_BODY = "pmc.json_body"  # the scope key of the body the house rules parsed: parsed once, bounded
_REQUEST_ID = "pmc.request_id"


def parsed_body(request: Request) -> Any:
    """The request's JSON body as the house rules parsed it (once, bounded), or None when it had none."""
    return request.scope.get(_JSON_BODY)


_OVERRIDES = "pmc.dependency_overrides"


@dataclass(frozen=True)
class Depends:
    """A parameter computed by `call` (e.g. the caller from the token's claims), once per request."""

    call: Callable[..., Any]


def system_clock() -> Clock:
    """The wall clock; a test fixes time with `app.dependency_overrides[system_clock] = lambda: clock`."""
    return SystemClock()


Now = Annotated[Clock, Depends(system_clock)]  # a route's "now": `def route(..., clock: Now)`


# --- errors ----------------------------------------------------------------------------------------


def problem_response(request: Request, error: DomainError) -> Response:
    headers = {"Cache-Control": NO_STORE, **error.headers}
    request_id = str(request.scope.get(_REQUEST_ID) or uuid.uuid4())
    body = problem_body(error, instance=request.url.path, request_id=request_id)
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


def validation_error(errors: list[dict[str, Any]], body: Any = None) -> Invalid:
    """pydantic's errors, each located from the request's part (`body`, `query`, `path`), as one 422."""
    fields = [FieldError(_field_name(e.get("loc", ()), body), _message(e)) for e in errors]
    count = len(fields)
    return Invalid(detail=f"{count} field{'s are' if count != 1 else ' is'} invalid", errors=fields)


def _located(part: str, exc: ValidationError) -> list[dict[str, Any]]:
    return [dict(e, loc=(part, *e["loc"])) for e in exc.errors(include_url=False, include_input=False)]


# What Starlette's HTTPException may carry (raised by a route, or by Starlette while reading a request), as
# the problem types of API.md 1.6; a 405 is a 404, as for an unknown route. Its detail text is not passed
# on: it is not ours to word.
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
    """The problem for an HTTPException: any other 4xx is a fault of the request too, so a 400; only a 5xx
    is ours."""
    if status in _FRAMEWORK_ERRORS:
        return _FRAMEWORK_ERRORS[status]()
    if 400 <= status < 500:
        return BadRequest("The request could not be handled")
    return Internal("The request could not be handled")


# --- routes ----------------------------------------------------------------------------------------


@dataclass
class Plan:
    """How to call one function: what each parameter is, and the query model."""

    request: list[str] = field(default_factory=list)
    path: list[tuple[str, TypeAdapter[Any] | None]] = field(default_factory=list)  # None: a plain str
    body: tuple[str, type[BaseModel]] | None = None
    body_optional: bool = False  # `Model | None = None`: no body is None, not a 422
    depends: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)
    query: type[BaseModel] | None = None
    is_async: bool = False


_plans: dict[tuple[Callable[..., Any], frozenset[str]], Plan] = {}


def _depends_of(annotation: Any, default: Any) -> Depends | None:
    if isinstance(default, Depends):
        return default
    if typing.get_origin(annotation) is Annotated:
        return next((m for m in annotation.__metadata__ if isinstance(m, Depends)), None)
    return None


def plan_of(call: Callable[..., Any], path_names: frozenset[str] = frozenset()) -> Plan:
    """The plan of a route or dependency (given the path's parameter names), made on first use and kept."""
    found = _plans.get((call, path_names))
    if found is not None:
        return found
    hints = typing.get_type_hints(call, include_extras=True)
    plan = Plan(is_async=inspect.iscoroutinefunction(call))
    query_fields: dict[str, Any] = {}
    for name, parameter in inspect.signature(call).parameters.items():
        annotation = hints.get(name, Any)
        bare = typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation
        depends = _depends_of(annotation, parameter.default)
        if depends is not None:
            plan.depends.append((name, depends.call))
        elif bare is Request:
            plan.request.append(name)
        elif name in path_names:
            plan.path.append((name, None if bare is str else TypeAdapter(annotation)))
        elif isinstance(bare, type) and issubclass(bare, BaseModel):
            plan.body = (name, bare)
        elif (model := _optional_model(bare)) is not None and parameter.default is None:
            plan.body, plan.body_optional = (name, model), True
        else:
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            query_fields[name] = (annotation, default)
    if query_fields:
        model = create_model(  # type: ignore[call-overload]
            f"{call.__name__}_query", __config__=ConfigDict(extra="ignore"), **query_fields
        )
        plan.query = model
    _plans[call, path_names] = plan
    return plan


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a `Model | None` annotation, else None."""
    members = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    return models[0] if len(members) == 2 and type(None) in members and len(models) == 1 else None


async def _arguments(
    plan: Plan, request: Request, path_params: dict[str, str], solved: dict[Any, Any]
) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict.fromkeys(plan.request, request)
    errors: list[dict[str, Any]] = []
    for name, adapter in plan.path:
        try:
            kwargs[name] = path_params[name] if adapter is None else adapter.validate_python(path_params[name])
        except ValidationError as exc:
            errors += [dict(e, loc=("path", name, *e["loc"])) for e in exc.errors(include_url=False)]
    for name, dependency in plan.depends:
        if dependency not in solved:
            overrides: dict[Callable[..., Any], Callable[..., Any]] = request.scope.get(_OVERRIDES, {})
            solved[dependency] = await _call(overrides.get(dependency, dependency), request, path_params, solved)
        kwargs[name] = solved[dependency]
    if plan.query is not None:
        raw = request.scope.get("query_string", b"").decode("latin-1")
        try:
            kwargs |= dict(plan.query.model_validate(dict(parse_qsl(raw))))
        except ValidationError as exc:
            errors += _located("query", exc)
    body: Any = None
    if plan.body is not None:
        name, model = plan.body
        if _JSON_BODY in request.scope:
            body = request.scope[_JSON_BODY]
        else:  # a route outside the JSON-only rule that still takes a model: the same bounded reading
            raw_body = await request.body()
            body = parse_json_body(raw_body) if raw_body else None
        if body is None and plan.body_optional:
            kwargs[name] = None
        elif body is None:
            errors.append({"type": "missing", "loc": ("body",), "msg": "Field required"})
        else:
            try:
                kwargs[name] = model.model_validate(body)
            except ValidationError as exc:
                errors += _located("body", exc)
    if errors:
        raise validation_error(errors, body)
    return kwargs


async def _call(call: Callable[..., Any], request: Request, path_params: dict[str, str], solved: dict[Any, Any]) -> Any:
    plan = plan_of(call, frozenset(path_params))
    kwargs = await _arguments(plan, request, path_params, solved)
    # Sync routes run inline: a Lambda environment serves one request at a time, so a thread buys nothing.
    return await call(**kwargs) if plan.is_async else call(**kwargs)


@dataclass(eq=False)
class Route:
    """One method and path template, the function that answers it, and what the OpenAPI says of it."""

    method: str
    path: str
    endpoint: Callable[..., Any]
    status_code: int
    response_model: Any
    name: str
    # problems it may answer beyond those its dependencies, body and path imply (pmc_common.openapi):
    # status -> the `code`s it may carry, e.g. {409: ("is_owner", "grievance_not_open")}
    responses: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # the OpenAPI responses as given, for a route family answering in formats of its own (Open311: XML or
    # JSON, and its own error list), status -> {"description", "content", "headers": [names]}
    answers: dict[int, dict[str, Any]] | None = None
    # a success that is not JSON (a CSV export): documented as a string of this media type
    media_type: str | None = None
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = re.compile("^" + PATH_PARAMETER.sub(r"(?P<\1>[^/]+)", self.path) + "$")

    @property
    def methods(self) -> set[str]:
        return {self.method}

    @property
    def path_names(self) -> frozenset[str]:
        return frozenset(PATH_PARAMETER.findall(self.path))

    async def handle(self, request: Request, path_params: dict[str, str]) -> Response:
        result = await _call(self.endpoint, request, path_params, {})
        if isinstance(result, Response):
            return result
        return Response(render(result), status_code=self.status_code, media_type="application/json")


type Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


# --- the app ---------------------------------------------------------------------------------------


class App:
    """One service's ASGI app: the house rules around its routes, matched in declaration order."""

    def __init__(self, service: str, title: str, logger: Logger, raw_body_paths: tuple[str, ...] = ()) -> None:
        self.service = service
        self.title = title
        self.logger = logger
        self.raw_body_paths = raw_body_paths or ("\0",)
        self.routes: list[Route] = []
        # a dependency -> what to call instead (tests fix the clock this way)
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        self._openapi: dict[str, Any] | None = None
        # path prefix -> how a request fault there is answered instead of problem+json (Open311's own errors)
        self.fault_formats: dict[str, Callable[[Request, DomainError], Response | None]] = {}

    def answer_faults(self, prefix: str, render: Callable[[Request, DomainError], Response | None]) -> None:
        """Answer the request faults (4xx) of paths under `prefix` with `render` (None: problem+json after
        all): the route family exempt from problem+json (API.md 6). A 500 stays a problem."""
        self.fault_formats[prefix] = render

    def _fault(self, request: Request, error: DomainError) -> Response:
        if error.status < 500:
            for prefix, render in self.fault_formats.items():
                if request.scope["path"].startswith(prefix) and (answered := render(request, error)) is not None:
                    return answered
        return problem_response(request, error)

    def route(
        self,
        method: str,
        path: str,
        status_code: int = 200,
        response_model: Any = None,
        name: str | None = None,
        responses: dict[int, Iterable[str]] | None = None,
        answers: dict[int, dict[str, Any]] | None = None,
        media_type: str | None = None,
    ) -> Decorator:
        """`name`: the operation's (snake_case; the OpenAPI camelCases it); `responses`: problems beyond those
        the OpenAPI derives, status -> their `code`s; `answers`: every response as documented instead of derived
        (a route family with formats of its own, such as Open311); `media_type`: a success that is not JSON."""
        extra = {status: tuple(codes) for status, codes in (responses or {}).items()}

        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            route = Route(
                method,
                path,
                endpoint,
                status_code,
                response_model,
                name or endpoint.__name__,
                extra,
                answers,
                media_type,
            )
            self.routes.append(route)
            return endpoint

        return register

    def get(self, path: str, **options: Any) -> Decorator:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Decorator:
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Decorator:
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Decorator:
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Decorator:
        return self.route("DELETE", path, **options)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document, built on the first ask (never at import) and kept."""
        if self._openapi is None:
            from pmc_common.openapi import document

            self._openapi = document(self)
        return self._openapi

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return  # lifespan is off under Mangum; nothing else reaches an API function
        started = time.perf_counter()
        request = Request(scope, receive)
        given = request.headers.get("x-request-id", "")
        request_id = scope[_REQUEST_ID] = given if REQUEST_ID.match(given) else str(uuid.uuid4())
        if self.dependency_overrides:
            scope[_OVERRIDES] = self.dependency_overrides
        self.logger.append_keys(request_id=request_id)
        _drop_empty_query_values(scope)
        try:
            response = await self._guard_body(request) or await self._dispatch(request)
        except DomainError as exc:
            response = self._fault(request, exc)
        except HTTPException as exc:
            response = self._fault(request, framework_error(exc.status_code))
        except Exception as exc:  # the last line of defence: a generic 500, details only in the log
            self.logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
            response = problem_response(request, Internal("Something went wrong on our side; please try again"))
        response.headers["X-Request-Id"] = request_id
        response.headers.setdefault("Cache-Control", NO_STORE)
        route = scope.get("route")
        self.logger.info(
            "request",
            extra={
                "method": scope["method"],
                "route": route.path if isinstance(route, Route) else scope["path"],
                "status": response.status_code,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        path, method = request.scope["path"], request.scope["method"]
        if path == "/openapi.json" and method == "GET":
            return Response(render(self.openapi()), media_type="application/json")
        other_method = False
        for route in self.routes:
            matched = route.pattern.match(path)
            if matched is None:
                continue
            if route.method == method:
                request.scope["route"] = route
                request.scope["path_params"] = params = matched.groupdict()
                return await route.handle(request, params)
            other_method = True
        raise framework_error(405 if other_method else 404)

    async def _guard_body(self, request: Request) -> Response | None:
        """413 over 256 KiB; else the JSON body of a POST, PUT or PATCH, read once by the bounded parser
        (400 when it cannot be read or has the wrong Content-Type) and kept for the route."""
        method = request.scope["method"]
        if method not in ("POST", "PUT", "PATCH"):
            return None
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return self._fault(request, PayloadTooLarge("The request body is over 256 KiB"))
        if not body or request.scope["path"].startswith(self.raw_body_paths):
            return None
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        allowed = PATCH_TYPES if method == "PATCH" else JSON_TYPES
        if media_type not in allowed:
            return self._fault(request, BadRequest(f"Content-Type must be {allowed[0]}"))
        request.scope[_JSON_BODY] = parse_json_body(body)  # BadRequest, mapped by the caller
        return None


def _drop_empty_query_values(scope: dict[str, Any]) -> None:
    """API.md 1.7: an empty query value is absent (`?category=` means no category filter)."""
    raw = scope.get("query_string", b"").decode("latin-1")
    if raw:
        kept = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=True) if v != ""]
        scope["query_string"] = urlencode(kept).encode("latin-1")


def create_app(service: str, title: str, logger: Logger, raw_body_paths: tuple[str, ...] = ()) -> App:
    """The app of one service. `raw_body_paths` opt routes out of the JSON-only rule."""
    return App(service, title, logger, raw_body_paths)


# --- compression -----------------------------------------------------------------------------------
# An HTTP API does not compress, so the app does: a body of 1 KiB or more leaves gzip-compressed when the
# request accepts gzip (100 facilities are ~59 KB of JSON). Mangum base64-encodes it (gzip never decodes as
# UTF-8) and API Gateway decodes it. It runs after the route, so the ETag stays the hash of the uncompressed
# body (API.md 1.9) and If-None-Match was already compared on it. zlib is loaded by then; Starlette's
# GZipMiddleware would add ~1.7 ms of imports to a cold start and sends no Vary on an uncompressed answer.

GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 6  # zlib's default: a few percent larger than level 9 on our JSON, for much less CPU
type ASGIApp = Callable[[dict[str, Any], Any, Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value admits gzip: named with q > 0, or `*` with q > 0 and gzip unnamed."""
    star = False
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        q = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q > 0
    return star


def gzip_responses(app: ASGIApp, minimum_size: int = GZIP_MIN_BYTES) -> ASGIApp:
    """`app` with its whole-body answers of `minimum_size` bytes or more gzip-compressed for a client that
    accepts gzip. Every answer says `Vary: Accept-Encoding`, so no cache hands one client's coding to another."""

    async def compressing(
        scope: dict[str, Any], receive: Any, send: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        accepted = any(
            bytes(name).lower() == b"accept-encoding" and accepts_gzip(bytes(value).decode("latin-1"))
            for name, value in scope.get("headers") or []
        )
        start: dict[str, Any] | None = None

        async def send_compressed(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message  # held until the body says whether it is compressed
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            headers = [(bytes(n).lower(), bytes(v)) for n, v in start.get("headers") or []]
            vary = [v for n, v in headers if n == b"vary"]
            headers = [(n, v) for n, v in headers if n != b"vary"]
            headers.append((b"vary", b", ".join([*vary, b"Accept-Encoding"])))
            body = bytes(message.get("body") or b"")
            already_encoded = any(n == b"content-encoding" for n, _ in headers)
            if accepted and not message.get("more_body") and len(body) >= minimum_size and not already_encoded:
                body = zlib.compress(body, GZIP_LEVEL, wbits=31)  # wbits 31: the gzip format
                headers = [(n, v) for n, v in headers if n != b"content-length"]
                headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(body)).encode())]
                message = {**message, "body": body}
            await send({**start, "headers": headers})
            start = None
            await send(message)

        await app(scope, receive, send_compressed)

    return compressing


def lambda_handler(app: App, service: str, logger: Logger) -> LambdaHandler:
    """The API function's entry point: Mangum (lifespan off) around the gzip step, instrumented."""
    asgi = Mangum(gzip_responses(app), lifespan="off")  # type: ignore[arg-type]  # Mangum's ASGI type is narrower

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = asgi(event, context)  # type: ignore[arg-type,assignment]
        return response

    return instrumented(service, logger)(handler)
