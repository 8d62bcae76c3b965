"""The idle-timeout warning in a real browser: it appears before the timeout and one click
keeps the session (the page's clock is driven by Playwright; the server's is real)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals.auth.models import UserSession
from referrals.db_types import utcnow
from referrals.enums import Role
from referrals.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_warning_appears_and_one_click_extends(app, live_server, page, make_user):
    user = make_user(Role.CASEWORKER)
    page.clock.install()
    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server}/programs/")
    warning = page.locator("[data-testid=session-warning]")
    assert warning.is_hidden()
    with app.app_context():  # the server's idle clock has run 13.5 minutes too
        db.session.execute(
            sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=13.5))
        )
        db.session.commit()

    page.clock.fast_forward("13:30")  # 90 seconds before the 15-minute idle timeout

    warning.wait_for(state="visible")
    assert "Stay signed in" in warning.inner_text()
    with app.app_context():
        before = db.session.scalar(sa.select(UserSession.last_seen_at))
    page.click("text=Stay signed in")
    warning.wait_for(state="hidden")
    assert page.url.endswith("/programs/")  # no navigation: the page stays as it was
    with app.app_context():
        after = db.session.scalar(sa.select(UserSession.last_seen_at))
    assert after > before


def test_another_tabs_activity_keeps_the_warning_away(app, live_server, page, make_user):
    """The page asks the server before warning: activity elsewhere counts, the check doesn't."""
    user = make_user(Role.CASEWORKER)
    page.clock.install()
    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server}/programs/")

    page.clock.fast_forward("13:30")  # the server's clock did not move: 15 minutes are left

    # The server's answer (15 minutes left) arrives over the network: wait for it.
    page.locator("[data-testid=session-warning]").wait_for(state="hidden", timeout=5000)
    page.clock.fast_forward("00:05")
    assert page.locator("[data-testid=session-warning]").is_hidden()
    assert page.url.endswith("/programs/")


def test_when_time_is_up_the_page_goes_to_sign_in(app, live_server, page, make_user):
    user = make_user(Role.CASEWORKER)
    page.clock.install()
    sign_in(page, live_server, user.email, PASSWORD)
    with app.app_context():  # make the server's idle clock run out too
        long_ago = utcnow() - timedelta(minutes=16)
        db.session.execute(sa.update(UserSession).values(last_seen_at=long_ago))
        db.session.commit()

    page.clock.fast_forward("15:01")

    page.wait_for_url("**/login**")
    assert "without activity" in page.content()
