"""PhotoProcessorFunction: S3 ObjectCreated on grievances/<id>/<photo>/original (API.md 3.5), citizens' and
staff's resolution photos alike; and the redaction step of moderation (issue 20) on the same code path.

Re-checks size and real format, re-encodes pixels only (no EXIF, GPS, XMP, IPTC, ICC or text
chunks survive) into `clean` and `thumb`, then deletes the original. Never logs anything but ids."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from PIL import Image, ImageDraw, ImageOps

from grievance import photo_rules, photo_store
from pmc_common import clients
from pmc_common.clock import iso
from pmc_common.instrument import instrumented

logger = Logger(service="grievance")

ORIGINAL_KEY = re.compile(r"^grievances/(GRV-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{6})/(PHO-[0-9A-HJKMNP-TV-Z]{8})/original$")
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
THUMB_SIZE = 320
# 5 MiB of well-compressed JPEG can declare an enormous canvas; refuse anything beyond a 50 MP
# camera before decoding (about 150 MB of RGB, within the function's 1024 MB).
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above this and refuses above twice it


class Rejected(Exception):
    """The upload is not what its policy promised; `reason` is API.md's rejection_reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Cleaned:
    clean: bytes
    thumb: bytes
    width: int
    height: int


def check_size(size: int) -> None:
    if size <= 0:
        raise Rejected("empty")
    if size > photo_rules.MAX_BYTES:
        raise Rejected("too_large")


