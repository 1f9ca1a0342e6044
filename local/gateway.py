"""The API Gateway HTTP API emulation: an ASGI app that routes as API Gateway does, verifies JWTs, answers
CORS as the template's CorsConfiguration says (local.cors), invokes handlers with v2 events, and serves
/_local/* helpers (health, token, schedules, the SMS sent), the local-only apps of LOCAL_APPS (the sandbox
gateway, API.md 4.11), /admin/, /openapi.json and Swagger UI at /docs.

Answers 401, 404 and 413 itself as problem+json; logs one line per request, never a token, body or query.
/_local/health answers 503 problem+json naming each function whose init failed or whose last invocation
raised (API.md 7 extended: `functions`), until that function next succeeds."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from local import apidocs, cors, events, jsonbody, oauth2
from local.runtime import Handler, LambdaRuntime
from local.template import ACCOUNT_ID, REGION, HttpRoute, Schedule, Template
from local.tokens import InvalidToken, InvalidTokenRequest, TokenAuthority

log = logging.getLogger("local.gateway")
access_log = logging.getLogger("local.access")

PROBLEM_BASE = "https://pmc.example/problems/"
PROBLEM_TITLES = {
    "bad-request": "Bad request",
    "unauthorized": "Unauthorized",
    "not-found": "Not found",
    "payload-too-large": "Payload too large",
    "validation": "Validation failed",
    "internal": "Internal error",
    "unavailable": "Service unavailable",
}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_ROUTE_BODY_BYTES = 10 * 1024 * 1024  # API Gateway HTTP API's payload quota: beyond it, 413 before any function
MAX_HELPER_BODY_BYTES = 256 * 1024  # the API's own limit (API.md 1.7) for the /_local helpers' small bodies

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


def json_reply(
    status: int, payload: Any, request_id: str | None = None, content_type: str = "application/json"
) -> Reply:
    headers = [("content-type", content_type), ("cache-control", "no-store")]
    if request_id:
        headers.append(("x-request-id", request_id))
    return Reply(status, headers, json.dumps(payload, default=str).encode())


def problem(status: int, slug: str, detail: str, instance: str, request_id: str, **extra: Any) -> Reply:
    body = {
        "type": PROBLEM_BASE + slug,
        "title": PROBLEM_TITLES[slug],
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
        "code": None,
        **extra,
    }
    return json_reply(status, body, request_id, "application/problem+json")


# ------------------------------------------------------------------- routing

_GREEDY = re.compile(r"^\{([A-Za-z0-9_]+)\+\}$")
_PARAMETER = re.compile(r"^\{([A-Za-z0-9_]+)\}$")


@dataclass(frozen=True)
class RouteMatch:
    route: HttpRoute
    path_parameters: dict[str, str]


class Router:
    """API Gateway's route selection: static segments beat `{param}`, which beats `{proxy+}`; a method beats ANY."""

    def __init__(self, routes: list[HttpRoute]):
        self.routes = routes

    @staticmethod
    def _segments(path: str) -> list[str]:
        return path.strip("/").split("/") if path.strip("/") else []

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        request_segments = self._segments(raw_path)
        candidates: list[tuple[tuple[int, ...], RouteMatch]] = []
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            parameters = self._bind(self._segments(route.path), request_segments)
            if parameters is None:
                continue
            specificity = tuple(self._rank(s) for s in self._segments(route.path))
            candidates.append(((*specificity, route.method == "ANY"), RouteMatch(route, parameters)))
        if not candidates:
            return None
        return min(candidates, key=lambda c: c[0])[1]

    @staticmethod
    def _rank(segment: str) -> int:
        return 2 if _GREEDY.match(segment) else 1 if _PARAMETER.match(segment) else 0

    @staticmethod
    def _bind(route_segments: list[str], request_segments: list[str]) -> dict[str, str] | None:
        parameters: dict[str, str] = {}
        for index, segment in enumerate(route_segments):
            greedy = _GREEDY.match(segment)
            if greedy:
                rest = request_segments[index:]
                if index != len(route_segments) - 1 or not rest:
                    return None
                parameters[greedy.group(1)] = unquote("/".join(rest))
                return parameters
            if index >= len(request_segments):
                return None
            value = request_segments[index]
            named = _PARAMETER.match(segment)
            if named:
                if not value:
                    return None
                parameters[named.group(1)] = unquote(value)
            elif segment != value:
                return None
        return parameters if len(route_segments) == len(request_segments) else None


