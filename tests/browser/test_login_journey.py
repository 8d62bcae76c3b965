"""Each role signs in through a real browser and lands on its home page."""

from __future__ import annotations

import pyotp
import pytest

from referrals.enums import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HOME_HEADINGS = {
    Role.CASEWORKER: "Caseworker home",
    Role.PARTNER: "Partner home",
    Role.SUPERVISOR: "Supervisor home",
    Role.ADMIN: "Administrator home",
}


def test_each_role_signs_in_sees_home_and_signs_out(live_server, page, make_user, make_org):
    org = make_org(name="Browser Test Organization")
    for role, heading in HOME_HEADINGS.items():
        user = make_user(role, org=org)
        page.goto(f"{live_server}/")
        # Signed out: the protected home page sends the browser to the sign-in form.
        assert "/login" in page.url
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        if role in (Role.SUPERVISOR, Role.ADMIN):  # two-step sign-in is required for them
            page.wait_for_url(f"{live_server}/login/verify")
            page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).now())
            page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(f"{live_server}/")
        assert page.locator("[data-testid=home-heading]").inner_text() == heading
        assert role.label in page.locator("[data-testid=whoami]").inner_text()
        # Hotlines in the footer on every page.
        assert "1-888-373-7888" in page.content()
        page.click("text=Sign out")
        page.wait_for_url(f"{live_server}/login")


def test_wrong_password_shows_the_message(live_server, page, make_user):
    user = make_user(Role.CASEWORKER)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "definitely not the password")
    page.click("button[type=submit], input[type=submit]")
    assert page.get_by_text("Incorrect e-mail or password").is_visible()
