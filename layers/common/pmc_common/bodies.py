"""The bounded reading of a JSON request body (API.md 1.1, 1.7): I-JSON in UTF-8, at most MAX_DEPTH deep,
numbers of at most MAX_NUMBER_CHARS characters. Any other body is a 400, never a crash; this module never
recurses over untrusted input, and it checks the limits before the standard parser sees the text."""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from pmc_common.errors import BadRequest

# Our bodies nest four levels at most; 32 leaves room for growth and stays far below the recursion
# limit that Python's json module would hit.
MAX_DEPTH = 32
# Enough for any float a JSON encoder writes (about 24 characters) and for every integer the API takes;
# far below the 4300 digits at which int() refuses to convert.
MAX_NUMBER_CHARS = 64

# What lies outside strings: with every escape dropped, no quote is left inside a string, so the pieces
# between quotes alternate outside, inside, outside. A run of number characters longer than allowed (the
# look-behind keeps the search linear inside a long run), and the brackets that open and close a level.
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_LONG_NUMBER = re.compile(rf"(?<![-+.0-9eE])[-+.0-9eE]{{{MAX_NUMBER_CHARS + 1},}}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_LEVEL_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}

# A surrogate reaches a parsed string only through an escape (strict UTF-8 decoding refuses encoded ones)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

NOT_JSON = "The request body is not valid JSON"


def parse_json_body(raw: bytes) -> Any:
    """The JSON value in `raw`, or BadRequest: not UTF-8, not JSON (NaN and Infinity are not JSON), nested
    deeper than MAX_DEPTH, a number longer than MAX_NUMBER_CHARS or out of range, a duplicate member name,
    an unpaired surrogate (RFC 7493 forbids the last three)."""
    try:
        text = raw.decode("utf-8")  # strict: a byte order mark is left in, and json refuses it
    except UnicodeDecodeError:
        raise BadRequest("The request body is not UTF-8") from None
    _check_limits(text)
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_unique_members
        )
    except json.JSONDecodeError:
        raise BadRequest(NOT_JSON) from None
    if _SURROGATE_ESCAPE.search(text):
        _check_strings(value)
    return value


def _check_limits(text: str) -> None:
    """Number length and depth in linear time, before json.loads (which recurses, and refuses long integers
    with a ValueError of its own). Exact on valid JSON; on invalid JSON json.loads fails anyway, and never
    deeper than the valid prefix measured here."""
    outside_strings = " ".join(_ESCAPE.sub("", text).split('"')[::2])
    if _LONG_NUMBER.search(outside_strings):
        raise BadRequest(f"The request body has a number longer than {MAX_NUMBER_CHARS} characters")
    brackets = outside_strings.encode().translate(None, _NOT_BRACKETS)
    if max(accumulate(map(_LEVEL_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH:
        raise BadRequest(f"The request body nests deeper than {MAX_DEPTH} levels")


def _refuse_constant(name: str) -> Any:
    raise BadRequest(NOT_JSON)  # NaN, Infinity, -Infinity: Python's extensions, not JSON


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):  # 1e999: no IEEE 754 double holds it
        raise BadRequest("The request body has a number out of range")
    return number


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):  # parsers disagree on which duplicate wins: accept none
        raise BadRequest("The request body has an object with a duplicate member name")
    return members


def _check_strings(value: Any) -> None:
    """No unpaired surrogate (a `\\ud800` escape) in any string or member name: it is no Unicode text."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest("The request body has a string that is not Unicode text") from None
