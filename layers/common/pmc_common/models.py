"""Pydantic building blocks for the API.md shapes: strict bodies, trimmed text, bilingual text.

Bodies forbid unknown fields and never coerce ("5" is not an integer); strings are trimmed and
may not hold control characters other than newline and tab (API.md 1.1, 1.7)."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, create_model

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def text(min_length: int, max_length: int) -> Any:
    """A trimmed string of min..max code points without control characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_control_characters),
    ]


class Body(BaseModel):
    """A request body: strict types, unknown fields rejected, strings trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class View(BaseModel):
    """A response shape: every documented field present (None rendered as null)."""

    model_config = ConfigDict(extra="forbid")


class Bilingual(View):
    en: str
    mr: str


@cache
def bilingual_input(min_length: int, max_length: int) -> type[Body]:
    """A `{"en": ..., "mr": ...}` body part, both required and non-empty, with length limits."""
    field = (text(min_length, max_length), Field(...))
    model: type[Body] = create_model(  # type: ignore[call-overload]
        f"Bilingual{min_length}to{max_length}", __base__=Body, en=field, mr=field
    )
    return model
