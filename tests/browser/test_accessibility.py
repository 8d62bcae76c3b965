"""Every page each role can reach, in English and Spanish, at 1280 and 390 px wide:

- axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) finds no critical or serious violation;
- at 390 px the page does not scroll sideways (``scrollWidth <= innerWidth``);
- nothing the page loads answers 404 (the favicon among them).

The pages are the access matrix's (tests/test_access_matrix.py) in the world it builds. Each
role signs in once; each page loads once per language and is checked at both widths. The run's
totals are printed at the end (tests/browser/conftest.py). Layout and markup do not depend on
the database, so these run on SQLite only: PostgreSQL would double the time and check nothing new.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from referrals.enums import Role
from tests.browser.conftest import AXE_TALLY, sign_in
from tests.conftest import PASSWORD
from tests.test_access_matrix import EXPECTED, RULES, _org

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "es")
WIDTHS = (1280, 390)
HEIGHT = 800
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("critical", "serious")
# GET routes that answer something other than a page: a CSV download and a JSON status.
NOT_PAGES = {"dashboard.export", "auth.session_status"}
AXE = Axe()


def pages_for(role: Role, targets) -> list[str]:
    """The URLs of every page ``role`` may open for its own organization."""
    return [
        EXPECTED[endpoint][1](targets)
        for endpoint, method in RULES
        if method == "GET"
        and endpoint not in NOT_PAGES
        and EXPECTED[endpoint][0](role, True) == "ok"
    ]


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "signed-out")
def test_every_page_is_accessible_and_fits_a_phone(
    app,
    live_server,
    browser,
    world,
    make_user,
    role,
    backend,
):
    own, _other = world
    context = browser.new_context(bypass_csp=True)  # axe's script is injected (tests only)
    page = context.new_page()
    page.set_default_timeout(10_000)
    failed_loads: list[str] = []
    page.on(
        "response",
        lambda response: (
            failed_loads.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    if role is None:
        urls = ["/login"]
    else:
        user = make_user(role, org=_org(app, own.org_id))
        sign_in(page, live_server, user.email, PASSWORD, user.totp_secret)
        urls = pages_for(role, own)
    failures: list[str] = []
    who = role.value if role else "signed-out"
    try:
        for language in LANGUAGES:
            page.set_extra_http_headers({"Accept-Language": language})
            for url in urls:
                page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
                response = page.goto(live_server + url)
                assert response is not None
                assert response.ok, f"{who} {url}: {response.status}"
                for width in WIDTHS:
                    where = f"{who} {language} {width}px {url}"
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    failures += check_page(page, where, width)
    finally:
        context.close()
    failures += [f"{who}: {load}" for load in failed_loads]
    assert failures == [], "\n".join(failures)


def check_page(page, where: str, width: int) -> list[str]:
    """axe's blocking violations on the page as it is now, and any sideways scroll."""
    failures = []
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    AXE_TALLY["pages"] += 1
    for violation in results.response["violations"]:
        impact = violation["impact"] or "unknown"
        AXE_TALLY[impact] = AXE_TALLY.get(impact, 0) + 1
        if impact in BLOCKING:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
            failures.append(f"{where}: {violation['id']} ({impact}) at {targets}")
    if width < 1000:
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            failures.append(f"{where}: {scroll} px wide, the window {inner} px")
    return failures
