"""Receipts of captured payments (API.md 4.9): the JSON shape, the PDF (payer's name shaped in Devanagari with a
packaged Noto font, amounts in rupees only here), and the signed public verification link its QR code carries.
Pure: no I/O but reading the font; the verification view never holds the payer's name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from payments.domain import Kind, Payment, PaymentLine, Rebate
from pmc_common.clock import IST, financial_year, ist_date, parse_iso
from pmc_common.errors import Conflict
from pmc_common.money import rupees
from pmc_common.settings import Settings

RECEIPT_NO = re.compile(r"^PMC/(\d{4}-\d{2})/(\d{6})$")
RECEIPT_NO_IN_URL = re.compile(r"^PMC-(\d{4}-\d{2})-(\d{6})$")
# 128 bits of HMAC-SHA256: far beyond guessing a receipt's signature, short enough for a small QR code.
SIGNATURE_BYTES = 16
KIND_TITLE: dict[Kind, tuple[str, str]] = {
    "property_tax": ("Property tax", "मालमत्ता कर"),
    "water_bill": ("Water bill", "पाणीपट्टी"),
}


@dataclass(frozen=True)
class Receipt:
    """A captured payment as its receipt shows it (4.9)."""

    receipt_no: str
    payment_id: str
    issued_at: str  # the capture time, UTC ISO
    financial_year: str  # IST FY of issued_at, the receipt number's sequence
    kind: Kind
    reference: str
    ward: str
    payer_name: str  # the owner name on record
    amount_paise: int
    currency: str
    gateway: str
    gateway_payment_id: str
    lines: tuple[PaymentLine, ...]
    rebates: tuple[Rebate, ...]


def receipt_of(payment: Payment, payer_name: str) -> Receipt:
    """The receipt of a captured payment; any other status is 409 `not_captured`."""
    if (
        payment.status != "captured"
        or payment.receipt_no is None
        or payment.captured_at is None
        or payment.gateway_payment_id is None
    ):
        raise Conflict("the payment is not captured, so it has no receipt", code="not_captured")
    return Receipt(
        receipt_no=payment.receipt_no,
        payment_id=payment.id,
        issued_at=payment.captured_at,
        financial_year=financial_year(ist_date(parse_iso(payment.captured_at))),
        kind=payment.kind,
        reference=payment.reference,
        ward=payment.ward,
        payer_name=payer_name,
        amount_paise=payment.amount_paise,
        currency=payment.currency,
        gateway=payment.gateway,
        gateway_payment_id=payment.gateway_payment_id,
        lines=payment.lines,
        rebates=payment.rebates,
    )


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    """The body of `GET /payments/{id}/receipt` (4.9), lines and rebates as in the payment (4.5)."""
    return {
        "receipt_no": receipt.receipt_no,
        "payment_id": receipt.payment_id,
        "issued_at": receipt.issued_at,
        "financial_year": receipt.financial_year,
        "kind": receipt.kind,
        "reference": receipt.reference,
        "ward": receipt.ward,
        "payer_name": receipt.payer_name,
        "amount_paise": receipt.amount_paise,
        "currency": receipt.currency,
        "gateway": receipt.gateway,
        "gateway_payment_id": receipt.gateway_payment_id,
        "lines": [asdict(line) for line in receipt.lines],
        "rebates": [asdict(rebate) for rebate in receipt.rebates],
    }


def pdf_filename(receipt: Receipt) -> str:
    """For `Content-Disposition: attachment; filename="…"` (4.9)."""
    return f"receipt-{receipt.payment_id}.pdf"


# --- configuration ----------------------------------------------------------------------------------------------

LOCAL_RECEIPT_SECRET = "local-receipt-secret"  # noqa: S105 - a documented local default, refused outside `local`


class ReceiptSettings(Settings):
    """RECEIPT_SIGNING_SECRET signs verification links (the template reads it from SSM / Secrets Manager). The
    local default is refused elsewhere: with a published secret anyone could list every receipt."""

    environment: Literal["local", "dev", "prod"]
    receipt_signing_secret: str = Field(LOCAL_RECEIPT_SECRET, validate_default=True, min_length=16)

    @field_validator("receipt_signing_secret")
    @classmethod
    def _real_secret_outside_local(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("environment", "local") != "local" and value == LOCAL_RECEIPT_SECRET:
            raise ValueError("must be set outside the local stack (not the local default)")
        return value


# --- the public verification link -------------------------------------------------------------------------------


def receipt_signature(secret: str, receipt_no: str) -> str:
    """`sig` of the verification link: HMAC-SHA256(secret, receipt_no), first 16 bytes, base64url unpadded.
    Without the secret nobody can list receipts by counting numbers, which are sequential (API.md 1.2)."""
    digest = hmac.new(secret.encode(), receipt_no.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_receipt_signature(secret: str, receipt_no: str, sig: str | None) -> bool:
    """Constant-time; any malformed `sig` is simply a mismatch."""
    if not sig:
        return False
    expected = receipt_signature(secret, receipt_no)
    return hmac.compare_digest(expected.encode(), sig.encode("utf-8", "surrogatepass"))


def receipt_no_in_url(receipt_no: str) -> str:
    """`PMC/2026-27/000123` → `PMC-2026-27-000123`: the number's slashes would be a path's, and an encoded
    `%2F` is decoded by API Gateway and routers alike before matching, so the link carries this form."""
    match = RECEIPT_NO.match(receipt_no)
    if match is None:
        raise ValueError(f"not a receipt number: {receipt_no!r}")
    return f"PMC-{match.group(1)}-{match.group(2)}"


def receipt_no_from_url(text: str) -> str | None:
    """The receipt number a verification link names, or None (the route answers 404, as for any bad id)."""
    match = RECEIPT_NO_IN_URL.match(text)
    return None if match is None else f"PMC/{match.group(1)}/{match.group(2)}"


def verification_url(base_url: str, secret: str, receipt_no: str) -> str:
    """`{base}/receipts/PMC-2026-27-000123/verify?sig=…`: what the receipt's QR code carries."""
    return (
        f"{base_url.rstrip('/')}/receipts/{receipt_no_in_url(receipt_no)}/verify"
        f"?sig={receipt_signature(secret, receipt_no)}"
    )


