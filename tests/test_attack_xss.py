"""Cross-site scripting and template injection: stored and reflected text comes back escaped.

Script payloads go into every free-text field the app stores, through the real forms (names,
descriptions, phone and website of organizations and programs, display names, the intake's
situation note, consent's guardian role, the referral note, the decline note), and into the
query string of every page. Then every page each role can open (from the access matrix's
table, so a new page is included the day it is added) must show the text escaped: the
escaped form present, the raw markup absent, ``{{7*7}}`` shown as typed and never as 49. The
CSV export neutralizes formulas, and notification e-mails carry none of the text.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from referrals.dashboard.periods import latest_published
from referrals.db_types import utcnow
from referrals.enums import Role
from referrals.extensions import db, mail
from referrals.lifecycle.models import Referral
from referrals.notifications.services import deliver_pending_emails
from referrals.programs.models import Program
from tests.test_attack_surface import (
    POST_ROUTES,
    World,
    build_world,
    get_pages,
    referral_version,
    signed_in,
)

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'\"--></textarea><svg onload=alert(1)>",
    "{{7*7}}",
)
COMBINED = "".join(PAYLOADS)  # 118 characters: fits every name field

# What each field gets; the leading characters of names also try CSV formula injection.
ORG_NAME = "@SUM(1+1) org " + COMBINED
OTHER_ORG_NAME = "-2+3 other org " + COMBINED
PROGRAM_NAME = '=HYPERLINK("https://evil.example") program ' + COMBINED
OTHER_PROGRAM_NAME = "+1+1 other program " + COMBINED
DISPLAY_NAME = "U" + COMBINED
TEXT = "text " + COMBINED
SHORT = PAYLOADS[1]  # phone (40 characters at most)
UNIT = PAYLOADS[0]  # unit of capacity (40 at most)
WEBSITE = "https://example.org/?q=" + COMBINED  # shown back in the form's value attribute
GUARDIAN = "g " + PAYLOADS[3]  # guardian's role (60 at most)
NOTE = "note " + COMBINED
SEND_NOTE = "send " + COMBINED
DECLINE_NOTE = "decline " + COMBINED
MESSAGE = "message " + COMBINED

# Markup that must never reach a page unescaped.
RAW_MARKUP = re.compile(
    r"<script>alert|<img src=x|<svg onload|onerror=alert\(1\)>|onload=alert\(1\)>"
    r"|\b(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:",
    re.IGNORECASE,
)
# Query-string parameters any list or filter page reads.
PARAMS = (
    "status",
    "after",
    "service",
    "age",
    "gender",
    "language",
    "county",
    "open_only",
    "from",
    "to",
    "program",
    "partner",
    "scope",
    "next",
    "q",
    "page",
)


def html(value: str) -> str:
    return str(escape(value))


def assert_no_raw_markup(body: str, where: str) -> None:
    match = RAW_MARKUP.search(body)
    context = body[max(0, match.start() - 80) : match.end() + 80] if match else ""
    assert match is None, f"{where}: unescaped {context!r}"


def _store(client: FlaskClient, url: str, data: dict[str, Any], ok: int = 303) -> None:
    """POST one form; the answer and the page it leads to (with its flash) stay escaped."""
    response = client.post(url, data=data)
    assert response.status_code == ok, f"POST {url}: {response.status_code}"
    assert_no_raw_markup(response.get_data(as_text=True), f"POST {url}")
    if "Location" in response.headers:
        landing = client.get(response.headers["Location"])
        assert_no_raw_markup(landing.get_data(as_text=True), f"after POST {url}")


def store_payloads(app: Flask, world: World) -> None:
    """Put the payloads into every free-text field, each through its real form."""
    admin = signed_in(app, world.user(Role.ADMIN))
    org_fields = {
        "description": TEXT,
        "phone": SHORT,
        "website": WEBSITE,
        "refers": "y",
        "receives": "y",
    }
    for org, name in ((world.own, ORG_NAME), (world.other, OTHER_ORG_NAME)):
        data = {**org_fields, "name": name, "slug": org.slug}
        _store(admin, f"/admin/organizations/{org.id}/edit", data)
    program_fields = POST_ROUTES["admin.edit_program"].data(app, world) | {
        "description": TEXT,
        "eligibility_description": TEXT,
        "application_process": TEXT,
        "required_documents": TEXT,
        "capacity_unit": UNIT,
        "new_confidential_location": TEXT,
    }
    for program_id, org, name in (
        (world.program_id, world.own, PROGRAM_NAME),
        (world.other_program_id, world.other, OTHER_PROGRAM_NAME),
    ):
        data = {**program_fields, "name": name, "organization_id": str(org.id)}
        _store(admin, f"/admin/programs/{program_id}/edit", data)
        # Languages are chosen from a list now; one stored before the list existed is kept
        # and shown as it is.
        with app.app_context():
            program = db.session.get(Program, program_id)
            program.languages = ["English", "Spanish", COMBINED]
            db.session.commit()
    for user in (*world.users.values(), world.staff_member):
        data = {
            "email": user.email,
            "display_name": DISPLAY_NAME,
            "role": user.role.value,
            "organization_id": str(user.organization_id),
        }
        _store(admin, f"/admin/users/{user.id}/edit", data)
    new_user = {
        "email": "new.person@example.org",
        "display_name": DISPLAY_NAME,
        "role": "partner",
        "organization_id": str(world.own.id),
    }
    _store(admin, "/admin/users/new", new_user, ok=200)  # the one-time password page

    caseworker = signed_in(app, world.user(Role.CASEWORKER))
    intake = POST_ROUTES["intake.edit"].data(app, world) | {"situation_note": NOTE}
    _store(caseworker, f"/intakes/{world.client_code}/edit", intake, ok=302)
    consent = POST_ROUTES["intake.consent"].data(app, world) | {
        "guardian_consent": "y",
        "guardian_relationship": GUARDIAN,
    }
    _store(caseworker, f"/intakes/{world.client_code}/consent", consent, ok=302)
    send = {
        "version": referral_version(app, world.draft_id),
        "priority": "routine",
        "note": SEND_NOTE,
    }
    _store(caseworker, f"/referrals/{world.draft_id}/send", send, ok=302)

    partner = signed_in(app, world.user(Role.PARTNER))
    # The thread between the two organizations (issue #19), on the referral the partner
    # declines below: both sides write to it.
    message = {"body": MESSAGE}
    _store(partner, f"/referrals/{world.requested_id}/messages", message, ok=302)
    _store(caseworker, f"/referrals/{world.requested_id}/messages", message, ok=302)
    decline = {
        "version": referral_version(app, world.requested_id),
        "reason": "other",
        "note": DECLINE_NOTE,
        "confirm": "y",
    }
    _store(partner, f"/referrals/{world.requested_id}/decline", decline, ok=302)


@pytest.fixture
def world(app: Flask, make_org: Any, make_user: Any, make_program: Any, make_intake: Any) -> World:
    """The usual records, with the payloads stored in every free-text field."""
    built = build_world(app, make_org, make_user, make_program, make_intake)
    store_payloads(app, built)
    return built


def pages(world: World) -> list[tuple[Role, str, str]]:
    """Every GET page each role may open, plus the referral the caseworker sent."""
    extra = (Role.CASEWORKER, "lifecycle.detail", f"/referrals/{world.draft_id}")
    return [*get_pages(world), extra]


# Pages that must show a given field (escaped): proof the payload really went through them.
SHOWN: dict[str, tuple[str, ...]] = {
    "intake.detail": (NOTE,),
    "intake.edit": (NOTE,),
    "intake.consent": (GUARDIAN, ORG_NAME, OTHER_ORG_NAME),
    "intake.matches": (PROGRAM_NAME, OTHER_PROGRAM_NAME),
    "programs.index": (PROGRAM_NAME, ORG_NAME, OTHER_PROGRAM_NAME, OTHER_ORG_NAME),
    "programs.detail": (PROGRAM_NAME, ORG_NAME, TEXT),
    "admin.organizations": (ORG_NAME, OTHER_ORG_NAME),
    "admin.edit_organization": (ORG_NAME, TEXT, SHORT, WEBSITE),
    "admin.programs": (PROGRAM_NAME, OTHER_PROGRAM_NAME),
    "admin.edit_program": (PROGRAM_NAME, TEXT, UNIT),
    "admin.users": (DISPLAY_NAME,),
    "admin.edit_user": (DISPLAY_NAME,),
    "lifecycle.inbox": (PROGRAM_NAME, ORG_NAME),
    "lifecycle.sent": (PROGRAM_NAME, OTHER_PROGRAM_NAME, OTHER_ORG_NAME),
}


def _clients(app: Flask, world: World) -> dict[Role, FlaskClient]:
    return {role: signed_in(app, world.user(role)) for role in Role}


def test_every_page_shows_stored_text_escaped(app: Flask, world: World) -> None:
    clients = _clients(app, world)
    failures = []
    for role, endpoint, url in pages(world):
        response = clients[role].get(url)
        where = f"GET {url} as {role.value}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue  # the CSV export: see below
        body = response.get_data(as_text=True)
        try:
            assert_no_raw_markup(body, where)
        except AssertionError as error:
            failures.append(str(error))
        if response.status_code == 200:
            # The navigation shows the user's name and organization on every page.
            expected = [DISPLAY_NAME, ORG_NAME, *SHOWN.get(endpoint, ())]
            failures += [
                f"{where}: {text[:20]!r} not shown escaped"
                for text in expected
                if html(text) not in body
            ]
    assert failures == []


def test_referral_pages_show_the_notes_escaped(app: Flask, world: World) -> None:
    caseworker = signed_in(app, world.user(Role.CASEWORKER))
    body = caseworker.get(f"/referrals/{world.draft_id}").get_data(as_text=True)
    assert html(SEND_NOTE) in body
    assert html(OTHER_PROGRAM_NAME) in body
    assert_no_raw_markup(body, "the sent referral")
    partner = signed_in(app, world.user(Role.PARTNER))
    body = partner.get(f"/referrals/{world.requested_id}").get_data(as_text=True)
    assert html(DECLINE_NOTE) in body  # in the timeline
    assert body.count(html(MESSAGE)) == 2  # the thread, from both sides
    assert html(DISPLAY_NAME) in body
    assert_no_raw_markup(body, "the declined referral")


def test_template_syntax_in_stored_text_is_not_evaluated(app: Flask, world: World) -> None:
    caseworker = signed_in(app, world.user(Role.CASEWORKER))
    body = caseworker.get(f"/intakes/{world.client_code}").get_data(as_text=True)
    assert "{{7*7}}" in body
    assert "alert(1)49" not in body  # what "{{7*7}}" after the payloads would render to


def test_query_strings_are_reflected_escaped(app: Flask, world: World) -> None:
    clients = _clients(app, world)
    clients_by_role: dict[Role | None, FlaskClient] = {**clients, None: app.test_client()}
    urls = [(role, url) for role, _endpoint, url in pages(world)]
    urls += [(None, "/login"), (None, "/healthz")]
    failures = []
    # All at once, then alone the two that break out of an attribute and of a textarea.
    for payload in (COMBINED, PAYLOADS[1], PAYLOADS[3]):
        query = urlencode(dict.fromkeys(PARAMS, payload))
        for role, url in urls:
            response = clients_by_role[role].get(f"{url}?{query}")
            where = f"GET {url}?<{payload[:12]}...> as {role.value if role else 'anonymous'}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif response.mimetype == "text/html":
                try:
                    assert_no_raw_markup(response.get_data(as_text=True), where)
                except AssertionError as error:
                    failures.append(str(error))
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/referrals/{p}",
        "/intakes/{p}",
        "/intakes/{p}/consent",
        "/programs/{p}",
        "/{p}",
        "/referrals/{p}/accept",
    ],
)
def test_payloads_in_the_path_are_not_echoed(app: Flask, world: World, path: str) -> None:
    client = signed_in(app, world.user(Role.SUPERVISOR))
    for payload in PAYLOADS:
        url = path.format(p=quote(payload, safe=""))
        response = client.get(url)
        assert response.status_code < 500, url
        assert_no_raw_markup(response.get_data(as_text=True), url)


def test_website_must_be_a_web_address(app: Flask, world: World) -> None:
    """A javascript: or data: link would run in the admin's browser: refused, nothing stored."""
    admin = signed_in(app, world.user(Role.ADMIN))
    for website in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//x"):
        data = {"name": "Another Organization", "slug": "another-org", "website": website}
        response = admin.post("/admin/organizations/new", data=data)
        assert response.status_code == 400, website
        assert_no_raw_markup(response.get_data(as_text=True), website)
    assert "Another Organization" not in admin.get("/admin/organizations/").get_data(as_text=True)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(body: bytes) -> list[str]:
    text = body.decode("utf-8").lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def send_back_to_the_last_quarter(app: Flask) -> None:
    """Move every referral into the last published quarter (the coalition shows no other)."""
    with app.app_context():
        start = latest_published(utcnow()).starts_at + timedelta(days=1)
        for referral in db.session.scalars(
            sa.select(Referral).where(Referral.sent_at.is_not(None))
        ):
            shift = referral.sent_at - start
            referral.sent_at -= shift
            for event in referral.events:
                event.occurred_at -= shift
        db.session.commit()


