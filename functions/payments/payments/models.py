"""Request and response shapes of the payments routes (API.md 4.3-4.5)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from pmc_common.models import Bilingual, Body, View, text

PropertyId = Annotated[str, StringConstraints(pattern=r"^PMC-W(0[1-9]|1[0-5])-[0-9]{6}$")]
ConsumerNo = Annotated[str, StringConstraints(pattern=r"^WC-[0-9]{7}$")]
ConnectionType = Literal["domestic", "non_domestic"]
LineStatus = Literal["unpaid", "partly_paid", "paid", "in_payment"]


class PropertyLinkBody(Body):
    property_id: PropertyId
    owner_name: text(2, 100)  # type: ignore[valid-type]


class WaterLinkBody(Body):
    consumer_no: ConsumerNo
    owner_name: text(2, 100)  # type: ignore[valid-type]


class PropertyQuickView(View):
    property_id: str
    ward: str
    owner_name_masked: str
    locality: Bilingual
    outstanding_paise: int
    as_of: date


class WaterQuickView(View):
    consumer_no: str
    ward: str
    owner_name_masked: str
    connection_type: ConnectionType
    outstanding_paise: int
    as_of: date


class PropertyLinkView(View):
    property_id: str
    ward: str
    owner_name: str
    locality: Bilingual
    outstanding_paise: int
    as_of: date
    linked_at: str


class WaterLinkView(View):
    consumer_no: str
    ward: str
    owner_name: str
    connection_type: ConnectionType
    outstanding_paise: int
    as_of: date
    linked_at: str


class DuesLineView(View):
    id: str
    installment: Literal["H1", "H2"]
    due_on: date
    principal_paise: int
    general_tax_paise: int
    paid_principal_paise: int
    unpaid_principal_paise: int
    months_late: int
    penalty_paise: int
    total_paise: int
    status: LineStatus


class DuesYearView(View):
    financial_year: str
    rebate_eligible: bool
    rebate_until: date | None
    rebate_paise: int
    total_paise: int
    lines: list[DuesLineView]


class PropertyDuesView(View):
    property_id: str
    as_of: date
    total_paise: int
    years: list[DuesYearView]


class BillItemView(View):
    id: str
    financial_year: str
    period_from: date
    period_to: date
    issued_on: date
    due_on: date
    consumption_kl: int | None
    amount_paise: int
    paid_paise: int
    unpaid_paise: int
    months_late: int
    late_fee_paise: int
    total_paise: int
    status: LineStatus


class WaterBillsView(View):
    consumer_no: str
    as_of: date
    total_paise: int
    bills: list[BillItemView]


# --- payments (API.md 4.5) -------------------------------------------------------------------------

PaymentKind = Literal["property_tax", "water_bill"]
PaymentStatus = Literal["created", "pending", "captured", "failed", "expired", "flagged", "refund_due"]
LineId = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-(H[12]|Q[1-4])$")]


class PaymentCreate(Body):
    """`amount_paise` or any other unknown field → 422 (Body forbids extras): the server computes the amount.
    Kind against reference and repeated items are checked by payments.create (errors name the field)."""

    kind: PaymentKind
    reference: Annotated[str, StringConstraints(pattern=r"^(PMC-W(0[1-9]|1[0-5])-[0-9]{6}|WC-[0-9]{7})$")]
    items: Annotated[list[LineId], Field(min_length=1, max_length=20)] | None = None


class PaymentLineView(View):
    id: str
    financial_year: str
    principal_paise: int
    penalty_paise: int
    late_fee_paise: int
    amount_paise: int


class RebateView(View):
    financial_year: str
    rebate_paise: int


class PaymentView(View):
    id: str
    kind: PaymentKind
    reference: str
    ward: str
    status: PaymentStatus
    status_reason: str | None
    amount_paise: int
    currency: str
    lines: list[PaymentLineView]
    rebates: list[RebateView]
    gateway: str
    gateway_order_id: str
    gateway_key_id: str
    gateway_payment_id: str | None
    checkout_url: str | None
    captured_amount_paise: int | None
    receipt_no: str | None
    created_at: str
    expires_at: str
    captured_at: str | None


class ConfirmBody(Body):
    razorpay_payment_id: Annotated[str, StringConstraints(pattern=r"^pay_[A-Za-z0-9]{14}$")]
    razorpay_order_id: Annotated[str, StringConstraints(pattern=r"^order_[A-Za-z0-9]{14}$")]
    razorpay_signature: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ConfirmView(View):
    payment_id: str
    status: PaymentStatus
    accepted: bool


class WebhookView(View):
    status: Literal["enqueued", "ignored"]


class ReceiptView(View):
    """`GET /payments/{id}/receipt` (4.9); `format=pdf` answers the same receipt as application/pdf."""

    receipt_no: str
    payment_id: str
    issued_at: str
    financial_year: str
    kind: PaymentKind
    reference: str
    ward: str
    payer_name: str
    amount_paise: int
    currency: str
    gateway: str
    gateway_payment_id: str
    lines: list[PaymentLineView]
    rebates: list[RebateView]


class KindTotal(View):
    kind: PaymentKind
    count: int
    amount_paise: int


class WardTotal(View):
    ward: str
    count: int
    amount_paise: int
    by_kind: list[KindTotal]


class Tally(View):
    count: int
    amount_paise: int


class CollectionExceptions(View):
    flagged: Tally
    refund_due: Tally


class CollectionsView(View):
    """`GET /staff/collections` (4.10): captured payments of one IST day, by kind and by ward."""

    date: str
    ward: str | None
    count: int
    amount_paise: int
    by_kind: list[KindTotal]
    by_ward: list[WardTotal]
    exceptions: CollectionExceptions


class ReceiptCheckView(View):
    """`GET /receipts/{receipt_no}/verify` (4.9): what a receipt's QR link shows anyone; never the payer."""

    receipt_no: str
    amount_paise: int
    currency: str
    date: str
    ward: str
