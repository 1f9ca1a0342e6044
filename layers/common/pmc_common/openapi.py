"""The OpenAPI 3.1 document of a pmc_common.app App, generated from its routes' pydantic models and
signatures: bodies, responses, path and query parameters, and which routes need a token.

Imported and run only when /openapi.json (or the local stack's merged document) is asked for, never on
the cold path of a request. Nothing here is written by hand but the problem shape's reference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from pmc_common.app import plan_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from pmc_common.app import App, Route

REF = "#/components/schemas/{model}"
PROBLEM = {
    "description": "A problem (RFC 9457, API.md 1.6)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def needs_token(call: Callable[..., Any], path_names: frozenset[str] = frozenset()) -> bool:
    """Whether a route (or dependency) depends, at any depth, on pmc_common.auth.citizen."""
    from pmc_common.auth import citizen

    seen: set[Callable[..., Any]] = set()
    pending = [call]
    while pending:
        current = pending.pop()
        if current is citizen:
            return True
        if current not in seen:
            seen.add(current)
            pending.extend(dependency for _, dependency in plan_of(current, path_names).depends)
    return False


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
    # pmc_common.errors.problem_body; `errors` only on a 422
    schemas["Problem"] = {
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance", "request_id", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "request_id": {"type": "string"},
            "code": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    }
    paths: dict[str, Any] = {}
    for route, plan in plans.items():
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, plan, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": app.title, "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(route: Route, plan: Any, refs: dict[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": route.name, "responses": {}}
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string"} if adapter is None else adapter.json_schema(ref_template=REF),
        }
        for name, adapter in plan.path
    ]
    if plan.query is not None:
        query = TypeAdapter(plan.query).json_schema(ref_template=REF)
        schemas |= query.pop("$defs", {})
        required = set(query.get("required", ()))
        parameters += [
            {"name": name, "in": "query", "required": name in required, "schema": schema}
            for name, schema in query.get("properties", {}).items()
        ]
    if parameters:
        operation["parameters"] = parameters
    if plan.body is not None:
        schema = refs[(plan.body[1], "validation")]
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    ok: dict[str, Any] = {"description": "Success"}
    if (route.response_model, "serialization") in refs:
        ok["content"] = {"application/json": {"schema": refs[(route.response_model, "serialization")]}}
    operation["responses"][str(route.status_code)] = ok
    operation["responses"]["default"] = PROBLEM
    if needs_token(route.endpoint, route.path_names):
        operation["security"] = [{"cognito": []}]
    return operation
