"""A caseworker records an intake with consent, sees the matches, and has an unsafe note refused."""

from __future__ import annotations

import re

import pytest

from referrals.demo import DEMO_PASSWORD, seed_demo_data

pytestmark = pytest.mark.browser


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "caseworker@demo.example.org")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/")


def _fill_intake(page, note: str) -> None:
    page.select_option("select[name=age_band]", "18_24")
    page.select_option("select[name=gender]", "female")
    page.select_option("select[name=county]", "Jackson County, MO")
    page.check("input[name=urgency][value=urgent]")
    page.check("input[name=languages][value=English]")
    page.check("input[name=needs][value=short_term_residential]")
    page.check("input[name=needs][value=counseling]")
    page.check("input[name=indicators][value=runaway]")
    page.fill("textarea[name=situation_note]", note)


def test_caseworker_records_intake_with_consent_and_sees_matches(app, live_server, page):
    with app.app_context():
        seed_demo_data()
    _sign_in(page, live_server)
    page.click("text=Intakes")
    page.click("text=New intake")

    # A phone number in the note is refused, with the number named, and nothing is saved.
    _fill_intake(page, "She asked us to call her sister at 816-555-0134 tonight.")
    page.click("button:has-text('Save intake')")
    assert page.locator(".invalid-feedback", has_text="816-555-0134").is_visible()
    assert "/intakes/new" in page.url

    _fill_intake(page, "Met through street outreach; needs a safe bed this week.")
    page.click("button:has-text('Save intake')")
    code = page.locator("[data-testid=client-code]").inner_text().strip()
    assert re.fullmatch(r"KC-\w{4}-\w{4}", code)
    assert page.locator("[data-testid=consent-state]").inner_text() == "No active consent"

    page.click("text=Consent →")
    page.check("label:has-text('Rended Heart') >> xpath=preceding-sibling::input")
    page.check("input[name=written_confirmed]")
    page.click("button:has-text('Record consent')")
    assert page.locator("[data-testid=consent-state]").inner_text() == "Consent active"

    page.click("text=Find programs")
    first = page.locator("[data-testid=ranked] li").first
    assert "Rended Heart 30-day program" in first.inner_text()
    assert "covers 2 of 2 needs" in first.locator("[data-testid=why]").inner_text()
    excluded = page.locator("[data-testid=excluded]").inner_text()
    assert "Foster care and youth services" in excluded

    # Refer: one confirmed step (issue #19), the priority starting from the intake's urgency.
    first.locator("summary:has-text('Refer')").click()
    first.locator("input[name=confirm]").check()
    first.locator("button:has-text('Send referral')").click()
    assert page.get_by_text("Referral sent to Rended Heart 30-day program.").is_visible()
