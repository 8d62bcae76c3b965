"""The demo supervisor opens the dashboard, narrows it to one partner and exports the CSV."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from referrals.auth.models import User
from referrals.dashboard import stats
from referrals.db_types import utcnow
from referrals.demo import DEMO_PASSWORD, seed_demo_data
from referrals.extensions import db
from referrals.programs.models import Organization
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SUPERVISOR = "supervisor@demo.example.org"


def _expected(partner_name: str) -> tuple[int, int]:
    """The partner's id and the referrals the supervisor sees sent to it (default window)."""
    partner_id = db.session.scalar(
        sa.select(Organization.id).where(Organization.name == partner_name)
    )
    assert partner_id is not None
    user = db.session.scalar(sa.select(User).where(User.email == SUPERVISOR))
    now = utcnow()
    filters = stats.Filters(
        start=now.date() - timedelta(days=90), end=now.date(), partner_id=partner_id
    )
    found = stats.breakdown(stats.scope_for(user, now), filters).partners
    return partner_id, found[partner_id].sent if partner_id in found else 0


def test_supervisor_filters_the_dashboard_and_downloads_the_csv(app, live_server, page, tmp_path):
    with app.app_context():
        seed_demo_data()
        partner_name = db.session.scalar(
            sa.select(Organization.name)
            .where(Organization.receives.is_(True), Organization.name.like("Rended Heart%"))
            .order_by(Organization.id)
        )
        assert partner_name is not None
        partner_id, sent = _expected(partner_name)
    assert sent > 0

    sign_in(page, live_server, SUPERVISOR, DEMO_PASSWORD)  # the demo code on the second step
    page.wait_for_url(f"{live_server}/")

    page.click("nav >> text=Dashboard")
    page.wait_for_selector("[data-testid=dashboard-heading]")
    page.select_option("select[name=partner]", str(partner_id))
    page.click("[data-testid=dashboard-filters] button[type=submit]")
    page.wait_for_url(f"**/dashboard?*partner={partner_id}*")

    rows = page.locator("[data-testid=acceptance-partner] tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("th").inner_text() == partner_name
    assert rows.first.locator("td").first.inner_text() == str(sent)
    assert page.locator("select[name=partner] option:checked").inner_text() == partner_name

    with page.expect_download() as info:
        page.click("text=Export CSV")
    download = info.value
    assert f"partner={partner_id}" in download.url
    path = Path(tmp_path) / download.suggested_filename
    download.save_as(str(path))
    body = path.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == "Figure,Of,Value,Figure code,Item code"
    assert partner_name in text
