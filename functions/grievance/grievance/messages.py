"""The SMS texts of API.md 3.11, one language per message (issue 16): each recipient gets the English or the
Marathi line of the table in the language they chose (GET/PUT /me/preferences, Marathi by default), never
both, so a text stays within 2 segments (`segments`). Pure text, with the grievance id and the new status or
escalation; never notes, names of people or addresses.

SMS are billed per segment. English is sent in GSM-7 (160 characters, 153 a part when split): a single
character outside it (the en dash of "Kasba–Vishrambaug Wada") would send the whole text as UCS-2 (70, 67 a
part), so English texts spell such characters in GSM-7 (`gsm7`). Marathi is always UCS-2."""

from __future__ import annotations

import math
from typing import Literal

from grievance import reference

Recipient = Literal["owner", "follower"]
Language = Literal["en", "mr"]

# Status labels exactly as API.md 3.11 lists them; the English one keeps its capital mid-sentence
# ("is now In progress.") so the SMS shows the same label as the app.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "submitted": ("Submitted", "नोंदवली"),
    "assigned": ("Assigned", "कर्मचाऱ्याकडे सोपवली"),
    "in_progress": ("In progress", "काम सुरू"),
    "resolved": ("Resolved", "निवारण झाले"),
    "closed": ("Closed", "बंद"),
    "rejected": ("Rejected", "नाकारली"),
    "reopened": ("Reopened", "पुन्हा उघडली"),
}

# GSM 03.38: the basic set (1 septet each) and its extension table (2 septets each: escape + character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# Characters of our reference names outside GSM-7, written as GSM-7 in English texts.
_TO_GSM7 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})
MAX_SEGMENTS = 2


def status_changed(grievance_id: str, status: str, recipient: Recipient, language: Language) -> str:
    """The SMS for a new status, worded for the owner or for a follower, in one language."""
    status_en, status_mr = STATUS_LABELS[status]
    # Proof of fix (issue 20): the owner of a resolved grievance is asked to confirm it (a rating closes it)
    # or reopen it within the 7 days (API.md 3.7); followers can do neither, so their text is unchanged.
    ask = recipient == "owner" and status == "resolved"
    if language == "en":
        if recipient == "owner":
            asked = " Fixed? Rate it in the app. Not fixed? Reopen it there within 7 days." if ask else ""
            return gsm7(f"PMC CARE: Your complaint {grievance_id} is now {status_en}.{asked}")
        return gsm7(f"PMC CARE: Complaint {grievance_id} you follow is now {status_en}.")
    if recipient == "owner":
        asked = " काम झाले असल्यास ॲपमध्ये गुण द्या, नसल्यास 7 दिवसांत पुन्हा उघडा." if ask else ""
        return f"PMC CARE: आपली तक्रार {grievance_id} - सद्यस्थिती: {status_mr}.{asked}"
    return f"PMC CARE: आपण पाठपुरावा करत असलेली तक्रार {grievance_id} - सद्यस्थिती: {status_mr}."


def escalated(grievance_id: str, level: int, ward: str, department: str, language: Language) -> str:
    """The SMS for an escalation, the same for the owner and every follower, in one language."""
    authority_en, authority_mr = authority(level, ward, department)
    if language == "en":
        return gsm7(
            f"PMC CARE: Complaint {grievance_id} is overdue and has been escalated to the {authority_en} "
            f"(level {level})."
        )
    # "मुदत उलटल्याने" (its time limit passed) where API.md's two-language table had "मुदतीत निकाली न
    # निघाल्याने": 12 characters fewer keep the longest department's text within 2 segments (129 of 134)
    return f"PMC CARE: तक्रार {grievance_id} मुदत उलटल्याने {authority_mr} यांच्याकडे पाठवली आहे (स्तर {level})."


def authority(level: int, ward: str, department: str) -> tuple[str, str]:
    """Who a grievance goes to at an escalation level (API.md 3.10), in English and Marathi.

    Level 1 names the ward office by its name (not its W01..W15 code, which citizens do not know);
    level 2 the department by its name without a trailing "Department"/"विभाग", which the sentence
    already says ("head of the Road department", "पथ विभागप्रमुख")."""
    if level == 1:
        names = reference.ward_names().get(ward, {"en": ward, "mr": ward})
        return f"Assistant Commissioner, {names['en']}", f"सहाय्यक आयुक्त, {names['mr']}"
    if level == 2:
        names = reference.departments().get(department, {"en": department, "mr": department})
        name_en = names["en"].removesuffix(" Department")
        name_mr = names["mr"].removesuffix(" विभाग")
        return f"head of the {name_en} department", f"{name_mr} विभागप्रमुख"
    if level == 3:
        return "Municipal Commissioner's office", "महापालिका आयुक्त कार्यालय"
    raise ValueError(f"no escalation authority for level {level}")


def gsm7(text: str) -> str:
    """`text` with the dashes and quotes of our names in GSM-7, so an English SMS is not sent as UCS-2."""
    return text.translate(_TO_GSM7)


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def segments(text: str) -> int:
    """How many SMS segments `text` is billed as: GSM-7 when every character is in it (160 septets alone,
    153 a part of a longer text; an extension character takes 2), else UCS-2 (70 UTF-16 code units alone,
    67 a part)."""
    if is_gsm7(text):
        units, single, part = sum(2 if c in GSM7_EXTENDED else 1 for c in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)
