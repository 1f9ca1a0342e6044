"""The OpenAPI 3.1 document of a pmc_common.app App, generated from its routes' pydantic models, signatures
and metadata: bodies, responses, path and query parameters, headers, which routes need a token, and every
status a route can answer (API.md 1.6-1.10).

Imported and run only when /openapi.json (or the local stack's merged document) is asked for, never on
the cold path of a request. What a route can answer is derived from what it is, not listed per route:
- any route: 500; every response carries `X-Request-Id` and `Cache-Control`;
- a token (a dependency, at any depth, on pmc_common.auth.citizen): the `BearerAuth` scheme and 401; a
  role (staff, staff_city_wide, admin, cfc_clerk): 403;
- POST, PUT, PATCH: 400 (body not JSON, wrong Content-Type) and 413 (over 256 KiB); a body model, query
  parameters or a typed path parameter: 422; a path parameter: 404 (an id of another format too);
- a `cursor` query parameter: 400 `invalid_cursor`;
- an `Idempotency-Key` (pmc_common.idempotency): the header parameter, `Idempotency-Replayed` on the
  success, 400 `idempotency_key_missing`, 409 `idempotency_in_progress` (`Retry-After`), 422
  `idempotency_key_reused`;
- a route that calls pmc_common.caching.cached_json: `ETag` and a public `Cache-Control` on its 200, and
  304; one that calls require_current: 412 and the new `ETag`;
- any 304 or 412 among a route's responses, derived or given (Open311's `answers`): the optional
  `If-None-Match` or `If-Match` header parameter it depends on;
- a 201 whose new resource the app serves at `{path}/{id}`: `Location` (and that GET's `ETag` when it is
  a cached one);
- what a route declares in its decorator (`responses={409: ["is_owner"]}`): those statuses and codes; a
  declared 2xx is another success of the route's shape (`responses={200: []}` on a create that may find
  its resource made already).
Each problem's schema is the one Problem, its `status` and `code` narrowed to what that response carries."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from pmc_common.app import plan_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from pmc_common.app import App, Plan, Route

REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SCHEME = "BearerAuth"
SECURITY: list[dict[str, list[str]]] = [{SCHEME: []}]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

SECURITY_SCHEMES = {
    SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Cognito ID token (API.md 1.4); locally the access_token of POST /_local/token.",
    }
}

# pmc_common.errors.problem_body; `errors` only on a 422
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A problem (RFC 9457, API.md 1.6); `errors` only on a 422.",
    "required": ["type", "title", "status", "detail", "instance", "request_id", "code"],
    "properties": {
        "type": {"type": "string", "examples": ["https://pmc.example/problems/validation"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "the request's path"},
        "request_id": {"type": "string", "description": "as the X-Request-Id header"},
        "code": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "a reason (API.md 1.6) or null"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "description": "body./query./path./header. + dotted path"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
# What API Gateway itself answers, deployed: a missing or bad token, stage throttling (API.md 1.4, 1.11)
GATEWAY_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "API Gateway's own answer (deployed): a 401 before any function, or stage throttling.",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "The request's X-Request-Id when valid (1-128 of [A-Za-z0-9._:-]), else a new UUID v4.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "`public, max-age=N` on a cached read and its 304; `no-store` on every other response.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": 'Strong: `"` + the first 32 hex of the body\'s SHA-256 + `"` (API.md 1.9).',
        "schema": {"type": "string"},
    },
    "Location": {"description": "The new resource's path.", "schema": {"type": "string"}},
    "Idempotency-Replayed": {
        "description": "`true` when this is the stored reply of an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}},
    "Content-Disposition": {"description": "`attachment` with the file's name.", "schema": {"type": "string"}},
}

TITLES = {
    304: "Not modified: the If-None-Match tag is current; no body",
    400: "Bad request",
    401: "Unauthorized: missing or invalid bearer token",
    403: "Forbidden: wrong role or ward",
    404: "Not found: unknown id, or not yours",
    409: "Conflict",
    412: "Precondition failed: If-Match is not current",
    413: "Payload too large: body over 256 KiB",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
}

# The request header a conditional answer depends on, declared wherever the answer is, derived or given
# (Open311's `answers`): optional, as pmc_common.caching and open311.routes.cached read them (API.md 1.9).
CONDITIONS = {
    "304": ("If-None-Match", "An ETag the client has (weak comparison, `*` any): 304 with no body when it is current."),
    "412": ("If-Match", "The ETag the change is based on (optional): 412 and nothing changes when it is not current."),
}


def needs_token(call: Callable[..., Any], path_names: frozenset[str] = frozenset()) -> bool:
    """Whether a route (or dependency) depends, at any depth, on pmc_common.auth.citizen."""
    from pmc_common.auth import citizen

    return citizen in dependencies(call, path_names)


def dependencies(call: Callable[..., Any], path_names: frozenset[str] = frozenset()) -> set[Callable[..., Any]]:
    """Every dependency of a route, at any depth (pmc_common.app.Depends)."""
    seen: set[Callable[..., Any]] = set()
    pending = [dependency for _, dependency in plan_of(call, path_names).depends]
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(dependency for _, dependency in plan_of(current, path_names).depends)
    return seen


def operation_id(name: str) -> str:
    """`list_facilities` -> `listFacilities`."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def problem(status: int, codes: Iterable[str | None] = (None,), description: str | None = None) -> dict[str, Any]:
    """A problem+json response whose `status` is `status` and whose `code` is one of `codes` (None: null)."""
    kept = list(dict.fromkeys(codes))
    named = [code for code in kept if code is not None]
    code_schema: dict[str, Any] = {"enum": kept} if named else {"type": "null"}
    text = description or TITLES.get(status, "Problem")
    if named:
        text += " (code: " + ", ".join(f"`{code}`" for code in named) + ")"
    schema = {"allOf": [PROBLEM_REF], "properties": {"status": {"const": status}, "code": code_schema}}
    headers = _headers("X-Request-Id", "Cache-Control", *(["Retry-After"] if status == 429 else []))
    if status == 409 and "idempotency_in_progress" in named:
        text += "; `Retry-After` with `idempotency_in_progress`"
        headers |= _headers("Retry-After")
    return {"description": text, "headers": headers, "content": {"application/problem+json": {"schema": schema}}}


