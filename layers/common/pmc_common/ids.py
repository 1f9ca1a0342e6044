"""Identifiers as API.md 1.2 defines them: Crockford base32 random parts, ULIDs, readable grievance ids."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PREFIXED = {
    prefix: re.compile(rf"^{prefix}-[0-9A-HJKMNP-TV-Z]{{8}}$")
    for prefix in ("PHO", "FAC", "OFF", "CON", "WHO", "UPD", "SUR", "KEY")
}
SLUG_PATTERN = r"^[a-z][a-z0-9_]{1,47}$"  # department, grievance and facility category ids
SLUG = re.compile(SLUG_PATTERN)
WARD_PATTERN = r"^W(0[1-9]|1[0-5])$"  # the 15 ward offices (API.md 1.3)
WARD = re.compile(WARD_PATTERN)
WARDS = tuple(f"W{n:02d}" for n in range(1, 16))
GRIEVANCE_ID = re.compile(r"^GRV-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{6}$")


def random_crockford(length: int) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def new_id(prefix: str) -> str:
    """`FAC-0B7Q3M2K` style: prefix + 8 random Crockford characters."""
    if prefix not in _PREFIXED:
        raise ValueError(f"unknown id prefix {prefix}")
    return f"{prefix}-{random_crockford(8)}"


def is_id(prefix: str, value: str) -> bool:
    return bool(_PREFIXED[prefix].match(value))


def grievance_id(created_at: datetime) -> str:
    """`GRV-2606-7K3M9Q`: yymm of created_at (UTC) and 6 random Crockford characters."""
    return f"GRV-{created_at:%y%m}-{random_crockford(6)}"


def ulid(at: datetime) -> str:
    """A ULID (48-bit ms timestamp + 80 random bits) in Crockford base32, 26 characters."""
    value = (int(at.timestamp() * 1000) << 80) | secrets.randbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
