"""The rules of grievance photos (API.md 3.4, 3.5, issue 20), pure: at most five of each kind (the citizen's,
staff's resolution photos), which photos hold a slot and which are shown to whom, the upload policy (types,
sizes, the upload window), object keys, redaction rectangles and how long a signed URL lives.

No I/O: photos.py signs and stores by these rules, photo_store.py keeps the items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Invalid

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
UPLOAD_WINDOW = timedelta(seconds=300)
URL_LIFETIME = timedelta(seconds=300)
CONTENT_TYPES = ("image/jpeg", "image/png")
# The bucket's lifecycle rule expires unprocessed originals by this tag (S3 filters cannot match a suffix).
ORIGINAL_TAGGING = "<Tagging><TagSet><Tag><Key>stage</Key><Value>original</Value></Tag></TagSet></Tagging>"
Copy = Literal["original", "clean", "thumb"]
Kind = Literal["citizen", "resolution"]  # before (the citizen's) and after (staff's proof of fix, issue 20)
MAX_RECTANGLES = 20


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
    kind: Kind = "citizen"
    hidden: bool = False  # moderation (issue 20): never shown to citizens or the public again
    revision: int = 0  # redactions so far: each writes its copies under new keys (`copy_key`)


def requested(grievance_id: str, photo_id: str, content_type: str, now: datetime, kind: Kind = "citizen") -> Photo:
    """A new photo, processing until its upload is checked, its upload window open from now."""
    return Photo(grievance_id, photo_id, "processing", content_type, iso(now), iso(now + UPLOAD_WINDOW), kind=kind)


def is_active(photo: Photo, now: datetime) -> bool:
    """Counts toward the limit and is shown: ready, or processing within its upload window; a hidden photo
    frees its slot (the citizen may send a better one)."""
    if photo.hidden:
        return False
    return photo.status == "ready" or (photo.status == "processing" and now <= parse_iso(photo.expires_at))


def is_shown(photo: Photo, now: datetime) -> bool:
    return photo.status != "processing" or now <= parse_iso(photo.expires_at)


def has_free_slot(photos: list[Photo], now: datetime, kind: Kind = "citizen") -> bool:
    """Fewer than MAX_PHOTOS photos of this kind hold a slot: staff's proof never takes a citizen's slot."""
    return sum(is_active(p, now) for p in photos if p.kind == kind) < MAX_PHOTOS


def key(grievance_id: str, photo_id: str, copy: Copy) -> str:
    return f"grievances/{grievance_id}/{photo_id}/{copy}"


def copy_key(photo: Photo, copy: Literal["clean", "thumb"]) -> str:
    """The served copy as it is now: `clean`/`thumb` as processed, `clean-r<n>`/`thumb-r<n>` after the n-th
    redaction (a new key each time, so the unredacted copy can be deleted and no URL signed for it)."""
    suffix = "" if photo.revision == 0 else f"-r{photo.revision}"
    return f"grievances/{photo.grievance_id}/{photo.id}/{copy}{suffix}"


def resolution_proof(photos: list[Photo], since: str | None) -> int:
    """Ready, unhidden resolution photos uploaded after `since` (the last reopen; None: ever): the proof of
    fix a move to `resolved` may rest on (issue 20). A reopened grievance needs new proof."""
    return sum(
        1
        for p in photos
        if p.kind == "resolution" and p.status == "ready" and not p.hidden and (since is None or p.created_at > since)
    )


@dataclass(frozen=True)
class Rectangle:
    """A redaction in pixel coordinates of the photo as served (upright), origin top left."""

    x: int
    y: int
    width: int
    height: int


def check_rectangles(photo: Photo, rectangles: list[Rectangle]) -> None:
    """Each rectangle of positive area inside the image, else Invalid naming it (`body.rectangles.<i>`)."""
    if photo.width is None or photo.height is None:
        raise ValueError("only a ready photo has a size")
    for i, r in enumerate(rectangles):
        if r.width <= 0 or r.height <= 0:
            raise Invalid.of(f"body.rectangles.{i}", "must have a positive width and height")
        if r.x < 0 or r.y < 0 or r.x + r.width > photo.width or r.y + r.height > photo.height:
            raise Invalid.of(
                f"body.rectangles.{i}", f"must lie inside the image ({photo.width} × {photo.height} pixels)"
            )


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
