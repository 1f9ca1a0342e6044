"""local.cors's reading of a CorsConfiguration (as SAM writes it, and as the translated API's body spells it)."""

from __future__ import annotations

from local.cors import CorsPolicy

ADMIN = "https://admin.example"


def test_camel_case_and_pascal_case_configurations_are_the_same_policy() -> None:
    pascal = CorsPolicy.from_configuration(
        {"AllowOrigins": [ADMIN], "AllowHeaders": ["Authorization"], "AllowMethods": ["get"], "MaxAge": 600}
    )
    camel = CorsPolicy.from_configuration(
        {"allowOrigins": [ADMIN], "allowHeaders": ["Authorization"], "allowMethods": ["GET"], "maxAge": "600"}
    )
    assert pascal == camel
    assert pascal.allow_methods == ("GET",)


def test_a_function_cannot_widen_cors_for_an_allowed_origin_or_any_other() -> None:
    policy = CorsPolicy.from_configuration({"AllowOrigins": [ADMIN], "ExposeHeaders": ["ETag"]})
    sent = [("content-type", "application/json"), ("Access-Control-Allow-Origin", "*")]
    assert policy.response("https://evil.example", sent) == [("content-type", "application/json")]
    assert policy.response(ADMIN, sent) == [
        ("content-type", "application/json"),
        ("access-control-allow-origin", ADMIN),
        ("access-control-expose-headers", "etag"),
    ]


def test_credentials_are_allowed_only_when_configured_and_never_with_a_wildcard_origin() -> None:
    open_policy = CorsPolicy.from_configuration({"AllowOrigins": ["*"]})
    assert ("access-control-allow-origin", "*") in open_policy.preflight(ADMIN, None)
    with_credentials = CorsPolicy.from_configuration({"AllowOrigins": ["*"], "AllowCredentials": True})
    headers = dict(with_credentials.preflight(ADMIN, None))
    assert headers["access-control-allow-origin"] == ADMIN
    assert headers["access-control-allow-credentials"] == "true"


def test_a_wildcard_allow_headers_echoes_what_the_preflight_asks() -> None:
    policy = CorsPolicy.from_configuration({"AllowOrigins": [ADMIN], "AllowHeaders": ["*"]})
    assert dict(policy.preflight(ADMIN, "x-custom"))["access-control-allow-headers"] == "x-custom"
    assert policy.preflight(None, "x-custom") == []
