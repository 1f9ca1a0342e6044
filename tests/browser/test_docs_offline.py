"""/docs renders Swagger UI with no network but 127.0.0.1: every other request is aborted, and none is made."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Browser, Route

from tests.e2e.conftest import RunningStack

RENDER_TIMEOUT_MS = 30_000
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def test_docs_render_every_operation_offline(browser: Browser, docs_stack: RunningStack, output_dir: Path) -> None:
    document = httpx.get(f"{docs_stack.base_url}/openapi.json", timeout=60).json()
    operations = sum(1 for item in document["paths"].values() for method in item if method in METHODS)
    assert "/facilities" in document["paths"]

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused: list[str] = []

    def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", loopback_only)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{docs_stack.base_url}/docs", wait_until="load")
        path = page.locator('.opblock-summary-path[data-path="/facilities"]')
        get_facilities = page.locator(".opblock.opblock-get", has=path)  # the operation block of GET /facilities
        get_facilities.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(output_dir / "docs.png"), full_page=False)

        assert page.locator(".swagger-ui .info .title").inner_text().startswith("PuneConnect API")
        assert page.locator(".opblock").count() == operations  # every operation, not just the first
        assert page.locator(".errors-wrapper").count() == 0  # Swagger UI parsed the document
        get_facilities.locator(".opblock-summary").click()  # opens it: its query parameters render
        get_facilities.locator('.parameters tr[data-param-name="limit"]').wait_for(timeout=RENDER_TIMEOUT_MS)
        get_facilities.screenshot(path=str(output_dir / "docs-get-facilities.png"))
    finally:
        context.close()
    assert refused == []  # it never even asked: no CDN, font or validator
    assert errors == []
