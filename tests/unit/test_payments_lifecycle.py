"""The payment status table of API.md 4.6 through its one gate, `domain.transition`: every (message, from,
to, actor) allowed or refused as an oracle written from 4.6 says, what a capture decides and sets, and
docs/money-flow.md, which must show the table as it is."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from payments import domain
from payments.domain import Payment
from pmc_common.clock import iso
from pmc_common.errors import Conflict, Invalid
from pmc_common.lifecycle import with_generated

ROOT = Path(__file__).resolve().parents[2]
CREATED_AT = datetime(2026, 5, 10, 6, 0, tzinfo=UTC)
STATUSES = ("created", "pending", "captured", "failed", "expired", "flagged", "refund_due")
VIAS = ("authorize", "confirm", "capture", "fail", "expire")
ACTORS = ("reconciler", "citizen", "staff")

# The "Next" column of 4.6, written out independently of domain.LIFECYCLE.
NEXT: dict[str, set[str]] = {
    "created": {"pending", "captured", "failed", "expired", "flagged", "refund_due"},
    "pending": {"captured", "flagged", "refund_due", "failed", "expired"},
    "captured": set(),
    "failed": {"captured", "flagged", "refund_due"},
    "expired": {"captured", "flagged", "refund_due"},
    "flagged": set(),
    "refund_due": set(),
}
# Which gateway news makes each move; only the reconciler applies them (webhook, confirm and stale_payments
# only enqueue).
CAPTURED_INTO = ("captured", "flagged", "refund_due")
ALLOWED: set[tuple[str, str, str]] = {
    ("authorize", "created", "pending"),
    ("confirm", "created", "pending"),
    *(("capture", f, t) for f in ("created", "pending", "failed", "expired") for t in CAPTURED_INTO),
    *(("fail", f, "failed") for f in ("created", "pending")),
    *(("expire", f, "expired") for f in ("created", "pending")),
    # a second capture on a captured order leaves the payment as it is (a new refund_due record takes the money)
    *(("capture", f, f) for f in ("captured", "flagged", "refund_due")),
}


def payment(status: str = "created") -> Payment:
    return Payment(
        id="PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY",
        owner_sub="owner-sub",
        kind="property_tax",
        reference="PMC-W07-000001",
        ward="W07",
        amount_paise=1208000,
        lines=(
            domain.PaymentLine("2026-27-H1", "2026-27", 624000, 0, 0, 624000),
            domain.PaymentLine("2026-27-H2", "2026-27", 624000, 0, 0, 624000),
        ),
        rebates=(domain.Rebate("2026-27", 40000),),
        gateway="sandbox",
        gateway_order_id="order_Q4m8ZtY2xKp1Vd",
        gateway_key_id="rzp_test_sandbox",
        checkout_url=None,
        created_at=iso(CREATED_AT),
        expires_at=iso(CREATED_AT + domain.ORDER_TTL),
        status=status,  # type: ignore[arg-type]
    )


def news(to: str) -> dict[str, Any]:
    """A message that leads to `to`: a capture of the right amount, the wrong one, or of a line paid meanwhile."""
    return {
        "gateway_payment_id": "pay_Q4m9Lr7bNc2XyA",
        "amount_paise": 5000 if to == "flagged" else 1208000,
        "currency": "INR",
        "lines_paid_elsewhere": to == "refund_due",
        "receipt_no": "PMC/2026-27/000123",
    }


LATE = CREATED_AT + timedelta(minutes=31)


def test_the_table_has_exactly_the_moves_of_4_6() -> None:
    assert domain.STATUSES == STATUSES
    assert {(f, t) for f, targets in NEXT.items() for t in targets} == {
        (r.from_status, r.to_status) for r in domain.LIFECYCLE if r.moves_status
    }
    assert {(r.via, r.from_status, r.to_status) for r in domain.LIFECYCLE} == ALLOWED
    assert set(domain.FINAL) == {s for s, targets in NEXT.items() if not targets}


@pytest.mark.parametrize(
    ("via", "from_status", "to_status", "by"), list(itertools.product(VIAS, STATUSES, STATUSES, ACTORS))
)
def test_every_move_is_allowed_or_refused_as_4_6_says(via: str, from_status: str, to_status: str, by: str) -> None:
    current = payment(from_status)
    if (via, from_status, to_status) in ALLOWED and by == "reconciler":
        move = domain.transition(current, via, given=news(to_status), now=LATE, to=to_status)  # type: ignore[arg-type]
        assert (move.before.status, move.after.status) == (from_status, to_status)
        assert domain.allowed(from_status, to_status, by)
    else:
        with pytest.raises(Conflict) as refused:
            domain.transition(current, via, given=news(to_status), now=LATE, to=to_status, by=by)  # type: ignore[arg-type]
        assert refused.value.code == "illegal_transition"
        if (from_status, to_status) not in {(f, t) for _, f, t in ALLOWED} or by != "reconciler":
            assert not domain.allowed(from_status, to_status, by)


def recorded(status: str) -> Payment:
    """A payment in a final status as the reconciler leaves it: captured by pay_Q4m9Lr7bNc2XyA."""
    from dataclasses import replace

    reason = {"flagged": "amount_mismatch", "refund_due": "already_paid"}.get(status)
    return replace(payment(status), gateway_payment_id="pay_Q4m9Lr7bNc2XyA", status_reason=reason)


@pytest.mark.parametrize("status", ["captured", "flagged", "refund_due"])
def test_a_second_capture_on_a_captured_order_leaves_it_and_records_a_duplicate(status: str) -> None:
    original = recorded(status)
    now = CREATED_AT + timedelta(hours=2)
    for amount in (1208000, 5000):  # also another amount: the whole capture is refunded
        second = {"gateway_payment_id": "pay_R5n0Ms8cOd3YzB", "amount_paise": amount, "currency": "INR"}
        move = domain.transition(original, "capture", given=second, now=now)
        assert move.after == original
        assert move.rule.records == ("duplicate_capture",)
        created = domain.duplicate_capture(original, "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXZ", second, now)
        assert (created.id, created.status, created.status_reason) == (
            "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXZ",
            "refund_due",
            "duplicate_capture",
        )
        assert (created.gateway_payment_id, created.captured_amount_paise) == ("pay_R5n0Ms8cOd3YzB", amount)
        assert (created.created_at, created.captured_at, created.receipt_no) == (iso(now), iso(now), None)
        same = ("owner_sub", "kind", "reference", "ward", "amount_paise", "lines", "rebates", "gateway_order_id")
        assert all(getattr(created, f) == getattr(original, f) for f in same)
    # the capture already recorded, delivered again, is refused: a repeat, nothing to apply
    again = {"gateway_payment_id": "pay_Q4m9Lr7bNc2XyA", "amount_paise": 1208000, "currency": "INR"}
    with pytest.raises(Conflict) as refused:
        domain.transition(original, "capture", given=again, now=now)
    assert refused.value.code == "same_attempt"


@pytest.mark.parametrize("from_status", ["created", "pending", "failed", "expired"])
def test_a_capture_decides_its_own_outcome_in_the_order_of_4_6(from_status: str) -> None:
    now = CREATED_AT + timedelta(minutes=3, seconds=41)
    captured = domain.transition(payment(from_status), "capture", given=news("captured"), now=now).after
    assert (captured.status, captured.status_reason, captured.receipt_no) == ("captured", None, "PMC/2026-27/000123")
    assert (captured.captured_amount_paise, captured.captured_at) == (1208000, "2026-05-10T06:03:41Z")
    assert captured.gateway_payment_id == "pay_Q4m9Lr7bNc2XyA"
    # the amount is checked before the lines: a wrong amount is flagged even if a line was paid meanwhile
    wrong = {**news("flagged"), "lines_paid_elsewhere": True}
    flagged = domain.transition(payment(from_status), "capture", given=wrong, now=now).after
    assert (flagged.status, flagged.status_reason) == ("flagged", "amount_mismatch")
    assert flagged.captured_amount_paise == 5000
    assert flagged.receipt_no is None
    dollars = {**news("captured"), "currency": "USD"}
    assert domain.transition(payment(from_status), "capture", given=dollars, now=now).after.status_reason == (
        "currency_mismatch"
    )
    refund = domain.transition(payment(from_status), "capture", given=news("refund_due"), now=now).after
    assert (refund.status, refund.status_reason, refund.receipt_no) == ("refund_due", "already_paid", None)


def test_a_capture_named_against_the_facts_is_refused() -> None:
    for to, given, code in (
        ("captured", news("flagged"), "capture_mismatch"),
        ("captured", news("refund_due"), "already_paid"),
        ("flagged", news("captured"), "capture_matches"),
        ("refund_due", news("captured"), "lines_free"),
    ):
        with pytest.raises(Conflict) as refused:
            domain.transition(payment(), "capture", given=given, now=LATE, to=to)  # type: ignore[arg-type]
        assert refused.value.code == code


def test_a_capture_without_a_receipt_number_is_refused_before_anything_changes() -> None:
    with pytest.raises(Invalid) as invalid:
        domain.transition(payment(), "capture", given={**news("captured"), "receipt_no": None}, now=LATE)
    assert invalid.value.errors[0].field == "body.receipt_no"


def test_an_order_expires_only_once_its_30_minutes_are_over() -> None:
    with pytest.raises(Conflict) as early:
        domain.transition(payment("pending"), "expire", given={}, now=CREATED_AT + timedelta(minutes=29))
    assert early.value.code == "not_expired"
    at_expiry = CREATED_AT + domain.ORDER_TTL
    assert domain.transition(payment("pending"), "expire", given={}, now=at_expiry).after.status == "expired"


def test_an_open_payment_holds_its_lines_until_expires_at_whatever_its_recorded_status() -> None:
    assert payment("created").is_open(CREATED_AT + timedelta(minutes=29, seconds=59))
    assert not payment("pending").is_open(CREATED_AT + domain.ORDER_TTL)
    assert not any(payment(s).is_open(CREATED_AT) for s in STATUSES if s not in ("created", "pending"))


def test_nothing_undoes_a_capture_and_a_late_failure_is_refused() -> None:
    for status in domain.FINAL:
        for via in VIAS:
            if via == "capture":  # another attempt's capture changes nothing of it either (above)
                assert domain.transition(payment(status), via, given=news("captured"), now=LATE).after == payment(
                    status
                )
                continue
            with pytest.raises(Conflict):
                domain.transition(payment(status), via, given=news("captured"), now=LATE)


def test_the_money_flow_document_shows_the_table_as_it_is() -> None:
    document = (ROOT / "docs/money-flow.md").read_text(encoding="utf-8")
    assert with_generated(document, "lifecycle", domain.LIFECYCLE.document()) == document, (
        "docs/money-flow.md is out of date: run .venv/bin/python tools/lifecycle_docs.py"
    )
