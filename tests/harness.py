"""Calls API functions the way API Gateway does, in-process: route from template.yaml, a real HTTP API
v2 event with the caller's claims, the function's own handler. Used by the integration tier."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from local.events import HttpRequest, LambdaContext, http_api_event, http_result
from local.gateway import Router
from local.runtime import LambdaRuntime
from local.template import Template
from local.tokens import gateway_claims, subject_of
from pmc_common.clock import FixedClock


@dataclass(frozen=True)
class Caller:
    phone_number: str = "+919800000001"
    groups: tuple[str, ...] = ()
    ward: str | None = None
    office: str | None = None  # custom:office of a CFC clerk

    def claims(self) -> dict[str, str]:
        claims: dict[str, Any] = {
            "sub": subject_of(self.phone_number),
            "phone_number": self.phone_number,
            "cognito:groups": list(self.groups),
            "token_use": "id",
        }
        if self.ward:
            claims["custom:ward"] = self.ward
        if self.office:
            claims["custom:office"] = self.office
        return gateway_claims(claims)


CITIZEN = Caller("+919800000001")
OTHER_CITIZEN = Caller("+919800000002")
STAFF = Caller("+919800000100", ("staff",))
ADMIN = Caller("+919800000900", ("admin",))


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Api:
    def __init__(self, template: Template) -> None:
        self.router = Router(template.routes)
        self.runtime = LambdaRuntime(template.functions)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        caller: Caller | None = None,
    ) -> Reply:
        match = self.router.match(method, path)
        assert match is not None, f"no template route for {method} {path}"
        sent = {"host": "api.local", **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent.setdefault("content-type", "application/json")
        request = HttpRequest(method, path, urlencode(query or {}), list(sent.items()), body or b"", "127.0.0.1")
        claims = caller.claims() if caller and not match.route.public else None
        event = http_api_event(request, match.route.route_key, match.path_parameters, claims, str(uuid.uuid4()))
        result = http_result(self.runtime.invoke(match.route.function, event))
        return Reply(result.status, {k.lower(): v for k, v in result.headers}, result.body)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)


def lambda_context(function_name: str = "TestFunction") -> LambdaContext:
    """A Lambda context as the runtime passes it (Powertools reads its fields)."""
    return LambdaContext(function_name, 512, 30)


def fixed_clock(service: str, start: datetime) -> Iterator[FixedClock]:
    """For a clock fixture (`yield from fixed_clock("grievance", START)`): the service's app (grievance, lookup,
    payments, survey) reads the time from the returned clock, which tests move, until the fixture ends. The
    api module is imported here, once the fixture's local AWS has set the function's environment."""
    from pmc_common.app import system_clock

    app = importlib.import_module(f"{service}.api").app
    clock = FixedClock(start)
    app.dependency_overrides[system_clock] = lambda: clock
    try:
        yield clock
    finally:
        app.dependency_overrides.clear()
