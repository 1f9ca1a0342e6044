"""Moderation of a grievance by staff (issue 20): hide a citizen's photo, redact rectangles of it (faces, number
plates), edit the public description; each one logged on the grievance with who and why, in one transaction.

Never serves or keeps an unredacted copy once its redacted one is recorded; never touches a resolution photo."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from grievance import domain, photo_processor, photo_rules, photo_store, photos, store
from grievance.domain import Grievance
from grievance.photo_rules import Photo, Rectangle
from grievance.settings import photos_bucket_name
from pmc_common import ids
from pmc_common.clock import iso
from pmc_common.errors import Conflict, NotFound

CHANGED = "The grievance or photo changed at the same time; reload and try again"


def _citizen_photo(g: Grievance, photo_id: str) -> Photo:
    """A citizen's photo of this grievance, ready and not hidden: else 404 (unknown, or staff's own proof of
    fix, which moderation leaves alone) or 409 `photo_not_ready` / `photo_hidden`."""
    photo = photo_store.photo(g.id, photo_id) if ids.is_id("PHO", photo_id) else None
    if photo is None or photo.kind != "citizen":
        raise NotFound("No citizen photo with that id on this grievance")
    if photo.hidden:
        raise Conflict("This photo is hidden already", code="photo_hidden")
    if photo.status != "ready":
        raise Conflict("Only a processed photo can be moderated", code="photo_not_ready")
    return photo


def _recorded(after: Photo, before: Photo, change: domain.StatusChange, read: Grievance) -> Grievance:
    if not photo_store.moderate_photo(after, before, change, read):
        raise Conflict(CHANGED, code="illegal_transition")
    return replace(change.grievance, version=read.version + 1)


def hide(g: Grievance, photo_id: str, *, reason: str, by: str, now: datetime) -> Grievance:
    """Never shown to citizens, followers or Open311 again; staff still see it, marked hidden."""
    photo = _citizen_photo(g, photo_id)
    change = domain.moderate(g, action="photo_hidden", by=by, reason=reason, photo_id=photo.id, now=now)
    return _recorded(replace(photo, hidden=True, updated_at=iso(now)), photo, change, g)


def redact(
    g: Grievance, photo_id: str, rectangles: list[Rectangle], *, reason: str, by: str, now: datetime
) -> Grievance:
    """Fill the rectangles on a new copy (and thumbnail), record it, then delete the copies it replaces.

    The new copies are written first under new keys, so the photo always points at copies that exist; if the
    record fails (a concurrent change) they are removed again and the photo is as it was."""
    photo = _citizen_photo(g, photo_id)
    photo_rules.check_rectangles(photo, rectangles)  # 422 naming the rectangle, before anything is written
    change = domain.moderate(
        g,
        action="photo_redacted",
        by=by,
        reason=reason,
        photo_id=photo.id,
        rectangles=[{"x": r.x, "y": r.y, "width": r.width, "height": r.height} for r in rectangles],
        now=now,
    )
    bucket = photos_bucket_name()
    after = replace(photo_processor.write_redacted(bucket, photo, rectangles), updated_at=iso(now))
    try:
        saved = _recorded(after, photo, change, g)
    except Conflict:
        _delete(bucket, after)
        raise
    _delete(bucket, photo)  # the unredacted copies: no URL is signed for them any more
    return saved


def edit_description(g: Grievance, description: str, *, reason: str, by: str, now: datetime) -> Grievance:
    """The public description replaced; the one it replaces kept in the moderation log (staff view only)."""
    change = domain.moderate(g, action="description_edited", by=by, reason=reason, description=description, now=now)
    return store.save(change, g)


def _delete(bucket: str, photo: Photo) -> None:
    s3 = photos.s3()
    for copy in ("clean", "thumb"):
        s3.delete_object(Bucket=bucket, Key=photo_rules.copy_key(photo, copy))
