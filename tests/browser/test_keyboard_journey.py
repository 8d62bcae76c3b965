"""With the keyboard alone: the skip link, the tab order, a visible focus on every stop, the
navigation's toggler on a phone (and the navigation without JavaScript), and an intake recorded
after its errors were read from the fields they belong to. Layout only: SQLite is enough."""

from __future__ import annotations

import re

import pytest

from referrals.enums import Role
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]

# The focused element: what it is, where it stands in the document, whether its focus shows.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || style.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
    && box.right > 0 && box.left < innerWidth;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
    text: (el.innerText || el.value || '').trim(),
    position: Array.prototype.indexOf.call(document.querySelectorAll('*'), el),
    ring, onScreen,
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


@pytest.fixture
def page(page):
    """Scrolled at once to what takes the focus: Bootstrap scrolls smoothly otherwise, and a
    stop would be checked before it arrives on screen."""
    page.emulate_media(reduced_motion="reduce")
    return page


def tab_to(page, matches, limit: int = 120) -> dict:
    """Press Tab until the focused element ``matches``; each stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop["tag"] == "body":
            continue  # past the last stop: the next Tab starts again at the top
        assert stop["ring"], f"no visible focus on {stop}"
        assert stop["onScreen"], f"focused but off screen: {stop}"
        if matches(stop):
            return stop
    raise AssertionError("never reached with Tab")


def wait_for_path(page, base: str, path: str) -> None:
    """The page at ``path`` (a skip link's #main may ride along through a form's redirect)."""
    page.wait_for_url(re.compile(re.escape(base + path) + "(#main)?$"))


def skip_to_main(page) -> None:
    """The first Tab stop is the skip link, shown while focused; Enter moves to <main>."""
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content"
    assert skip["ring"]
    assert skip["onScreen"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"


def test_tab_order_follows_the_page_and_every_stop_shows_its_focus(live_server, page, make_user):
    user = make_user(Role.SUPERVISOR)  # the longest navigation
    from tests.browser.conftest import sign_in

    sign_in(page, live_server, user.email, PASSWORD, user.totp_secret)
    page.goto(f"{live_server}/dashboard")
    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop["tag"] == "body" or (stops and stop["position"] < stops[-1]["position"]):
            break  # past the last stop: the order has come round
        assert stop["ring"], f"no visible focus on {stop}"
        assert stop["onScreen"], f"focused but off screen: {stop}"
        if not stops or stop["position"] != stops[-1]["position"]:  # a date field's parts
            stops.append(stop)
    texts = [stop["text"] for stop in stops]
    assert texts[:3] == ["Skip to content", "KC Coalition Referrals", "Home"]
    # The navigation, the account's buttons, then the page, then the footer's numbers.
    assert texts.index("Notifications") < texts.index("Sign out") < texts.index("Export CSV")
    assert texts[-1] == "Call 1-866-347-2423"
    assert len(stops) > 20
    assert not page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count()


def test_a_caseworker_records_an_intake_with_the_keyboard_alone(live_server, page, make_user):
    user = make_user(Role.CASEWORKER)
    page.goto(f"{live_server}/login")
    skip_to_main(page)
    tab_to(page, lambda stop: stop["name"] == "email")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    wait_for_path(page, live_server, "/")

    tab_to(page, lambda stop: stop["text"] == "Intakes")
    page.keyboard.press("Enter")
    wait_for_path(page, live_server, "/intakes/")
    skip_to_main(page)
    tab_to(page, lambda stop: stop["text"] == "New intake")
    page.keyboard.press("Enter")
    wait_for_path(page, live_server, "/intakes/new")

    # Saved with the age band alone: the errors are read from the fields they belong to.
    skip_to_main(page)
    tab_to(page, lambda stop: stop["name"] == "age_band")
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda stop: stop["text"] == "Save intake")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    gender = page.locator("select[name=gender]")
    assert gender.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#{gender.get_attribute('aria-describedby')}")
    assert error.inner_text() == "Choose one."
    needs = page.locator("fieldset", has=page.locator("input[name=needs]"))
    assert page.locator(f"#{needs.get_attribute('aria-describedby')}").is_visible()
    assert page.locator("input[name=needs]").first.get_attribute("aria-invalid") == "true"
    assert page.locator("select[name=age_band]").get_attribute("aria-invalid") is None

    # The form came back at the URL its skip link left (#main): Tab starts in the page.
    tab_to(page, lambda stop: stop["name"] == "gender")
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda stop: stop["name"] == "county")
    page.keyboard.press("ArrowDown")
    urgency = tab_to(page, lambda stop: stop["name"] == "urgency")
    page.keyboard.press("ArrowRight")  # a radio group is one stop; arrows choose within it
    assert focused(page)["position"] != urgency["position"]
    tab_to(page, lambda stop: stop["name"] == "languages")
    page.keyboard.press("Space")
    tab_to(page, lambda stop: stop["name"] == "needs")
    page.keyboard.press("Space")
    tab_to(page, lambda stop: stop["text"] == "Save intake")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/intakes/KC-\w{4}-\w{4}(#main)?$"))
    assert page.locator("[data-testid=client-code]").is_visible()


def test_on_a_phone_the_navigation_opens_from_its_toggler(live_server, page, make_user):
    user = make_user(Role.CASEWORKER)
    from tests.browser.conftest import sign_in

    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server, user.email, PASSWORD)
    intakes = page.get_by_role("link", name="Intakes", exact=True)
    assert intakes.is_hidden()
    toggler = tab_to(page, lambda stop: stop["text"] == "Menu")
    assert toggler["tag"] == "button"
    page.keyboard.press("Enter")
    intakes.wait_for(state="visible")
    assert page.locator(".navbar-toggler").get_attribute("aria-expanded") == "true"
    tab_to(page, lambda stop: stop["text"] == "Intakes")


def test_without_javascript_the_navigation_shows_wrapped(live_server, browser, make_user):
    user = make_user(Role.CASEWORKER)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server}/")
        assert page.locator(".navbar-toggler").is_hidden()
        links = page.locator("#main-menu .nav-link")
        assert links.count() > 3
        assert all(links.nth(i).is_visible() for i in range(links.count()))
        # Wrapped in rows, not a column of one link a line.
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(tops) < links.count()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    finally:
        context.close()
