"""Working together in a real browser: the caseworker sends, the partner asks a question from
the inbox, the caseworker answers, the partner accepts — counting the partner's page loads
from the inbox to "accepted" (issue #19: at most 6)."""

from __future__ import annotations

import re

import pytest

from referrals.demo import DEMO_PASSWORD, seed_demo_data
from tests.browser.test_referral_journey import CASEWORKER, PARTNER, _record_intake_with_consent

pytestmark = pytest.mark.browser

QUESTION = "Can she come in on a weekday morning?"
ANSWER = "Yes, any weekday morning suits her."
MAX_PAGE_LOADS = 6


def _signed_in(browser, base: str, email: str):
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_a_two_sided_conversation_then_accept(app, live_server, browser):
    base = live_server
    with app.app_context():
        seed_demo_data()

    caseworker = _signed_in(browser, base, CASEWORKER)
    _record_intake_with_consent(caseworker)
    caseworker.click("text=Find programs")
    first = caseworker.locator("[data-testid=ranked] li").first
    first.locator("summary:has-text('Refer')").click()
    first.locator("input[name=confirm]").check()
    first.locator("button:has-text('Send referral')").click()
    caseworker.wait_for_url(re.compile(r".*/referrals/[A-Z0-9-]+$"))
    public_id = caseworker.url.rsplit("/", 1)[1]

    partner = _signed_in(browser, base, PARTNER)
    loads: list[str] = []
    partner.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame == partner.main_frame else None,
    )

    partner.goto(f"{base}/inbox")
    row = partner.locator("tr", has=partner.locator(f"a:text-is('{public_id}')")).first
    row.locator("[data-testid=ask-sender]").click()
    partner.wait_for_url(f"{base}/referrals/{public_id}#thread")
    partner.fill("textarea[name=body]", QUESTION)
    partner.click("button:has-text('Send message')")
    partner.wait_for_url(f"{base}/referrals/{public_id}#thread")
    assert QUESTION in partner.locator("[data-testid=thread]").inner_text()

    # The caseworker sees the question on the referral and answers it.
    caseworker.goto(f"{base}/notifications")
    assert caseworker.locator("[data-testid=notification]").first.is_visible()
    caseworker.goto(f"{base}/referrals/{public_id}")
    assert QUESTION in caseworker.locator("[data-testid=thread]").inner_text()
    caseworker.fill("textarea[name=body]", ANSWER)
    caseworker.click("button:has-text('Send message')")
    caseworker.wait_for_url(f"{base}/referrals/{public_id}#thread")

    # The partner reloads, reads the answer and accepts.
    partner.reload()
    assert ANSWER in partner.locator("[data-testid=thread]").inner_text()
    partner.locator("[data-testid=action-accept] button:has-text('Accept')").click()
    partner.wait_for_url(f"{base}/referrals/{public_id}")
    assert "Accepted" in partner.locator("[data-testid=status]").inner_text()

    print(f"partner page loads from the inbox to accepted: {len(loads)}")
    for url in loads:
        print(f"  {url.removeprefix(base)}")
    assert len(loads) <= MAX_PAGE_LOADS, loads
