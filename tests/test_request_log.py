"""One JSON line per request, with its route rule and ids, and never a client's details.

The journey below types distinctive words into every free-text field, and the client codes
travel in URLs; the log of the whole journey, formatted exactly as production writes it,
must hold none of them, nor the path of any intake, even when a view fails with an
exception whose message quotes them.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from referrals.enums import Role
from referrals.operations import request_log
from tests.conftest import login

SITUATION = "Hums quietly; the periwinkle blanket helps her sleep"
SEND_NOTE = "Bring the quartermaster folder on Tuesday"
DECLINE_NOTE = "Our wombat program is full until spring"
GUARDIAN = "accordion teacher relationship"
FREE_WORDS = ("periwinkle", "quartermaster", "wombat", "accordion")
INTAKE = {
    "age_band": "18_24",
    "gender": "female",
    "languages": ["English"],
    "county": "Jackson County, MO",
    "needs": ["counseling"],
    "urgency": "urgent",
    "indicators": ["runaway"],
}
UNKNOWN_CODE = "KC-ZZZZ-ZZZZ"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Every log line, as production's JSON handler writes it (its formatter and filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(request_log.formatter("json"))
    handler.addFilter(request_log.RequestContext())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _ok(response: Any, status: int | None = None) -> Any:
    expected = {status} if status else {302, 303}
    assert response.status_code in expected, response.get_data(as_text=True)[:2000]
    return response


def _act(client: Any, public_id: str, action: str, **data: str) -> None:
    page = _ok(client.get(f"/referrals/{public_id}"), 200).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert version, page
    _ok(client.post(f"/referrals/{public_id}/{action}", data={"version": version[1], **data}))


def _signed_in(app: Flask, user: Any) -> Any:
    client = app.test_client()
    _ok(login(client, user))
    return client


def test_a_whole_journey_logs_no_client_code_note_or_form_content(
    app: Flask, make_org, make_user, make_program, log_output, monkeypatch
):
    sender = make_org(name="Outreach Org", receives=False)
    receiver = make_org(name="Shelter Org", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sender)
    partner = make_user(Role.PARTNER, org=receiver)
    first_program = make_program(org=receiver, name="Counseling Program")
    second_program = make_program(org=receiver, name="Group Program")

    cw = _signed_in(app, caseworker)
    created = _ok(cw.post("/intakes/new", data={**INTAKE, "situation_note": SITUATION}))
    code = created.headers["Location"].rsplit("/", 1)[1]
    _ok(cw.get(f"/intakes/{code}"), 200)
    expires = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    consent = {
        "organization_ids": [receiver.id],
        "expires_on": expires,
        "written_confirmed": "y",
        "guardian_consent": "y",
        "guardian_relationship": GUARDIAN,
    }
    _ok(cw.post(f"/intakes/{code}/consent", data=consent))
    public_ids = []
    for program in (first_program, second_program):
        response = _ok(cw.post(f"/intakes/{code}/matches/{program.id}/draft"))
        public_ids.append(response.headers["Location"].rsplit("/", 1)[1])
        _act(cw, public_ids[-1], "send", priority="urgent", note=SEND_NOTE)

    pt = _signed_in(app, partner)
    _ok(pt.get("/inbox"), 200)
    _act(pt, public_ids[0], "accept")
    _act(pt, public_ids[1], "decline", reason="other", note=DECLINE_NOTE, confirm="y")
    _ok(pt.get("/dashboard/export.csv"), 200)

    # A 404 with a client code in its path, and a 500 whose message quotes the client.
    _ok(cw.get(f"/intakes/{UNKNOWN_CODE}"), 404)

    def failing_match(intake: Any) -> None:
        raise RuntimeError(f"matching broke for {intake.client_code}: {intake.situation_note}")

    monkeypatch.setattr("referrals.intake.match_views.match_intake", failing_match)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    failed = _ok(cw.get(f"/intakes/{code}/matches"), 500)

    text = log_output.getvalue()
    secrets_typed = [code, UNKNOWN_CODE, SITUATION, SEND_NOTE, DECLINE_NOTE, GUARDIAN]
    leaks = [s for s in (*secrets_typed, *FREE_WORDS) if s.lower() in text.lower()]
    assert leaks == []
    assert code.lower() not in text.lower()
    assert "/intakes/kc-" not in text.lower()

    lines = _lines(log_output)
    requests = [line for line in lines if line["logger"] == request_log.REQUEST_LOGGER]
    assert {line["route"] for line in requests} >= {
        "/intakes/new",
        "/intakes/<client_code>",
        "/intakes/<client_code>/consent",
        "/referrals/<public_id>/<action>",
        "/dashboard/export.csv",
    }
    # The failed request: its line, and the exception's type and stack without its message.
    [failure] = [line for line in requests if line["status"] == 500]
    assert failure["route"] == "/intakes/<client_code>/matches"
    assert failure["request_id"] == failed.headers["X-Request-ID"]
    assert failure["user_id"] == caseworker.id
    assert failure["organization_id"] == sender.id
    [error] = [line for line in lines if line["level"] == "ERROR" and "exc_info" in line]
    assert "RuntimeError" in error["exc_info"]
    assert "failing_match" in error["exc_info"]
    assert error["request_id"] == failure["request_id"]
    assert failure["request_id"] in failed.get_data(as_text=True)  # shown on the error page
    [missing] = [line for line in requests if line["status"] == 404]
    assert missing["route"] == "/intakes/<client_code>"


def test_each_request_writes_one_line_with_its_fields(app: Flask, login_as, log_output):
    client, user = login_as(Role.CASEWORKER)
    log_output.truncate(0)
    log_output.seek(0)
    response = client.get("/intakes/?status=closed")
    [line] = [x for x in _lines(log_output) if x["logger"] == request_log.REQUEST_LOGGER]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert {k: line[k] for k in ("method", "route", "endpoint", "status")} == {
        "method": "GET",
        "route": "/intakes/",
        "endpoint": "intake.index",
        "status": 200,
    }
    assert (line["user_id"], line["organization_id"]) == (user.id, user.organization_id)
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert "status=closed" not in log_output.getvalue()  # never the query string
    assert {"time", "level", "message"} <= set(line)


def test_an_anonymous_request_names_no_user(app: Flask, log_output):
    app.test_client().get("/login")
    [line] = [x for x in _lines(log_output) if x["logger"] == request_log.REQUEST_LOGGER]
    assert (line["user_id"], line["organization_id"], line["route"]) == (None, None, "/login")


@pytest.mark.parametrize(
    ("proxies", "offered", "kept"),
    [
        (1, "0123456789abcdef0123456789abcdef", True),  # nginx's $request_id
        (1, "req-2026.12.07_abc", True),
        (1, "short", False),
        (1, "bad id with spaces and {json}", False),
        (1, "x" * 65, False),
        (0, "0123456789abcdef0123456789abcdef", False),  # no proxy: nobody to trust
    ],
)
def test_the_proxys_request_id_is_kept_only_when_trusted_and_sane(
    app: Flask, monkeypatch, proxies: int, offered: str, kept: bool
):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", proxies)
    response = app.test_client().get("/healthz", headers={"X-Request-ID": offered})
    echoed = response.headers["X-Request-ID"]
    assert (echoed == offered) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_error_pages_show_the_request_id(app: Flask, login_as):
    client, _ = login_as(Role.CASEWORKER)
    page = client.get(f"/intakes/{UNKNOWN_CODE}")
    assert page.status_code == 404
    reference = page.headers["X-Request-ID"]
    assert f'<code data-testid="request-id">{reference}</code>' in page.get_data(as_text=True)
    api = client.get(f"/intakes/{UNKNOWN_CODE}", headers={"Accept": "application/json"})
    assert api.get_json()["request_id"] == api.headers["X-Request-ID"]


def test_the_plain_error_page_shows_the_request_id_too(app: Flask, monkeypatch):
    """When the full layout cannot render (the database is away), the plain page says it."""

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("layout unavailable")

    monkeypatch.setattr("referrals.errors.render_template", broken)
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert f'data-testid="request-id">{response.headers["X-Request-ID"]}<' in body


def test_plain_format_reads_in_a_terminal_and_an_unknown_format_is_refused():
    record = logging.LogRecord("referrals.requests", logging.INFO, "x", 1, "GET / 200", (), None)
    record.request_id = "abc"
    assert (
        request_log.formatter("plain")
        .format(record)
        .endswith("INFO referrals.requests [abc] GET / 200")
    )
    with pytest.raises(RuntimeError, match="LOG_FORMAT must be json or plain"):
        request_log.formatter("xml")


def test_a_redacted_traceback_keeps_the_type_and_stack_of_the_chain():
    # Made at run time: the stack quotes source lines, and those are code, not data.
    code, note = "-".join(("KC", "AAAA", "BBBB")), " ".join(("secret", "words"))
    try:
        try:
            raise KeyError(code)
        except KeyError as inner:
            raise ValueError(note) from inner
    except ValueError as error:
        text = request_log.redacted_traceback(type(error), error, error.__traceback__)
    assert "builtins.ValueError" in text
    assert "from builtins.KeyError" in text
    assert "test_a_redacted_traceback" in text
    assert "KC-AAAA" not in text
    assert "secret words" not in text
