"""Domain errors and their one mapping to RFC 9457 problem+json (API.md 1.6).

Raise these where a fact is known; never build an error response by hand in a route."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

PROBLEM_BASE = "https://pmc.example/problems/"
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str  # body./query./path./header. + dotted path
    message: str


@dataclass
class DomainError(Exception):
    """Base of every error a service raises on purpose. `detail` is English and never personal."""

    detail: str
    code: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __post_init__(self) -> None:
        super().__init__(self.detail)


class BadRequest(DomainError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Unauthorized"


class InvalidSignature(DomainError):
    status, slug, title = 401, "invalid-signature", "Invalid signature"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(DomainError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class Invalid(DomainError):
    status, slug, title = 422, "validation", "Validation failed"

    @classmethod
    def of(cls, field_name: str, message: str, code: str | None = None) -> Invalid:
        return cls(detail="1 field is invalid", code=code, errors=[FieldError(field_name, message)])


class TooManyRequests(DomainError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class Internal(DomainError):
    pass


def problem_body(error: DomainError, instance: str, request_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": instance,
        "request_id": request_id,
        "code": error.code,
    }
    if error.status == 422:
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    return body
