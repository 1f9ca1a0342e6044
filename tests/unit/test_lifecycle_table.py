"""pmc_common.lifecycle on a table of its own (a payment's statuses, API.md 4.6, in small): the row
lookup and its refusals, requirements, guards, sets and clears, the table's own checks, and its docs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from pmc_common.errors import Conflict, Invalid
from pmc_common.lifecycle import Effect, Guard, Lifecycle, Refusal, Rule, with_generated

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Payment:
    status: str
    amount_paise: int
    captured_amount_paise: int | None = None
    expires_at: datetime = NOW
    lines_held: bool = True


CAPTURED = Effect[Payment]("the gateway's amount", lambda p, given, now: given["captured_amount_paise"])
EXPIRED = Guard[Payment]("now > expires_at", "not_expired", "Not expired yet", lambda p, given, now: now > p.expires_at)
PAYMENTS = Lifecycle[Payment](
    ("created", "pending", "captured", "failed", "expired"),
    [
        *(
            Rule[Payment](
                "capture",
                s,
                "captured",
                frozenset({"reconciler"}),
                ("captured_amount_paise",),
                sets={"captured_amount_paise": CAPTURED},
            )
            for s in ("created", "pending", "failed", "expired")
        ),
        Rule[Payment](
            "expire",
            "created",
            "expired",
            frozenset({"stale_payments"}),
            guards=(EXPIRED,),
            clears=("captured_amount_paise",),
        ),
        Rule[Payment]("expire", "pending", "expired", frozenset({"stale_payments"}), guards=(EXPIRED,)),
    ],
    refusals={"capture": Refusal("already_paid", "A {from_status} payment cannot be captured")},
    initial=("created", "citizen"),
    final=("captured",),
)


def test_a_row_applies_its_sets_and_the_new_status() -> None:
    moved = PAYMENTS.apply(
        Payment("pending", 500),
        "captured",
        by="reconciler",
        via="capture",
        given={"captured_amount_paise": 500},
        now=NOW,
    )
    assert moved.after == Payment("captured", 500, 500)
    assert moved.before.status == "pending"
    assert moved.rule.moves_status


def test_without_a_row_the_route_answers_its_own_code_and_others_illegal_transition() -> None:
    with pytest.raises(Conflict) as raised:
        PAYMENTS.apply(Payment("captured", 500), "captured", by="reconciler", via="capture", given={}, now=NOW)
    assert (raised.value.code, raised.value.detail) == ("already_paid", "A captured payment cannot be captured")
    with pytest.raises(Conflict) as raised:
        PAYMENTS.apply(Payment("captured", 500), "expired", by="stale_payments", via="expire", given={}, now=NOW)
    assert raised.value.code == "illegal_transition"


def test_a_refusal_for_a_route_from_one_status_comes_before_the_routes_own() -> None:
    table = Lifecycle[Payment](
        PAYMENTS.statuses,
        PAYMENTS.rules,
        refusals={
            "capture": Refusal("already_paid", "paid"),
            ("capture", "captured"): Refusal("order_already_paid", "A {from_status} order is paid"),
        },
    )
    with pytest.raises(Conflict) as raised:
        table.apply(Payment("captured", 500), "captured", by="reconciler", via="capture", given={}, now=NOW)
    assert (raised.value.code, raised.value.detail) == ("order_already_paid", "A captured order is paid")
    with pytest.raises(Conflict) as raised:
        table.apply(Payment("created", 500), "captured", by="citizen", via="capture", given={}, now=NOW)
    assert raised.value.code == "already_paid"
    assert "`capture` from `captured`: 409 `order_already_paid`" in table.markdown()


def test_an_actor_the_row_does_not_name_is_refused() -> None:
    with pytest.raises(Conflict):
        PAYMENTS.apply(
            Payment("pending", 500),
            "captured",
            by="citizen",
            via="capture",
            given={"captured_amount_paise": 1},
            now=NOW,
        )


def test_a_missing_requirement_is_invalid_naming_the_body_field() -> None:
    with pytest.raises(Invalid) as raised:
        PAYMENTS.apply(Payment("pending", 500), "captured", by="reconciler", via="capture", given={}, now=NOW)
    assert [e.field for e in raised.value.errors] == ["body.captured_amount_paise"]


def test_a_guard_refuses_with_its_code_and_the_only_row_is_found_without_a_target() -> None:
    early = Payment("created", 500, expires_at=NOW + timedelta(seconds=1))
    with pytest.raises(Conflict) as raised:
        PAYMENTS.apply(early, None, by="stale_payments", via="expire", given={}, now=NOW)
    assert raised.value.code == "not_expired"
    late = Payment("created", 500, 7, expires_at=NOW - timedelta(seconds=1))
    moved = PAYMENTS.apply(late, None, by="stale_payments", via="expire", given={}, now=NOW)
    assert (moved.after.status, moved.after.captured_amount_paise) == ("expired", None)


def test_the_table_refuses_duplicate_rows_unknown_statuses_and_setting_the_status() -> None:
    row = Rule[Payment]("expire", "created", "expired", frozenset({"system"}))
    with pytest.raises(ValueError, match="two rules"):
        Lifecycle[Payment](("created", "expired"), [row, row])
    with pytest.raises(ValueError, match="unknown status"):
        Lifecycle[Payment](("created",), [row])
    sets_status = Rule[Payment]("x", "created", "expired", frozenset({"system"}), clears=("status",))
    with pytest.raises(ValueError, match="to_status only"):
        Lifecycle[Payment](("created", "expired"), [sets_status])


def test_membership_and_allowed_speak_of_status_moves() -> None:
    assert ("pending", "captured") in PAYMENTS
    assert ("captured", "pending") not in PAYMENTS
    assert PAYMENTS.allowed("failed", "captured", "reconciler")
    assert not PAYMENTS.allowed("failed", "captured", "stale_payments")


def test_the_document_draws_every_move_and_lists_every_row() -> None:
    document = PAYMENTS.document()
    assert "    [*] --> created: citizen\n    created --> captured: reconciler (captured_amount_paise)" in document
    assert "    captured --> [*]" in document
    assert (
        "| `capture` | `created`, `pending`, `failed`, `expired` | `captured` | reconciler | `captured_amount_paise` |"
        "  | `captured_amount_paise` = the gateway's amount |  |"
    ) in document
    assert (
        "| `expire` | `created` | `expired` | stale_payments |  | now > expires_at (else `not_expired`) |" in document
    )
    assert "(`capture`: 409 `already_paid`)" in document


def test_a_generated_section_is_replaced_and_a_missing_one_named() -> None:
    text = "intro\n<!-- t:begin -->\nold\n<!-- t:end -->\nrest\n"
    assert with_generated(text, "t", "new") == "intro\n<!-- t:begin -->\nnew\n<!-- t:end -->\nrest\n"
    with pytest.raises(ValueError, match="no generated section"):
        with_generated("intro\n", "t", "new")
