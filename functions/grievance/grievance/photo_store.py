"""GrievancesTable access for grievance photos: their items and the grievance's photo sequence and count, which
change with them in one transaction. Only DynamoDB here; the rules are photo_rules.py's.

Photo items live under their grievance: (<grievance id>, "photo#<photo id>"), kind "photo", the photo in
`doc`. They are read through their own model so that their native `photo_status` (what conditions test; a
JSON `doc` cannot be tested) never reaches the grievance indexes keyed on `status`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from grievance import store
from grievance.domain import Grievance, StatusChange
from grievance.photo_rules import Photo
from grievance.settings import grievances_table_name
from grievance.store import GRIEVANCE, GrievanceItem
from pmc_common import dynamo

PHOTO_PREFIX = "photo#"


class PhotoItem(dynamo.TableModel):
    class Meta:
        table_name = grievances_table_name()

    kind = UnicodeAttribute(null=True)
    doc = JSONAttribute(null=True)
    photo_status = UnicodeAttribute(null=True)
    photo_revision = NumberAttribute(null=True)  # moderation (issue 20): redactions so far
    photo_hidden = BooleanAttribute(null=True)


dynamo.share_connection(GrievanceItem, PhotoItem)


@dataclass(frozen=True)
class PhotoSlots:
    """What deciding on a new photo needs: the grievance's photo sequence (the guard of the next
    write), whether it is still open, and its photos, all read after the sequence."""

    photo_seq: int | None
    is_open: bool
    photos: list[Photo]


def _doc(photo: Photo) -> dict[str, Any]:
    return {name: value for name, value in asdict(photo).items() if name not in ("grievance_id", "id")}


def _photo(item: PhotoItem) -> Photo:
    return Photo(grievance_id=item.pk, id=item.sk.removeprefix(PHOTO_PREFIX), **(item.doc or {}))


def photo(grievance_id: str, photo_id: str) -> Photo | None:
    try:
        return _photo(PhotoItem.get(grievance_id, PHOTO_PREFIX + photo_id, consistent_read=True))
    except PhotoItem.DoesNotExist:
        return None


def photos(grievance_id: str) -> list[Photo]:
    """A grievance's photos (at most a handful: one small Query)."""
    items = PhotoItem.query(grievance_id, PhotoItem.sk.startswith(PHOTO_PREFIX), consistent_read=True)
    return [_photo(item) for item in items]


def photo_slots(grievance_id: str) -> PhotoSlots | None:
    """The sequence is read before the photos: any photo added after this read moves the sequence,
    so `add_photo` with it fails rather than overfilling; any added before is in the list."""
    try:
        item = GrievanceItem.get(grievance_id, GRIEVANCE, consistent_read=True)
    except GrievanceItem.DoesNotExist:
        return None
    seq = None if item.photo_seq is None else int(item.photo_seq)
    return PhotoSlots(seq, item.open_ward is not None, photos(grievance_id))


def add_photo(new: Photo, photo_seq: int | None) -> bool:
    """Store a new processing photo and move the grievance's photo sequence, in one transaction.

    False when the grievance changed since `photo_seq` was read (another photo took a slot, or it
    closed) or the random id is taken: read again and decide again. Never touches `version`."""
    seq_unchanged = (
        GrievanceItem.photo_seq.does_not_exist() if photo_seq is None else GrievanceItem.photo_seq == photo_seq
    )
    item = PhotoItem(new.grievance_id, PHOTO_PREFIX + new.id, kind="photo", doc=_doc(new), photo_status=new.status)

    def writes(tx: TransactWrite) -> None:
        tx.save(item, condition=PhotoItem.pk.does_not_exist())
        tx.update(
            GrievanceItem(new.grievance_id, GRIEVANCE),
            actions=[GrievanceItem.photo_seq.add(1)],
            condition=seq_unchanged & GrievanceItem.open_ward.exists(),
            add_version_condition=False,
        )

    return dynamo.committed(PhotoItem, writes)


def _finish_photo(done: Photo, counts: bool) -> bool:
    actions: list[Action] = [PhotoItem.doc.set(_doc(done)), PhotoItem.photo_status.set(done.status)]

    def writes(tx: TransactWrite) -> None:
        tx.update(
            PhotoItem(done.grievance_id, PHOTO_PREFIX + done.id),
            actions=actions,
            condition=PhotoItem.photo_status == "processing",
        )
        if counts:
            tx.update(
                GrievanceItem(done.grievance_id, GRIEVANCE),
                actions=[GrievanceItem.photo_count.add(1)],
                add_version_condition=False,
            )

    return dynamo.committed(PhotoItem, writes)


def mark_photo_ready(ready: Photo) -> bool:
    """Processing → ready, counted in the grievance's `photo_count` in the same transaction (the citizen's
    photos only: staff's resolution photos are shown apart, issue 20).

    False when it was no longer processing: a repeated S3 event counts nothing twice."""
    return _finish_photo(ready, counts=ready.kind == "citizen")


def moderate_photo(after: Photo, before: Photo, change: StatusChange, read: Grievance) -> bool:
    """A moderated photo (hidden, or at a new redaction revision) and the grievance's moderation entry, in one
    transaction: only if the photo is still ready, not hidden and at the revision read (`photo_revision`,
    `photo_hidden`: native copies, as a JSON doc cannot be tested), and the grievance still at the version
    read. False when either moved meanwhile: nothing written."""
    at_revision = (
        PhotoItem.photo_revision.does_not_exist()
        if before.revision == 0
        else PhotoItem.photo_revision == before.revision
    )
    actions: list[Action] = [PhotoItem.doc.set(_doc(after)), PhotoItem.photo_revision.set(after.revision)]
    if after.hidden:
        actions.append(PhotoItem.photo_hidden.set(True))

    def writes(tx: TransactWrite) -> None:
        tx.update(
            PhotoItem(after.grievance_id, PHOTO_PREFIX + after.id),
            actions=actions,
            condition=(PhotoItem.photo_status == "ready") & PhotoItem.photo_hidden.does_not_exist() & at_revision,
        )
        store.update_grievance(tx, change.grievance, read)

    return dynamo.committed(PhotoItem, writes)


def mark_photo_rejected(rejected: Photo) -> bool:
    """Processing → rejected; False when it was no longer processing."""
    return _finish_photo(rejected, counts=False)
