"""CORS as API Gateway HTTP API applies it, from the template's CorsConfiguration: the gateway answers a
preflight itself (204, no function invoked) and sets the configured headers on a CORS request's response,
replacing any a function sent. An origin that is not allowed gets no CORS headers at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from local.template import LocalNames, Template, TemplateError

Headers = list[tuple[str, str]]

_HTTP_API_TYPES = ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api")
_CAMEL = {  # the translated API's `x-amazon-apigateway-cors` spells the properties in camelCase
    "allowOrigins": "AllowOrigins",
    "allowHeaders": "AllowHeaders",
    "allowMethods": "AllowMethods",
    "exposeHeaders": "ExposeHeaders",
    "maxAge": "MaxAge",
    "allowCredentials": "AllowCredentials",
}


@dataclass(frozen=True)
class CorsPolicy:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_configuration(cls, configuration: Mapping[str, Any]) -> CorsPolicy:
        """From a resolved CorsConfiguration (PascalCase, as in the template, or camelCase)."""
        given = {_CAMEL.get(key, key): value for key, value in configuration.items()}

        def listed(key: str) -> tuple[str, ...]:
            value = given.get(key) or ()
            return tuple(str(v) for v in ([value] if isinstance(value, str) else value))

        max_age = given.get("MaxAge")
        return cls(
            allow_origins=listed("AllowOrigins"),
            allow_headers=listed("AllowHeaders"),
            allow_methods=tuple(m.upper() for m in listed("AllowMethods")),
            expose_headers=listed("ExposeHeaders"),
            max_age=None if max_age is None else int(max_age),
            allow_credentials=str(given.get("AllowCredentials", False)).lower() == "true",
        )

    def allows(self, origin: str | None) -> bool:
        return origin is not None and ("*" in self.allow_origins or origin in self.allow_origins)

    def _allow_origin(self, origin: str) -> str:
        # A wildcard is answered as `*`, except with credentials, which browsers refuse with `*`.
        return "*" if "*" in self.allow_origins and not self.allow_credentials else origin

    def preflight(self, origin: str | None, request_headers: str | None) -> Headers:
        """The headers of the gateway's own 204 to a preflight (none for an origin not allowed)."""
        if not self.allows(origin):
            return []
        assert origin is not None
        headers = [("access-control-allow-origin", self._allow_origin(origin))]
        if self.allow_credentials:
            headers.append(("access-control-allow-credentials", "true"))
        if self.allow_methods:
            headers.append(("access-control-allow-methods", ",".join(self.allow_methods)))
        if "*" in self.allow_headers and request_headers:
            headers.append(("access-control-allow-headers", request_headers))
        elif self.allow_headers:
            headers.append(("access-control-allow-headers", ",".join(h.lower() for h in self.allow_headers)))
        if self.max_age is not None:
            headers.append(("access-control-max-age", str(self.max_age)))
        return headers

    def response(self, origin: str | None, headers: Iterable[tuple[str, str]]) -> Headers:
        """A response's headers with a function's own CORS headers dropped and the configured ones set."""
        kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
        if not self.allows(origin):
            return kept
        assert origin is not None
        kept.append(("access-control-allow-origin", self._allow_origin(origin)))
        if self.allow_credentials:
            kept.append(("access-control-allow-credentials", "true"))
        if self.expose_headers:
            kept.append(("access-control-expose-headers", ",".join(h.lower() for h in self.expose_headers)))
        return kept


def from_template(template: Template, names: LocalNames | None = None) -> CorsPolicy | None:
    """The HTTP API's CORS policy, intrinsics (`!Ref AdminSiteOrigin`) resolved to local values; None when
    the API has no CorsConfiguration. Reads SAM's `CorsConfiguration` on the HttpApi or, once translated,
    the ApiGatewayV2 API's property or its body's `x-amazon-apigateway-cors`."""
    found: list[tuple[str, Any]] = []
    for logical_id, resource in template.resources.items():
        if resource.get("Type") not in _HTTP_API_TYPES:
            continue
        properties = resource.get("Properties") or {}
        configuration = properties.get("CorsConfiguration")
        if configuration is None:
            configuration = (properties.get("Body") or {}).get("x-amazon-apigateway-cors")
        if configuration not in (None, False):
            found.append((logical_id, configuration))
    if not found:
        return None
    if len(found) > 1:
        raise TemplateError(f"the local stack serves one HTTP API; CORS is configured on {[f[0] for f in found]}")
    configuration = template.resolve(found[0][1], names or LocalNames())
    if configuration is True:  # SAM's `CorsConfiguration: true`: any origin, with API Gateway's defaults
        return CorsPolicy(allow_origins=("*",), allow_headers=("*",), allow_methods=("*",))
    if not isinstance(configuration, Mapping):
        raise TemplateError(f"{found[0][0]}: CorsConfiguration must be a mapping or true")
    return CorsPolicy.from_configuration(configuration)