def unauthorized() -> dict[str, Any]:
    """A protected route's 401: problem+json from the function or the local gateway, API Gateway's own
    message deployed (API.md 1.4)."""
    response = problem(401)
    response["content"]["application/json"] = {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}
    return response


def throttled() -> dict[str, Any]:
    """Stage throttling, on every route deployed (API.md 1.11): API Gateway's message, no Retry-After."""
    return {
        "description": "Too many requests: API Gateway's stage throttling (deployed only)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}},
    }


def _headers(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def document(app: App) -> dict[str, Any]:
    plans = {route: plan_of(route.endpoint, route.path_names) for route in app.routes}
    models: list[tuple[Any, Any]] = []
    for route, plan in plans.items():
        if plan.body is not None:
            models.append((plan.body[1], "validation"))
        if isinstance(route.response_model, type) and issubclass(route.response_model, BaseModel):
            models.append((route.response_model, "serialization"))
    refs, components = models_json_schema(models, ref_template=REF) if models else ({}, {})
    schemas: dict[str, Any] = dict(components.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["GatewayMessage"] = GATEWAY_MESSAGE_SCHEMA
    facts = {route: _Facts(route) for route in plans}
    paths: dict[str, Any] = {}
    for route, plan in plans.items():
        operation = _operation(app, route, plan, facts, refs, schemas)
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": app.title, "version": "1.0.0"},
        "tags": [{"name": app.service, "description": app.title}],
        "paths": paths,
        "components": {"schemas": schemas, "headers": HEADERS, "securitySchemes": SECURITY_SCHEMES},
    }


class _Facts:
    """What a route is, as far as its answers go."""

    def __init__(self, route: Route) -> None:
        from pmc_common import auth

        depends = dependencies(route.endpoint, route.path_names)
        self.protected = auth.citizen in depends
        self.role = bool(depends & {auth.staff, auth.staff_city_wide, auth.admin, auth.cfc_clerk})
        keys = [d for d in depends if getattr(d, "__module__", "") == "pmc_common.idempotency"]
        self.idempotency = bool(keys)
        self.key_required = any(inspect.getclosurevars(d).nonlocals.get("required") for d in keys)
        names = _names_used(route.endpoint)
        self.cached = "cached_json" in names
        self.if_match = "require_current" in names


def _names_used(call: Callable[..., Any]) -> set[str]:
    """The global and attribute names a function's code refers to (through `__wrapped__` too)."""
    names: set[str] = set()
    current: Any = call
    while current is not None:
        code = getattr(current, "__code__", None)
        if code is not None:
            names |= set(code.co_names)
        current = getattr(current, "__wrapped__", None)
    return names


def _created_at(app: App, route: Route) -> Route | None:
    """The GET route of what a 201 creates: `{path}/{id}` in the same app, else the one GET under it
    (`{path}/{id}/dues`: a link whose only read is its record's dues)."""
    prefix = route.path.rstrip("/") + "/{"
    depth = route.path.count("/") + 1
    under = [r for r in app.routes if r.method == "GET" and r.path.startswith(prefix)]
    exact = [r for r in under if r.path.endswith("}") and r.path.count("/") == depth]
    nested = [r for r in under if r.path.count("/") == depth + 1 and "{" not in r.path.rsplit("/", 1)[1]]
    if exact:
        return exact[0]
    return nested[0] if len(nested) == 1 else None


def _operation(
    app: App,
    route: Route,
    plan: Plan,
    facts: dict[Route, _Facts],
    refs: dict[Any, Any],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    fact = facts[route]
    doc = inspect.getdoc(route.endpoint)
    summary = doc.splitlines()[0] if doc else route.name.replace("_", " ").capitalize()
    operation: dict[str, Any] = {"operationId": operation_id(route.name), "summary": summary, "tags": [app.service]}
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": "An id; one not of its format is unknown (404).",
            "schema": {"type": "string"} if adapter is None else adapter.json_schema(ref_template=REF),
        }
        for name, adapter in plan.path
    ]
    query_names: set[str] = set()
    if plan.query is not None:
        query = TypeAdapter(plan.query).json_schema(ref_template=REF)
        schemas |= query.pop("$defs", {})
        required = set(query.get("required", ()))
        query_names = set(query.get("properties", {}))
        parameters += [
            {"name": name, "in": "query", "required": name in required, "schema": schema}
            for name, schema in query.get("properties", {}).items()
        ]
    responses = _responses(app, route, plan, fact, facts, refs, query_names)
    parameters += [_header_parameter(name, text) for status, (name, text) in CONDITIONS.items() if status in responses]
    if fact.idempotency:
        key = _header_parameter(
            "Idempotency-Key",
            "Makes a retry safe: the first reply comes back (Idempotency-Replayed: true), kept 24 h per caller.",
            {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
        )
        key["required"] = fact.key_required
        parameters.append(key)
    if parameters:
        operation["parameters"] = parameters
    if plan.body is not None:
        schema = refs[(plan.body[1], "validation")]
        media = (
            ["application/json", "application/merge-patch+json"] if route.method == "PATCH" else ["application/json"]
        )
        content = {m: {"schema": schema} for m in media}
        operation["requestBody"] = {"required": not plan.body_optional, "content": content}
    operation["responses"] = responses
    if fact.protected:
        operation["security"] = SECURITY
    return operation


def _header_parameter(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _responses(
    app: App,
    route: Route,
    plan: Plan,
    fact: _Facts,
    facts: dict[Route, _Facts],
    refs: dict[Any, Any],
    query_names: set[str],
) -> dict[str, Any]:
    if route.answers is not None:  # documented as given: formats of its own (Open311), only 500 is a problem
        as_given = {
            status: {**answer, "headers": _headers("X-Request-Id", "Cache-Control", *answer.get("headers", ()))}
            for status, answer in route.answers.items()
        }
        return {str(status): answer for status, answer in sorted({**as_given, 500: problem(500)}.items())}
    success: dict[str, Any] = {"description": "Success"}
    headers = ["X-Request-Id", "Cache-Control"]
    if route.status_code != 204 and (route.response_model, "serialization") in refs:
        success["content"] = {"application/json": {"schema": refs[(route.response_model, "serialization")]}}
    elif route.media_type is not None:
        success["content"] = {route.media_type: {"schema": {"type": "string"}}}
        headers.append("Content-Disposition")
    if fact.cached or (fact.if_match and route.status_code != 204):
        headers.append("ETag")
    if route.status_code == 201:
        created = _created_at(app, route)
        if created is not None:
            headers.append("Location")
            if facts[created].cached and "ETag" not in headers:
                headers.append("ETag")
    if fact.idempotency:
        headers.append("Idempotency-Replayed")
    success["headers"] = _headers(*headers)
    responses: dict[int, dict[str, Any]] = {route.status_code: success}
    if fact.cached:
        responses[304] = {"description": TITLES[304], "headers": _headers("X-Request-Id", "Cache-Control", "ETag")}

    codes: dict[int, list[str | None]] = {}

    def may(status: int, *given: str | None) -> None:
        codes.setdefault(status, []).extend(given or (None,))

    if route.method in BODY_METHODS:
        may(400)
        may(413)
    if "cursor" in query_names:
        may(400, "invalid_cursor")
    if fact.idempotency:
        may(400, "idempotency_key_missing")
        may(409, "idempotency_in_progress")
        may(422, None, "idempotency_key_reused")
    if fact.protected:
        may(401)
    if fact.role:
        may(403)
    if route.path_names:
        may(404)
    if fact.if_match:
        may(412)
    if plan.body is not None or plan.query is not None or any(adapter for _, adapter in plan.path):
        may(422)
    for status, declared in route.responses.items():
        if status < 300:  # another success of the same shape (a link already made: 200 to a 201)
            responses[status] = {**success, "headers": _headers("X-Request-Id", "Cache-Control")}
            continue
        may(status, *(declared or (None,)))
    may(500)
    for status, given in codes.items():
        responses[status] = unauthorized() if status == 401 else problem(status, given)
    if 429 in responses:  # an application limit (problem+json, Retry-After); stage throttling answers too
        responses[429]["content"]["application/json"] = {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}
    else:
        responses[429] = throttled()
    return {str(status): responses[status] for status in sorted(responses)}