def decode(data: bytes, content_type: str) -> Image.Image:
    """The fully decoded image, if the bytes really are the declared JPEG or PNG."""
    check_size(len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected("too_large") from None
    except (OSError, SyntaxError, ValueError):
        raise Rejected("not_an_image") from None
    if image.format != FORMATS[content_type]:
        raise Rejected("format_mismatch")
    if image.width * image.height > MAX_PIXELS:
        raise Rejected("too_large")
    try:
        image.load()
    except Image.DecompressionBombError:
        raise Rejected("too_large") from None
    except (OSError, SyntaxError, ValueError):
        raise Rejected("not_an_image") from None  # truncated or corrupt
    return image


def _pixels_only(image: Image.Image, content_type: str) -> Image.Image:
    """A fresh image holding only pixels: nothing of the original's `info` (EXIF, XMP, ICC, text)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if content_type == "image/jpeg":
        mode = "L" if image.mode == "L" else "RGB"
    elif image.mode in ("L", "LA", "RGB", "RGBA"):
        mode = image.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    if thumb.mode in ("RGBA", "LA"):
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb.convert("RGBA"), mask=thumb.convert("RGBA").getchannel("A"))
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def clean(data: bytes, content_type: str) -> Cleaned:
    """Upright (EXIF orientation applied first), metadata-free copies: the declared type and a thumb."""
    image = _pixels_only(ImageOps.exif_transpose(decode(data, content_type)), content_type)
    return _encoded(image, content_type)


def _encoded(image: Image.Image, content_type: str) -> Cleaned:
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.save(out, "JPEG", quality=90, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return Cleaned(out.getvalue(), _thumbnail(image), image.width, image.height)


def redacted(data: bytes, content_type: str, rectangles: list[photo_rules.Rectangle]) -> Cleaned:
    """The served copy with each rectangle filled solid black (a fill, unlike a blur, leaves nothing to
    recover), re-encoded pixels only, and its thumbnail made again from it."""
    image = _pixels_only(decode(data, content_type), content_type)
    draw = ImageDraw.Draw(image)
    black = 0 if image.mode == "L" else (0,) * len(image.mode)
    for r in rectangles:
        draw.rectangle((r.x, r.y, r.x + r.width - 1, r.y + r.height - 1), fill=black)
    return _encoded(image, content_type)


def write_redacted(bucket: str, photo: photo_rules.Photo, rectangles: list[photo_rules.Rectangle]) -> photo_rules.Photo:
    """Read the photo's served copy, write its redacted copies under the next revision's keys, and return the
    photo at that revision (the caller records it, then deletes the copies it replaced)."""
    s3 = clients.client("s3")
    body = s3.get_object(Bucket=bucket, Key=photo_rules.copy_key(photo, "clean"))["Body"]
    try:
        data = body.read(photo_rules.MAX_BYTES * 4)  # a re-encoded PNG may outgrow its upload
    finally:
        body.close()
    out = redacted(data, photo.content_type, rectangles)
    after = replace(photo, revision=photo.revision + 1)
    s3.put_object(
        Bucket=bucket, Key=photo_rules.copy_key(after, "clean"), Body=out.clean, ContentType=photo.content_type
    )
    s3.put_object(Bucket=bucket, Key=photo_rules.copy_key(after, "thumb"), Body=out.thumb, ContentType="image/jpeg")
    return after


def _exists_size(bucket: str, object_key: str) -> int | None:
    s3 = clients.client("s3")
    try:
        head = s3.head_object(Bucket=bucket, Key=object_key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return int(head["ContentLength"])


def process(bucket: str, object_key: str, now: datetime) -> str:
    """One uploaded original → ready, rejected, or skipped; returns which (for logs and tests).

    Idempotent: a photo no longer processing is never touched again, and its state is written
    before the original is deleted, so a retry after a crash only finishes the deletion."""
    match = ORIGINAL_KEY.match(object_key)
    if match is None:
        logger.warning("not a photo original; ignored")
        return "ignored"
    grievance_id, photo_id = match.groups()
    ids = {"grievance_id": grievance_id, "photo_id": photo_id}
    s3 = clients.client("s3")
    photo = photo_store.photo(grievance_id, photo_id)
    if photo is None or photo.status != "processing":
        # Unknown, or already done (a repeated event, or the policy reused within its 300 s):
        # the original must not linger either way.
        s3.delete_object(Bucket=bucket, Key=object_key)
        logger.info("photo not processing; original removed", extra=ids)
        return "skipped"
    size = _exists_size(bucket, object_key)
    if size is None:
        logger.info("original already gone", extra=ids)
        return "skipped"
    try:
        check_size(size)
        body = s3.get_object(Bucket=bucket, Key=object_key)["Body"]
        try:
            data = body.read(photo_rules.MAX_BYTES + 1)
        finally:
            body.close()
        cleaned = clean(data, photo.content_type)
    except Rejected as rejection:
        photo_store.mark_photo_rejected(
            replace(photo, status="rejected", rejection_reason=rejection.reason, updated_at=iso(now))
        )
        s3.delete_object(Bucket=bucket, Key=object_key)
        logger.info("photo rejected", extra={**ids, "reason": rejection.reason})
        return "rejected"
    s3.put_object(
        Bucket=bucket,
        Key=photo_rules.key(grievance_id, photo_id, "clean"),
        Body=cleaned.clean,
        ContentType=photo.content_type,
    )
    s3.put_object(
        Bucket=bucket,
        Key=photo_rules.key(grievance_id, photo_id, "thumb"),
        Body=cleaned.thumb,
        ContentType="image/jpeg",
    )
    ready = replace(photo, status="ready", width=cleaned.width, height=cleaned.height, updated_at=iso(now))
    marked = photo_store.mark_photo_ready(ready)
    s3.delete_object(Bucket=bucket, Key=object_key)
    logger.info("photo ready" if marked else "photo finished elsewhere", extra=ids)
    return "ready" if marked else "skipped"


@instrumented("grievance", logger)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """S3 notification records; keys arrive URL-encoded."""
    outcomes: dict[str, int] = {}
    for record in event.get("Records") or []:
        s3_record = record["s3"]
        now = _event_time(record)
        outcome = process(s3_record["bucket"]["name"], unquote_plus(s3_record["object"]["key"]), now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"outcomes": outcomes}


def _event_time(record: dict[str, Any]) -> datetime:
    text = record.get("eventTime")
    if not text:
        return datetime.now(UTC).replace(microsecond=0)
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC).replace(microsecond=0)
