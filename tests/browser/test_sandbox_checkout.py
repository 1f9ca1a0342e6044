"""The sandbox checkout page (API.md 4.11) in Chromium: its one inline script runs under the page's
Content-Security-Policy (no violation), and pressing Pay shows the three fields the app confirms with."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Browser

from tests.e2e.conftest import RunningStack


def test_pressing_pay_shows_what_to_confirm_with(browser: Browser, docs_stack: RunningStack, output_dir: Path) -> None:
    citizen = {"authorization": f"Bearer {docs_stack.token(f'+9196{uuid.uuid4().int % 10**8:08d}')}"}
    with httpx.Client(base_url=docs_stack.base_url, timeout=30) as http:
        body = {"consumer_no": "WC-1000001", "owner_name": "Ramesh Kulkarni"}
        assert http.post("/me/water-connections", json=body, headers=citizen).status_code in (200, 201)
        created = http.post(
            "/payments",
            json={"kind": "water_bill", "reference": "WC-1000001"},
            headers=citizen | {"Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        payment = created.json()

    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(payment["checkout_url"])
        assert page.locator("#reference").inner_text() == "WC-1000001"
        page.click("#pay")
        page.locator("#result").wait_for(state="visible", timeout=15_000)
        shown = json.loads(page.locator("#result").inner_text())
        page.screenshot(path=str(output_dir / "sandbox-checkout-paid.png"))
        assert page.locator("#pay").is_disabled()
        assert page.locator("#status").inner_text() == "paid"
    finally:
        page.close()
    assert problems == []  # a script the policy blocked would be a console error, and nothing would show
    assert shown["status"] == "captured"
    assert shown["razorpay_order_id"] == payment["gateway_order_id"]
    assert re.fullmatch(r"pay_[A-Za-z0-9]{14}", shown["razorpay_payment_id"])
    assert re.fullmatch(r"[0-9a-f]{64}", shown["razorpay_signature"])
    assert shown["webhook"]["status"] == 200
