"""The SMS texts of API.md 3.11: two lines, English then Marathi, with the grievance id and the new
status or escalation. Pure text; never puts notes, names of people or addresses into a message."""

from __future__ import annotations

from typing import Literal

from grievance import reference

Recipient = Literal["owner", "follower"]

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


def status_changed(grievance_id: str, status: str, recipient: Recipient) -> str:
    """The SMS for a new status, worded for the owner or for a follower."""
    status_en, status_mr = STATUS_LABELS[status]
    if recipient == "owner":
        english = f"PMC CARE: Your complaint {grievance_id} is now {status_en}."
        marathi = f"PMC CARE: आपली तक्रार {grievance_id} - सद्यस्थिती: {status_mr}."
    else:
        english = f"PMC CARE: Complaint {grievance_id} you follow is now {status_en}."
        marathi = f"PMC CARE: आपण पाठपुरावा करत असलेली तक्रार {grievance_id} - सद्यस्थिती: {status_mr}."
    return f"{english}\n{marathi}"


def escalated(grievance_id: str, level: int, ward: str, department: str) -> str:
    """The SMS for an escalation, the same for the owner and every follower."""
    authority_en, authority_mr = authority(level, ward, department)
    english = (
        f"PMC CARE: Complaint {grievance_id} is overdue and has been escalated to the {authority_en} (level {level})."
    )
    marathi = f"PMC CARE: तक्रार {grievance_id} मुदतीत निकाली न निघाल्याने {authority_mr} यांच्याकडे पाठवली आहे (स्तर {level})."
    return f"{english}\n{marathi}"


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
