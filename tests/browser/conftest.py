"""A live server in a thread and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

# The access matrix's two organizations, for the tests that walk its pages.
from tests.test_access_matrix import world  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium's background services would try the (closed) network at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on a free loopback port for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session.

    Where Chromium is missing the browser tests are skipped on a developer machine, but
    CI sets REQUIRE_BROWSER=1 so that a missing browser fails the run instead.
    """
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context and page; a screenshot is kept when the test fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Remember each phase's report on the test item (for the screenshot above)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in(page, base: str, email: str, password: str, totp_secret: str | None = None) -> None:
    """Fill the sign-in form and, when the account asks for it, the second step.

    ``totp_secret`` computes the code; without it a demo account's hint is used.
    """
    import pyotp

    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()
    if page.url.endswith("/login/verify"):
        if totp_secret:
            code = pyotp.TOTP(totp_secret).now()
        else:
            code = page.locator("[data-testid=demo-code] strong").inner_text()
        page.fill("input[name=code]", code)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state()


# What the accessibility test (test_accessibility.py) checked, printed at the end of the run:
# the pages (a role's page), the checks (one page in one language at one width) and axe-core's
# violations by impact.
AXE_TALLY: dict[str, int] = {"pages": 0, "checks": 0}
IMPACTS = ("critical", "serious", "moderate", "minor")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not AXE_TALLY["checks"]:
        return
    counts = ", ".join(f"{impact} {AXE_TALLY.get(impact, 0)}" for impact in IMPACTS)
    terminalreporter.write_line(
        f"axe-core: {AXE_TALLY['pages']} pages, {AXE_TALLY['checks']} checks (each page in "
        f"English and Spanish, at 1280 and 390 px); violations by impact: {counts}"
    )
