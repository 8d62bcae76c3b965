"""Every page each role can reach, in English and Spanish, at 1280 and 390 px wide:

- axe-core (WCAG 2.0, 2.1 and 2.2 rules, levels A and AA) finds no critical or serious
  violation;
- at 390 px the page does not scroll sideways (``scrollWidth <= innerWidth``), no checkbox or
  radio is smaller than 24 x 24 px, no phone number breaks across lines and a referral or
  client code breaks only between its groups;
- the page names its icon, and /favicon.ico answers; nothing the page loads fails.

The pages are the access matrix's (tests/test_access_matrix.py), in the world it builds, with a
demo organization (for the banner) and an overdue referral (for the inbox's overdue panel) added.
Each role signs in once; each page loads once per language and is checked at both widths. The
run's totals are printed at its end (tests/browser/conftest.py). Layout and markup do not depend
on the database: these run on SQLite only, since PostgreSQL would double the time for nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization
from tests.browser.conftest import AXE_TALLY, sign_in
from tests.conftest import PASSWORD, sibling_program
from tests.test_access_matrix import EXPECTED, RULES, Targets, _org

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "es")
WIDE, PHONE = 1280, 390
HEIGHT = 800
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = ("critical", "serious")
# GET routes that answer something other than a page: a CSV download and a JSON status.
NOT_PAGES = {"dashboard.export", "auth.session_status"}
AXE_SCRIPT = Axe().axe_script  # axe-core, as the package bundles it

# What a phone-width page must hold to: run in the page, it returns what is wrong.
PHONE_CHECKS = """() => {
  const wrong = [];
  const root = document.documentElement;
  if (root.scrollWidth > innerWidth) {
    // Name the innermost elements that stick out, so a failure says where to look.
    const scrolls = e => e.closest('.table-responsive, [style*=overflow]');
    const out = [...document.body.querySelectorAll('*')].filter(e => !scrolls(e) &&
      e.getBoundingClientRect().right > innerWidth + 1 &&
      ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1));
    const named = out.slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className}`);
    wrong.push(`${root.scrollWidth} px wide in ${innerWidth} (${named.join(', ')})`);
  }
  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const r = box.getBoundingClientRect();
    if (r.width && (r.width < 24 || r.height < 24))
      wrong.push(`${box.name} is ${r.width}x${r.height} px`);
  }
  const lines = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  };
  for (const number of document.querySelectorAll('.phone')) {
    if (lines(number.firstChild, 0, number.textContent.length) > 1)
      wrong.push(`the number ${number.textContent} breaks`);
  }
  const code = /^(?:KC|[A-Z0-9]{4})(?:-[A-Z0-9]{4})+$/;
  for (const element of document.querySelectorAll('.font-monospace')) {
    const text = element.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE || !code.test(text.data.trim())) continue;
    let at = text.data.indexOf(text.data.trim());
    for (const group of text.data.trim().split('-')) {
      if (lines(text, at, at + group.length) > 1) wrong.push(`the code ${text.data} breaks`);
      at += group.length + 1;
    }
  }
  return wrong;
}"""


def pages_for(role: Role, targets: Targets) -> list[str]:
    """The URLs of every page ``role`` may open for its own organization."""
    return [
        EXPECTED[endpoint][1](targets)
        for endpoint, method in RULES
        if method == "GET"
        and endpoint not in NOT_PAGES
        and EXPECTED[endpoint][0](role, True) == "ok"
    ]


@pytest.fixture
def pages_world(app, world, make_program) -> Targets:
    """The access matrix's world; the other organization is a demo one (the banner shows) and
    the own organization has an overdue referral too (the inbox's overdue panel shows)."""
    own, other = world
    with app.app_context():
        db.session.execute(
            sa.update(Organization).where(Organization.id == other.org_id).values(is_demo=True)
        )
        first = db.session.scalar(sa.select(Referral).where(Referral.public_id == own.public_id))
        assert first is not None
        long_ago = datetime.now(UTC) - timedelta(days=5)
        db.session.add(
            Referral(
                intake_id=first.intake_id,
                program_id=sibling_program(own.program_id),
                receiving_organization_id=own.org_id,
                sending_organization_id=own.org_id,
                sent_by_id=first.sent_by_id,
                status=ReferralStatus.REQUESTED,
                sent_at=long_ago,
                response_due_at=long_ago + timedelta(hours=72),
            )
        )
        db.session.commit()
    return own


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "signed-out")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_page_is_accessible_and_fits_a_phone(
    app, live_server, browser, pages_world, make_user, role, backend
):
    # axe's script is put into each page: the test context alone bypasses the app's CSP.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    failed_loads: list[str] = []
    page.on("requestfailed", lambda request: failed_loads.append(f"failed {request.url}"))
    page.on(
        "response",
        lambda response: (
            failed_loads.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    who = role.value if role else "signed-out"
    if role is None:
        urls = ["/login"]
    else:
        user = make_user(role, org=_org(app, pages_world.org_id))
        sign_in(page, live_server, user.email, PASSWORD, user.totp_secret)
        urls = pages_for(role, pages_world)
    AXE_TALLY["pages"] += len(urls)
    failures: list[str] = []
    try:
        # Browsers ask for /favicon.ico whatever the page says (Playwright does not report it).
        assert context.request.get(f"{live_server}/favicon.ico").ok
        for language in LANGUAGES:
            page.set_extra_http_headers({"Accept-Language": language})
            for url in urls:
                page.set_viewport_size({"width": WIDE, "height": HEIGHT})
                response = page.goto(live_server + url)
                assert response is not None
                assert response.ok, f"{who} {url}: {response.status}"
                page.evaluate(AXE_SCRIPT)
                if not page.locator("link[rel=icon]").count():
                    failures.append(f"{who} {url}: no <link rel=icon>")
                for width in (WIDE, PHONE):
                    where = f"{who} {language} {width}px {url}"
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    failures += [f"{where}: {problem}" for problem in axe_problems(page)]
                    if width == PHONE:
                        failures += [f"{where}: {wrong}" for wrong in page.evaluate(PHONE_CHECKS)]
    finally:
        context.close()
    failures += [f"{who}: {load}" for load in failed_loads]
    assert failures == [], "\n".join(failures)


def axe_problems(page) -> list[str]:
    """axe-core's critical and serious violations on the page as it is laid out now; every
    violation is counted in the run's tally."""
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    AXE_TALLY["checks"] += 1
    problems = []
    for violation in violations:
        impact = violation["impact"] or "unknown"
        AXE_TALLY[impact] = AXE_TALLY.get(impact, 0) + 1
        if impact in BLOCKING:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
            problems.append(f"{violation['id']} ({impact}) at {targets}")
    return problems
