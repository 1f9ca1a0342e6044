"""The reconciler (API.md 4.6, issue 17) on DynamoDB Local, its SQS handler called directly: each message
applied exactly once under duplicates and reordering, late failures ignored, a mismatch flagged with nothing
allocated, receipt numbers gap-free under concurrent captures, expiry releasing the lines, and a malformed
message reported as a batch item failure with nothing applied."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from local.dynamodb_local import DYNAMODB_LOCAL, MOTO
from local.events import sqs_event
from pmc_common.clock import FixedClock
from tests.harness import Api, Caller, lambda_context
from tests.integration.test_payments_create import MAY_10, UNPAID, linked, pay
from tests.integration.test_payments_intake import clock, payments_seed

__all__ = ["clock", "payments_seed"]  # the same fixtures

QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:ReconciliationQueue"
CAPTURED_AT = MAY_10 + timedelta(minutes=5)


def new_payment(api: Api) -> tuple[Caller, dict[str, Any]]:
    record = next(UNPAID)
    caller = linked(api, record)
    reply = pay(api, caller, {"kind": "property_tax", "reference": record["property_id"]})
    assert reply.status == 201, reply.body
    return caller, reply.json()


def webhook_message(payment: dict[str, Any], gateway_payment_id: str, status: str, **changes: Any) -> dict[str, Any]:
    return {
        "source": "webhook",
        "event_id": f"evt_{uuid.uuid4().hex[:14]}",
        "event": "payment.captured" if status == "captured" else "payment.failed",
        "payment_id": payment["id"],
        "gateway_order_id": payment["gateway_order_id"],
        "gateway_payment_id": gateway_payment_id,
        "amount_paise": payment["amount_paise"],
        "currency": "INR",
        "status": status,
    } | changes


def gateway_payment_id() -> str:
    return "pay_" + uuid.uuid4().hex[:14]


def run(messages: list[Any], when: Any = CAPTURED_AT) -> dict[str, Any]:
    """One SQS batch through the reconciler's handler (Powertools BatchProcessor), as Lambda calls it."""
    from payments import reconciler
    from pmc_common.batches import batch_handler

    handler = batch_handler("SQS", reconciler.record_handler(FixedClock(when)))
    event = sqs_event(
        [
            {
                "MessageId": str(n),
                "ReceiptHandle": f"r{n}",
                "Body": m if isinstance(m, str) else json.dumps(m),
            }
            for n, m in enumerate(messages)
        ],
        QUEUE_ARN,
    )
    result: dict[str, Any] = handler(event, lambda_context("ReconcilerFunction"))
    return result


def read(api: Api, caller: Caller, payment: dict[str, Any]) -> dict[str, Any]:
    reply = api.get(f"/payments/{payment['id']}", caller=caller)
    assert reply.status == 200
    result: dict[str, Any] = reply.json()
    return result


def lines_paid(payment: dict[str, Any]) -> dict[str, bool]:
    from payments import store

    record = store.property_record(payment["reference"])
    assert record is not None
    wanted = {line["id"] for line in payment["lines"]}
    return {line.id: line.unpaid_principal_paise == 0 for line in record.lines if line.id in wanted}


def day_collections() -> dict[str, int]:
    from payments import payment_store

    return payment_store.collections_of(CAPTURED_AT.date().isoformat())


def receipt_number(payment: dict[str, Any]) -> int:
    number = payment["receipt_no"]
    assert number.startswith("PMC/2026-27/")
    return int(number.rsplit("/", 1)[1])


def test_duplicated_and_reordered_messages_apply_once(api: Api, clock: FixedClock) -> None:
    caller, payment = new_payment(api)
    failed, captured = gateway_payment_id(), gateway_payment_id()
    before = day_collections()
    capture = webhook_message(payment, captured, "captured")
    fail = webhook_message(payment, failed, "failed")
    late_fail = webhook_message(payment, captured, "failed")
    for batch in ([fail, capture, capture], [fail, capture], [late_fail, capture]):
        assert run(batch) == {"batchItemFailures": []}
    after = read(api, caller, payment)
    assert after["status"] == "captured"
    assert after["gateway_payment_id"] == captured
    assert after["captured_amount_paise"] == payment["amount_paise"]
    assert after["captured_at"] == "2026-05-10T06:05:00Z"
    assert after["status_reason"] is None
    receipt_number(after)
    assert all(lines_paid(payment).values())
    cell = f"{payment['ward']}#property_tax"
    now = day_collections()
    assert now.get(f"{cell}#count", 0) - before.get(f"{cell}#count", 0) == 1
    assert now.get(f"{cell}#amount", 0) - before.get(f"{cell}#amount", 0) == payment["amount_paise"]
    owner_list = api.get("/me/payments", caller=caller).json()["items"]
    assert owner_list == [after]


