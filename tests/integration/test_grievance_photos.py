"""Grievance photos end to end on moto: presigned POST upload, the S3-event processor, the limits."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
from PIL import Image

from local.events import s3_records
from pmc_common import clients, ids
from pmc_common.clock import iso
from pmc_common.errors import Conflict
from tests.harness import lambda_context

KASBA = {"description": "Garbage not collected behind Kasba Ganpati for three days.", "lat": 18.5196, "lng": 73.8553}
OWNER = "11111111-2222-3333-4444-555555555555"
RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(scope="module")
def m(local_aws: Any) -> Iterator[SimpleNamespace]:
    """The grievance modules, imported once the local stack has set their table and bucket names."""
    from grievance import domain, photo_processor, photo_rules, photo_store, photos, store

    clients.client.cache_clear()  # a client made before this stack would sign for another endpoint
    yield SimpleNamespace(
        domain=domain,
        photos=photos,
        rules=photo_rules,
        photo_store=photo_store,
        processor=photo_processor,
        store=store,
    )
    clients.client.cache_clear()


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def new_grievance(m: SimpleNamespace, now: datetime, status: str = "submitted") -> Any:
    change = m.domain.log(
        grievance_id=ids.grievance_id(now),
        category="garbage_not_collected",
        department="solid_waste_management",
        sla_hours=48,
        ward="W07",
        **KASBA,
        owner_sub=OWNER,
        owner_phone_number=None,
        channel="app",
        now=now,
    )
    g = replace(change.grievance, status=status)
    assert m.store.create(replace(change, grievance=g, to_status=status))
    return g


def tiff_exif_with_gps_and_thumbnail(thumbnail: bytes) -> bytes:
    """An APP1 EXIF block as cameras write it: orientation 6, a GPS IFD, and IFD1 with an embedded
    JPEG thumbnail (Pillow can write the first two but not the third, so the TIFF is laid out by hand)."""

    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")

    def u32(n: int) -> bytes:
        return struct.pack("<I", n)

    def rationals(*pairs: tuple[int, int]) -> bytes:
        return b"".join(struct.pack("<II", a, b) for a, b in pairs)

    ifd0, gps, lat, lng, ifd1, thumb = 8, 38, 92, 116, 140, 182
    data = b"II*\0" + u32(ifd0)
    data += struct.pack("<H", 2) + entry(0x0112, 3, 1, struct.pack("<H", 6)) + entry(0x8825, 4, 1, u32(gps))
    data += u32(ifd1)
    data += struct.pack("<H", 4)
    data += entry(1, 2, 2, b"N\0") + entry(2, 5, 3, u32(lat)) + entry(3, 2, 2, b"E\0") + entry(4, 5, 3, u32(lng))
    data += u32(0)
    data += rationals((18, 1), (31, 1), (1056, 100)) + rationals((73, 1), (51, 1), (1908, 100))
    data += struct.pack("<H", 3) + entry(0x0103, 3, 1, struct.pack("<H", 6))
    data += entry(0x0201, 4, 1, u32(thumb)) + entry(0x0202, 4, 1, u32(len(thumbnail))) + u32(0)
    assert len(data) == thumb
    return b"Exif\0\0" + data + thumbnail


def camera_jpeg() -> tuple[bytes, bytes]:
    """A 1600 × 1200 sensor image, red left half, blue right, to be shown rotated 90° clockwise;
    with GPS, an embedded thumbnail, XMP and a comment. Returns (file, its embedded thumbnail)."""
    image = Image.new("RGB", (1600, 1200), BLUE)
    image.paste(RED, (0, 0, 800, 1200))
    small = io.BytesIO()
    image.resize((160, 120)).save(small, "JPEG", quality=60)
    thumbnail = small.getvalue()
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="18,31.176N"/></x:xmpmeta>'
    image.save(out, "JPEG", exif=tiff_exif_with_gps_and_thumbnail(thumbnail), xmp=xmp, comment=b"Ravi's phone")
    return out.getvalue(), thumbnail


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, RED).save(out, "PNG")
    return out.getvalue()


def upload(reply: dict[str, Any], content: bytes, content_type: str) -> None:
    """What the app does: a multipart/form-data POST of every field, then the file."""
    answer = httpx.post(
        reply["url"], data=reply["fields"], files={"file": ("photo", content, content_type)}, timeout=10
    )
    assert answer.status_code == 204, answer.text


def s3_event(bucket: str, key: str, at: datetime) -> dict[str, Any]:
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "ap-south-1",
        "eventTime": iso(at).replace("Z", ".000Z"),
        "eventName": "ObjectCreated:Post",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket}, "object": {"key": quote_plus(key, safe="/")}},
    }
    return {"Records": s3_records({"Records": [record]})}


def keys_of(local_aws: Any, m: SimpleNamespace, grievance_id: str) -> set[str]:
    listed = local_aws.client("s3").list_objects_v2(
        Bucket=m.photos.photos_bucket_name(), Prefix=f"grievances/{grievance_id}/"
    )
    return {item["Key"] for item in listed.get("Contents", [])}


def put_and_process(local_aws: Any, m: SimpleNamespace, g: Any, declared: str, body: bytes, now: datetime) -> Any:
    """Request an upload, write `body` under its key directly (as an upload that bypassed the
    policy would), and run the processor on the event; returns the photo as stored."""
    reply = m.photos.request_upload(g, declared, now)
    bucket = m.photos.photos_bucket_name()
    key = reply["fields"]["key"]
    local_aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=declared)
    m.processor.handler(s3_event(bucket, key, now), lambda_context())
    return m.photo_store.photo(g.id, reply["photo_id"])


def test_a_camera_jpeg_is_uprighted_stripped_of_metadata_and_thumbnailed(
    local_aws: Any, m: SimpleNamespace, now: datetime
) -> None:
    g = new_grievance(m, now)
    original, embedded_thumbnail = camera_jpeg()
    source = Image.open(io.BytesIO(original))
    assert source.getexif()[0x0112] == 6
    assert source.getexif().get_ifd(0x8825)[1] == "N"
    assert embedded_thumbnail in original

    reply = m.photos.request_upload(g, "image/jpeg", now)
    assert set(reply) == {"photo_id", "url", "fields", "expires_at", "max_bytes"}
    assert ids.is_id("PHO", reply["photo_id"])
    assert reply["fields"]["key"] == f"grievances/{g.id}/{reply['photo_id']}/original"
    assert reply["fields"]["Content-Type"] == "image/jpeg"
    assert {"policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} <= set(reply["fields"])
    assert reply["expires_at"] == iso(now + timedelta(seconds=300))
    assert reply["max_bytes"] == 5_242_880
    [pending] = m.photos.views(g.id, now)
    assert pending["status"] == "processing"
    assert pending["url"] is pending["thumbnail_url"] is pending["width"] is None

    upload(reply, original, "image/jpeg")
    bucket = m.photos.photos_bucket_name()
    outcome = m.processor.handler(s3_event(bucket, reply["fields"]["key"], now), lambda_context())
    assert outcome == {"outcomes": {"ready": 1}}

    s3 = local_aws.client("s3")
    prefix = f"grievances/{g.id}/{reply['photo_id']}/"
    assert keys_of(local_aws, m, g.id) == {prefix + "clean", prefix + "thumb"}
    clean_object = s3.get_object(Bucket=bucket, Key=prefix + "clean")
    assert clean_object["ContentType"] == "image/jpeg"
    clean_bytes = clean_object["Body"].read()
    clean = Image.open(io.BytesIO(clean_bytes))
    assert clean.format == "JPEG"
    assert clean.size == (1200, 1600)  # orientation 6 applied: width and height swapped
    top, bottom = clean.getpixel((600, 100)), clean.getpixel((600, 1500))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[0] > 180  # the red half is now on top
    assert bottom[2] > 180
    assert len(clean.getexif()) == 0
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(clean.info)
    for trace in (b"Exif", b"xmpmeta", b"Ravi", embedded_thumbnail[:64]):
        assert trace not in clean_bytes
    thumb = Image.open(io.BytesIO(s3.get_object(Bucket=bucket, Key=prefix + "thumb")["Body"].read()))
    assert thumb.format == "JPEG"
    assert thumb.size == (240, 320)
    assert len(thumb.getexif()) == 0

    photo = m.photo_store.photo(g.id, reply["photo_id"])
    assert (photo.status, photo.width, photo.height) == ("ready", 1200, 1600)
    assert m.store.get(g.id).photo_count == 1
    [view] = m.photos.views(g.id, now)
    assert view == {
        "id": reply["photo_id"],
        "status": "ready",
        "content_type": "image/jpeg",
        "width": 1200,
        "height": 1600,
        "url": view["url"],
        "thumbnail_url": view["thumbnail_url"],
        "urls_expire_at": iso(now + timedelta(seconds=300)),
        "rejection_reason": None,
        "created_at": iso(now),
        "kind": "citizen",  # issue 20: before (the citizen's) or after (staff's resolution photo)
        "hidden": False,
        "redacted": False,
    }
    assert "/clean?" in view["url"]
    assert "X-Amz-Expires=300" in view["url"]
    assert "/thumb?" in view["thumbnail_url"]
    assert httpx.get(view["url"], timeout=10).content == clean_bytes


def test_processing_the_same_event_twice_changes_nothing_the_second_time(
    local_aws: Any, m: SimpleNamespace, now: datetime
) -> None:
    g = new_grievance(m, now)
    reply = m.photos.request_upload(g, "image/png", now)
    upload(reply, png(), "image/png")
    event = s3_event(m.photos.photos_bucket_name(), reply["fields"]["key"], now)
    assert m.processor.handler(event, lambda_context()) == {"outcomes": {"ready": 1}}
    photo, keys = m.photo_store.photo(g.id, reply["photo_id"]), keys_of(local_aws, m, g.id)

    assert m.processor.handler(event, lambda_context()) == {"outcomes": {"skipped": 1}}
    assert m.photo_store.photo(g.id, reply["photo_id"]) == photo
    assert keys_of(local_aws, m, g.id) == keys
    assert m.store.get(g.id).photo_count == 1


def test_a_text_file_named_jpg_is_rejected_as_not_an_image_and_deleted(
    local_aws: Any, m: SimpleNamespace, now: datetime
) -> None:
    g = new_grievance(m, now)
    reply = m.photos.request_upload(g, "image/jpeg", now)
    upload(reply, b"Call me on 98XXXXXXXX, this is not a picture.\n", "image/jpeg")
    m.processor.handler(s3_event(m.photos.photos_bucket_name(), reply["fields"]["key"], now), lambda_context())

    photo = m.photo_store.photo(g.id, reply["photo_id"])
    assert (photo.status, photo.rejection_reason) == ("rejected", "not_an_image")
    assert keys_of(local_aws, m, g.id) == set()
    assert m.store.get(g.id).photo_count == 0
    [view] = m.photos.views(g.id, now)
    assert (view["status"], view["rejection_reason"]) == ("rejected", "not_an_image")
    assert view["url"] is view["thumbnail_url"] is view["urls_expire_at"] is view["width"] is view["height"] is None


@pytest.mark.parametrize(
    ("declared", "body", "reason"),
    [
        ("image/jpeg", png(), "format_mismatch"),
        ("image/jpeg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024), "too_large"),  # moto ignores the policy
    ],
    ids=["png-declared-as-jpeg", "6-mb"],
)
def test_an_upload_that_is_not_what_was_declared_is_rejected_and_deleted(
    local_aws: Any, m: SimpleNamespace, now: datetime, declared: str, body: bytes, reason: str
) -> None:
    g = new_grievance(m, now)
    photo = put_and_process(local_aws, m, g, declared, body, now)
    assert (photo.status, photo.rejection_reason) == ("rejected", reason)
    assert keys_of(local_aws, m, g.id) == set()
    assert m.store.get(g.id).photo_count == 0


def test_the_sixth_photo_is_refused_and_nothing_is_written(m: SimpleNamespace, now: datetime) -> None:
    g = new_grievance(m, now)
    for _ in range(5):
        m.photos.request_upload(g, "image/jpeg", now)
    before = m.photo_store.photo_slots(g.id)

    with pytest.raises(Conflict) as refused:
        m.photos.request_upload(g, "image/jpeg", now)
    assert refused.value.status == 409
    assert refused.value.code == "photo_limit_reached"
    assert m.photo_store.photo_slots(g.id) == before
    assert before is not None
    assert len(before.photos) == 5
    assert before.photo_seq == 5


def test_rejected_photos_free_their_slot(local_aws: Any, m: SimpleNamespace, now: datetime) -> None:
    g = new_grievance(m, now)
    for _ in range(4):
        m.photos.request_upload(g, "image/jpeg", now)
    assert put_and_process(local_aws, m, g, "image/png", b"", now).rejection_reason == "empty"
    m.photos.request_upload(g, "image/jpeg", now)
    with pytest.raises(Conflict, match="at most 5"):
        m.photos.request_upload(g, "image/jpeg", now)


def test_expired_processing_photos_neither_count_nor_show(m: SimpleNamespace, now: datetime) -> None:
    g = new_grievance(m, now)
    for _ in range(5):
        m.photos.request_upload(g, "image/jpeg", now)
    assert len(m.photos.views(g.id, now + timedelta(seconds=300))) == 5  # still within the window

    later = now + timedelta(seconds=301)
    assert m.photos.views(g.id, later) == []
    fresh = m.photos.request_upload(g, "image/png", later)
    assert [v["id"] for v in m.photos.views(g.id, later)] == [fresh["photo_id"]]


def test_two_requests_racing_for_the_last_slot_cannot_both_take_it(m: SimpleNamespace, now: datetime) -> None:
    g = new_grievance(m, now)
    for _ in range(4):
        m.photos.request_upload(g, "image/jpeg", now)
    slots = m.photo_store.photo_slots(g.id)
    assert slots is not None
    assert sum(m.rules.is_active(p, now) for p in slots.photos) == 4  # both requests see a free slot

    def contender() -> Any:
        return m.rules.Photo(g.id, ids.new_id("PHO"), "processing", "image/jpeg", iso(now), iso(now))

    assert m.photo_store.add_photo(contender(), slots.photo_seq)
    assert not m.photo_store.add_photo(contender(), slots.photo_seq)  # the loser reads again...
    with pytest.raises(Conflict, match="at most 5"):  # ...and finds the limit reached
        m.photos.request_upload(g, "image/jpeg", now)
    assert len(m.photo_store.photos(g.id)) == 5


def test_photos_are_refused_when_the_grievance_is_not_open(m: SimpleNamespace, now: datetime) -> None:
    rejected = new_grievance(m, now, status="rejected")
    with pytest.raises(Conflict) as refused:
        m.photos.request_upload(rejected, "image/jpeg", now)
    assert refused.value.code == "grievance_not_open"

    # Read while open, closed before the photo is written: the write's condition refuses it.
    stale_open = replace(rejected, status="in_progress")
    with pytest.raises(Conflict) as refused:
        m.photos.request_upload(stale_open, "image/jpeg", now)
    assert refused.value.code == "grievance_not_open"
    assert m.photo_store.photos(rejected.id) == []