def verification_view(receipt: Receipt) -> dict[str, Any]:
    """What the public verify route answers: number, amount, date and ward, never the payer's name."""
    return {
        "receipt_no": receipt.receipt_no,
        "amount_paise": receipt.amount_paise,
        "currency": receipt.currency,
        "date": issued_on(receipt).isoformat(),
        "ward": receipt.ward,
    }


def issued_on(receipt: Receipt) -> date:
    return ist_date(parse_iso(receipt.issued_at))


# --- the PDF ----------------------------------------------------------------------------------------------------

FONT = "NotoSansDevanagari"
# Noto Sans Devanagari (OFL 1.1) from the fontpkg-noto-sans-devanagari package: a variable font holding Latin,
# Devanagari and ₹, so one family renders every field; its regular and bold are instances of its weight axis.
FONT_PACKAGE = "fontpkg_noto_sans_devanagari"
FONT_FILE = "NotoSansDevanagari[wdth,wght].ttf"


def font_path() -> str:
    return str(files(FONT_PACKAGE).joinpath("files", FONT_FILE))


@cache
def font_instance(weight: int) -> str:
    """A static instance of the variable font at a weight, made once per process into the temporary directory
    (Lambda's /tmp): instancing costs ~0.3 s per weight, which fpdf2 would pay again for every PDF."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from fontTools.varLib.instancer import instantiateVariableFont  # type: ignore[import-untyped]

    instance = instantiateVariableFont(TTFont(font_path()), {"wght": weight, "wdth": 100})
    instance.recalcTimestamp = False  # the same bytes whenever and by whichever process it is written
    target = Path(tempfile.gettempdir()) / f"pmc-receipt-{FONT}-{weight}.ttf"
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".ttf", delete=False) as partial:
        instance.save(partial)
    os.replace(partial.name, target)  # whole or absent, even with several processes writing it
    return str(target)


def receipt_pdf(receipt: Receipt, verify_url: str) -> bytes:
    """An A4 PDF of the receipt. Devanagari needs shaping (conjuncts, the i-matra before its consonant), done by
    HarfBuzz (uharfbuzz) through fpdf2. The same receipt always gives the same bytes (dated by its capture)."""
    # fpdf2, fontTools and segno load here, not with the module: only the PDF route pays their import.
    import segno
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(parse_iso(receipt.issued_at))
    pdf.set_title(f"Receipt {receipt.receipt_no}")
    pdf.set_author("Pune Municipal Corporation")
    pdf.set_creator("PuneConnect")
    pdf.add_font(FONT, "", font_instance(400))
    pdf.add_font(FONT, "B", font_instance(700))
    pdf.set_text_shaping(True)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: float, *, bold: bool = False, align: Align = Align.L, height: float = 7) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line("पुणे महानगरपालिका", 18, bold=True, align=Align.C, height=10)
    line("Pune Municipal Corporation", 13, bold=True, align=Align.C)
    title_en, title_mr = KIND_TITLE[receipt.kind]
    line(f"{title_en} payment receipt · {title_mr} भरणा पावती", 12, align=Align.C, height=9)
    pdf.ln(3)

    # The QR code at the top right, drawn as vector squares: crisp at any zoom and in any print.
    qr = segno.make(verify_url, error="m")
    modules = qr.matrix_iter(scale=1, border=0)
    size = 34.0
    cell = size / qr.symbol_size(scale=1, border=0)[0]
    left, top = pdf.l_margin + width - size, pdf.get_y()
    pdf.set_fill_color(0, 0, 0)
    for y, modules_in_row in enumerate(modules):
        for x, dark in enumerate(modules_in_row):
            if dark:
                pdf.rect(left + x * cell, top + y * cell, cell, cell, style="F")
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(left - 4, top + size + 1)
    pdf.cell(size + 8, 4, "Scan to verify · पडताळणी", align=Align.C)
    pdf.set_xy(pdf.l_margin, top)

    at = parse_iso(receipt.issued_at).astimezone(IST)
    fields = [
        ("Receipt no.", receipt.receipt_no),
        ("Date", f"{at:%d-%m-%Y %H:%M} IST"),
        ("Financial year", receipt.financial_year),
        ("Payer", receipt.payer_name),
        ("Property" if receipt.kind == "property_tax" else "Consumer no.", receipt.reference),
        ("Ward", receipt.ward),
        ("Payment id", receipt.payment_id),
        (f"Gateway ({receipt.gateway})", receipt.gateway_payment_id),
    ]
    label_width, value_width = 36.0, width - size - 40
    for label, value in fields:
        pdf.set_font(FONT, "", 10)
        pdf.cell(label_width, 7, label)
        pdf.set_font(FONT, "B", 11 if label == "Payer" else 10)
        pdf.cell(value_width, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), top + size + 6) + 4)

    columns = (("Line", 34.0), ("Principal", 0.0), ("Penalty", 0.0), ("Late fee", 0.0), ("Amount", 0.0))
    rest = (width - columns[0][1]) / 4
    widths = [columns[0][1], rest, rest, rest, rest]
    pdf.set_fill_color(235, 235, 235)
    pdf.set_font(FONT, "B", 10)
    for (name, _), column_width in zip(columns, widths, strict=True):
        pdf.cell(column_width, 8, name, border="B", fill=True, align=Align.L if name == "Line" else Align.R)
    pdf.ln(8)
    pdf.set_font(FONT, "", 10)
    for allocation in receipt.lines:
        values = (
            allocation.id,
            rupees(allocation.principal_paise),
            rupees(allocation.penalty_paise),
            rupees(allocation.late_fee_paise),
            rupees(allocation.amount_paise),
        )
        for index, (value, column_width) in enumerate(zip(values, widths, strict=True)):
            pdf.cell(column_width, 7, value, align=Align.L if index == 0 else Align.R)
        pdf.ln(7)
    for rebate in receipt.rebates:
        pdf.cell(width - rest, 7, f"Rebate {rebate.financial_year} (5 % of general tax)")
        pdf.cell(rest, 7, f"- {rupees(rebate.rebate_paise)}", align=Align.R)
        pdf.ln(7)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(width - rest - 10, 9, "Total paid · एकूण भरणा", border="T")
    pdf.cell(rest + 10, 9, rupees(receipt.amount_paise), border="T", align=Align.R)
    pdf.ln(14)

    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(
        width,
        4.5,
        f"Computer-generated receipt of an online payment in {receipt.currency}; no signature required. "
        f"Verify it by scanning the code or at {verify_url}",
        align=Align.L,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
