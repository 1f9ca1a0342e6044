"""Grievance photos (API.md 3.4, 3.5, issue 20): a slot and a presigned POST for a new photo (the citizen's, or
staff's resolution photo), and signed views, by the rules of photo_rules.py over photo_store.py's items.

Photos reach S3 straight from the app through a presigned POST and are only ever shown through
short-lived signed GETs of their current `clean` and `thumb` copies (photo_rules.copy_key); never sign the
`original`, and never sign a hidden photo for anyone but staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grievance import photo_rules, photo_store
from grievance.domain import Grievance, last_reopened_at
from grievance.photo_rules import MAX_BYTES, MAX_PHOTOS, URL_LIFETIME, Kind, Photo, copy_key
from grievance.settings import photos_bucket_name
from pmc_common import clients, ids
from pmc_common.clock import iso
from pmc_common.errors import Conflict, Internal


def s3() -> Any:
    return clients.client("s3")


def request_upload(g: Grievance, content_type: str, now: datetime, kind: Kind = "citizen") -> dict[str, Any]:
    """POST /grievances/{id}/photos for its owner (`citizen`), POST /staff/grievances/{id}/photos for staff
    (`resolution`, issue 20): a processing photo and a presigned POST for it, by the same policy and processor.

    The photo is written with a condition on the grievance's photo sequence as read before
    counting, so two requests racing for the last slot cannot both win: the loser reads again."""
    if not g.is_open:
        raise Conflict("Photos can be added only while the grievance is open", code="grievance_not_open")
    # Each failed attempt means another photo took a slot meanwhile, so MAX_PHOTOS + 1 attempts
    # always end with a photo added or the limit reached.
    for _ in range(MAX_PHOTOS + 2):
        slots = photo_store.photo_slots(g.id)
        if slots is None or not slots.is_open:
            raise Conflict("Photos can be added only while the grievance is open", code="grievance_not_open")
        if not photo_rules.has_free_slot(slots.photos, now, kind):
            raise Conflict(f"A grievance can have at most {MAX_PHOTOS} photos", code="photo_limit_reached")
        photo = photo_rules.requested(g.id, ids.new_id("PHO"), content_type, now, kind)
        if photo_store.add_photo(photo, slots.photo_seq):
            break
    else:
        raise Internal("Could not reserve a photo slot under contention")
    policy = photo_rules.upload_policy(g.id, photo.id, content_type)
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


def view(photo: Photo, now: datetime) -> dict[str, Any]:
    """PhotoView (API.md 3.4): signed URLs and sizes only once ready; `hidden` and `redacted` (issue 20)."""
    ready = photo.status == "ready"
    return {
        "id": photo.id,
        "status": photo.status,
        "content_type": photo.content_type,
        "width": photo.width if ready else None,
        "height": photo.height if ready else None,
        "url": _signed_get(copy_key(photo, "clean")) if ready else None,
        "thumbnail_url": _signed_get(copy_key(photo, "thumb")) if ready else None,
        "urls_expire_at": iso(now + URL_LIFETIME) if ready else None,
        "rejection_reason": photo.rejection_reason if photo.status == "rejected" else None,
        "created_at": photo.created_at,
        "kind": photo.kind,
        "hidden": photo.hidden,
        "redacted": photo.revision > 0,
    }


def stored(grievance_id: str) -> list[Photo]:
    """Every photo of a grievance, both kinds (one Query): read once for a detail's two lists."""
    return photo_store.photos(grievance_id)


def views(
    grievance_id: str,
    now: datetime,
    *,
    staff_view: bool = False,
    kind: Kind = "citizen",
    found: list[Photo] | None = None,
) -> list[dict[str, Any]]:
    """A grievance's photos of one kind in upload order (`found`: as already read); processing ones past their
    upload window are omitted, and hidden ones too unless for the staff view (issue 20)."""
    shown = sorted(
        (
            p
            for p in (photo_store.photos(grievance_id) if found is None else found)
            if p.kind == kind and photo_rules.is_shown(p, now) and (staff_view or not p.hidden)
        ),
        key=lambda p: (p.created_at, p.id),
    )
    return [view(p, now) for p in shown]


def proof_count(g: Grievance) -> int:
    """Ready resolution photos since its last reopen: what a move to `resolved` may rest on (issue 20)."""
    return photo_rules.resolution_proof(photo_store.photos(g.id), last_reopened_at(g))


def first_thumbnail_url(grievance_id: str) -> str | None:
    """A signed GET of the thumbnail of a grievance's first ready photo (Open311's media_url leads here);
    None when it has none."""
    ready = sorted(
        (p for p in photo_store.photos(grievance_id) if p.status == "ready" and p.kind == "citizen" and not p.hidden),
        key=lambda p: (p.created_at, p.id),
    )
    return _signed_get(copy_key(ready[0], "thumb")) if ready else None
