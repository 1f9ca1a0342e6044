"""The merged OpenAPI document: every API function's `app` (its `openapi()`) combined into one "PuneConnect API".

Built from the apps themselves (their modules expose `app`), never written by hand."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from local.template import Function

log = logging.getLogger("local.openapi")

TITLE = "PuneConnect API"
VERSION = "1.0.0"


def merge(documents: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Union of paths (per method) and components; a clash between two documents is logged, first wins."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION},
        "paths": {},
        "components": {},
    }
    for document in documents:
        merged["openapi"] = document.get("openapi", merged["openapi"])
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
    if not merged["components"]:
        del merged["components"]
    return merged


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
    functions: Iterable[Function], read: Callable[[Function], dict[str, Any] | None] = app_document
) -> dict[str, Any]:
    """`read` gets one function's document (the local stack reads it inside the function's environment)."""
    return merge(doc for doc in (read(f) for f in functions) if doc is not None)
