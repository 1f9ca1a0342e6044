"""The SMS texts of API.md 3.11, one language per message (issue 16), character for character."""

from __future__ import annotations

import pytest

from grievance import messages

ID = "GRV-2606-7K3M9Q"


@pytest.mark.parametrize(
    ("status", "english", "marathi"),
    [
        ("submitted", "Submitted", "नोंदवली"),
        ("assigned", "Assigned", "कर्मचाऱ्याकडे सोपवली"),
        ("in_progress", "In progress", "काम सुरू"),
        ("resolved", "Resolved", "निवारण झाले"),
        ("closed", "Closed", "बंद"),
        ("rejected", "Rejected", "नाकारली"),
        ("reopened", "Reopened", "पुन्हा उघडली"),
    ],
)
def test_status_sms_for_the_owner_and_for_a_follower(status: str, english: str, marathi: str) -> None:
    asked_en, asked_mr = RESOLVED_ASKS if status == "resolved" else ("", "")
    assert messages.status_changed(ID, status, "owner", "en") == (
        f"PMC CARE: Your complaint {ID} is now {english}.{asked_en}"
    )
    assert messages.status_changed(ID, status, "owner", "mr") == (
        f"PMC CARE: आपली तक्रार {ID} - सद्यस्थिती: {marathi}.{asked_mr}"
    )
    assert messages.status_changed(ID, status, "follower", "en") == (
        f"PMC CARE: Complaint {ID} you follow is now {english}."
    )
    assert messages.status_changed(ID, status, "follower", "mr") == (
        f"PMC CARE: आपण पाठपुरावा करत असलेली तक्रार {ID} - सद्यस्थिती: {marathi}."
    )


# Issue 20: the owner of a resolved grievance is asked to confirm (rate) or reopen it; followers are not.
RESOLVED_ASKS = (
    " Fixed? Rate it in the app. Not fixed? Reopen it there within 7 days.",
    " काम झाले असल्यास ॲपमध्ये गुण द्या, नसल्यास 7 दिवसांत पुन्हा उघडा.",
)


def test_the_resolved_sms_asks_its_owner_to_confirm_or_reopen_within_two_segments() -> None:
    english = messages.status_changed(ID, "resolved", "owner", "en")
    marathi = messages.status_changed(ID, "resolved", "owner", "mr")
    assert "Rate it" in english
    assert "Reopen it" in english
    assert "पुन्हा उघडा" in marathi
    assert messages.is_gsm7(english)
    assert (messages.segments(english), messages.segments(marathi)) == (1, 2)
    assert "Reopen" not in messages.status_changed(ID, "resolved", "follower", "en")


def test_every_status_has_a_label() -> None:
    from grievance.domain import STATUSES

    assert set(messages.STATUS_LABELS) == set(STATUSES)


def test_level_one_goes_to_the_assistant_commissioner_of_the_ward_by_name() -> None:
    assert messages.escalated(ID, 1, "W07", "solid_waste_management", "en") == (
        f"PMC CARE: Complaint {ID} is overdue and has been escalated to the "
        "Assistant Commissioner, Kasba-Vishrambaug Wada (level 1)."  # the en dash in GSM-7 (a hyphen)
    )
    assert messages.escalated(ID, 1, "W07", "solid_waste_management", "mr") == (
        f"PMC CARE: तक्रार {ID} मुदत उलटल्याने सहाय्यक आयुक्त, कसबा–विश्रामबागवाडा यांच्याकडे पाठवली आहे (स्तर 1)."
    )


def test_level_two_goes_to_the_department_head() -> None:
    assert messages.escalated(ID, 2, "W07", "solid_waste_management", "en") == (
        f"PMC CARE: Complaint {ID} is overdue and has been escalated to the "
        "head of the Solid Waste Management department (level 2)."
    )
    assert messages.escalated(ID, 2, "W07", "solid_waste_management", "mr") == (
        f"PMC CARE: तक्रार {ID} मुदत उलटल्याने घनकचरा व्यवस्थापन विभागप्रमुख यांच्याकडे पाठवली आहे (स्तर 2)."
    )


def test_a_department_named_department_is_not_named_twice() -> None:
    assert messages.authority(2, "W07", "roads") == ("head of the Road department", "पथ विभागप्रमुख")
    assert messages.authority(2, "W07", "drainage") == (
        "head of the Drainage (Sewerage) department",
        "मलनिःसारण (ड्रेनेज) विभागप्रमुख",
    )


def test_level_three_goes_to_the_commissioners_office() -> None:
    assert messages.escalated(ID, 3, "W07", "roads", "en") == (
        f"PMC CARE: Complaint {ID} is overdue and has been escalated to the Municipal Commissioner's office (level 3)."
    )
    assert messages.escalated(ID, 3, "W07", "roads", "mr") == (
        f"PMC CARE: तक्रार {ID} मुदत उलटल्याने महापालिका आयुक्त कार्यालय यांच्याकडे पाठवली आहे (स्तर 3)."
    )


def test_there_is_no_fourth_level() -> None:
    with pytest.raises(ValueError, match="level 4"):
        messages.authority(4, "W07", "roads")


@pytest.mark.parametrize("ward", [f"W{n:02d}" for n in range(1, 16)])
def test_every_ward_has_a_name_in_both_languages(ward: str) -> None:
    english, marathi = messages.authority(1, ward, "roads")
    assert ward not in english
    assert ward not in marathi
    assert marathi.startswith("सहाय्यक आयुक्त, ")


def test_each_text_is_one_line_in_one_language() -> None:
    for language in ("en", "mr"):
        for text in (
            messages.status_changed(ID, "resolved", "owner", language),
            messages.escalated(ID, 2, "W01", "health", language),
        ):
            assert "\n" not in text
            assert text.isascii() == (language == "en")
