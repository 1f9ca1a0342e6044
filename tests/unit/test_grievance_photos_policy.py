"""The presigned POST policy for grievance photos (API.md 3.5), and the image rules, without AWS."""

from __future__ import annotations

import base64
import io
import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from PIL import Image

# The photo processor imports the store, which names its table at import; nothing here reaches it.
os.environ.setdefault("GRIEVANCES_TABLE_NAME", "GrievancesTable")

from grievance import photo_rules
from grievance.photo_processor import Rejected, clean, decode

GRIEVANCE = "GRV-2606-7K3M9Q"
PHOTO = "PHO-4TQ8ZK1M"
BUCKET = "puneconnect-dev-photos-123456789012"
KEY = f"grievances/{GRIEVANCE}/{PHOTO}/original"


def test_policy_allows_one_exact_key_of_the_declared_type_up_to_5_mib_tagged_original() -> None:
    policy = photo_rules.upload_policy(GRIEVANCE, PHOTO, "image/png")
    assert policy.key == KEY
    assert policy.expires_in == 300
    assert policy.fields == {"Content-Type": "image/png", "tagging": photo_rules.ORIGINAL_TAGGING}
    assert policy.signed_conditions(BUCKET) == [
        {"Content-Type": "image/png"},
        ["content-length-range", 1, 5_242_880],
        {"tagging": "<Tagging><TagSet><Tag><Key>stage</Key><Value>original</Value></Tag></TagSet></Tagging>"},
        {"bucket": BUCKET},
        {"key": KEY},
    ]
    # Exact matches only: a starts-with condition would let a client pick another key or type.
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in policy.signed_conditions(BUCKET))


def test_policy_refuses_types_other_than_jpeg_and_png() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        photo_rules.upload_policy(GRIEVANCE, PHOTO, "image/gif")


def test_signed_policy_document_holds_every_condition_and_expires_in_300_s() -> None:
    # Signing is local (no request is sent): decode what the client would post and read it back.
    client: Any = botocore.session.get_session().create_client(
        "s3",
        region_name="ap-south-1",
        endpoint_url="https://s3.ap-south-1.amazonaws.com",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4"),
    )
    policy = photo_rules.upload_policy(GRIEVANCE, PHOTO, "image/jpeg")
    before = datetime.now(UTC).replace(microsecond=0)
    signed = client.generate_presigned_post(
        Bucket=BUCKET, Key=policy.key, Fields=policy.fields, Conditions=policy.conditions, ExpiresIn=policy.expires_in
    )
    document = json.loads(base64.b64decode(signed["fields"]["policy"]))
    expires = datetime.strptime(document["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + timedelta(seconds=299) <= expires <= before + timedelta(seconds=302)
    for condition in policy.signed_conditions(BUCKET):
        assert condition in document["conditions"]
    assert signed["fields"]["key"] == KEY
    assert signed["fields"]["Content-Type"] == "image/jpeg"
    assert signed["fields"]["tagging"] == photo_rules.ORIGINAL_TAGGING


def _encoded(image: Image.Image, kind: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **params)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b"", "image/jpeg", "empty"),
        (b"not an image at all, only text", "image/jpeg", "not_an_image"),
        (_encoded(Image.new("RGB", (8, 8)), "PNG"), "image/jpeg", "format_mismatch"),
        (_encoded(Image.new("RGB", (8, 8)), "JPEG"), "image/png", "format_mismatch"),
        (_encoded(Image.new("RGB", (8, 8)), "GIF"), "image/jpeg", "format_mismatch"),
        (_encoded(Image.new("RGB", (64, 64)), "JPEG")[:200], "image/jpeg", "not_an_image"),
        (b"\xff" * (photo_rules.MAX_BYTES + 1), "image/jpeg", "too_large"),
    ],
    ids=["empty", "text", "png-as-jpeg", "jpeg-as-png", "gif-as-jpeg", "truncated", "over-5-mib"],
)
def test_bad_uploads_are_rejected_with_their_reason(data: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(Rejected) as rejected:
        decode(data, content_type)
    assert rejected.value.reason == reason


def test_a_decompression_bomb_is_too_large_before_decoding() -> None:
    # 10 000 × 10 000 white pixels compress to a few hundred KB of PNG but would need 300 MB of RGB.
    bomb = _encoded(Image.new("1", (10_000, 10_000), 1), "PNG")
    assert len(bomb) < photo_rules.MAX_BYTES
    with pytest.raises(Rejected) as rejected:
        decode(bomb, "image/png")
    assert rejected.value.reason == "too_large"


def test_png_text_chunks_and_icc_profile_are_dropped() -> None:
    from PIL import ImageCms, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Taken at 18.5196 N 73.8553 E by +919800000001")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = _encoded(Image.new("RGBA", (40, 30), (200, 10, 10, 128)), "PNG", pnginfo=text, icc_profile=srgb)
    cleaned = clean(source, "image/png")
    result = Image.open(io.BytesIO(cleaned.clean))
    assert result.format == "PNG"
    assert (result.width, result.height, result.mode) == (40, 30, "RGBA")
    assert "Comment" not in result.info
    assert "icc_profile" not in result.info
    assert b"18.5196" not in cleaned.clean
    thumb = Image.open(io.BytesIO(cleaned.thumb))
    assert thumb.format == "JPEG"


def test_five_photos_holding_a_slot_leave_none_and_an_expired_or_rejected_one_frees_its_slot() -> None:
    now = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
    ready = photo_rules.Photo(GRIEVANCE, PHOTO, "ready", "image/jpeg", "2026-06-10T05:00:00Z", "2026-06-10T05:05:00Z")
    waiting = photo_rules.requested(GRIEVANCE, PHOTO, "image/png", now)
    assert waiting.status == "processing"
    assert waiting.expires_at == "2026-06-10T05:17:09Z"  # the upload window
    assert not photo_rules.has_free_slot([ready] * 3 + [waiting] * 2, now)
    expired = photo_rules.requested(GRIEVANCE, PHOTO, "image/png", now - timedelta(minutes=6))
    rejected = replace(ready, status="rejected")
    assert photo_rules.has_free_slot([ready] * 3 + [expired, rejected], now)
    assert not photo_rules.is_shown(expired, now)
    assert photo_rules.is_shown(rejected, now)
