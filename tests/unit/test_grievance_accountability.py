"""Proof of fix and moderation (issue 20), pure: the move to `resolved` needs a resolution photo or a reason with
a note, checked in the lifecycle's one gate; redaction rectangles; moderation logged with who and why; the
redaction itself on real pixels (Pillow)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from grievance import domain, photo_processor, photo_rules
from grievance.domain import Grievance
from grievance.photo_rules import Photo, Rectangle
from pmc_common.clock import iso
from pmc_common.errors import Invalid
from tests import grievances

START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
NOW = START + timedelta(hours=20)
OTHER = "GRV-2606-0B7Q3M"


def working() -> Grievance:
    g = grievances.logged(START, owner_phone_number="+919800000001").grievance
    return replace(g, status="in_progress", assignee="JE SWM, Kasba")


def resolve(g: Grievance, note: str | None = None, **proof: Any) -> domain.StatusChange:
    return domain.staff_change(g, status="resolved", assignee=None, note=note, now=NOW, proof=proof)


def invalid_field(raised: pytest.ExceptionInfo[Invalid]) -> str:
    assert raised.value.status == 422
    [error] = raised.value.errors
    return error.field


# --- proof of fix -----------------------------------------------------------------------------------


def test_resolving_without_a_photo_or_a_reason_is_refused_naming_the_reason() -> None:
    for proof in ({}, {"resolution_photos": 0}):
        with pytest.raises(Invalid) as raised:
            resolve(working(), note="Done.", **proof)
        assert invalid_field(raised) == "body.resolution_reason"


def test_a_resolution_photo_is_proof_enough() -> None:
    change = resolve(working(), resolution_photos=1)
    assert change.grievance.status == "resolved"
    assert change.grievance.resolution == {"reason": "fixed", "duplicate_of": None}


@pytest.mark.parametrize("reason", ["no_fix_needed", "other_agency"])
def test_a_reason_with_a_note_is_proof_enough(reason: str) -> None:
    change = resolve(working(), note="Handled by MSEDCL, not PMC.", resolution_reason=reason)
    assert change.grievance.resolution == {"reason": reason, "duplicate_of": None}
    assert change.grievance.timeline[-1]["note"] == "Handled by MSEDCL, not PMC."


def test_a_reason_without_a_note_is_refused_naming_the_note() -> None:
    with pytest.raises(Invalid) as raised:
        resolve(working(), resolution_reason="no_fix_needed")
    assert invalid_field(raised) == "body.note"


def test_a_duplicate_names_an_existing_other_grievance() -> None:
    change = resolve(
        working(), note="Same spot.", resolution_reason="duplicate", duplicate_of=OTHER, duplicate_known=True
    )
    assert change.grievance.resolution == {"reason": "duplicate", "duplicate_of": OTHER}


@pytest.mark.parametrize(
    "proof",
    [
        {"resolution_reason": "duplicate"},  # which one?
        {"resolution_reason": "duplicate", "duplicate_of": OTHER, "duplicate_known": False},  # unknown
        {"resolution_reason": "duplicate", "duplicate_of": "GRV-2606-7K3M9Q", "duplicate_known": True},  # itself
        {"resolution_reason": "other_agency", "duplicate_of": OTHER, "duplicate_known": True},  # not a duplicate
        {"resolution_photos": 1, "duplicate_of": OTHER, "duplicate_known": True},
    ],
)
def test_a_wrong_duplicate_is_refused_naming_duplicate_of(proof: dict[str, Any]) -> None:
    with pytest.raises(Invalid) as raised:
        resolve(working(), note="Same spot.", **proof)
    assert invalid_field(raised) == "body.duplicate_of"


@pytest.mark.parametrize("field", ["resolution_reason", "duplicate_of"])
def test_a_reason_is_taken_only_with_a_move_to_resolved(field: str) -> None:
    with pytest.raises(Invalid) as raised:
        domain.staff_change(working(), status=None, assignee=None, note="Crew sent.", now=NOW, proof={field: OTHER})
    assert invalid_field(raised) == f"body.{field}"


def test_a_reopen_clears_the_resolution_and_needs_new_photos() -> None:
    resolved = resolve(working(), resolution_photos=1).grievance
    reopened_at = NOW + timedelta(days=1)
    reopened = domain.reopen(resolved, reason="Garbage is back the next day.", sla_hours=48, now=reopened_at).grievance
    assert reopened.resolution is None
    since = domain.last_reopened_at(reopened)
    assert since == iso(reopened_at)
    before, after = photo(iso(NOW - timedelta(hours=1))), photo(iso(reopened_at + timedelta(hours=1)))
    assert photo_rules.resolution_proof([before], since) == 0
    assert photo_rules.resolution_proof([before, after], since) == 1
    assert domain.last_reopened_at(resolved) is None
    assert photo_rules.resolution_proof([before], None) == 1


def photo(created_at: str, **changes: Any) -> Photo:
    base = Photo("GRV-2606-7K3M9Q", "PHO-0B7Q3M2K", "ready", "image/jpeg", created_at, created_at, 400, 300)
    return replace(base, **({"kind": "resolution"} | changes))


def test_only_ready_unhidden_resolution_photos_are_proof() -> None:
    at = iso(NOW)
    assert photo_rules.resolution_proof([photo(at, kind="citizen")], None) == 0
    assert photo_rules.resolution_proof([photo(at, status="processing")], None) == 0
    assert photo_rules.resolution_proof([photo(at, status="rejected")], None) == 0
    assert photo_rules.resolution_proof([photo(at, hidden=True)], None) == 0
    assert photo_rules.resolution_proof([photo(at), photo(at)], None) == 2


def test_resolution_photos_have_their_own_five_slots_and_hidden_photos_free_theirs() -> None:
    at = iso(NOW)
    citizens = [photo(at, kind="citizen") for _ in range(5)]
    assert not photo_rules.has_free_slot(citizens, NOW, "citizen")
    assert photo_rules.has_free_slot(citizens, NOW, "resolution")
    assert photo_rules.has_free_slot([*citizens[:4], replace(citizens[4], hidden=True)], NOW, "citizen")


# --- moderation ---------------------------------------------------------------------------------------


def test_editing_the_description_keeps_the_original_in_the_staff_log() -> None:
    g = working()
    change = domain.moderate(
        g,
        action="description_edited",
        by="staff-sub",
        reason="Caller's phone number in the text.",
        description="Garbage not collected behind Kasba Ganpati.",
        now=NOW,
    )
    after = change.grievance
    assert after.description == "Garbage not collected behind Kasba Ganpati."
    assert after.status == g.status
    assert change.moves_status is False
    assert list(after.moderation) == [
        {
            "at": iso(NOW),
            "action": "description_edited",
            "by": "staff-sub",
            "reason": "Caller's phone number in the text.",
            "photo_id": None,
            "rectangles": None,
            "previous_description": g.description,
        }
    ]
    entry = after.timeline[-1]
    assert (entry["type"], entry["actor"], entry["note"]) == (
        "description_edited",
        "staff",
        "Caller's phone number in the text.",
    )


def test_moderation_needs_a_reason_in_every_status() -> None:
    for status in domain.STATUSES:
        with pytest.raises(Invalid) as raised:
            domain.moderate(replace(working(), status=status), action="photo_hidden", by="s", reason=None, now=NOW)  # type: ignore[arg-type]
        assert invalid_field(raised) == "body.reason"


@pytest.mark.parametrize(
    ("rectangle", "index"),
    [
        (Rectangle(0, 0, 0, 10), 1),  # zero width
        (Rectangle(0, 0, 10, 0), 1),  # zero height
        (Rectangle(395, 0, 10, 10), 1),  # past the right edge (400 wide)
        (Rectangle(0, 295, 10, 10), 1),  # past the bottom (300 high)
        (Rectangle(-1, 0, 10, 10), 1),
    ],
)
def test_a_rectangle_of_no_area_or_outside_the_image_is_refused_naming_it(rectangle: Rectangle, index: int) -> None:
    with pytest.raises(Invalid) as raised:
        photo_rules.check_rectangles(photo(iso(NOW)), [Rectangle(0, 0, 400, 300), rectangle])
    assert invalid_field(raised) == f"body.rectangles.{index}"


def test_redaction_fills_the_rectangles_and_remakes_the_thumbnail() -> None:
    source = Image.new("RGB", (400, 300), (230, 230, 230))
    source.paste((200, 30, 30), (100, 50, 200, 150))  # a "face"
    out = io.BytesIO()
    source.save(out, "JPEG", quality=95)
    original = out.getvalue()

    done = photo_processor.redacted(original, "image/jpeg", [Rectangle(100, 50, 100, 100)])

    clean = Image.open(io.BytesIO(done.clean)).convert("RGB")
    assert clean.size == (400, 300) == (done.width, done.height)
    inside = clean.getpixel((150, 100))
    assert isinstance(inside, tuple)
    assert max(inside) < 20  # filled black: nothing of the red left
    outside = clean.getpixel((20, 20))
    assert isinstance(outside, tuple)
    assert min(outside) > 200  # the rest untouched
    thumb = Image.open(io.BytesIO(done.thumb)).convert("RGB")
    assert thumb.size == (320, 240)
    centre = thumb.getpixel((120, 80))  # the rectangle's centre, scaled
    assert isinstance(centre, tuple)
    assert max(centre) < 40
