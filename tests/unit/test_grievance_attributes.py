"""Category attributes (API.md 3.2, 3.3) in domain.check_attributes: every datatype against values of
every wrong shape, and any JSON value at all, answer Invalid naming `body.attributes.<code>`; right
values come back normalised."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grievance.domain import ATTRIBUTE_NUMBER_LIMIT, check_attributes
from pmc_common.errors import Invalid

DATATYPES = ("string", "text", "number", "datetime", "singlevaluelist", "multivaluelist")
KEYS = ("community", "door_to_door", "litter_bin")


def definition(datatype: str, required: bool = False) -> dict[str, Any]:
    values = [{"key": k, "name": {"en": k, "mr": k}} for k in KEYS] if datatype.endswith("valuelist") else []
    return {"code": "answer", "datatype": datatype, "required": required, "order": 1, "values": values}


def refusal(datatype: str, value: Any) -> Invalid:
    with pytest.raises(Invalid) as caught:
        check_attributes([definition(datatype)], {"answer": value})
    assert [e.field for e in caught.value.errors] == ["body.attributes.answer"]
    return caught.value


WRONG_SHAPES: dict[str, list[Any]] = {
    "string": [None, True, 5, 1.5, ["community"], {"a": 1}, "", "   ", "x" * 201, "a\u202eb", "a\x00b"],
    "text": [None, False, 0, ["x"], {"en": "x"}, "", "x" * 2001, "a\u2066b\u2069", "a\x1bb"],
    "number": [
        None,
        True,
        "5",
        [5],
        {"n": 5},
        10**5000,
        -(10**400),
        ATTRIBUTE_NUMBER_LIMIT + 1,
        float("nan"),
        float("inf"),
        float("-inf"),
        1e300,
    ],
    "datetime": [
        None,
        20260610,
        1.5,
        True,
        ["2026-06-10T05:12:09Z"],
        {"at": "2026-06-10T05:12:09Z"},
        "2026-06-10T05:12:09",  # no offset
        "yesterday",
        "",
        "9999-12-31T23:59:59-01:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "0999-01-01T00:00:00Z",
    ],
    "singlevaluelist": [
        None,
        True,
        1,
        ["community"],
        [["community"]],
        {"community": 1},
        {"a": 1},
        "golden",
        "",
    ],
    "multivaluelist": [
        None,
        "community",
        1,
        {"community": True},
        [["community"]],
        [{"key": "community"}],
        [1],
        [None],
        ["community", ["door_to_door"]],
        ["community", "community"],
        ["community", " community "],
        ["golden"],
    ],
}


def described(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an int of {value.bit_length()} bits"  # repr() refuses over 4300 digits
    return repr(value)[:40]


@pytest.mark.parametrize(
    ("datatype", "value"),
    [(datatype, value) for datatype, values in WRONG_SHAPES.items() for value in values],
    ids=described,
)
def test_a_wrong_value_is_invalid_naming_the_attribute(datatype: str, value: Any) -> None:
    refusal(datatype, value)


def test_bidi_controls_in_text_attributes_say_so() -> None:
    assert refusal("text", "a\u202eb").errors[0].message == "must not contain bidirectional control characters"
    assert refusal("string", "Bin\u200f 12 34").errors[0].message == "must not contain bidirectional control characters"


@pytest.mark.parametrize(
    ("datatype", "given", "kept"),
    [
        ("string", "  Behind the temple  ", "Behind the temple"),
        ("text", "कचराकुंडी भरलेली आहे\nदोन दिवस", "कचराकुंडी भरलेली आहे\nदोन दिवस"),
        ("number", 3, 3),
        ("number", -2.5, -2.5),
        ("number", ATTRIBUTE_NUMBER_LIMIT, ATTRIBUTE_NUMBER_LIMIT),
        ("datetime", "2026-06-10T10:42:09+05:30", "2026-06-10T05:12:09Z"),
        ("datetime", " 2026-06-10T05:12:09Z ", "2026-06-10T05:12:09Z"),
        ("singlevaluelist", " community ", "community"),
        ("multivaluelist", ["litter_bin", "community"], ["litter_bin", "community"]),
        ("multivaluelist", [], []),
    ],
)
def test_a_right_value_comes_back_normalised(datatype: str, given: Any, kept: Any) -> None:
    assert check_attributes([definition(datatype)], {"answer": given}) == {"answer": kept}


def test_unknown_and_missing_required_attributes_are_named() -> None:
    with pytest.raises(Invalid) as unknown:
        check_attributes([definition("string")], {"colour": "red"})
    assert unknown.value.errors[0].field == "body.attributes.colour"
    with pytest.raises(Invalid) as missing:
        check_attributes([definition("number", required=True)], {})
    assert missing.value.errors[0].field == "body.attributes.answer"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**80), max_value=10**80)
    | st.floats()
    | st.text()
    | st.sampled_from(KEYS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.sampled_from(DATATYPES), json_values)
def test_any_json_value_is_accepted_or_invalid_never_another_error(datatype: str, value: Any) -> None:
    named: list[str] = []
    try:
        checked = check_attributes([definition(datatype)], {"answer": value})
    except Invalid as invalid:  # any other exception fails the test
        named = [e.field for e in invalid.errors]
    else:
        assert set(checked) == {"answer"}
    assert named in ([], ["body.attributes.answer"])
