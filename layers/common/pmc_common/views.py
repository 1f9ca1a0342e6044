"""A route's reply: its API.md view shaped from a domain object or a stored document, as a JSON response.

A route never returns a domain object or a stored item as it is: only the view's fields leave, each present."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from pmc_common.caching import render


def shaped(view: type[BaseModel], source: Mapping[str, Any] | object, **computed: Any) -> dict[str, Any]:
    """The view's fields from `source`, those in `computed` instead, validated and ready to render. A
    stored document (a mapping) may lack a field, which is then null (API.md 1.1); an object must have it."""
    if isinstance(source, Mapping):
        fields = {name: computed[name] if name in computed else source.get(name) for name in view.model_fields}
    else:
        fields = {name: computed[name] if name in computed else getattr(source, name) for name in view.model_fields}
    return view.model_validate(fields).model_dump(mode="json")


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON reply in the one encoding every response uses (pmc_common.caching.render)."""
    return Response(render(payload), status_code=status, media_type="application/json", headers=headers)
