"""Browser tier: Debian's chromium (apt, installed by `make install`) driven by Playwright, against the local
stack on the real template.yaml started as a subprocess. Screenshots go to test-output/browser/ (git-ignored)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.conftest import REPO_ROOT, RunningStack, start_stack, stop_stack

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; never a browser Playwright downloads
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # no connection of chromium's own (updates, sync, safe browsing): the tests own the network
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = REPO_ROOT / "test-output" / "browser"


# Per module, not per session: while Playwright's sync API is open its event loop is the running loop of
# pytest's main thread, so any later module calling a Mangum handler on that thread (a sample-event test)
# failed with "This event loop is already running" when the shuffled order put a browser module first.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():  # a failure, not a skip: `make install` puts it there (tools/install-system.sh)
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def docs_stack(admin_build: Path) -> Iterator[RunningStack]:
    """The local stack on template.yaml; moto serves DynamoDB (the docs read no table). Started after
    `make admin`, so it also serves the staff page at /admin/ (one stack for the whole browser tier)."""
    running = start_stack("--dynamodb-engine", "moto")
    try:
        yield running
    finally:
        stop_stack(running.process)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


ADMIN_DIST = REPO_ROOT / "admin" / "dist"


@pytest.fixture(scope="session")
def admin_build() -> Path:
    """admin/dist as `make admin` builds it (npm ci when node_modules is missing or the lock changed, then
    Vite when a source is newer than the build): a no-op when up to date."""
    subprocess.run(["make", "-s", "admin"], cwd=REPO_ROOT, check=True)
    assert (ADMIN_DIST / "index.html").is_file()
    return ADMIN_DIST


@pytest.fixture(scope="session")
def admin_stack(docs_stack: RunningStack) -> RunningStack:
    """The browser tier's stack, serving admin/dist at /admin/ (the admin tests log their own grievances)."""
    return docs_stack


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh laptop-sized context per test; the test fails on any uncaught error of the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], errors