# ------------------------------------------------------------------- local-only apps


@dataclass(frozen=True)
class LocalApp:
    """An app the local stack serves under `prefix` beside the API, never in template.yaml: its Lambda-style
    `handler` (module.attribute) runs inside `function`'s execution environment (that function's code, module
    state and environment variables), with a v2 event as for a public route (no token read)."""

    prefix: str
    function: str
    handler: str

    @property
    def route_key(self) -> str:
        return f"ANY {self.prefix}{{proxy+}}"


# The sandbox gateway (API.md 4.11): the payments API's environment, where its gateway and its webhook live;
# its code is local/sandbox_gateway.py, outside the function's CodeUri, so never deployed.
LOCAL_APPS = (LocalApp("/sandbox-gateway/", "PaymentsApiFunction", "local.sandbox_gateway.handler"),)


def _load_handler(dotted: str) -> Handler:
    module_name, _, attribute = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


# ------------------------------------------------------------------- the app


class Gateway:
    """The ASGI application the local stack serves."""

    def __init__(
        self,
        template: Template,
        runtime: LambdaRuntime,
        tokens: TokenAuthority,
        admin_dir: Path | None,
        openapi: Callable[[], dict[str, Any]],
    ):
        self.template = template
        self.runtime = runtime
        self.tokens = tokens
        self.router = Router(template.routes)
        self.schedules: dict[str, Schedule] = {s.name: s for s in template.schedules}
        self.admin = StaticFiles(directory=admin_dir, html=True) if admin_dir and admin_dir.is_dir() else None
        self._openapi = openapi
        self._openapi_document: dict[str, Any] | None = None
        self._openapi_lock = threading.Lock()
        self.cors = cors.from_template(template)
        self.ready = threading.Event()
        self.local_apps = [a for a in LOCAL_APPS if a.function in template.functions]
        # Cognito's managed login for the admin page, locally (the issuer is `<base_url>/_local/issuer`)
        self.login = oauth2.ManagedLogin.for_stack(tokens, tokens.issuer.removesuffix("/_local/issuer"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        method = str(scope["method"]).upper()
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1").split("?", 1)[0]
        request_id = self._request_id(scope)
        status_and_rid: dict[str, Any] = {"status": 500, "rid": request_id}

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_and_rid["status"] = message["status"]
                for name, value in message.get("headers") or []:
                    if bytes(name).lower() == b"x-request-id":
                        status_and_rid["rid"] = bytes(value).decode("latin-1")
            await send(message)

        try:
            if self.admin is not None and self._is_static(method, raw_path):
                await self._static(scope, receive, observed_send, raw_path, request_id)
            else:
                reply = await self._respond(scope, receive, method, raw_path, request_id)
                await self._send(observed_send, self._with_cors(scope, raw_path, reply))
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info(
                "%s %s %s %dms rid=%s", method, raw_path, status_and_rid["status"], elapsed_ms, status_and_rid["rid"]
            )

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for name, value in scope.get("headers") or []:
            if bytes(name).lower() == b"x-request-id":
                candidate = bytes(value).decode("latin-1").strip()
                if REQUEST_ID.match(candidate):
                    return candidate
        return str(uuid.uuid4())

    @staticmethod
    async def _send(send: Send, reply: Reply) -> None:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
        if not any(k == b"content-length" for k, _ in headers):
            headers.append((b"content-length", str(len(reply.body)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    # -------------------------------------------------------------- dispatch

    async def _respond(self, scope: Scope, receive: Receive, method: str, raw_path: str, request_id: str) -> Reply:
        if raw_path == "/_local" or raw_path.startswith("/_local/"):
            return await self._local(scope, receive, method, raw_path, request_id)
        local_app = next((a for a in self.local_apps if raw_path.startswith(a.prefix)), None)
        if local_app is not None:
            if not self.ready.is_set():
                return problem(503, "unavailable", "The local stack is still starting", raw_path, request_id)
            return await self._invoke_local_app(scope, receive, local_app, raw_path, request_id)
        if self.cors is not None and _is_preflight(scope, raw_path):  # API Gateway answers it, on any path
            headers = self.cors.preflight(_header(scope, "origin"), _header(scope, "access-control-request-headers"))
            return Reply(204, headers)
        match = self.router.match(method, raw_path)
        if match is not None:
            if not self.ready.is_set():
                return problem(503, "unavailable", "The local stack is still starting", raw_path, request_id)
            return await self._invoke_route(scope, receive, match, raw_path, request_id)
        if method == "GET" and raw_path == "/openapi.json":
            return json_reply(200, await self._openapi_json())
        if method == "GET" and (raw_path == "/docs" or raw_path.startswith("/docs/")):
            return self._docs(raw_path, request_id)
        if method in ("GET", "HEAD") and raw_path == "/admin" and self.admin is not None:
            return Reply(307, [("location", "/admin/")])
        return problem(404, "not-found", f"No route for {method} {raw_path}", raw_path, request_id)

    def _is_static(self, method: str, raw_path: str) -> bool:
        return (
            method in ("GET", "HEAD")
            and raw_path.startswith("/admin/")
            and self.router.match(method, raw_path) is None  # template routes win over the page
        )

    async def _static(self, scope: Scope, receive: Receive, send: Send, raw_path: str, request_id: str) -> None:
        assert self.admin is not None
        inner = dict(scope)
        inner["path"] = unquote(raw_path.removeprefix("/admin")) or "/"
        inner["raw_path"] = inner["path"].encode()
        inner["root_path"] = ""
        try:
            await self.admin(inner, receive, send)
        except HTTPException as exc:  # outside a Starlette app StaticFiles raises its 404 instead of answering
            if exc.status_code != 404:
                raise
            await self._send(send, problem(404, "not-found", f"No file at {raw_path}", raw_path, request_id))

    async def _invoke_route(
        self, scope: Scope, receive: Receive, match: RouteMatch, raw_path: str, request_id: str
    ) -> Reply:
        route = match.route
        headers = _headers(scope)
        claims: dict[str, str] | None = None
        if not route.public:
            authorization = next((v for k, v in headers if k.lower() == "authorization"), None)
            try:
                claims = self.tokens.verify(authorization)
            except InvalidToken as exc:
                return problem(401, "unauthorized", str(exc), raw_path, request_id)
        try:
            body = await _read_body(scope, receive, MAX_ROUTE_BODY_BYTES)
        except PayloadTooLarge as exc:
            return problem(413, "payload-too-large", str(exc), raw_path, request_id)
        request = _http_request(scope, raw_path, headers, body)
        event = events.http_api_event(request, route.route_key, match.path_parameters, claims, str(uuid.uuid4()))
        try:
            result = await asyncio.wrap_future(self.runtime.submit(route.function, event))
            reply = events.http_result(result)
        except events.BadLambdaResponse as exc:
            log.error("%s returned an invalid response: %s", route.function, exc)
            return problem(500, "internal", "The function returned an invalid response", raw_path, request_id)
        except Exception:
            log.exception("%s raised", route.function)
            return problem(500, "internal", "The function failed; see the local stack's log", raw_path, request_id)
        return Reply(reply.status, reply.headers, reply.body)

    async def _invoke_local_app(
        self, scope: Scope, receive: Receive, local_app: LocalApp, raw_path: str, request_id: str
    ) -> Reply:
        try:
            body = await _read_body(scope, receive, MAX_HELPER_BODY_BYTES)
        except PayloadTooLarge as exc:
            return problem(413, "payload-too-large", str(exc), raw_path, request_id)
        headers = _headers(scope)
        request = _http_request(scope, raw_path, headers, body)
        proxy = {"proxy": unquote(raw_path.removeprefix(local_app.prefix))}
        event = events.http_api_event(request, local_app.route_key, proxy, None, str(uuid.uuid4()))
        function = self.template.functions[local_app.function]

        def invoke() -> Any:
            context = events.LambdaContext(function.logical_id, function.memory_size, function.timeout)
            return _load_handler(local_app.handler)(event, context)

        try:
            result = await asyncio.wrap_future(self.runtime.submit_call(local_app.function, invoke))
            reply = events.http_result(result)
        except Exception:
            log.exception("%s raised in %s", local_app.handler, local_app.function)
            return problem(500, "internal", "The local app failed; see the local stack's log", raw_path, request_id)
        return Reply(reply.status, reply.headers, reply.body)

    # -------------------------------------------------------------- helpers

    async def _local(self, scope: Scope, receive: Receive, method: str, path: str, request_id: str) -> Reply:
        if path == "/_local/health" and method == "GET":
            return self._health(path, request_id)
        if path == "/_local/token" and method == "POST":
            try:
                return self._token(await _read_body(scope, receive, MAX_HELPER_BODY_BYTES), path, request_id)
            except PayloadTooLarge as exc:
                return problem(413, "payload-too-large", str(exc), path, request_id)
        if path in oauth2.PATHS:
            found = await self._oauth2(scope, receive, method, path, request_id)
            if found is not None:
                return found
        if path == "/_local/jwks.json" and method == "GET":
            return json_reply(200, self.tokens.jwks())
        if path == "/_local/schedules" and method == "GET":
            items = [{"name": s.name, "expression": s.expression} for s in self.schedules.values()]
            return json_reply(200, {"items": items, "next_cursor": None})
        if path == "/_local/sms" and method == "GET":
            return json_reply(200, {"items": sent_sms(), "next_cursor": None})
        if path.startswith("/_local/schedules/") and method == "POST":
            name = unquote(path.removeprefix("/_local/schedules/"))
            try:
                body = await _read_body(scope, receive, MAX_HELPER_BODY_BYTES)
            except PayloadTooLarge as exc:
                return problem(413, "payload-too-large", str(exc), path, request_id)
            return await self._run_schedule(name, body, path, request_id)
        return problem(404, "not-found", f"No route for {method} {path}", path, request_id)

    async def _oauth2(self, scope: Scope, receive: Receive, method: str, path: str, request_id: str) -> Reply | None:
        try:
            body = await _read_body(scope, receive, MAX_HELPER_BODY_BYTES)
        except PayloadTooLarge as exc:
            return problem(413, "payload-too-large", str(exc), path, request_id)
        query = bytes(scope.get("query_string") or b"").decode("latin-1")
        try:
            answer = oauth2.respond(self.login, method, path, query, body)
        except oauth2.OAuthError as exc:
            slug = "unavailable" if exc.status == 503 else "bad-request"
            return problem(exc.status, slug, exc.description, path, request_id, error=exc.error)
        return Reply(*answer) if answer is not None else None

    def _health(self, path: str, request_id: str) -> Reply:
        if not self.ready.is_set():
            return problem(503, "unavailable", "The local stack is still starting", path, request_id)
        failures = self.runtime.failures()
        if failures:
            names = ", ".join(f.function for f in failures)
            detail = f"Failing until their next success: {names}; see the local stack's log"
            return problem(503, "unavailable", detail, path, request_id, functions=[asdict(f) for f in failures])
        return json_reply(200, {"status": "ok"})

    def _token(self, body: bytes, path: str, request_id: str) -> Reply:
        try:
            payload = jsonbody.loads(body or b"{}")
        except jsonbody.BadJson as exc:
            return problem(400, "bad-request", str(exc), path, request_id)
        if not isinstance(payload, dict):
            return _invalid(path, request_id, "body", "must be a JSON object")
        try:
            return json_reply(200, self.tokens.issue(payload))
        except InvalidTokenRequest as exc:
            return _invalid(path, request_id, exc.field, exc.message)

    async def _run_schedule(self, name: str, body: bytes, path: str, request_id: str) -> Reply:
        schedule = self.schedules.get(name)
        if schedule is None:
            return problem(404, "not-found", f"No schedule named {name}", path, request_id)
        if not self.ready.is_set():
            return problem(503, "unavailable", "The local stack is still starting", path, request_id)
        try:
            payload = jsonbody.loads(body) if body.strip() else {}
        except jsonbody.BadJson as exc:
            return problem(400, "bad-request", str(exc), path, request_id)
        if not isinstance(payload, dict):
            return _invalid(path, request_id, "body", "must be a JSON object")
        try:
            at = _parse_time(payload.get("time"))
        except ValueError as exc:
            return _invalid(path, request_id, "body.time", str(exc))
        names = (self.template.functions[schedule.function].logical_id, schedule.event_id)
        rule_arn = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{names[0]}-{names[1]}"
        event = events.scheduled_event(schedule.name, rule_arn, at)
        try:
            result = await asyncio.wrap_future(self.runtime.submit(schedule.function, event))
        except Exception:
            log.exception("schedule %s raised", name)
            return problem(
                500, "internal", "The scheduled function failed; see the local stack's log", path, request_id
            )
        return json_reply(200, result)

    async def _openapi_json(self) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(self.openapi_document)

    def openapi_document(self) -> dict[str, Any]:
        """The merged document /openapi.json serves (built once, in the functions' environments)."""
        with self._openapi_lock:
            if self._openapi_document is None:
                self._openapi_document = self._openapi()
            return self._openapi_document

    @staticmethod
    def _docs(raw_path: str, request_id: str) -> Reply:
        """Swagger UI on /openapi.json at /docs, its assets at /docs/assets/<name> (local.apidocs)."""
        if raw_path == "/docs":
            page = apidocs.page(DOCS_ASSETS, "/openapi.json")
            return Reply(200, [("content-type", "text/html; charset=utf-8"), ("cache-control", "no-cache")], page)
        found = apidocs.asset(raw_path.removeprefix(DOCS_ASSETS)) if raw_path.startswith(DOCS_ASSETS) else None
        if found is None:
            return problem(404, "not-found", f"No route for GET {raw_path}", raw_path, request_id)
        content_type, body = found
        return Reply(200, [("content-type", content_type), ("cache-control", "no-cache")], body)

    def _with_cors(self, scope: Scope, raw_path: str, reply: Reply) -> Reply:
        """API Gateway's CORS on whatever the API answers (a function's reply, or the gateway's own 401, 404,
        413): the configured headers for an allowed Origin, never a function's own."""
        if self.cors is None or not _is_api_path(raw_path) or _is_preflight(scope, raw_path):
            return reply
        return Reply(reply.status, self.cors.response(_header(scope, "origin"), reply.headers), reply.body)


DOCS_ASSETS = "/docs/assets/"
# served by the local stack, not part of the API
_LOCAL_ONLY = ("/_local", "/docs", "/openapi.json", "/admin", *(a.prefix.rstrip("/") for a in LOCAL_APPS))


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in scope.get("headers") or []]


def _http_request(scope: Scope, raw_path: str, headers: list[tuple[str, str]], body: bytes) -> events.HttpRequest:
    """The request as API Gateway hands it to a function (routes and the local-only apps alike)."""
    client = scope.get("client") or ("127.0.0.1", 0)
    return events.HttpRequest(
        method=str(scope["method"]).upper(),
        raw_path=raw_path,
        raw_query_string=bytes(scope.get("query_string") or b"").decode("latin-1"),
        headers=headers,
        body=body,
        source_ip=str(client[0]),
        protocol=f"HTTP/{scope.get('http_version', '1.1')}",
    )


def _is_api_path(raw_path: str) -> bool:
    return not any(raw_path == p or raw_path.startswith(p + "/") for p in _LOCAL_ONLY)


def _is_preflight(scope: Scope, raw_path: str) -> bool:
    """OPTIONS with Origin and Access-Control-Request-Method (any other OPTIONS is routed as usual)."""
    return (
        str(scope["method"]).upper() == "OPTIONS"
        and _is_api_path(raw_path)
        and _header(scope, "origin") is not None
        and _header(scope, "access-control-request-method") is not None
    )


def _header(scope: Scope, name: str) -> str | None:
    """A request header's value (several of one name joined by commas, as HTTP allows), or None."""
    wanted = name.encode("latin-1")
    values = [bytes(v).decode("latin-1").strip() for k, v in scope.get("headers") or [] if bytes(k).lower() == wanted]
    return ", ".join(values) if values else None


def _invalid(path: str, request_id: str, field: str, message: str) -> Reply:
    return problem(
        422, "validation", "1 field is invalid", path, request_id, errors=[{"field": field, "message": message}]
    )


def _parse_time(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 UTC timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 UTC timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError("must carry a UTC offset or Z")
    return parsed.astimezone(UTC).replace(microsecond=0)


class PayloadTooLarge(Exception):
    """The request body is over the limit; the message is safe to return."""


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole body, or PayloadTooLarge as soon as it (or its declared length) passes `limit`."""
    too_large = PayloadTooLarge(f"Body is over {limit // 1024} KiB")
    for name, value in scope.get("headers") or []:
        if bytes(name).lower() == b"content-length":
            declared = bytes(value).strip()
            if declared.isdigit() and (len(declared) > 15 or int(declared) > limit):
                raise too_large
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = bytes(message.get("body") or b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def sent_sms() -> list[dict[str, str]]:
    """The SMS moto's SNS has accepted in this process, oldest first: what the notifier texted (local only)."""
    from moto.sns.models import sns_backends

    return [
        {"phone_number": phone_number, "message": message}
        for phone_number, message in sns_backends[ACCOUNT_ID][REGION].sms_messages.values()
    ]
