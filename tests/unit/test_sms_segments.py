"""SMS segments (issue 16): every text the notifier can send is billed as at most 2 segments. Counted for
the longest values that can occur: every status, recipient, escalation level, ward and department name
of the reference data, and a grievance id (always 15 characters)."""

from __future__ import annotations

import itertools

import pytest

from grievance import messages, reference
from grievance.messages import segments

ID = "GRV-2606-7K3M9Q"  # every grievance id has this length (API.md 1.2)
LANGUAGES: tuple[messages.Language, ...] = ("en", "mr")


# --- the counting itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("a" * 160, 1),  # GSM-7: 160 septets in one SMS
        ("a" * 161, 2),  # then 153 a part
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # an extension character takes two septets
        ("{" * 81, 2),
        ("é@£" * 53 + "Δ", 1),  # GSM-7's own accented letters and symbols stay GSM-7
        ("क" * 70, 1),  # UCS-2: 70 characters in one SMS
        ("क" * 71, 2),  # then 67 a part
        ("क" * 134, 2),
        ("क" * 135, 3),
        ("a" * 69 + "–", 1),  # one en dash makes an English text UCS-2
        ("a" * 70 + "–", 2),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_segments(text: str, expected: int) -> None:
    assert segments(text) == expected


def test_english_with_an_en_dash_is_written_in_gsm7() -> None:
    assert not messages.is_gsm7("Kasba–Vishrambaug Wada")
    assert messages.gsm7("Kasba–Vishrambaug Wada") == "Kasba-Vishrambaug Wada"
    assert messages.is_gsm7(messages.gsm7("“Municipal Commissioner’s office” — level 3"))


# --- every text the notifier sends --------------------------------------------------------------


def every_text() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for language, status, recipient in itertools.product(LANGUAGES, messages.STATUS_LABELS, ("owner", "follower")):
        texts.append((language, messages.status_changed(ID, status, recipient, language)))  # type: ignore[arg-type]
    for language, level, ward, department in itertools.product(
        LANGUAGES, (1, 2, 3), reference.WARDS, sorted(reference.departments())
    ):
        texts.append((language, messages.escalated(ID, level, ward, department, language)))
    return texts


def test_every_text_is_at_most_two_segments() -> None:
    texts = every_text()
    assert len(texts) == 2 * (7 * 2 + 3 * 15 * len(reference.departments()))
    worst = max(texts, key=lambda t: (segments(t[1]), len(t[1])))
    assert segments(worst[1]) <= messages.MAX_SEGMENTS, worst


def test_english_texts_are_one_gsm7_segment_and_marathi_ones_two_ucs2_segments() -> None:
    """The longest of each: English in GSM-7 fits one SMS; Marathi (UCS-2) two."""
    by_language = {lang: [t for lg, t in every_text() if lg == lang] for lang in LANGUAGES}
    assert all(messages.is_gsm7(t) for t in by_language["en"])
    assert max(segments(t) for t in by_language["en"]) == 1
    assert max(len(t) for t in by_language["en"]) <= 160
    assert not any(messages.is_gsm7(t) for t in by_language["mr"])
    assert max(segments(t) for t in by_language["mr"]) == 2
    assert max(len(t) for t in by_language["mr"]) <= 134


def test_the_longest_values_are_the_ones_counted() -> None:
    """The worst cases named: the longest department (level 2) and ward (level 1) names, level 3."""
    longest_department = max(reference.departments(), key=lambda d: len(reference.departments()[d]["mr"]))
    text = messages.escalated(ID, 2, "W01", longest_department, "mr")
    assert len(text) == 129
    assert segments(text) == 2
    longest_ward = max(reference.WARDS, key=lambda w: len(reference.ward_names()[w]["en"]))
    text = messages.escalated(ID, 1, longest_ward, "roads", "en")
    assert len(text) == 136
    assert segments(text) == 1


def test_both_languages_in_one_message_were_three_or_more_segments() -> None:
    """Why issue 16 asked for one language: the old two-line text of the same events."""
    follower = messages.status_changed(ID, "assigned", "follower", "en") + "\n"
    follower += messages.status_changed(ID, "assigned", "follower", "mr")
    assert segments(follower) == 3
    longest = max(
        (
            messages.escalated(ID, 2, "W01", d, "en") + "\n" + messages.escalated(ID, 2, "W01", d, "mr")
            for d in reference.departments()
        ),
        key=len,
    )
    assert segments(longest) == 5
