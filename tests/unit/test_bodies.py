"""The bounded JSON body parser: its limits at their edges, and that no input makes it fail otherwise
than with BadRequest (a 400), whatever the bytes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pmc_common.bodies import MAX_DEPTH, MAX_NUMBER_CHARS, parse_json_body
from pmc_common.errors import BadRequest


def refused(raw: bytes) -> str:
    with pytest.raises(BadRequest) as caught:
        parse_json_body(raw)
    return caught.value.detail


def nested(depth: int, opener: str = "[", closer: str = "]") -> bytes:
    return (opener * depth + closer * depth).encode()


def test_a_body_as_deep_as_the_limit_is_read_and_one_level_more_is_refused() -> None:
    assert parse_json_body(nested(MAX_DEPTH)) is not None
    assert "deeper than 32" in refused(nested(MAX_DEPTH + 1))
    objects = '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    assert "deeper than 32" in refused(objects.encode())


def test_deep_nesting_is_refused_without_recursing_even_when_unclosed() -> None:
    assert "deeper" in refused(nested(10_000))
    assert "deeper" in refused(b"[" * 200_000)
    assert "deeper" in refused(b'{"a":' * 10_000)


def test_brackets_and_digits_inside_strings_do_not_count() -> None:
    inside = json.dumps({"description": "[" * 100 + "{" * 100 + "9" * 5000 + '"\\' * 50})
    assert parse_json_body(inside.encode())["description"].startswith("[" * 100)


def test_a_number_as_long_as_the_limit_is_read_and_a_longer_one_is_refused() -> None:
    assert parse_json_body(b"9" * MAX_NUMBER_CHARS) == int("9" * MAX_NUMBER_CHARS)
    assert parse_json_body(("-0." + "1" * (MAX_NUMBER_CHARS - 3)).encode()) < 0
    assert "number longer than 64" in refused(b"9" * (MAX_NUMBER_CHARS + 1))
    assert "number longer than 64" in refused(b'{"lat": ' + b"9" * 5000 + b"}")
    assert "number longer than 64" in refused(b"[1e" + b"9" * 4999 + b"]")


@pytest.mark.parametrize("raw", [b"NaN", b"[Infinity]", b'{"a": -Infinity}'])
def test_python_only_constants_are_not_json(raw: bytes) -> None:
    assert refused(raw) == "The request body is not valid JSON"


@pytest.mark.parametrize("raw", [b"1e999", b"[-1e400]", b'{"lat": 2e308}'])
def test_a_number_no_double_holds_is_refused(raw: bytes) -> None:
    assert refused(raw) == "The request body has a number out of range"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"description": "\xff\xfe"}',  # not UTF-8 at all
        b'{"description": "\xed\xa0\x80"}',  # an encoded surrogate
        b'{"description": "caf\xe9"}',  # Latin-1
        '{"a": 1}'.encode("utf-16"),
    ],
)
def test_a_body_that_is_not_utf8_is_refused(raw: bytes) -> None:
    assert refused(raw) == "The request body is not UTF-8"


def test_a_byte_order_mark_is_refused() -> None:
    assert refused(b'\xef\xbb\xbf{"a": 1}') == "The request body is not valid JSON"


@pytest.mark.parametrize("raw", [rb'"\ud800"', rb'{"\udc00": 1}', rb'["ok", {"a": ["\udbff x"]}]'])
def test_an_unpaired_surrogate_escape_is_refused(raw: bytes) -> None:
    assert "not Unicode text" in refused(raw)


def test_a_paired_surrogate_escape_and_an_escaped_backslash_are_text() -> None:
    assert parse_json_body(rb'"\ud83d\ude00"') == "\N{GRINNING FACE}"
    assert parse_json_body(rb'"\\ud800"') == "\\ud800"


def test_a_duplicate_member_name_is_refused() -> None:
    assert "duplicate" in refused(b'{"description": "one text", "description": "another"}')
    assert parse_json_body(b'[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize("raw", [b"{not json", b"", b'{"a": 1', b'"open', b"[1,]", b"\\", b'{"a" 1}'])
def test_malformed_json_is_refused(raw: bytes) -> None:
    assert refused(raw) == "The request body is not valid JSON"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@given(json_values, st.booleans())
def test_any_json_value_within_the_limits_reads_as_json_loads_reads_it(value: Any, ascii_only: bool) -> None:
    assume(depth(value) <= MAX_DEPTH)
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert parse_json_body(raw) == json.loads(raw)


@given(st.binary(max_size=300))
def test_any_bytes_give_a_value_or_bad_request(raw: bytes) -> None:
    with contextlib.suppress(BadRequest):  # anything else fails the test
        parse_json_body(raw)


@given(st.text(alphabet='[]{}",:\\0123456789.eE+-tfnrul aNIy', max_size=300))
def test_any_json_like_text_gives_a_value_or_bad_request(text: str) -> None:
    with contextlib.suppress(BadRequest):
        parse_json_body(text.encode())
