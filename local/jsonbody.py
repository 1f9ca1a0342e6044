"""Bounded JSON for the local stack's own helpers (/_local/token, /_local/schedules/*): strict UTF-8,
nesting at most 64 deep, numbers at most 100 characters, no NaN or Infinity. A hostile body is a 400,
never a RecursionError or a second-long int conversion; messages never echo the body."""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
MAX_NUMBER_LENGTH = 100

_SIGNIFICANT = re.compile(r'[\\"\[\]{}]')  # what the depth scan looks at: escapes, quotes, brackets


class BadJson(ValueError):
    """The body is not acceptable JSON; the message says why, safe to return to the client."""


def loads(body: bytes, *, max_depth: int = MAX_DEPTH, max_number_length: int = MAX_NUMBER_LENGTH) -> Any:
    """Parse a request body, or raise BadJson."""
    try:
        text = body.decode("utf-8")  # strict: no lone surrogates, no overlong forms (json.loads allows both)
    except UnicodeDecodeError:
        raise BadJson("Body is not UTF-8") from None
    if nesting_depth(text) > max_depth:
        raise BadJson(f"Body nests deeper than {max_depth} levels")

    def integer(digits: str) -> int:
        if len(digits) > max_number_length:
            raise BadJson(f"Body has a number longer than {max_number_length} characters")
        return int(digits)

    def number(literal: str) -> float:
        if len(literal) > max_number_length:
            raise BadJson(f"Body has a number longer than {max_number_length} characters")
        value = float(literal)
        if not math.isfinite(value):
            raise BadJson("Body has a number out of range")
        return value

    def constant(name: str) -> Any:
        raise BadJson(f"Body has {name}, which is not JSON")

    try:
        return json.loads(text, parse_int=integer, parse_float=number, parse_constant=constant)
    except BadJson:
        raise
    except ValueError:
        raise BadJson("Body is not JSON") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, brackets inside strings not counted; one linear pass.
    Invalid JSON gets some number: json.loads rejects it afterwards."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the position a backslash escapes, inside a string
    for match in _SIGNIFICANT.finditer(text):
        position, character = match.start(), match.group()
        if position == escaped_at:
            continue
        if in_string:
            if character == "\\":
                escaped_at = position + 1
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest
