"""Grievance photos (API.md 3.4, 3.5): the upload policy, the five-photo rule, signed views.

Photos reach S3 straight from the app through a presigned POST and are only ever shown through
short-lived signed GETs of their `clean` and `thumb` copies; never sign the `original`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from grievance import store
from grievance.domain import Grievance
from grievance.settings import photos_bucket_name
from pmc_common import clients, ids
from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Conflict, Internal

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
UPLOAD_WINDOW = timedelta(seconds=300)
URL_LIFETIME = timedelta(seconds=300)
CONTENT_TYPES = ("image/jpeg", "image/png")
# The bucket's lifecycle rule expires unprocessed originals by this tag (S3 filters cannot match a suffix).
ORIGINAL_TAGGING = "<Tagging><TagSet><Tag><Key>stage</Key><Value>original</Value></Tag></TagSet></Tagging>"
Copy = Literal["original", "clean", "thumb"]


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


def is_active(photo: store.Photo, now: datetime) -> bool:
    """Counts toward the limit and is shown: ready, or processing within its upload window."""
    return photo.status == "ready" or (photo.status == "processing" and now <= parse_iso(photo.expires_at))


def is_shown(photo: store.Photo, now: datetime) -> bool:
    return photo.status != "processing" or now <= parse_iso(photo.expires_at)


def s3() -> Any:
    return clients.client("s3")


def request_upload(g: Grievance, content_type: str, now: datetime) -> dict[str, Any]:
    """POST /grievances/{id}/photos for its owner: a processing photo and a presigned POST for it.

    The photo is written with a condition on the grievance's photo sequence as read before
    counting, so two requests racing for the last slot cannot both win: the loser reads again."""
    if not g.is_open:
        raise Conflict("Photos can be added only while the grievance is open", code="grievance_not_open")
    # Each failed attempt means another photo took a slot meanwhile, so MAX_PHOTOS + 1 attempts
    # always end with a photo added or the limit reached.
    for _ in range(MAX_PHOTOS + 2):
        slots = store.photo_slots(g.id)
        if slots is None or not slots.is_open:
            raise Conflict("Photos can be added only while the grievance is open", code="grievance_not_open")
        if sum(is_active(p, now) for p in slots.photos) >= MAX_PHOTOS:
            raise Conflict(f"A grievance can have at most {MAX_PHOTOS} photos", code="photo_limit_reached")
        photo = store.Photo(
            grievance_id=g.id,
            id=ids.new_id("PHO"),
            status="processing",
            content_type=content_type,
            created_at=iso(now),
            expires_at=iso(now + UPLOAD_WINDOW),
        )
        if store.add_photo(photo, slots.photo_seq):
            break
    else:
        raise Internal("Could not reserve a photo slot under contention")
    policy = upload_policy(g.id, photo.id, content_type)
    signed = s3().generate_presigned_post(
        Bucket=photos_bucket_name(),
        Key=policy.key,
        Fields=policy.fields,
        Conditions=policy.conditions,
        ExpiresIn=policy.expires_in,
    )
    return {
        "photo_id": photo.id,
        "url": signed["url"],
        "fields": signed["fields"],
        "expires_at": photo.expires_at,
        "max_bytes": MAX_BYTES,
    }


def _signed_get(object_key: str) -> str:
    url: str = s3().generate_presigned_url(
        "get_object",
        Params={"Bucket": photos_bucket_name(), "Key": object_key},
        ExpiresIn=int(URL_LIFETIME.total_seconds()),
    )
    return url


def view(photo: store.Photo, now: datetime) -> dict[str, Any]:
    """PhotoView (API.md 3.4): signed URLs and sizes only once ready."""
    ready = photo.status == "ready"
    return {
        "id": photo.id,
        "status": photo.status,
        "content_type": photo.content_type,
        "width": photo.width if ready else None,
        "height": photo.height if ready else None,
        "url": _signed_get(key(photo.grievance_id, photo.id, "clean")) if ready else None,
        "thumbnail_url": _signed_get(key(photo.grievance_id, photo.id, "thumb")) if ready else None,
        "urls_expire_at": iso(now + URL_LIFETIME) if ready else None,
        "rejection_reason": photo.rejection_reason if photo.status == "rejected" else None,
        "created_at": photo.created_at,
    }


def views(grievance_id: str, now: datetime) -> list[dict[str, Any]]:
    """A grievance's photos in upload order; processing ones past their upload window are omitted."""
    shown = sorted((p for p in store.photos(grievance_id) if is_shown(p, now)), key=lambda p: (p.created_at, p.id))
    return [view(p, now) for p in shown]
