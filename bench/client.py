"""Signing in over HTTP like a browser, and a closed-loop client that counts pages per second."""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import NamedTuple
from urllib.parse import urlsplit

import requests

from bench.databases import PASSWORD, Account
from bench.two_step import code_at_offset, seconds_to_next_step

# Flask-Login's "strong" session protection ties a session to the user agent: every client
# of one session must send the same one.
USER_AGENT = "kc-referrals-bench/1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class SignInFailed(RuntimeError):
    pass


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise SignInFailed("no CSRF token on the form")
    return match.group(1)


def sign_in(base: str, account: Account) -> requests.Session:
    """A browser-like session signed in as ``account`` (with the code step when it has one)."""
    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    token = _csrf(browser.get(f"{base}/login", timeout=30).text)
    response = browser.post(
        f"{base}/login",
        data={"csrf_token": token, "email": account.email, "password": PASSWORD},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302:
        raise SignInFailed(f"{account.email}: sign-in answered {response.status_code}")
    if urlsplit(response.headers["Location"]).path == "/login/verify":
        _second_step(browser, base, account)
    return browser


def _second_step(browser: requests.Session, base: str, account: Account) -> None:
    """A TOTP code. Each 30-second step is accepted once per account: when this one was
    used already, try the next step's code, and at last wait for a fresh step."""
    if account.totp_secret is None:
        raise SignInFailed(f"{account.email}: asked for a code, but has no key")
    for offset, wait in ((0, False), (1, False), (0, True)):
        if wait:
            time.sleep(seconds_to_next_step() + 0.5)
        token = _csrf(browser.get(f"{base}/login/verify", timeout=30).text)
        response = browser.post(
            f"{base}/login/verify",
            data={"csrf_token": token, "code": code_at_offset(account.totp_secret, offset)},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code == 302:
            return
    raise SignInFailed(f"{account.email}: the code step refused three codes")


def cookie_header(browser: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0


class Loop(NamedTuple):
    rate: float  # pages per second
    errors: int  # answers other than 200
    requests: int


def closed_loop(base: str, path: str, cookie: str, *, seconds: float, connections: int) -> Loop:
    """Each connection sends the next request as soon as the last answer arrived (keep-alive)."""
    host, port = urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80
    tallies = [Tally() for _ in range(connections)]
    start = threading.Barrier(connections + 1)
    deadline = 0.0

    def work(tally: Tally) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
        start.wait()
        while time.perf_counter() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            tally.requests += 1
            if response.status != 200:
                tally.errors += 1
            _keep_cookie(headers, response.getheader("Set-Cookie"))
        connection.close()

    threads = [threading.Thread(target=work, args=(tally,)) for tally in tallies]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    done = sum(t.requests for t in tallies)
    return Loop(done / elapsed, sum(t.errors for t in tallies), done)


def _keep_cookie(headers: dict[str, str], set_cookie: str | None) -> None:
    """Follow a refreshed session cookie, as a browser would."""
    if not set_cookie:
        return
    jar = SimpleCookie()
    jar.load(headers["Cookie"])
    jar.load(set_cookie)
    headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
