"""Opaque paging cursors (API.md 1.8): base64url, HMAC-signed, bound to route and filters.

A cursor carries a DynamoDB LastEvaluatedKey; a tampered, truncated or re-bound cursor is a 400."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from pmc_common.errors import BadRequest


class Page[T](BaseModel):
    # Page[X] is a route's response_model, read only for the OpenAPI document: not built at import.
    model_config = ConfigDict(defer_build=True)

    items: list[T]
    next_cursor: str | None = None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Cursors:
    """Signs and checks cursors with the function's cursor secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"pmc-cursor|" + secret.encode()).digest()

    def _mac(self, payload: bytes, route: str, filters: dict[str, Any]) -> bytes:
        binding = _canonical({"route": route, "filters": filters})
        return hmac.new(self._key, binding + b"|" + payload, hashlib.sha256).digest()[:16]

    def encode(self, position: dict[str, Any] | None, route: str, filters: dict[str, Any]) -> str | None:
        """The next page's cursor, or None when `position` says this was the last page."""
        if not position:
            return None
        payload = _canonical(position)
        return f"{_b64(payload)}.{_b64(self._mac(payload, route, filters))}"

    def decode(self, cursor: str | None, route: str, filters: dict[str, Any]) -> dict[str, Any] | None:
        if cursor is None or cursor == "":
            return None
        invalid = BadRequest("The cursor is not valid for this request", code="invalid_cursor")
        try:
            payload_text, mac_text = cursor.split(".")
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except ValueError:
            raise invalid from None
        if not hmac.compare_digest(mac, self._mac(payload, route, filters)):
            raise invalid
        position = json.loads(payload)
        if not isinstance(position, dict):
            raise invalid
        return position