def test_a_confirm_asks_the_gateway(api: Api, clock: FixedClock) -> None:
    from payments import orders

    caller, payment = new_payment(api)
    attempt = orders.gateway().pay(payment["gateway_order_id"], "captured")  # type: ignore[attr-defined]
    confirm = {
        "source": "confirm",
        "payment_id": payment["id"],
        "gateway_order_id": payment["gateway_order_id"],
        "gateway_payment_id": attempt.payment.id,
    }
    assert run([confirm, confirm]) == {"batchItemFailures": []}
    assert read(api, caller, payment)["status"] == "captured"


def test_a_mismatch_is_flagged_and_allocates_nothing(api: Api, clock: FixedClock) -> None:
    caller, payment = new_payment(api)
    _, other = new_payment(api)
    short = webhook_message(payment, gateway_payment_id(), "captured", amount_paise=payment["amount_paise"] - 1)
    assert run([short]) == {"batchItemFailures": []}
    after = read(api, caller, payment)
    assert after["status"] == "flagged"
    assert after["status_reason"] == "amount_mismatch"
    assert after["receipt_no"] is None
    assert not any(lines_paid(payment).values())
    # A later capture of the flagged order leaves it flagged (its money goes on a new refund_due record, tested
    # below); the next receipt number is not skipped.
    assert run([webhook_message(payment, gateway_payment_id(), "captured")]) == {"batchItemFailures": []}
    assert read(api, caller, payment)["status"] == "flagged"
    assert run([webhook_message(other, gateway_payment_id(), "captured")]) == {"batchItemFailures": []}


def test_an_expiry_releases_the_lines_and_a_late_capture_still_counts(api: Api, clock: FixedClock) -> None:
    caller, payment = new_payment(api)
    expire = {
        "source": "stale",
        "payment_id": payment["id"],
        "gateway_order_id": payment["gateway_order_id"],
        "status": "expired",
    }
    assert run([expire], MAY_10 + timedelta(minutes=10)) == {"batchItemFailures": []}  # not yet expired: ignored
    assert read(api, caller, payment)["status"] == "created"
    later = MAY_10 + timedelta(minutes=31)
    assert run([expire, expire], later) == {"batchItemFailures": []}
    assert read(api, caller, payment)["status"] == "expired"
    assert run([webhook_message(payment, gateway_payment_id(), "captured")], later) == {"batchItemFailures": []}
    assert read(api, caller, payment)["status"] == "captured"


def test_a_malformed_message_fails_alone_and_applies_nothing(api: Api, clock: FixedClock) -> None:
    caller, payment = new_payment(api)
    good = webhook_message(payment, gateway_payment_id(), "captured")
    malformed: list[Any] = [
        "not json",
        {"source": "webhook"},
        good | {"payment_id": "PAY-1"},
        good | {"amount_paise": "100"},
        good | {"status": "captured", "amount_paise": None},
    ]
    result = run([*malformed, good])
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == [str(n) for n in range(5)]
    assert read(api, caller, payment)["status"] == "captured"
    # A batch of malformed ones only fails whole (retried; 5 receives → DLQ), applying nothing.
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):
        run(malformed[:2])


@pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO,
    reason="moto's TransactWriteItems is not thread-safe: parallel ones are not isolated",
)
def test_receipt_numbers_are_gap_free_under_concurrent_captures(api: Api, clock: FixedClock) -> None:
    payments = [new_payment(api) for _ in range(8)]
    messages = [webhook_message(p, gateway_payment_id(), "captured") for _, p in payments]
    runs: list[Callable[[], dict[str, Any]]] = [lambda m=m: run([m, m]) for m in messages]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda f: f(), runs))
    assert all(r == {"batchItemFailures": []} for r in results)
    numbers = sorted(receipt_number(read(api, caller, p)) for caller, p in payments)
    assert numbers == list(range(numbers[0], numbers[0] + 8))
    from payments import payment_store

    assert payment_store.receipt_counter("2026-27") == numbers[-1]


def test_stale_payments_turn_a_lost_webhook_into_a_capture_and_expire_the_rest(api: Api, clock: FixedClock) -> None:
    from payments import orders, stale

    paid_caller, paid = new_payment(api)
    idle_caller, idle = new_payment(api)
    orders.gateway().pay(paid["gateway_order_id"], "captured")  # type: ignore[attr-defined]  # webhook lost
    ours = {paid["id"], idle["id"]}

    def sweep(at: Any) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        stale.sweep(at, orders.gateway(), sent.append)
        return [m for m in sent if m["payment_id"] in ours]

    assert sweep(MAY_10 + timedelta(minutes=14)) == []  # not 15 minutes old yet
    found = sweep(MAY_10 + timedelta(minutes=16))
    assert [(m["payment_id"], m["status"]) for m in found] == [(paid["id"], "captured")]
    assert run(found) == {"batchItemFailures": []}
    assert read(api, paid_caller, paid)["status"] == "captured"
    later = MAY_10 + timedelta(minutes=31)
    found = sweep(later)
    assert [(m["payment_id"], m["status"]) for m in found] == [(idle["id"], "expired")]
    assert run(found + found, later) == {"batchItemFailures": []}
    assert read(api, idle_caller, idle)["status"] == "expired"
    assert sweep(later) == []  # neither is open any more


def test_the_stale_payments_handler_answers_its_counts(api: Api, clock: FixedClock) -> None:
    from payments import stale

    result = stale.handler(
        {"id": "evt-1", "time": "2026-05-10T07:00:00Z", "detail-type": "Scheduled Event"},
        lambda_context("StalePaymentsFunction"),
    )
    assert result["event_id"] == "evt-1"
    assert result["time"] == "2026-05-10T07:00:00Z"
    assert result["enqueued"] <= result["checked"]


# --- receipts (API.md 4.9) -------------------------------------------------------------------------------------


def test_a_captured_payment_has_a_receipt_as_json_and_pdf(api: Api, clock: FixedClock) -> None:
    from payments import store

    caller, payment = new_payment(api)
    assert run([webhook_message(payment, gateway_payment_id(), "captured")]) == {"batchItemFailures": []}
    captured = read(api, caller, payment)
    record = store.property_record(payment["reference"])
    assert record is not None

    reply = api.get(f"/payments/{payment['id']}/receipt", caller=caller)
    assert reply.status == 200, reply.body
    receipt = reply.json()
    assert receipt["receipt_no"] == captured["receipt_no"]
    assert receipt["payment_id"] == payment["id"]
    assert receipt["issued_at"] == captured["captured_at"]
    assert receipt["financial_year"] == "2026-27"
    assert receipt["payer_name"] == record.owner_name
    assert receipt["amount_paise"] == payment["amount_paise"]
    assert receipt["lines"] == captured["lines"]
    assert receipt["rebates"] == captured["rebates"]
    assert api.get(f"/payments/{payment['id']}/receipt", query={"format": "json"}, caller=caller).json() == receipt

    staff = Caller("+919800000310", ("ward_officer",), payment["ward"])
    assert api.get(f"/payments/{payment['id']}/receipt", caller=staff).json() == receipt

    pdf = api.get(f"/payments/{payment['id']}/receipt", query={"format": "pdf"}, caller=caller)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="receipt-{payment["id"]}.pdf"'
    assert pdf.body.startswith(b"%PDF-")


