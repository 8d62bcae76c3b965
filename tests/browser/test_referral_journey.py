"""A referral from intake to completion, in a real browser, by the two demo organizations.

The demo caseworker records an intake with consent, refers the client to Rended Heart and
sends it; the demo partner finds it in the inbox, accepts, enrolls and completes it; the
caseworker then sees the whole timeline.
"""

from __future__ import annotations

import re

import pytest

from referrals.demo import DEMO_PASSWORD, seed_demo_data

pytestmark = pytest.mark.browser

CASEWORKER = "caseworker@demo.example.org"
PARTNER = "partner@demo.example.org"
NOTE = "Client prefers morning appointments and needs a quiet room."


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/")


def _sign_out(page, base: str) -> None:
    page.click("button:has-text('Sign out')")
    page.wait_for_url(re.compile(r".*/login.*|.*/$"))
    page.goto(f"{base}/inbox")
    assert "/login" in page.url  # really signed out


def _record_intake_with_consent(page) -> str:
    page.click("text=Intakes")
    page.click("text=New intake")
    page.select_option("select[name=age_band]", "25_34")
    page.select_option("select[name=gender]", "female")
    page.select_option("select[name=county]", "Jackson County, MO")
    page.check("input[name=urgency][value=urgent]")
    page.check("input[name=languages][value=English]")
    page.check("input[name=needs][value=short_term_residential]")
    page.check("input[name=needs][value=counseling]")
    page.fill("textarea[name=situation_note]", "Met through street outreach; needs a safe bed.")
    page.click("button:has-text('Save intake')")
    code = page.locator("[data-testid=client-code]").inner_text().strip()
    assert re.fullmatch(r"KC-\w{4}-\w{4}", code)

    page.click("text=Consent →")
    page.check("label:has-text('Rended Heart') >> xpath=preceding-sibling::input")
    page.check("input[name=written_confirmed]")
    page.click("button:has-text('Record consent')")
    assert page.locator("[data-testid=consent-state]").inner_text() == "Consent active"
    return code


def test_referral_from_intake_to_completion(app, live_server, page):
    base = live_server
    with app.app_context():
        seed_demo_data()

    # The caseworker: intake, consent, matches, then refer with a clean note in one
    # confirmed step (issue #19: the draft is made and sent at once).
    _sign_in(page, base, CASEWORKER)
    code = _record_intake_with_consent(page)
    page.click("text=Find programs")
    first = page.locator("[data-testid=ranked] li").first
    assert "Rended Heart 30-day program" in first.inner_text()
    first.locator("summary:has-text('Refer')").click()
    first.locator("textarea[name=note]").fill(NOTE)
    first.locator("input[name=confirm]").check()
    first.locator("button:has-text('Send referral')").click()
    page.wait_for_url(re.compile(r".*/referrals/[A-Z0-9-]+$"))
    public_id = page.url.rsplit("/", 1)[1]
    assert page.get_by_text("Referral sent to Rended Heart 30-day program.").is_visible()
    assert code in page.locator("[data-testid=summary]").inner_text()
    assert "Requested" in page.locator("[data-testid=status]").inner_text()
    assert page.locator("[data-testid=priority]").inner_text() == "Urgent"
    assert page.locator("[data-testid=note]").inner_text() == NOTE
    _sign_out(page, base)

    # The partner: the inbox marks it new; open, accept, enroll, complete.
    _sign_in(page, base, PARTNER)
    page.click("nav >> text=Inbox")
    page.wait_for_url(f"{base}/inbox")
    row = page.locator("tr", has=page.locator(f"a:text-is('{public_id}')")).first
    assert row.locator("[data-testid=unread]").is_visible()
    assert "Rended Heart 30-day program" in row.inner_text()
    row.locator(f"a:text-is('{public_id}')").click()
    page.wait_for_url(f"{base}/referrals/{public_id}")
    assert page.locator("[data-testid=note]").inner_text() == NOTE

    page.locator("[data-testid=action-accept] button:has-text('Accept')").click()
    page.wait_for_url(f"{base}/referrals/{public_id}")
    assert "Accepted" in page.locator("[data-testid=status]").inner_text()

    page.locator("[data-testid=action-enroll] button:has-text('Enroll')").click()
    page.wait_for_url(f"{base}/referrals/{public_id}")
    assert "Enrolled" in page.locator("[data-testid=status]").inner_text()

    complete = page.locator("[data-testid=action-complete]")
    complete.locator("select[name=reason]").select_option("service_completed")
    complete.locator("input[name=confirm]").check()
    complete.locator("button:has-text('Complete')").click()
    page.wait_for_url(f"{base}/referrals/{public_id}")
    assert "Completed" in page.locator("[data-testid=status]").inner_text()
    assert page.locator("[data-testid=action-complete]").count() == 0  # nothing left to do

    # The inbox no longer marks it new.
    page.click("nav >> text=Inbox")
    row = page.locator("tr", has=page.locator(f"a:text-is('{public_id}')")).first
    assert row.locator("[data-testid=unread]").count() == 0
    _sign_out(page, base)

    # The caseworker: the sent list leads to the referral and its whole story.
    _sign_in(page, base, CASEWORKER)
    page.goto(f"{base}/referrals/")
    page.locator(f"a:text-is('{public_id}')").click()
    page.wait_for_url(f"{base}/referrals/{public_id}")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    position = 0
    for step in (
        "Draft started",
        "Requested",
        "Opened by the receiving organization",
        "Accepted",
        "Enrolled (in progress)",
        "Completed",
    ):
        found = timeline.find(step, position)
        assert found >= 0, f"{step!r} missing (or out of order) in the timeline:\n{timeline}"
        position = found + len(step)
    assert "service_completed" in timeline or "Service completed" in timeline
