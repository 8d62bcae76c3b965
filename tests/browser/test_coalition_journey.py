"""The demo supervisor opens the coalition view on a phone, picks a quarter and exports it."""

from __future__ import annotations

from pathlib import Path

import pytest

from referrals.dashboard.periods import offered
from referrals.db_types import utcnow
from referrals.demo import DEMO_PASSWORD, seed_demo_data
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SUPERVISOR = "supervisor@demo.example.org"
PHONE = {"width": 390, "height": 844}


def test_supervisor_picks_a_quarter_on_a_phone(app, live_server, page, tmp_path):
    with app.app_context():
        seed_demo_data()
    previous = offered(utcnow())[1]
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, SUPERVISOR, DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/dashboard")
    page.click("text=Coalition view")
    page.wait_for_selector("[data-testid=coalition-heading]")
    assert page.locator("[data-testid=why-fixed]").is_visible()
    page.select_option("select[name=period]", previous.code)
    page.click("[data-testid=period-form] button[type=submit]")
    page.wait_for_url(f"**/dashboard/coalition?period={previous.code}")
    assert page.locator("select[name=period] option:checked").inner_text() == previous.label
    # Usable at 390 px: the page itself never scrolls sideways (wide tables scroll in place).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("select[name=period]").bounding_box()["width"] <= PHONE["width"]

    with page.expect_download() as info:
        page.click("[data-testid=export-link]")
    download = info.value
    assert download.suggested_filename == f"coalition-{previous.code}.csv"
    path = Path(tmp_path) / download.suggested_filename
    download.save_as(str(path))
    assert f"period,quarter,{previous.code}" in path.read_text(encoding="utf-8-sig")