def test_a_receipt_of_an_uncaptured_or_someone_elses_payment_is_refused(api: Api, clock: FixedClock) -> None:
    from tests.integration.test_payments_create import assert_problem, fresh_citizen

    caller, payment = new_payment(api)
    path = f"/payments/{payment['id']}/receipt"
    assert_problem(api.get(path, caller=caller), 409, "not_captured")
    assert_problem(api.get(path, query={"format": "pdf"}, caller=caller), 409, "not_captured")
    assert_problem(api.get(path, query={"format": "xml"}, caller=caller), 422)
    assert_problem(api.get(path, caller=fresh_citizen()), 404)
    other_ward = "W01" if payment["ward"] != "W01" else "W02"
    assert_problem(api.get(path, caller=Caller("+919800000311", ("ward_officer",), other_ward)), 404)
    assert_problem(api.get("/payments/PAY-nope/receipt", caller=caller), 404)
    assert read(api, caller, payment) == payment  # reading changed nothing


# --- a day's collections (API.md 4.10) ---------------------------------------------------------------------------


def test_collections_count_captures_and_exceptions_by_ward_and_kind(api: Api, clock: FixedClock) -> None:
    _caller, payment = new_payment(api)
    _, short = new_payment(api)
    assert run([webhook_message(payment, gateway_payment_id(), "captured")]) == {"batchItemFailures": []}
    flagged_amount = short["amount_paise"] - 1
    flag = webhook_message(short, gateway_payment_id(), "captured", amount_paise=flagged_amount)
    assert run([flag]) == {"batchItemFailures": []}
    day = CAPTURED_AT.date().isoformat()
    ward = payment["ward"]

    city = api.get("/staff/collections", query={"date": day}, caller=Caller("+919800000320", ("staff",)))
    assert city.status == 200, city.body
    body = city.json()
    assert body["date"] == day
    assert body["ward"] is None
    assert len(body["by_ward"]) == 15
    assert {k["kind"] for k in body["by_kind"]} == {"property_tax", "water_bill"}
    assert body["count"] == sum(w["count"] for w in body["by_ward"]) >= 1
    assert body["amount_paise"] == sum(k["amount_paise"] for k in body["by_kind"])
    assert body["exceptions"]["flagged"]["count"] >= 1

    officer = Caller("+919800000321", ("ward_officer",), ward)
    mine = api.get("/staff/collections", query={"date": day}, caller=officer).json()
    assert mine["ward"] == ward
    assert [w["ward"] for w in mine["by_ward"]] == [ward]
    row = mine["by_ward"][0]
    assert row["count"] == mine["count"] >= 1
    assert [k["kind"] for k in row["by_kind"]] == ["property_tax", "water_bill"]
    if short["ward"] == ward:
        assert mine["exceptions"]["flagged"]["amount_paise"] >= flagged_amount
    same = api.get("/staff/collections", query={"date": day, "ward": ward}, caller=officer).json()
    assert same == mine


def test_collections_refuse_bad_input_citizens_and_other_wards(api: Api, clock: FixedClock) -> None:
    from tests.integration.test_payments_create import assert_problem, fresh_citizen

    before = day_collections()
    staff = Caller("+919800000322", ("staff",))
    today = api.get("/staff/collections", caller=staff)
    assert today.status == 200
    assert today.json()["date"] == "2026-05-10"
    assert_problem(api.get("/staff/collections", query={"date": "2026-05-11"}, caller=staff), 422)
    assert_problem(api.get("/staff/collections", query={"date": "10-05-2026"}, caller=staff), 422)
    assert_problem(api.get("/staff/collections", query={"ward": "W99"}, caller=staff), 422)
    assert_problem(api.get("/staff/collections", caller=fresh_citizen()), 403)
    officer = Caller("+919800000323", ("ward_officer",), "W01")
    assert_problem(api.get("/staff/collections", query={"ward": "W02"}, caller=officer), 403)
    assert day_collections() == before


def test_a_receipts_signed_link_verifies_it_without_the_payer(api: Api, clock: FixedClock) -> None:
    from payments import receipts
    from pmc_common.settings import load

    caller, payment = new_payment(api)
    assert run([webhook_message(payment, gateway_payment_id(), "captured")]) == {"batchItemFailures": []}
    captured = read(api, caller, payment)
    number = captured["receipt_no"]
    secret = load(receipts.ReceiptSettings).receipt_signing_secret
    url = receipts.verification_url("http://localhost", secret, number)
    path, _, query = url.removeprefix("http://localhost").partition("?sig=")

    reply = api.get(path, query={"sig": query})
    assert reply.status == 200, reply.body
    assert reply.json() == {
        "receipt_no": number,
        "amount_paise": captured["amount_paise"],
        "currency": "INR",
        "date": "2026-05-10",
        "ward": captured["ward"],
    }
    assert "payer_name" not in reply.json()


