"""Routes are declared twice by nature (template.yaml events, the apps' route decorators): they must agree on
method, path and whether the route is public, for every API function."""

from __future__ import annotations

import importlib
import re

from local.aws import LocalAws
from local.template import Template
from pmc_common.openapi import needs_token

Route = tuple[str, str, bool]


def normalised(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def app_routes(module_name: str) -> set[Route]:
    app = importlib.import_module(module_name).app
    routes = set()
    for route in app.routes:
        for method in route.methods:
            routes.add((method, normalised(route.path), not needs_token(route.endpoint, route.path_names)))
    return routes


def test_every_api_function_serves_exactly_its_template_routes(local_aws: LocalAws, template: Template) -> None:
    functions = template.api_functions()
    assert functions, "the template declares no API function"
    for function in functions:
        declared = {
            (r.method, normalised(r.path), r.public) for r in template.routes if r.function == function.logical_id
        }
        assert app_routes(function.handler_module) == declared, function.logical_id


def test_the_comparison_sees_protection(local_aws: LocalAws) -> None:
    """The check can fail: admin writes read as protected, public reads as public."""
    routes = app_routes("lookup.api")
    assert ("POST", "/facilities", False) in routes
    assert ("GET", "/facilities", True) in routes
    assert ("POST", "/facilities", True) not in routes
