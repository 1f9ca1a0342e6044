"""The merged OpenAPI document: every API function's `app` (its `openapi()`) combined into one "PuneConnect API",
with template.yaml's view of which routes need a token.

Built from the apps themselves (their modules expose `app`), never written by hand. Which operations carry
the bearer scheme (and a 401) is what the template's HttpApi authorizer says of the route (`Auth: Authorizer:
NONE` or the API's default), so the document cannot say otherwise than the gateway does."""

from __future__ import annotations

import copy
import importlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from local.template import Function

log = logging.getLogger("local.openapi")

TITLE = "PuneConnect API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The PuneConnect backend (API.md): lookup, grievances, payments and the survey. Errors are "
    "application/problem+json (Problem); protected operations take a bearer JWT (BearerAuth)."
)
METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


class TemplateRoute(Protocol):
    """What the merge reads of a template route (local.template.HttpRoute)."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def public(self) -> bool: ...


def normalised(path: str) -> str:
    """A path with its parameters' names left out: `/facilities/{id}` and `/facilities/{facility_id}` agree."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def merge(documents: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Union of paths (per method), tags and components; a clash between two documents is logged, first wins."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "tags": [],
        "paths": {},
        "components": {},
    }
    for document in documents:
        merged["openapi"] = document.get("openapi", merged["openapi"])
        for tag in document.get("tags") or []:
            if all(t["name"] != tag["name"] for t in merged["tags"]):
                merged["tags"].append(tag)
        for path, operations in (document.get("paths") or {}).items():
            target = merged["paths"].setdefault(path, {})
            for method, operation in operations.items():
                if method in target and target[method] != operation:
                    log.warning("openapi: %s %s is defined by two apps; keeping the first", method.upper(), path)
                    continue
                target[method] = operation
        for section, entries in (document.get("components") or {}).items():
            target = merged["components"].setdefault(section, {})
            for name, entry in entries.items():
                if name in target and target[name] != entry:
                    log.warning("openapi: components.%s.%s differs between apps; keeping the first", section, name)
                    continue
                target[name] = entry
    if not merged["tags"]:
        del merged["tags"]
    if not merged["components"]:
        del merged["components"]
    return merged


def apply_authorizer(document: dict[str, Any], routes: Iterable[TemplateRoute]) -> dict[str, Any]:
    """Each operation's security as the template's route has it: a protected route gets the bearer scheme and
    a 401, a public one neither. An app that disagrees is logged (tests/integration/test_route_drift.py fails
    on it); an operation the template does not route is left as its app says, and logged."""
    from pmc_common.openapi import SECURITY, SECURITY_SCHEMES, unauthorized

    public = {(route.method.lower(), normalised(route.path)): route.public for route in routes}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            key = (method, normalised(path))
            if key not in public:
                log.warning("openapi: %s %s is not a route of the template", method.upper(), path)
                continue
            if ("security" not in operation) != public[key]:
                log.warning("openapi: %s %s: the app and template.yaml disagree on its token", method.upper(), path)
            responses = operation.setdefault("responses", {})
            if public[key]:
                operation.pop("security", None)
                responses.pop("401", None)
            else:
                operation["security"] = SECURITY
                responses.setdefault("401", unauthorized())
                document.setdefault("components", {}).setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
            operation["responses"] = dict(sorted(responses.items()))
    return document


def app_document(function: Function) -> dict[str, Any] | None:
    """The OpenAPI of a function's app, or None when its handler module has no `app` with `openapi()`."""
    module = importlib.import_module(function.handler_module)
    app = getattr(module, "app", None)
    if app is None or not hasattr(app, "openapi"):
        log.warning("openapi: %s has no `app` with openapi(); its routes are not documented", function.handler_module)
        return None
    document: dict[str, Any] = app.openapi()
    return document


def merged_document(
    functions: Iterable[Function],
    read: Callable[[Function], dict[str, Any] | None] = app_document,
    routes: Iterable[TemplateRoute] | None = None,
) -> dict[str, Any]:
    """`read` gets one function's document (the local stack reads it inside the function's environment);
    `routes`, the template's HTTP routes, decide which operations need a token."""
    merged = copy.deepcopy(merge(doc for doc in (read(f) for f in functions) if doc is not None))  # apps' own kept
    return merged if routes is None else apply_authorizer(merged, routes)
