"""Payments HTTP API (API.md section 4): quick views of properties and water connections, a citizen's links,
dues and bills (4.3, 4.4), creating and reading payments (4.5), confirm and the webhook (4.7, 4.8), which only
verify and enqueue, and a captured payment's receipt as JSON or PDF (4.9). Staff views: a day's collections (4.10).

Routes only parse, authorize, call the domain and the store, and shape the reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger

from payments import collections, domain, intake, links, orders, payment_store, receipts, store
from payments.models import (
    CollectionsView,
    ConfirmBody,
    ConfirmView,
    PaymentCreate,
    PaymentStatus,
    PaymentView,
    PropertyDuesView,
    PropertyLinkBody,
    PropertyLinkView,
    PropertyQuickView,
    ReceiptCheckView,
    ReceiptView,
    WaterBillsView,
    WaterLinkBody,
    WaterLinkView,
    WaterQuickView,
    WebhookView,
)
from payments.settings import settings
from payments.store import PropertyRecord, WaterConnection
from pmc_common import access as object_access
from pmc_common.app import Depends, Now, Query, Request, Response, create_app, lambda_handler, system_clock
from pmc_common.auth import Caller, CitizenCaller, StaffCaller
from pmc_common.clock import Clock, ist_date
from pmc_common.errors import Invalid, NotFound
from pmc_common.idempotency import Retry, idempotency
from pmc_common.models import View, Ward
from pmc_common.paging import Cursors, Page
from pmc_common.settings import load
from pmc_common.views import json_response, shaped

__all__ = ["app", "handler", "system_clock"]  # tests fix the time through system_clock

logger = Logger(service="payments")
settings()  # a missing variable fails the cold start, not a request
# The webhook is verified on its raw bytes before anything parses them (API.md 4.8).
app = create_app("payments", "PuneConnect payments", logger, raw_body_paths=("/webhooks/",))
cursors = Cursors(settings().cursor_secret)
PaymentKey = Annotated[Retry, Depends(idempotency(required=True))]


def _property_dues(record: PropertyRecord, now: datetime) -> domain.PropertyDues:
    """Dues at `now` (its IST date), a line held by an open payment `in_payment` (4.4, 4.5): one Query."""
    held = payment_store.held_lines("property", record.property_id, int(now.timestamp()))
    return domain.property_dues(record.property_id, record.lines, ist_date(now), held)


def _water_bills(record: WaterConnection, now: datetime) -> domain.WaterBills:
    held = payment_store.held_lines("water", record.consumer_no, int(now.timestamp()))
    return domain.water_bills(record.consumer_no, record.bills, ist_date(now), held)


# --- a kind of record: properties and water connections have parallel routes ----------------------


@dataclass(frozen=True)
class _Records[R: (PropertyRecord, WaterConnection)]:
    """One kind's routes: where they are, their views, its statement (dues or bills) at a time."""

    records: links.Linkable[R]
    path: str  # the caller's list
    statement_name: str  # under path/{id}/
    quick_view: type[View]
    link_view: type[View]
    statement_view: type[View]
    statement: Callable[[R, datetime], domain.PropertyDues | domain.WaterBills]


PROPERTIES = _Records(
    links.PROPERTY, "/me/properties", "dues", PropertyQuickView, PropertyLinkView, PropertyDuesView, _property_dues
)
WATER_CONNECTIONS = _Records(
    links.WATER, "/me/water-connections", "bills", WaterQuickView, WaterLinkView, WaterBillsView, _water_bills
)


def _quick[R: (PropertyRecord, WaterConnection)](of: _Records[R], reference: str, now: datetime) -> Response:
    record = of.records.known(reference)
    return json_response(
        shaped(
            of.quick_view,
            record,
            owner_name_masked=domain.masked_name(record.owner_name),
            outstanding_paise=of.statement(record, now).total_paise,
            as_of=ist_date(now),
        )
    )


def _link_view[R: (PropertyRecord, WaterConnection)](
    of: _Records[R], record: R, linked_at: str, now: datetime
) -> dict[str, Any]:
    total = of.statement(record, now).total_paise
    return shaped(of.link_view, record, outstanding_paise=total, as_of=ist_date(now), linked_at=linked_at)


def _link[R: (PropertyRecord, WaterConnection)](
    of: _Records[R], reference: str, owner_name: str, caller: Caller, now: datetime
) -> Response:
    """201 with where its statement is, or 200 when the caller had linked it already (4.3)."""
    record, created, linked_at = links.link_record(of.records, caller.sub, reference, owner_name, now)
    view = _link_view(of, record, linked_at, now)
    if not created:
        return json_response(view)
    location = f"{of.path}/{of.records.reference(record)}/{of.statement_name}"
    return json_response(view, 201, {"Location": location})