def test_a_bad_signature_or_unknown_receipt_is_404(api: Api, clock: FixedClock) -> None:
    from payments import receipts
    from pmc_common.settings import load
    from tests.integration.test_payments_create import assert_problem

    secret = load(receipts.ReceiptSettings).receipt_signing_secret
    unknown = "PMC/2026-27/999999"
    signed = receipts.receipt_signature(secret, unknown)
    assert_problem(api.get(f"/receipts/{receipts.receipt_no_in_url(unknown)}/verify", query={"sig": signed}), 404)
    caller, payment = new_payment(api)
    assert run([webhook_message(payment, gateway_payment_id(), "captured")]) == {"batchItemFailures": []}
    number = read(api, caller, payment)["receipt_no"]
    path = f"/receipts/{receipts.receipt_no_in_url(number)}/verify"
    assert_problem(api.get(path, query={"sig": signed}), 404)
    assert_problem(api.get(path), 404)
    assert_problem(api.get(path, query={"sig": "x" * 22}), 404)
    assert_problem(api.get("/receipts/PMC-2026-27-12/verify", query={"sig": signed}), 404)
    assert api.get(path, query={"sig": receipts.receipt_signature(secret, number)}).status == 200


# --- staff lists of exceptions (API.md 4.10) ---------------------------------------------------------------------


def test_staff_list_flagged_payments_newest_first_and_by_ward(api: Api, clock: FixedClock) -> None:
    from tests.integration.test_payments_create import assert_problem, fresh_citizen

    flagged = []
    for _ in range(3):
        _, p = new_payment(api)
        short = webhook_message(p, gateway_payment_id(), "captured", amount_paise=p["amount_paise"] - 1)
        assert run([short]) == {"batchItemFailures": []}
        flagged.append(p["id"])
    staff = Caller("+919800000330", ("staff",))
    first = api.get("/staff/payments", query={"status": "flagged", "limit": 2}, caller=staff)
    assert first.status == 200, first.body
    page = first.json()
    assert len(page["items"]) == 2
    assert all(item["status"] == "flagged" for item in page["items"])
    created = [item["created_at"] for item in page["items"]]
    assert created == sorted(created, reverse=True)
    assert page["next_cursor"]
    rest = api.get(
        "/staff/payments", query={"status": "flagged", "limit": 2, "cursor": page["next_cursor"]}, caller=staff
    ).json()
    ids = {i["id"] for i in page["items"]} | {i["id"] for i in rest["items"]}
    assert len(ids) == len(page["items"]) + len(rest["items"]) >= 3  # no payment on both pages

    _, one = new_payment(api)
    short = webhook_message(one, gateway_payment_id(), "captured", amount_paise=one["amount_paise"] - 1)
    assert run([short]) == {"batchItemFailures": []}
    officer = Caller("+919800000331", ("ward_officer",), one["ward"])
    mine = api.get("/staff/payments", query={"status": "flagged", "limit": 100}, caller=officer).json()
    assert one["id"] in {i["id"] for i in mine["items"]}
    assert {i["ward"] for i in mine["items"]} == {one["ward"]}
    assert api.get("/staff/payments", query={"status": "refund_due"}, caller=officer).status == 200

    assert_problem(api.get("/staff/payments", caller=staff), 422)
    assert_problem(api.get("/staff/payments", query={"status": "captured"}, caller=staff), 422)
    assert_problem(api.get("/staff/payments", query={"status": "flagged", "ward": "W99"}, caller=staff), 422)
    assert_problem(api.get("/staff/payments", query={"status": "flagged"}, caller=fresh_citizen()), 403)
    other = "W01" if one["ward"] != "W01" else "W02"
    assert_problem(api.get("/staff/payments", query={"status": "flagged", "ward": other}, caller=officer), 403)


