"""Receipts (API.md 4.9): the JSON shape, the signed public verification link and what it may show, rupees at
the edge, and a real PDF whose first page poppler renders (not blank), with the Noto font embedded and the
payer's Devanagari name extracted back exactly. The rendered page is kept in test-output/ for a look."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from payments import receipts
from payments.domain import Payment, PaymentLine, PaymentStatus, Rebate
from pmc_common.errors import Conflict
from pmc_common.money import rupees

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SECRET = "test-receipt-secret"
PAYER = "रमेश कुलकर्णी"

CAPTURED = Payment(
    id="PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY",
    owner_sub="citizen-1",
    kind="property_tax",
    reference="PMC-W07-000001",
    ward="W07",
    amount_paise=1208000,
    lines=(
        PaymentLine("2026-27-H1", "2026-27", 624000, 0, 0, 624000),
        PaymentLine("2026-27-H2", "2026-27", 624000, 0, 0, 624000),
    ),
    rebates=(Rebate("2026-27", 40000),),
    gateway="sandbox",
    gateway_order_id="order_Q4m8ZtY2xKp1Vd",
    gateway_key_id="rzp_test_sandbox",
    checkout_url="http://127.0.0.1:3000/sandbox-gateway/checkout/order_Q4m8ZtY2xKp1Vd",
    created_at="2026-05-10T06:00:00Z",
    expires_at="2026-05-10T06:30:00Z",
    status="captured",
    gateway_payment_id="pay_Q4m9Lr7bNc2XyA",
    captured_amount_paise=1208000,
    receipt_no="PMC/2026-27/000123",
    captured_at="2026-05-10T06:03:41Z",
)


# --- JSON -------------------------------------------------------------------------------------------------------


def test_the_receipt_has_the_shape_of_api_4_9() -> None:
    assert receipts.receipt_json(receipts.receipt_of(CAPTURED, "Ramesh Kulkarni")) == {
        "receipt_no": "PMC/2026-27/000123",
        "payment_id": "PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY",
        "issued_at": "2026-05-10T06:03:41Z",
        "financial_year": "2026-27",
        "kind": "property_tax",
        "reference": "PMC-W07-000001",
        "ward": "W07",
        "payer_name": "Ramesh Kulkarni",
        "amount_paise": 1208000,
        "currency": "INR",
        "gateway": "sandbox",
        "gateway_payment_id": "pay_Q4m9Lr7bNc2XyA",
        "lines": [
            {
                "id": "2026-27-H1",
                "financial_year": "2026-27",
                "principal_paise": 624000,
                "penalty_paise": 0,
                "late_fee_paise": 0,
                "amount_paise": 624000,
            },
            {
                "id": "2026-27-H2",
                "financial_year": "2026-27",
                "principal_paise": 624000,
                "penalty_paise": 0,
                "late_fee_paise": 0,
                "amount_paise": 624000,
            },
        ],
        "rebates": [{"financial_year": "2026-27", "rebate_paise": 40000}],
    }
    assert receipts.pdf_filename(receipts.receipt_of(CAPTURED, "x")) == "receipt-PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY.pdf"


def test_the_financial_year_is_the_ist_one_of_the_capture() -> None:
    late_on_31_march_utc = replace(CAPTURED, captured_at="2027-03-31T19:00:00Z", receipt_no="PMC/2027-28/000001")
    assert receipts.receipt_of(late_on_31_march_utc, "x").financial_year == "2027-28"  # 1 April 00:30 IST


@pytest.mark.parametrize("status", ["created", "pending", "failed", "expired", "flagged", "refund_due"])
def test_a_payment_not_captured_has_no_receipt(status: PaymentStatus) -> None:
    payment = replace(CAPTURED, status=status)  # even with a number somehow set, only `captured` has a receipt
    with pytest.raises(Conflict) as raised:
        receipts.receipt_of(payment, "x")
    assert raised.value.code == "not_captured"


# --- the verification link --------------------------------------------------------------------------------------


def test_the_signature_is_a_truncated_base64url_hmac() -> None:
    sig = receipts.receipt_signature(SECRET, "PMC/2026-27/000123")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", sig)  # 16 bytes, unpadded
    assert sig == receipts.receipt_signature(SECRET, "PMC/2026-27/000123")
    assert receipts.verify_receipt_signature(SECRET, "PMC/2026-27/000123", sig)


@pytest.mark.parametrize(
    "sig",
    [None, "", "A" * 22, "ü" * 22, receipts.receipt_signature("another-secret", "PMC/2026-27/000123")],
)
def test_a_wrong_signature_is_refused(sig: str | None) -> None:
    assert not receipts.verify_receipt_signature(SECRET, "PMC/2026-27/000123", sig)


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=1, max_value=999_999))
def test_one_receipts_signature_never_verifies_another(first: int, second: int) -> None:
    a, b = f"PMC/2026-27/{first:06d}", f"PMC/2026-27/{second:06d}"
    assert receipts.verify_receipt_signature(SECRET, b, receipts.receipt_signature(SECRET, a)) == (a == b)


def test_the_link_names_the_receipt_in_a_path_safe_form_and_carries_the_signature() -> None:
    url = receipts.verification_url("https://api.example/", SECRET, "PMC/2026-27/000123")
    sig = receipts.receipt_signature(SECRET, "PMC/2026-27/000123")
    assert url == f"https://api.example/receipts/PMC-2026-27-000123/verify?sig={sig}"
    assert receipts.receipt_no_from_url("PMC-2026-27-000123") == "PMC/2026-27/000123"


@pytest.mark.parametrize(
    "text", ["PMC/2026-27/000123", "PMC-2026-27-00123", "pmc-2026-27-000123", "", "PMC-2026-27-000123x"]
)
def test_a_malformed_receipt_in_a_link_names_nothing(text: str) -> None:
    assert receipts.receipt_no_from_url(text) is None


def test_a_malformed_receipt_number_has_no_link() -> None:
    with pytest.raises(ValueError, match="receipt number"):
        receipts.receipt_no_in_url("PMC/2026-27/123")


def test_verification_answers_number_amount_date_and_ward_never_the_payer() -> None:
    receipt = receipts.receipt_of(replace(CAPTURED, captured_at="2026-05-10T20:00:00Z"), PAYER)
    view = receipts.verification_view(receipt)
    assert view == {
        "receipt_no": "PMC/2026-27/000123",
        "amount_paise": 1208000,
        "currency": "INR",
        "date": "2026-05-11",  # the IST day: 01:30 on 11 May
        "ward": "W07",
    }
    assert PAYER not in repr(view)


def test_the_local_stack_signs_links_with_the_documented_default() -> None:
    settings = receipts.ReceiptSettings.model_validate({"environment": "local"})
    assert settings.receipt_signing_secret == "local-receipt-secret"


@pytest.mark.parametrize(
    "given",
    [{"environment": "prod"}, {"environment": "dev", "receipt_signing_secret": "local-receipt-secret"}],
)
def test_deployed_stacks_refuse_the_local_receipt_secret(given: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="local"):
        receipts.ReceiptSettings.model_validate(given)


def test_deployed_stacks_take_their_own_receipt_secret() -> None:
    settings = receipts.ReceiptSettings.model_validate(
        {"environment": "prod", "receipt_signing_secret": "a-long-enough-real-secret"}
    )
    assert settings.receipt_signing_secret == "a-long-enough-real-secret"


# --- rupees, at this edge only ----------------------------------------------------------------------------------


def test_receipts_show_rupees_with_indian_grouping_as_api_4_9_writes_them() -> None:
    assert rupees(1208000) == "Rs 12,080.00"
    assert rupees(40000) == "Rs 400.00"
    assert rupees(1234567890) == "Rs 1,23,45,678.90"


@given(st.integers(min_value=0, max_value=10**15))
def test_rupees_read_back_to_the_same_paise_in_indian_groups(paise: int) -> None:
    text = rupees(paise)
    assert re.fullmatch(r"Rs (\d{1,2},)?(\d{2},)*\d{1,3}\.\d{2}", text) or re.fullmatch(r"Rs \d{1,3}\.\d{2}", text)
    whole, fraction = text.removeprefix("Rs ").split(".")
    *lakhs, thousands = whole.split(",")
    assert all(len(group) == 2 for group in lakhs[1:])
    assert not lakhs or len(thousands) == 3
    assert int(whole.replace(",", "")) * 100 + int(fraction) == paise


# --- the PDF ----------------------------------------------------------------------------------------------------


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} not found: `make install` installs poppler-utils (tools/install-system.sh)")
    return found


@pytest.fixture(scope="module")
def devanagari_pdf() -> bytes:
    receipt = receipts.receipt_of(CAPTURED, PAYER)
    return receipts.receipt_pdf(receipt, receipts.verification_url("http://127.0.0.1:3000", SECRET, receipt.receipt_no))


def test_the_pdf_is_a_real_pdf_with_the_noto_font_embedded(devanagari_pdf: bytes) -> None:
    assert devanagari_pdf.startswith(b"%PDF-")
    assert devanagari_pdf.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in devanagari_pdf  # an embedded TrueType program
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansDevanagari", devanagari_pdf)


def test_the_same_receipt_gives_the_same_pdf(devanagari_pdf: bytes) -> None:
    receipt = receipts.receipt_of(CAPTURED, PAYER)
    url = receipts.verification_url("http://127.0.0.1:3000", SECRET, receipt.receipt_no)
    assert receipts.receipt_pdf(receipt, url) == devanagari_pdf


def test_the_payers_devanagari_name_and_the_amounts_come_back_out_of_the_pdf(
    devanagari_pdf: bytes, tmp_path: Path
) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(devanagari_pdf)
    text = subprocess.run([poppler("pdftotext"), str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert PAYER in text  # shaped glyphs still map back to the name's code points
    for expected in ("PMC/2026-27/000123", "PMC-W07-000001", "Rs 12,080.00", "Rs 6,240.00", "- Rs 400.00"):
        assert expected in text
    assert "/receipts/PMC-2026-27-000123/verify?sig=" in text


def test_the_first_page_renders_and_is_not_blank(devanagari_pdf: bytes, tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(devanagari_pdf)
    OUTPUT.mkdir(exist_ok=True)
    prefix = OUTPUT / "receipt-devanagari"
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
    )
    page = Image.open(prefix.with_suffix(".png")).convert("L")
    width, height = page.size
    assert (width, height) == (827, 1170)  # A4 at 100 dpi
    dark = sum(page.histogram()[:128])
    # Text, table rules and the QR code: a few percent of the page; a blank or glyphless page is far below.
    assert 0.02 < dark / (width * height) < 0.5
    # The payer's row (left column, below the header) carries ink: the name was drawn, not dropped.
    name_row = page.crop((210, 262, 330, 282))
    assert sum(name_row.histogram()[:128]) > 200