def _linked[R: (PropertyRecord, WaterConnection)](of: _Records[R], caller: Caller, now: datetime) -> Response:
    items = [_link_view(of, record, linked_at, now) for record, linked_at in of.records.listed(caller.sub)]
    return json_response({"items": items, "next_cursor": None})


def _unlink[R: (PropertyRecord, WaterConnection)](of: _Records[R], reference: str, caller: Caller) -> Response:
    links.unlink_record(of.records, reference, caller)
    return Response(status_code=204)


def _statement[R: (PropertyRecord, WaterConnection)](
    of: _Records[R], reference: str, caller: Caller, now: datetime
) -> Response:
    record, _ = of.records.linked(reference, caller)
    return json_response(shaped(of.statement_view, asdict(of.statement(record, now))))


# --- public quick views --------------------------------------------------------------------------


@app.get("/properties/{property_id}", response_model=PropertyQuickView, name="get_property")
def property_quick_view(property_id: str, clock: Now) -> Response:
    return _quick(PROPERTIES, property_id, clock.now())


@app.get("/water-connections/{consumer_no}", response_model=WaterQuickView, name="get_water_connection")
def water_quick_view(consumer_no: str, clock: Now) -> Response:
    return _quick(WATER_CONNECTIONS, consumer_no, clock.now())


# --- a citizen's properties ----------------------------------------------------------------------


@app.post(
    "/me/properties",
    status_code=201,
    response_model=PropertyLinkView,
    name="link_property",
    responses={200: [], 404: [], 409: ["link_limit_reached"], 422: ["owner_name_mismatch"], 429: []},
)
def link_property(body: PropertyLinkBody, caller: CitizenCaller, clock: Now) -> Response:
    return _link(PROPERTIES, body.property_id, body.owner_name, caller, clock.now())


@app.get("/me/properties", response_model=Page[PropertyLinkView], name="list_my_properties")
def my_properties(caller: CitizenCaller, clock: Now) -> Response:
    return _linked(PROPERTIES, caller, clock.now())


@app.delete("/me/properties/{property_id}", status_code=204, name="unlink_property")
def unlink_property(property_id: str, caller: CitizenCaller) -> Response:
    return _unlink(PROPERTIES, property_id, caller)


@app.get("/me/properties/{property_id}/dues", response_model=PropertyDuesView, name="get_property_dues")
def property_dues(property_id: str, caller: CitizenCaller, clock: Now) -> Response:
    return _statement(PROPERTIES, property_id, caller, clock.now())


# --- a citizen's water connections ---------------------------------------------------------------


@app.post(
    "/me/water-connections",
    status_code=201,
    response_model=WaterLinkView,
    name="link_water_connection",
    responses={200: [], 404: [], 409: ["link_limit_reached"], 422: ["owner_name_mismatch"], 429: []},
)
def link_water_connection(body: WaterLinkBody, caller: CitizenCaller, clock: Now) -> Response:
    return _link(WATER_CONNECTIONS, body.consumer_no, body.owner_name, caller, clock.now())


@app.get("/me/water-connections", response_model=Page[WaterLinkView], name="list_my_water_connections")
def my_water_connections(caller: CitizenCaller, clock: Now) -> Response:
    return _linked(WATER_CONNECTIONS, caller, clock.now())


@app.delete("/me/water-connections/{consumer_no}", status_code=204, name="unlink_water_connection")
def unlink_water_connection(consumer_no: str, caller: CitizenCaller) -> Response:
    return _unlink(WATER_CONNECTIONS, consumer_no, caller)


@app.get("/me/water-connections/{consumer_no}/bills", response_model=WaterBillsView, name="get_water_bills")
def water_bills(consumer_no: str, caller: CitizenCaller, clock: Now) -> Response:
    return _statement(WATER_CONNECTIONS, consumer_no, caller, clock.now())


# --- payments (4.5) ------------------------------------------------------------------------------


def _payment_view(payment: domain.Payment) -> dict[str, Any]:
    return shaped(PaymentView, asdict(payment))


@app.post(
    "/payments",
    status_code=201,
    response_model=PaymentView,
    name="create_payment",
    responses={
        400: ["idempotency_key_missing"],
        404: [],
        409: ["already_paid", "payment_in_progress", "nothing_due", "idempotency_in_progress"],
        422: ["idempotency_key_reused"],
    },
)
def create_payment(body: PaymentCreate, caller: CitizenCaller, clock: Now, retry: PaymentKey) -> Response:
    return retry.once(lambda: _create_payment(body, caller, clock))


def _create_payment(body: PaymentCreate, caller: Caller, clock: Clock) -> Response:
    payment = orders.create(body, caller, clock.now())
    return json_response(_payment_view(payment), 201, {"Location": f"/payments/{payment.id}"})


