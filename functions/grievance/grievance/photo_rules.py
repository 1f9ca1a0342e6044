"""The rules of grievance photos (API.md 3.4, 3.5), pure: at most five, which photos hold a slot and which are
shown, the upload policy (types, sizes, the upload window), object keys and how long a signed URL lives.

No I/O: photos.py signs and stores by these rules, photo_store.py keeps the items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pmc_common.clock import iso, parse_iso

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
UPLOAD_WINDOW = timedelta(seconds=300)
URL_LIFETIME = timedelta(seconds=300)
CONTENT_TYPES = ("image/jpeg", "image/png")
# The bucket's lifecycle rule expires unprocessed originals by this tag (S3 filters cannot match a suffix).
ORIGINAL_TAGGING = "<Tagging><TagSet><Tag><Key>stage</Key><Value>original</Value></Tag></TagSet></Tagging>"
Copy = Literal["original", "clean", "thumb"]


@dataclass(frozen=True)
class Photo:
    """One photo of a grievance; `expires_at` ends its upload window."""

    grievance_id: str
    id: str
    status: str  # processing | ready | rejected
    content_type: str
    created_at: str
    expires_at: str
    width: int | None = None
    height: int | None = None
    rejection_reason: str | None = None
    updated_at: str | None = None


def requested(grievance_id: str, photo_id: str, content_type: str, now: datetime) -> Photo:
    """A new photo, processing until its upload is checked, its upload window open from now."""
    return Photo(grievance_id, photo_id, "processing", content_type, iso(now), iso(now + UPLOAD_WINDOW))


def is_active(photo: Photo, now: datetime) -> bool:
    """Counts toward the limit and is shown: ready, or processing within its upload window."""
    return photo.status == "ready" or (photo.status == "processing" and now <= parse_iso(photo.expires_at))


def is_shown(photo: Photo, now: datetime) -> bool:
    return photo.status != "processing" or now <= parse_iso(photo.expires_at)


def has_free_slot(photos: list[Photo], now: datetime) -> bool:
    """Fewer than MAX_PHOTOS photos of the grievance hold a slot."""
    return sum(is_active(p, now) for p in photos) < MAX_PHOTOS


def key(grievance_id: str, photo_id: str, copy: Copy) -> str:
    return f"grievances/{grievance_id}/{photo_id}/{copy}"


@dataclass(frozen=True)
class UploadPolicy:
    """What the presigned POST carries: form fields and the conditions S3 enforces on them."""

    key: str
    fields: dict[str, str]
    conditions: list[Any]  # passed to the signer, which adds the bucket and key itself
    expires_in: int

    def signed_conditions(self, bucket: str) -> list[Any]:
        """Every condition of the signed policy document, as S3 will check it."""
        return [*self.conditions, {"bucket": bucket}, {"key": self.key}]


def upload_policy(grievance_id: str, photo_id: str, content_type: str) -> UploadPolicy:
    """One object at an exact key, of the exact declared type, 1 B–5 MiB, tagged as an original."""
    if content_type not in CONTENT_TYPES:
        raise ValueError(f"unsupported content type {content_type}")
    fields = {"Content-Type": content_type, "tagging": ORIGINAL_TAGGING}
    conditions: list[Any] = [
        {"Content-Type": content_type},
        ["content-length-range", 1, MAX_BYTES],
        {"tagging": ORIGINAL_TAGGING},
    ]
    return UploadPolicy(key(grievance_id, photo_id, "original"), fields, conditions, int(UPLOAD_WINDOW.total_seconds()))
