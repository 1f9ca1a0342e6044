"""A citizen's preferences (GET/PUT /me/preferences, issue 16) and who the notifier texts in which language.

Items in GrievancesTable (store.py lists the others):
- preferences (`citizen#<sub>`, "preferences"): `doc` = {"language": "en"|"mr", "updated_at"}; absent until
  the citizen first sets one, which reads as Marathi, the city's language (DEFAULT_LANGUAGE).
The notifier reads the owner's and every follower's language in one BatchGetItem.

Beside store.py: its GrievanceItem model and connection serve these items too, so this adds no client."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

from grievance import store
from grievance.domain import Grievance

Language = Literal["en", "mr"]
LANGUAGES: tuple[Language, ...] = ("en", "mr")
DEFAULT_LANGUAGE: Language = "mr"
PREFERENCES = "preferences"
FOLLOWER = "follower#"
BATCH_GET_LIMIT = 100  # keys in one BatchGetItem; PynamoDB splits a longer list into several


def _key(sub: str) -> tuple[str, str]:
    return f"citizen#{sub}", PREFERENCES


def _language(doc: object) -> Language:
    found = doc.get("language") if isinstance(doc, dict) else None
    return cast(Language, found) if found in LANGUAGES else DEFAULT_LANGUAGE


def language_of(sub: str) -> Language:
    """The citizen's language, Marathi until they choose."""
    try:
        item = store.GrievanceItem.get(*_key(sub), consistent_read=True)
    except store.GrievanceItem.DoesNotExist:
        return DEFAULT_LANGUAGE
    return _language(item.doc)


def set_language(sub: str, language: Language, now_iso: str) -> None:
    """Keep the citizen's language (a whole-item put: the last choice wins)."""
    pk, sk = _key(sub)
    store.GrievanceItem(pk, sk, kind=PREFERENCES, doc={"language": language, "updated_at": now_iso}).save()


def languages(subs: Iterable[str]) -> dict[str, Language]:
    """Each citizen's language (Marathi for those who never chose), in one BatchGetItem per 100 citizens."""
    wanted = sorted(set(subs))
    found: dict[str, Language] = dict.fromkeys(wanted, DEFAULT_LANGUAGE)
    if wanted:
        for item in store.GrievanceItem.batch_get([_key(sub) for sub in wanted]):
            found[item.pk.removeprefix("citizen#")] = _language(item.doc)
    return found


@dataclass(frozen=True)
class Recipient:
    """Who gets an SMS about a grievance: a phone number (never logged), as owner or follower, and the
    language they chose."""

    phone_number: str
    role: Literal["owner", "follower"]
    language: Language


def recipients(g: Grievance) -> list[Recipient]:
    """The owner and each follower with a phone number, one per number (the owner first), each in their
    language. A follower item's sort key holds the follower's sub, its doc the phone number of their token."""
    people: list[tuple[str, str | None, Literal["owner", "follower"]]] = []
    if g.owner_phone_number:
        people.append((g.owner_phone_number, g.owner_sub, "owner"))
    for item in store.GrievanceItem.query(g.id, store.GrievanceItem.sk.startswith(FOLLOWER)):
        phone_number = (item.doc or {}).get("phone_number")
        if phone_number:
            people.append((phone_number, item.sk.removeprefix(FOLLOWER), "follower"))
    chosen = languages(sub for _, sub, _ in people if sub)
    found: dict[str, Recipient] = {}
    for phone_number, sub, role in people:
        if phone_number not in found:
            found[phone_number] = Recipient(phone_number, role, chosen.get(sub or "", DEFAULT_LANGUAGE))
    return list(found.values())