@pytest.mark.parametrize("scope", ["", "coalition"])
def test_csv_export_neutralizes_formulas(app: Flask, world: World, scope: str) -> None:
    if scope == "coalition":
        send_back_to_the_last_quarter(app)
    supervisor = signed_in(app, world.user(Role.SUPERVISOR))
    response = supervisor.get("/dashboard/export.csv" + (f"?scope={scope}" if scope else ""))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    cells = _cells(response.data)
    named = [cell for cell in cells if "alert(1)" in cell]
    assert named, "the export shows no program or organization names"
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_START)]
    assert dangerous == []
    assert any(cell.startswith("'=HYPERLINK") for cell in cells) or scope == "coalition"
    assert any(cell.startswith(("'@SUM", "'-2+3")) for cell in cells)


def test_notification_emails_carry_none_of_the_text(app: Flask, world: World) -> None:
    with app.app_context(), mail.record_messages() as outbox:
        sent = deliver_pending_emails()
        db.session.commit()
    assert sent == len(outbox) >= 1
    for message in outbox:
        # Plain text only: a hostile organization or program name that an e-mail names
        # (#19 item 8: "Hope House accepted referral …") is text, never markup.
        assert message.html is None
        assert "alert(1)" not in message.subject
        for free_text in (TEXT, NOTE, SEND_NOTE, DECLINE_NOTE, MESSAGE, DISPLAY_NAME):
            assert free_text not in message.body  # no user or note text
