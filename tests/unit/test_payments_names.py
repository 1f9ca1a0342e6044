"""Owners' names (API.md 4.3): the quick view's mask and the link's comparison after NFKC, case folding and
removal of all whitespace."""

from __future__ import annotations

import pytest

from payments.domain import masked_name, same_owner


@pytest.mark.parametrize(
    ("name", "mask"),
    [
        ("Ramesh Kulkarni", "R***** K*******"),
        ("Ramesh  Kulkarni ", "R***** K*******"),
        ("A B", "A B"),
        ("Sunita\tDeshpande", "S***** D********"),
        ("रमेश कुलकर्णी", "र*** क*******"),
    ],
)
def test_each_word_keeps_its_first_character(name: str, mask: str) -> None:
    assert masked_name(name) == mask


@pytest.mark.parametrize(
    "given",
    ["ramesh  KULKARNI", "Ramesh Kulkarni", "RameshKulkarni", " ramesh\tkulkarni\n", "Ｒａｍｅｓｈ Ｋｕｌｋａｒｎｉ"],
)
def test_names_match_after_nfkc_casefold_and_whitespace_removal(given: str) -> None:
    assert same_owner(given, "Ramesh Kulkarni")


@pytest.mark.parametrize("given", ["Ramesh Kulkarny", "Ramesh", "Suresh Kulkarni", "Ramesh-Kulkarni"])
def test_other_names_do_not_match(given: str) -> None:
    assert not same_owner(given, "Ramesh Kulkarni")


def test_case_folding_is_full() -> None:
    assert same_owner("STRASSE", "straße")
