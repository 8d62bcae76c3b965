"""Request bodies over MAX_CONTENT_LENGTH: refused whole, nothing saved, the connection closed.

A chunked body carries no length, and werkzeug used to stop reading it at the limit and hand
the view the first megabyte: a 1.5 MiB description was saved cut short. Here a real gunicorn,
started from gunicorn.conf.py with the production settings on the test database, receives
the chunked body on a raw socket: 413, no organization, "Connection: close" and then EOF.
"""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Iterator
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bench.server import ROOT, Server, gunicorn
from config import Config
from referrals.enums import Role
from referrals.extensions import db
from referrals.programs.models import Organization
from tests.conftest import PASSWORD

LIMIT = Config.MAX_CONTENT_LENGTH
FORM = "/admin/organizations/new"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# One browser: Flask-Login's strong session protection ties the session to it.
USER_AGENT = "request-bodies-test"


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them, over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> str:
        """Post the form at ``path`` with the token its page gives; the final page's text."""
        token = _TOKEN.search(self.get(path))
        assert token is not None, f"no CSRF token on {path}"
        data = urlencode({"csrf_token": token.group(1), **fields}).encode()
        with self.opener.open(self.base + path, data=data, timeout=30) as response:
            return response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


def organization_form(browser: Browser, name: str, description: str) -> bytes:
    """The urlencoded body of a new organization with this description."""
    token = _TOKEN.search(browser.get(FORM))
    assert token is not None
    return urlencode(
        {
            "csrf_token": token.group(1),
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "description": description,
            "refers": "y",
        }
    ).encode()


def post_chunked(base: str, path: str, body: bytes, cookie: str) -> tuple[bytes, bool]:
    """Send ``body`` chunked on a raw socket; the response as read, and whether EOF followed.

    The body goes out from a second thread, so the response is read as soon as it comes
    even while the server refuses the rest of the body.
    """
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {cookie}\r\n"
            f"User-Agent: {USER_AGENT}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        )
        sender = threading.Thread(target=_send_chunks, args=(sock, head.encode(), body))
        sender.start()
        received = b""
        while True:
            data = sock.recv(65536)
            if not data:
                closed = True
                break
            received += data
            if _complete(received):
                # A full response: the server must now close, not wait for another request.
                sock.settimeout(10)
                try:
                    closed = sock.recv(1) == b""
                except TimeoutError:
                    closed = False
                break
        sender.join()
    return received, closed


def _send_chunks(sock: socket.socket, head: bytes, body: bytes) -> None:
    stream = io.BytesIO(body)
    try:
        sock.sendall(head)
        while chunk := stream.read(64 * 1024):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server refused the body and closed: what the 413 test expects


def _complete(received: bytes) -> bool:
    head, found, rest = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(found and length and len(rest) >= int(length.group(1)))


def saved(app: Flask, name: str) -> list[int]:
    """The lengths of the descriptions of organizations called ``name``."""
    with app.app_context():
        return [
            len(description)
            for description in db.session.scalars(
                sa.select(Organization.description).where(Organization.name == name)
            )
        ]


@pytest.fixture
def server(app: Flask) -> Iterator[Server]:
    """gunicorn.conf.py serving wsgi:app with the production settings on the test database."""
    with gunicorn(
        str(app.config["SQLALCHEMY_DATABASE_URI"]),
        app="wsgi:app",
        GUNICORN_WORKERS="1",
        # Longer than the client waits for EOF: a connection kept alive stays open meanwhile.
        GUNICORN_KEEPALIVE="60",
    ) as running:
        yield running


@pytest.fixture
def admin_browser(server: Server, make_user) -> Browser:
    """An administrator signed in through the real forms, password and code."""
    admin = make_user(Role.ADMIN)
    browser = Browser(server.base)
    page = browser.post("/login", {"email": admin.email, "password": PASSWORD})
    assert "csrf_token" in page  # the second step's form
    browser.post("/login/verify", {"code": pyotp.TOTP(admin.totp_secret).now()})
    assert "Organizations" in browser.get("/admin/")
    return browser


def test_a_chunked_body_over_the_limit_gets_413_saves_nothing_and_closes(app, admin_browser):
    description = "x" * (LIMIT + LIMIT // 2)  # 1.5 MiB
    body = organization_form(admin_browser, "Oversized Partner", description)
    response, closed = post_chunked(admin_browser.base, FORM, body, admin_browser.cookie_header())
    assert response.startswith(b"HTTP/1.1 413 "), response[:300]
    assert re.search(rb"(?im)^connection: close\r$", response), response[:500]
    assert b"Error 413" in response
    assert closed
    assert saved(app, "Oversized Partner") == []


def test_a_chunked_body_under_the_limit_is_saved_whole(app, admin_browser):
    """The same form, half as long: the whole description arrives (so the 413 is the limit)."""
    description = "y" * (LIMIT // 2)
    body = organization_form(admin_browser, "Chunked Partner", description)
    response, closed = post_chunked(admin_browser.base, FORM, body, admin_browser.cookie_header())
    assert response.startswith(b"HTTP/1.1 303 "), response[:300]
    # Every chunked request closes its connection (gunicorn.conf.py).
    assert re.search(rb"(?im)^connection: close\r$", response)
    assert closed
    assert saved(app, "Chunked Partner") == [LIMIT // 2]


def test_a_declared_length_over_the_limit_also_closes_the_connection(admin_browser):
    """With Content-Length the size is known before reading: 413, "Connection: close", EOF."""
    address = urlsplit(admin_browser.base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(
            f"POST {FORM} HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {LIMIT + 1}\r\n\r\n".encode()
        )
        response = b""
        while data := sock.recv(65536):
            response += data
    assert response.startswith(b"HTTP/1.1 413 "), response[:300]
    assert re.search(rb"(?im)^connection: close\r$", response)


def test_gunicorn_conf_closes_at_the_apps_limit():
    settings: dict[str, object] = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    assert settings["_MAX_BODY"] == Config.MAX_CONTENT_LENGTH


# --- the same rule in-process, through werkzeug's test client ---------------------------


def chunked_post(client: FlaskClient, body: bytes) -> TestResponse:
    """A chunked post as a server that ends the stream itself (gunicorn) hands it over."""
    return client.post(
        FORM,
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("over", [1, LIMIT // 2])
def test_in_process_a_chunked_body_over_the_limit_is_refused(app, login_as, over):
    client, _ = login_as(Role.ADMIN)
    body = urlencode({"name": "Cut Short", "slug": "cut-short", "description": "z" * LIMIT})
    response = chunked_post(client, body.encode()[: LIMIT + over])
    assert response.status_code == 413
    assert saved(app, "Cut Short") == []


def test_in_process_a_chunked_body_of_exactly_the_limit_is_read_whole(app, login_as):
    client, _ = login_as(Role.ADMIN)
    head = urlencode({"name": "Exactly", "slug": "exactly", "description": ""}).encode()
    response = chunked_post(client, head + b"w" * (LIMIT - len(head)))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert saved(app, "Exactly") == [LIMIT - len(head)]
