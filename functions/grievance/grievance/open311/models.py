"""The JSON shapes of the Open311 key routes (API.md 6), answered as problem+json on error like the rest."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from pmc_common.models import Body, View, text

EMAIL_MAX = 254


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in value):
        raise ValueError("must be an email address")
    return value


class Open311KeyCreate(Body):
    name: text(3, 80)  # type: ignore[valid-type]
    contact_email: Annotated[text(3, EMAIL_MAX) | None, AfterValidator(_email)]  # type: ignore[valid-type]


class Open311KeyView(View):
    id: str
    name: str
    contact_email: str | None
    key_prefix: str
    api_key: str | None
    created_at: str
    last_used_at: str | None
    revoked_at: str | None
