"""Pydantic building blocks for the API.md shapes: strict bodies, trimmed text, bilingual text.

Bodies forbid unknown fields and never coerce ("5" is not an integer); strings are trimmed and
may not hold control characters other than newline and tab (API.md 1.1, 1.7), nor the invisible
bidirectional controls that make text display in an order other than the one stored."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, create_model

from pmc_common.clock import parse_iso
from pmc_common.ids import SLUG_PATTERN, WARD_PATTERN

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Unicode's invisible bidirectional controls make text display in an order other than the one stored,
# in the admin page and in Open311 feeds as much as in the app. Embeddings and overrides (U+202A-U+202E)
# and isolates (U+2066-U+2069) reorder everything up to their end: an RLO shows "fdp.exe" as "exe.pdf".
# The marks ALM, LRM, RLM (U+061C, U+200E, U+200F) are refused too: they are invisible letters of a
# direction, and an RLM before "98 76" shows "76 98", so a phone number or an amount in a description
# would read other than stored. Our languages, English and Marathi, never need one (each field is shown
# as its own paragraph); right-to-left letters themselves stay allowed, as do ZWJ and ZWNJ (Devanagari).
_BIDI_CONTROL = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain_text(value: str) -> str:
    """`value` if it holds no control character (other than newline and tab) and no bidirectional
    control; else ValueError with the message a field error carries."""
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    if _BIDI_CONTROL.search(value):
        raise ValueError("must not contain bidirectional control characters")
    return value


def text(min_length: int, max_length: int) -> Any:
    """A trimmed string of min..max code points in plain text (see plain_text): every free-text field."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(plain_text),
    ]


# Bodies and views are built (validator and serializer) on first use, not at import: a cold start builds
# only the models of the route it serves (defer_build; the OpenAPI document builds the rest when asked).


class Body(BaseModel):
    """A request body: strict types, unknown fields rejected, strings trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class View(BaseModel):
    """A response shape: every documented field present (None rendered as null)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


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


# Shared field types: every service validates wards and slugs with the same pattern (query, path or body).
Ward = Annotated[str, StringConstraints(pattern=WARD_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


def _utc_instant(value: Any) -> Any:
    """An ISO 8601 string with an offset, as an aware UTC datetime of whole seconds (API.md 1.1)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 timestamp string")
    try:
        return parse_iso(value).replace(microsecond=0)
    except (ValueError, OverflowError):
        raise ValueError("must be an ISO 8601 timestamp with a UTC offset") from None


# A timestamp in a body: with an offset (normalised to UTC), without one 422; fractions of a second dropped.
Timestamp = Annotated[datetime, BeforeValidator(_utc_instant)]
