"""Open redirects: a ``next`` that leaves the site is ignored; a same-site path is honoured.

Every target is checked the way a browser would read the Location header (leading spaces and
control characters dropped, tabs and newlines removed, backslashes read as slashes), so
``/\\evil.example`` or ``/\\t/evil.example`` cannot sneak past a check that only looks for
``//``. The last test reads the package's source: any ``redirect(...)`` built from request
data must go through the one same-site check.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Flask

from referrals.enums import Role
from tests.conftest import PASSWORD, login

HOST = "localhost"  # the Flask test client's host

OFF_SITE = [
    "https://evil.example",
    "http://evil.example/programs/",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:evil.example",
    "https:/evil.example",
    "http:/\\evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%2F%5Cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x0b//evil.example",
    "//evil.example@localhost/",
    "https://localhost@evil.example/",
    "//evil%2Eexample",
    "/%09/evil.example",
    "/%5Cevil.example",
    "\uff0f\uff0fevil.example",  # fullwidth solidus
    "evil.example",
    "",
]
# The values above, sent once percent-encoded (what a link would carry) and once more.
ENCODINGS = {
    "plain": lambda value: quote(value, safe=""),
    "double-encoded": lambda value: quote(quote(value, safe=""), safe=""),
}


def browser_target(location: str, base: str = f"http://{HOST}/login") -> Any:
    """Where a browser would go for this Location header (WHATWG URL parsing, roughly)."""
    cleaned = location.strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f "
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    )
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    return urlsplit(urljoin(base, cleaned))


def assert_same_site(location: str, where: str) -> None:
    """A path on this site: no scheme, no host, one leading slash, nothing a browser rewrites."""
    parts = urlsplit(location)
    assert parts.scheme == "", f"{where}: {location!r}"
    assert parts.netloc == "", f"{where}: {location!r}"
    assert location.startswith("/"), f"{where}: {location!r}"
    assert not location.startswith("//"), f"{where}: {location!r}"
    assert "\\" not in location, f"{where}: {location!r}"
    assert not re.search(r"[\x00-\x20\x7f]", location), f"{where}: {location!r}"
    target = browser_target(location)
    assert target.netloc == HOST, f"{where}: {location!r}"
    assert target.scheme == "http", f"{where}: {location!r}"


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_off_site_next_is_ignored_after_login(app: Flask, make_user: Any, encoding: str) -> None:
    """Each off-site target, in each encoding: the sign-in lands on a page of this site."""
    user = make_user(Role.CASEWORKER)
    failures = []
    for value in OFF_SITE:
        client = app.test_client()
        url = f"/login?next={ENCODINGS[encoding](value)}"
        response = client.post(url, data={"email": user.email, "password": PASSWORD})
        where = f"POST {url!r}"
        if encoding == "plain" and "\x00" in value:
            # A NUL anywhere in a request is refused outright (referrals/input_guard.py).
            assert response.status_code == 400, where
            assert "Location" not in response.headers, where
            continue
        if response.status_code != 302:
            failures.append(f"{where}: {response.status_code}")
            continue
        try:
            assert_same_site(response.headers["Location"], where)
        except AssertionError as error:
            failures.append(str(error))
        assert client.get("/").status_code == 200, f"{where}: not signed in"
    assert failures == []


def test_raw_off_site_next_in_the_query_is_ignored(app: Flask, make_user: Any) -> None:
    """The same targets written into the query string as they are, unencoded."""
    user = make_user(Role.CASEWORKER)
    for value in OFF_SITE:
        if any(ch in value for ch in "\x00\t\n\r\x0b #&"):
            continue  # not writable unencoded in a request line
        client = app.test_client()
        response = client.post(
            "/login?next=" + value, data={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302, value
        assert_same_site(response.headers["Location"], f"next={value!r}")


@pytest.mark.parametrize(
    "target", ["/programs/", "/programs/?service=counseling&open_only=y", "/notifications"]
)
def test_same_site_next_is_honoured(app: Flask, make_user: Any, target: str) -> None:
    user = make_user(Role.CASEWORKER)
    response = login(app.test_client(), user, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_the_login_bounce_brings_the_user_back(app: Flask, make_user: Any) -> None:
    """A signed-out visit to a page sends to the login with a same-site ``next``, then back."""
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    bounce = client.get("/programs/?service=counseling")
    assert bounce.status_code == 302
    assert_same_site(bounce.headers["Location"], "the login bounce")
    response = client.post(
        bounce.headers["Location"], data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/programs/?service=counseling"


@pytest.mark.parametrize("value", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_off_site_next_is_ignored_through_the_second_step(
    app: Flask, make_user: Any, value: str
) -> None:
    """A supervisor's ``next`` waits in the session during the second step; still checked."""
    supervisor = make_user(Role.SUPERVISOR)
    response = login(app.test_client(), supervisor, next=value)
    assert response.status_code == 302
    assert_same_site(response.headers["Location"], f"second step with next={value!r}")


def test_same_site_next_survives_the_second_step(app: Flask, make_user: Any) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    response = login(app.test_client(), supervisor, next="/dashboard")
    assert response.headers["Location"] == "/dashboard"


def test_extend_session_next_stays_on_site(app: Flask, login_as: Any) -> None:
    """The session warning's form carries ``next``: an off-site one is ignored."""
    client, _user = login_as(Role.CASEWORKER)
    for value in OFF_SITE:
        response = client.post("/session/extend", data={"next": value})
        if "\x00" in value:
            assert response.status_code == 400, "a NUL is refused outright"
            continue
        assert response.status_code == 302, value
        assert_same_site(response.headers["Location"], f"extend with next={value!r}")
    response = client.post("/session/extend", data={"next": "/programs/"})
    assert response.headers["Location"] == "/programs/"


def _redirect_targets(tree: ast.AST) -> list[tuple[int, str]]:
    """Line and source text of the first argument of every ``redirect(...)`` call."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "redirect"
            and node.args
        ):
            found.append((node.lineno, ast.unparse(node.args[0])))
    return found


def test_every_redirect_from_request_data_is_checked() -> None:
    """No ``redirect()`` in the package takes request data without the same-site check."""
    package = Path(__file__).resolve().parent.parent / "referrals"
    user_data = re.compile(r"\brequest\.|\.data\b|\bform\b|\bsession\b|\bpending\b|\bargs\b")
    unchecked = []
    for path in sorted(package.rglob("*.py")):
        for line, target in _redirect_targets(ast.parse(path.read_text(encoding="utf-8"))):
            # url_for() builds a path of this site whatever goes into its query string.
            if target.startswith("url_for(") or "safe_next(" in target:
                continue
            if user_data.search(target):
                unchecked.append(f"{path.relative_to(package.parent)}:{line}: redirect({target})")
    assert unchecked == []
