"""Strong ETags and conditional requests for public reads and admin writes (API.md 1.9)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from pmc_common.errors import PreconditionFailed

NO_STORE = "no-store"


def render(payload: Any) -> bytes:
    """The one JSON encoding of every response, so an ETag is a function of the data alone."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches(header: str | None, etag: str) -> bool:
    """Weak comparison against an If-None-Match / If-Match list; `*` matches anything."""
    if not header:
        return False
    wanted = _opaque(etag)
    return any(part.strip() == "*" or _opaque(part) == wanted for part in header.split(","))


def cached_json(request: Request, payload: Any, max_age: int) -> Response:
    """A public read: strong ETag, public max-age, and 304 when the client already has it."""
    body = render(payload)
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


def require_current(request: Request, current_etag: str) -> None:
    """Optional If-Match on writes: a stale tag is a 412 and nothing changes."""
    header = request.headers.get("if-match")
    if header is not None and not matches(header, current_etag):
        raise PreconditionFailed("The object changed since you read it (If-Match does not match)")
