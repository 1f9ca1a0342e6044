"""Free text (API.md 1.1): pmc_common.models.text() refuses control characters and the invisible
bidirectional controls, and every free-text field of the grievance and lookup bodies is built on it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from grievance import models as grievance_models
from lookup import models as lookup_models
from pmc_common.models import Body, bilingual_input, plain_text, text

BIDI_CONTROLS = {
    "LRE": "\u202a",
    "RLE": "\u202b",
    "PDF": "\u202c",
    "LRO": "\u202d",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "RLI": "\u2067",
    "FSI": "\u2068",
    "PDI": "\u2069",
    "ALM": "\u061c",
    "LRM": "\u200e",
    "RLM": "\u200f",
}
Note = TypeAdapter(text(1, 100))


@pytest.mark.parametrize("control", BIDI_CONTROLS.values(), ids=BIDI_CONTROLS.keys())
def test_text_refuses_every_bidirectional_control(control: str) -> None:
    with pytest.raises(ValidationError, match="must not contain bidirectional control characters"):
        Note.validate_python(f"Pay at window {control}21 12")
    with pytest.raises(ValueError, match="bidirectional"):
        plain_text(control)


@pytest.mark.parametrize(
    "written",
    [
        "कचरा तीन दिवसांपासून उचलला गेला नाही.",  # Marathi
        "क्ष ज्ञ श्र and र‍्य",  # conjuncts, one with a zero-width joiner
        "शुभ‌रात्री",  # zero-width non-joiner
        "کچرا نہیں اٹھایا گیا",  # Urdu letters: right-to-left text itself is welcome
        "Line one\nline two\twith a tab",
        "Émile's café — 25 ₹",
    ],
)
def test_text_keeps_what_people_write(written: str) -> None:
    assert Note.validate_python(f"  {written}  ") == written


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\r"])
def test_text_still_refuses_control_characters(control: str) -> None:
    with pytest.raises(ValidationError, match="must not contain control characters"):
        Note.validate_python(f"a{control}b")


def test_a_bilingual_input_refuses_them_in_each_language() -> None:
    Name = bilingual_input(2, 120)
    with pytest.raises(ValidationError) as caught:
        Name.model_validate({"en": "Kasba \u202eoffice", "mr": "कसबा\u2067 कार्यालय"})
    assert sorted(e["loc"] for e in caught.value.errors()) == [("en",), ("mr",)]


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (lookup_models.WhoIn, "email", "ward07\u202e@pmc.gov.in"),
        (lookup_models.WhoIn, "email", "ward07\x00@pmc.gov.in"),
        (lookup_models.FacilityIn, "website", "https://pmc.gov.in/\u202egpj.exe"),
    ],
)
def test_email_and_website_are_plain_text_too(model: type[Body], field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({field: value})
    assert (field,) in [e["loc"] for e in caught.value.errors()]


REQUEST_BODIES = [
    grievance_models.GrievanceCreate,
    grievance_models.StaffChange,
    grievance_models.FeedbackBody,
    grievance_models.ReopenBody,
    lookup_models.ContactIn,
    lookup_models.OfficeIn,
    lookup_models.WhoIn,
    lookup_models.FacilityIn,
]
# Values of each shape a text field takes, each valid for any length limit of ours (10 to 20 characters)
SHAPES: list[Any] = [
    "Kasba Peth road",
    {"en": "Kasba Peth road", "mr": "कसबा पेठ रस्ता"},
    [{"en": "Kasba Peth road", "mr": "कसबा पेठ रस्ता"}],
    "kasba@pmc.gov.in",
    "https://pmc.gov.in/kasba",
]


def spoofed(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("asba", "asba\u202e")
    if isinstance(value, dict):
        return {k: spoofed(v) for k, v in value.items()}
    return [spoofed(v) for v in value]


def field_errors(model: type[Body], name: str, value: Any) -> list[Any]:
    try:
        model.model_validate({name: value})
    except ValidationError as error:
        return [e for e in error.errors() if e["loc"][:1] == (name,)]
    return []


@pytest.mark.parametrize("model", REQUEST_BODIES, ids=lambda m: m.__name__)
def test_no_field_of_a_request_body_takes_a_bidi_control(model: type[Body]) -> None:
    """Every field that takes some text takes it as plain text: a bare `str` field fails this test."""
    for name in model.model_fields:
        if name == "attributes":
            continue  # any JSON value, checked per datatype by check_attributes (test_grievance_attributes)
        for value in SHAPES:
            if field_errors(model, name, value):
                continue  # not a shape this field takes
            errors = field_errors(model, name, spoofed(value))
            assert errors, f"{model.__name__}.{name} takes a bidi control"
            assert all("bidirectional" in e["msg"] for e in errors if e["type"] == "value_error")