# --- a second capture on a captured order (API.md 4.6 `duplicate_capture`) ------------------------------------


def capture_with(payment: dict[str, Any], status: str) -> dict[str, Any]:
    """A first capture that leaves `payment` captured, flagged (another amount) or refund_due (a line paid by
    another payment meanwhile, faked by settling the lines first)."""
    from payments import store

    if status == "refund_due":
        record = store.property_record(payment["reference"])
        assert record is not None
        lines = [
            {
                "id": line.id,
                "principal_paise": line.principal_paise,
                "general_tax_paise": line.general_tax_paise,
                "paid_principal_paise": line.principal_paise,
            }
            for line in record.lines
        ]
        doc = {"property_id": record.property_id, "ward": record.ward, "owner_name": record.owner_name}
        store.put_records("property", [(record.property_id, doc | {"locality": record.locality}, lines)])
    amount = payment["amount_paise"] - (1 if status == "flagged" else 0)
    return webhook_message(payment, gateway_payment_id(), "captured", amount_paise=amount)


@pytest.mark.parametrize("first", ["captured", "flagged", "refund_due"])
def test_a_second_capture_is_a_new_refund_due_payment_once(api: Api, clock: FixedClock, first: str) -> None:
    from payments import payment_store

    caller, payment = new_payment(api)
    assert run([capture_with(payment, first)]) == {"batchItemFailures": []}
    original = read(api, caller, payment)
    assert original["status"] == first
    paid_before = lines_paid(payment)
    receipts_before = payment_store.receipt_counter("2026-27")
    before = day_collections()
    second_id = gateway_payment_id()
    second = webhook_message(payment, second_id, "captured", amount_paise=payment["amount_paise"] + 7)
    for batch in ([second, second], [second], [webhook_message(payment, second_id, "failed"), second]):
        assert run(batch, CAPTURED_AT + timedelta(minutes=1)) == {"batchItemFailures": []}

    assert read(api, caller, payment) == original  # the payment stays as it was
    mine = api.get("/me/payments", caller=caller).json()["items"]
    assert [p["id"] for p in mine][1:] == [payment["id"]]  # one new record, the newest
    duplicate = mine[0]
    assert duplicate["id"].startswith("PAY-")
    assert duplicate["id"] != payment["id"]
    assert (duplicate["status"], duplicate["status_reason"]) == ("refund_due", "duplicate_capture")
    assert duplicate["gateway_order_id"] == payment["gateway_order_id"]
    assert duplicate["gateway_payment_id"] == second_id
    assert duplicate["captured_amount_paise"] == payment["amount_paise"] + 7
    assert duplicate["receipt_no"] is None
    assert duplicate["captured_at"] == duplicate["created_at"] == "2026-05-10T06:06:00Z"
    assert {k: duplicate[k] for k in ("kind", "reference", "ward", "amount_paise", "lines", "rebates")} == {
        k: payment[k] for k in ("kind", "reference", "ward", "amount_paise", "lines", "rebates")
    }
    assert read(api, caller, duplicate) == duplicate
    staff = Caller("+919800000340", ("ward_officer",), payment["ward"])
    assert api.get(f"/payments/{duplicate['id']}", caller=staff).json() == duplicate
    listed = api.get("/staff/payments", query={"status": "refund_due", "limit": 100}, caller=staff).json()["items"]
    assert duplicate in listed
    assert lines_paid(payment) == paid_before  # nothing allocated
    assert payment_store.receipt_counter("2026-27") == receipts_before  # no receipt number used
    cell = f"exceptions#refund_due#{payment['ward']}"
    now = day_collections()
    assert now.get(f"{cell}#count", 0) - before.get(f"{cell}#count", 0) == 1
    assert now.get(f"{cell}#amount", 0) - before.get(f"{cell}#amount", 0) == payment["amount_paise"] + 7
    assert {k: v for k, v in now.items() if not k.startswith(cell)} == {
        k: v for k, v in before.items() if not k.startswith(cell)
    }


