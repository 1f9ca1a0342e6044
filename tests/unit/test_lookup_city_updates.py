"""City update rules (API.md 2.4) without AWS: derived status, validity window, ward scope, merge patch,
withdraw, the stored document, and the lifecycle document in docs/."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from lookup import domain
from lookup.models import CityUpdateCreate, CityUpdatePatch, WithdrawBody
from pmc_common.auth import Caller
from pmc_common.clock import iso
from pmc_common.errors import Conflict, Forbidden, Invalid
from pmc_common.lifecycle import with_generated

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 10, 5, 0, tzinfo=UTC)
STAFF = Caller("staff-sub", None, frozenset({"staff"}), None)
W07 = Caller("w07-sub", None, frozenset({"ward_officer"}), "W07")
FIELDS: dict[str, Any] = {
    "category": "water_cut",
    "ward": "W07",
    "title": {"en": "No water in Kasba Peth", "mr": "कसबा पेठेत पाणीपुरवठा बंद"},
    "body": {"en": "Pipeline repairs all day.", "mr": "दिवसभर जलवाहिनी दुरुस्ती."},
    "starts_at": NOW - timedelta(hours=1),
    "ends_at": NOW + timedelta(hours=12),
}


def published(**changes: Any) -> domain.CityUpdate:
    return domain.publish("UPD-2K8M4Q7T", FIELDS | changes, STAFF, NOW)


def field_of(raised: pytest.ExceptionInfo[Invalid]) -> str:
    return raised.value.errors[0].field


@pytest.mark.parametrize(
    ("starts", "ends", "withdrawn", "status"),
    [
        (1, 2, None, "scheduled"),
        (0, 2, None, "active"),
        (-2, 1, None, "active"),
        (-2, 0, None, "ended"),
        (-2, 1, -1, "withdrawn"),
        (1, 2, 0, "withdrawn"),
    ],
)
def test_status_is_derived_from_the_clock(starts: int, ends: int, withdrawn: int | None, status: str) -> None:
    at = [NOW + timedelta(hours=h) for h in (starts, ends)]
    gone = None if withdrawn is None else NOW + timedelta(hours=withdrawn)
    assert domain.status_of(at[0], at[1], gone, NOW) == status


def test_a_120_day_span_is_invalid_naming_ends_at_and_90_days_is_the_maximum() -> None:
    with pytest.raises(Invalid) as raised:
        published(ends_at=FIELDS["starts_at"] + timedelta(days=120))
    assert field_of(raised) == "body.ends_at"
    assert "90 days" in raised.value.errors[0].message
    assert published(ends_at=FIELDS["starts_at"] + domain.MAX_SPAN).status == "active"
    with pytest.raises(Invalid):
        published(ends_at=FIELDS["starts_at"] + domain.MAX_SPAN + timedelta(seconds=1))


@pytest.mark.parametrize(
    "window",
    [
        {"ends_at": NOW - timedelta(hours=2)},  # before its start
        {"ends_at": FIELDS["starts_at"]},  # empty
        {"starts_at": NOW - timedelta(hours=5), "ends_at": NOW},  # over already
    ],
)
def test_a_window_that_is_empty_or_over_is_invalid(window: dict[str, datetime]) -> None:
    with pytest.raises(Invalid) as raised:
        published(**window)
    assert field_of(raised) == "body.ends_at"


def test_a_start_in_the_past_is_allowed_for_a_cut_already_under_way() -> None:
    assert published(starts_at=NOW - timedelta(days=3)).status == "active"


def test_ward_officers_publish_and_change_only_their_own_ward() -> None:
    assert domain.publish("UPD-2K8M4Q7T", FIELDS, W07, NOW).created_by == "w07-sub"
    for ward in ("W01", None):
        with pytest.raises(Forbidden):
            domain.publish("UPD-2K8M4Q7T", FIELDS | {"ward": ward}, W07, NOW)
        with pytest.raises(Forbidden):
            domain.edit(published(ward=ward), {"category": "other"}, W07, NOW)
        with pytest.raises(Forbidden):
            domain.withdraw(published(ward=ward), None, W07, NOW)
    assert domain.publish("UPD-2K8M4Q7T", FIELDS | {"ward": None}, STAFF, NOW).ward is None


def test_a_merge_patch_keeps_what_it_leaves_out_and_replaces_bilingual_text_whole() -> None:
    current = published()
    later = NOW + timedelta(minutes=5)
    title = {"en": "Water cut extended", "mr": "पाणीकपात वाढवली"}
    edited = domain.edit(current, {"title": title, "ends_at": NOW + timedelta(hours=20)}, W07, later)
    assert edited is not None
    assert (edited.title, edited.body, edited.category) == (title, current.body, current.category)
    assert (edited.ends_at, edited.updated_at, edited.updated_by) == (NOW + timedelta(hours=20), later, "w07-sub")
    assert (edited.created_at, edited.created_by, edited.ward) == (current.created_at, current.created_by, "W07")


def test_a_patch_that_changes_nothing_is_no_change() -> None:
    current = published()
    assert domain.edit(current, {}, STAFF, NOW) is None
    assert domain.edit(current, {"category": "water_cut", "title": dict(current.title)}, STAFF, NOW) is None


def test_a_patch_is_revalidated_whole() -> None:
    with pytest.raises(Invalid) as raised:
        domain.edit(published(), {"starts_at": NOW + timedelta(days=1)}, STAFF, NOW)  # now after ends_at
    assert field_of(raised) == "body.ends_at"
    with pytest.raises(Invalid):
        domain.edit(published(), {"ends_at": FIELDS["starts_at"] + timedelta(days=91)}, STAFF, NOW)


def test_a_patch_that_moves_the_start_moves_the_status() -> None:
    scheduled = published(starts_at=NOW + timedelta(hours=2))
    assert scheduled.status == "scheduled"
    edited = domain.edit(scheduled, {"starts_at": NOW - timedelta(minutes=1)}, STAFF, NOW)
    assert edited is not None
    assert edited.status == "active"


def test_withdrawn_and_ended_updates_refuse_edits_with_their_codes() -> None:
    withdrawn = domain.withdraw(published(), "postponed", STAFF, NOW)
    assert withdrawn is not None
    assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.withdraw_reason) == ("withdrawn", NOW, "postponed")
    with pytest.raises(Conflict) as raised:
        domain.edit(withdrawn, {"category": "other"}, STAFF, NOW)
    assert raised.value.code == "update_withdrawn"
    assert domain.withdraw(withdrawn, "again", STAFF, NOW + timedelta(hours=1)) is None  # unchanged
    ended = replace(published(ends_at=NOW + timedelta(hours=1)), status="ended")
    for attempt in (
        lambda: domain.edit(ended, {"category": "other"}, STAFF, NOW),
        lambda: domain.withdraw(ended, None, STAFF, NOW),
    ):
        with pytest.raises(Conflict) as raised:
            attempt()
        assert raised.value.code == "update_ended"


instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)).map(
    lambda at: at.replace(microsecond=0)
)


@given(starts=instants, hours=st.integers(1, 90 * 24), withdrawn=st.none() | instants, read=st.integers(-2400, 2400))
def test_the_stored_document_reads_back_as_the_update_with_its_status_now(
    starts: datetime, hours: int, withdrawn: datetime | None, read: int
) -> None:
    now = starts + timedelta(hours=read)
    update = replace(published(), starts_at=starts, ends_at=starts + timedelta(hours=hours), withdrawn_at=withdrawn)
    back = domain.from_doc(domain.to_doc(update), now)
    assert replace(back, status=update.status) == update
    assert back.status == domain.status_of(update.starts_at, update.ends_at, withdrawn, now)
    assert domain.listed(domain.to_doc(update), None, now) == (back.status == "active")
    if back.status == "active":  # the public list reads back to now - MAX_SPAN: no active update starts earlier
        assert iso(update.starts_at) >= domain.live_since(now)


def test_bodies_refuse_unknown_fields_nulls_and_timestamps_without_an_offset() -> None:
    wire = FIELDS | {"starts_at": "2026-06-10T04:00:00+05:30", "ends_at": "2026-06-10T17:00:00Z"}
    parsed = CityUpdateCreate.model_validate(wire)
    assert parsed.starts_at == datetime(2026, 6, 9, 22, 30, tzinfo=UTC)
    for bad in (wire | {"status": "active"}, wire | {"starts_at": "2026-06-10T04:00:00"}, wire | {"ends_at": 5}):
        with pytest.raises(ValidationError):
            CityUpdateCreate.model_validate(bad)
    with pytest.raises(ValidationError) as raised:
        CityUpdatePatch.model_validate({"ward": "W01"})
    assert raised.value.errors()[0]["type"] == "extra_forbidden"
    with pytest.raises(ValidationError) as raised:
        CityUpdatePatch.model_validate({"title": None})
    assert "may not be null" in raised.value.errors()[0]["msg"]
    assert CityUpdatePatch.model_validate({"category": "other"}).changes() == {"category": "other"}
    assert WithdrawBody.model_validate({}).reason is None
    with pytest.raises(ValidationError):
        WithdrawBody.model_validate({"reason": "x" * 501})


def test_the_city_updates_document_shows_the_table_as_it_is() -> None:
    document = (ROOT / "docs/city-updates.md").read_text(encoding="utf-8")
    assert with_generated(document, "lifecycle", domain.UPDATES.document()) == document, (
        "docs/city-updates.md is out of date: run .venv/bin/python tools/lifecycle_docs.py"
    )