@app.get("/me/payments", response_model=Page[PaymentView], name="list_my_payments")
def my_payments(
    caller: CitizenCaller,
    status: PaymentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    filters = {"status": status, "limit": limit, "sub": caller.sub}
    start = cursors.decode(cursor, "/me/payments", filters)
    found, last = payment_store.citizen_page(caller.sub, status, limit, start)
    items = [_payment_view(p) for p in found]
    return json_response({"items": items, "next_cursor": cursors.encode(last, "/me/payments", filters)})


@app.get("/payments/{payment_id}", response_model=PaymentView, name="get_payment")
def get_payment(payment_id: str, caller: CitizenCaller) -> Response:
    return json_response(_payment_view(orders.readable(payment_id, caller)))


# --- receipts (4.9) ------------------------------------------------------------------------------


def _payer_name(payment: domain.Payment) -> str:
    """The owner name on record of the payment's property or water connection."""
    record: PropertyRecord | WaterConnection | None = (
        store.property_record(payment.reference)
        if payment.kind == "property_tax"
        else store.water_connection(payment.reference)
    )
    if record is None:
        raise NotFound("No payment with that id")
    return record.owner_name


@app.get(
    "/payments/{payment_id}/receipt",
    response_model=ReceiptView,
    name="get_payment_receipt",
    responses={404: [], 409: ["not_captured"]},
)
def payment_receipt(
    payment_id: str, caller: CitizenCaller, request: Request, format: Literal["json", "pdf"] = "json"
) -> Response:
    payment = orders.readable(payment_id, caller)
    receipt = receipts.receipt_of(payment, _payer_name(payment) if payment.status == "captured" else "")
    if format == "json":
        return json_response(receipts.receipt_json(receipt))
    secret = load(receipts.ReceiptSettings).receipt_signing_secret
    url = receipts.verification_url(str(request.base_url), secret, receipt.receipt_no)
    disposition = f'attachment; filename="{receipts.pdf_filename(receipt)}"'
    return Response(
        receipts.receipt_pdf(receipt, url),
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@app.get("/receipts/{receipt_no}/verify", response_model=ReceiptCheckView, name="verify_receipt", responses={404: []})
def verify_receipt(receipt_no: str, sig: str | None = None) -> Response:
    """Public: number, amount, date and ward of a receipt whose link is signed; never the payer. An unknown
    number and a wrong signature are the same 404, checked before anything is read."""
    number = receipts.receipt_no_from_url(receipt_no)
    secret = load(receipts.ReceiptSettings).receipt_signing_secret
    if number is None or not receipts.verify_receipt_signature(secret, number, sig):
        raise NotFound("No receipt with that number")
    payment_id = payment_store.payment_of_receipt(number)
    payment = payment_store.get(payment_id) if payment_id else None
    if payment is None or payment.status != "captured" or payment.receipt_no != number:
        raise NotFound("No receipt with that number")
    return json_response(receipts.verification_view(receipts.receipt_of(payment, "")))


# --- staff (4.10) -------------------------------------------------------------------------------


@app.get("/staff/collections", response_model=CollectionsView, name="get_staff_collections")
def staff_collections(caller: StaffCaller, clock: Now, date: date | None = None, ward: Ward | None = None) -> Response:
    today = ist_date(clock.now())
    day = date or today
    if day > today:
        raise Invalid.of("query.date", "is in the future")
    scope = object_access.ward_filter(caller, ward)
    tallies = payment_store.collections_of(day.isoformat())
    return json_response(collections.day_view(day, scope, tallies))


@app.get("/staff/payments", response_model=Page[PaymentView], name="list_staff_payments")
def staff_payments(
    caller: StaffCaller,
    status: Literal["flagged", "refund_due"],
    ward: Ward | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    scope = object_access.ward_filter(caller, ward)
    filters = {"status": status, "ward": scope, "limit": limit}
    start = cursors.decode(cursor, "/staff/payments", filters)
    found, last = payment_store.exceptions_page(status, scope, limit, start)
    items = [_payment_view(p) for p in found]
    return json_response({"items": items, "next_cursor": cursors.encode(last, "/staff/payments", filters)})


# --- confirm and webhook (4.7, 4.8): verify and enqueue, nothing else ----------------------------


@app.post(
    "/payments/{payment_id}/confirm",
    status_code=202,
    response_model=ConfirmView,
    name="confirm_payment",
    responses={401: [], 404: []},
)
def confirm_payment(payment_id: str, body: ConfirmBody, caller: CitizenCaller) -> Response:
    payment = intake.confirm(payment_id, body, caller)
    return json_response({"payment_id": payment.id, "status": payment.status, "accepted": True}, 202)


@app.post("/webhooks/razorpay", status_code=200, response_model=WebhookView, name="razorpay_webhook")
async def razorpay_webhook(request: Request) -> Response:
    raw = await request.body()
    status = intake.webhook(
        raw, request.headers.get("x-razorpay-signature"), request.headers.get("x-razorpay-event-id")
    )
    return json_response({"status": status})


handler = lambda_handler(app, "payments", logger)