def test_a_confirm_of_a_second_capture_is_the_same_duplicate(api: Api, clock: FixedClock) -> None:
    from payments import orders
    from payments.gateways import GatewayPayment

    caller, payment = new_payment(api)
    first = orders.gateway().pay(payment["gateway_order_id"], "captured")  # type: ignore[attr-defined]
    second = GatewayPayment(
        gateway_payment_id(), payment["gateway_order_id"], payment["amount_paise"], "INR", "captured"
    )

    class TwiceCaptured:
        """The sandbox, with a second captured attempt on the order (its pay route refuses a paid order)."""

        def fetch_payment(self, payment_id: str) -> GatewayPayment | None:
            return second if payment_id == second.id else orders.gateway().fetch_payment(payment_id)

    def confirm(attempt: str) -> dict[str, Any]:
        return {
            "source": "confirm",
            "payment_id": payment["id"],
            "gateway_order_id": payment["gateway_order_id"],
            "gateway_payment_id": attempt,
        }

    from payments import reconciler

    for message in (
        confirm(second.id),
        confirm(first.payment.id),
        confirm(second.id),
        webhook_message(payment, second.id, "captured"),
    ):
        reconciler.reconcile(reconciler.Message.model_validate(message), TwiceCaptured, FixedClock(CAPTURED_AT))  # type: ignore[arg-type]
    mine = api.get("/me/payments", caller=caller).json()["items"]
    assert [(p["status"], p["gateway_payment_id"]) for p in mine] == [
        ("refund_due", first.payment.id),
        ("captured", second.id),
    ]
    assert mine[0]["status_reason"] == "duplicate_capture"


@pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO,
    reason="moto's TransactWriteItems is not thread-safe: parallel ones are not isolated",
)
def test_concurrent_captures_of_one_order_record_each_once(api: Api, clock: FixedClock) -> None:
    caller, payment = new_payment(api)
    captures = [webhook_message(payment, gateway_payment_id(), "captured") for _ in range(3)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda m: run([m]), captures + captures))
    assert all(r == {"batchItemFailures": []} for r in results)
    mine = api.get("/me/payments", caller=caller).json()["items"]
    assert sorted(p["gateway_payment_id"] for p in mine) == sorted(m["gateway_payment_id"] for m in captures)
    assert sorted(p["status"] for p in mine) == ["captured", "refund_due", "refund_due"]
    assert all(lines_paid(payment).values())


# --- metrics for the alarms on flagged and refund_due payments ------------------------------------------------


def published(out: str) -> dict[str, float]:
    """Sums of each metric over the EMF blobs printed."""
    sums: dict[str, float] = {}
    for line in out.splitlines():
        if '"_aws"' not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "PuneConnect"
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                sums[metric["Name"]] = sums.get(metric["Name"], 0) + sum(value if isinstance(value, list) else [value])
        assert blob["service"] == "payments"
    return sums


def test_flagged_and_refund_due_payments_are_counted_once_when_committed(
    api: Api, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from payments import reconciler
    from pmc_common.batches import batch_handler
    from pmc_common.instrument import instrumented

    _, short = new_payment(api)
    _, twice = new_payment(api)
    flag = capture_with(short, "flagged")
    capture = webhook_message(twice, gateway_payment_id(), "captured")
    again = webhook_message(twice, gateway_payment_id(), "captured")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    reconciler.metrics.clear_metrics()  # earlier runs had metrics disabled: never flushed
    handler = instrumented("payments", reconciler.logger)(
        batch_handler("SQS", reconciler.record_handler(FixedClock(CAPTURED_AT)))
    )

    def invoke(messages: list[dict[str, Any]]) -> dict[str, float]:
        capsys.readouterr()
        records = [
            {"MessageId": str(n), "ReceiptHandle": f"r{n}", "Body": json.dumps(m)} for n, m in enumerate(messages)
        ]
        assert handler(sqs_event(records, QUEUE_ARN), lambda_context("ReconcilerFunction")) == {"batchItemFailures": []}
        return published(capsys.readouterr().out)

    first = invoke([flag, flag, capture, again, again])
    assert (first.get("FlaggedPayments"), first.get("RefundDuePayments")) == (1, 1)
    assert first["Invocations"] == 1
    repeated = invoke([flag, capture, again])  # all applied before: nothing new to count
    assert "FlaggedPayments" not in repeated
    assert "RefundDuePayments" not in repeated
