"""The dashboard: known referrals in, known figures out, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.dashboard import stats
from referrals.dashboard.periods import latest_published
from referrals.enums import (
    AgeBand,
    DeclineReason,
    Gender,
    OutcomeCode,
    ReferralStatus,
    Role,
)
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization, Program
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    """A sending organization, two partners with a program each, and their staff."""

    sender: Organization
    partner: Organization
    other: Organization
    program: Program
    other_program: Program
    caseworker: User
    supervisor: User
    partner_user: User


@pytest.fixture
def world(make_org, make_user, make_program) -> World:
    """Organizations, programs and staff, no referrals yet."""
    sender = make_org(name="Sending Org", receives=False)
    partner = make_org(name="Partner Org", refers=False)
    other = make_org(name="Other Partner", refers=False)
    return World(
        sender=sender,
        partner=partner,
        other=other,
        program=make_program(org=partner, name="Safe Housing"),
        other_program=make_program(org=other, name="Legal Help"),
        caseworker=make_user(Role.CASEWORKER, org=sender),
        supervisor=make_user(Role.SUPERVISOR, org=sender),
        partner_user=make_user(Role.PARTNER, org=partner),
    )


def add_referral(
    app: Flask,
    *,
    by: User,
    program: Program,
    status: ReferralStatus = ReferralStatus.REQUESTED,
    sent_hours_ago: float | None = 24,
    respond_after: float | None = None,
    accept_after: float | None = None,
    consent: bool = True,
    **fields: Any,
) -> str:
    """A referral from ``by``'s organization to ``program``, with times relative to NOW."""
    with app.app_context():
        intake = Intake(
            organization_id=by.organization_id,
            created_by_id=by.id,
            age_band=AgeBand.AGE_18_24,
            gender=Gender.FEMALE,
            county="Jackson County, MO",
        )
        db.session.add(intake)
        db.session.flush()
        if consent:
            db.session.add(
                Consent(
                    intake_id=intake.id,
                    given_at=NOW - timedelta(days=200),
                    expires_at=NOW + timedelta(days=200),
                    recorded_by_id=by.id,
                    organizations=[db.session.get(Organization, program.organization_id)],
                )
            )
        sent_at = None if sent_hours_ago is None else NOW - timedelta(hours=sent_hours_ago)
        if sent_at is not None and respond_after is not None:
            fields.setdefault("responded_at", sent_at + timedelta(hours=respond_after))
        if sent_at is not None and accept_after is not None:
            fields.setdefault("accepted_at", sent_at + timedelta(hours=accept_after))
            fields.setdefault("responded_at", fields["accepted_at"])
        referral = Referral(
            intake_id=intake.id,
            program_id=program.id,
            receiving_organization_id=program.organization_id,
            sending_organization_id=by.organization_id,
            sent_by_id=by.id,
            status=status,
            sent_at=sent_at,
            **fields,
        )
        db.session.add(referral)
        db.session.commit()
        return referral.public_id


def signed_in(app: Flask, user: User):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def page(client, url: str = "/dashboard") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def cell(html: str, testid: str) -> str:
    """The text of the first element with this data-testid (tags stripped)."""
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</t[dh]>', html, re.S)
    assert match, f"no {testid}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- access -----------------------------------------------------------------------------------


def test_admin_is_refused_and_anonymous_sent_to_login(app, client, login_as):
    admin_client, _admin = login_as(Role.ADMIN)
    for url in ("/dashboard", "/dashboard/export.csv", "/dashboard/coalition"):
        assert admin_client.get(url).status_code == 403
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_coalition_is_for_supervisors_only(app, world):
    for user in (world.caseworker, world.partner_user):
        client = signed_in(app, user)
        assert client.get("/dashboard/coalition").status_code == 403
        assert client.get("/dashboard/export.csv?scope=coalition").status_code == 403


# --- figures ----------------------------------------------------------------------------------


def test_medians_and_acceptance_rate(app, world):
    """Responses after 2, 4 and 9 hours: median 4.0; 3 of 4 decided accepted: 75 %."""
    cw, prog = world.caseworker, world.program
    add_referral(app, by=cw, program=prog, status=ReferralStatus.ACCEPTED, accept_after=2)
    add_referral(app, by=cw, program=prog, status=ReferralStatus.ACCEPTED, accept_after=4)
    add_referral(app, by=cw, program=prog, status=ReferralStatus.IN_PROGRESS, accept_after=9)
    add_referral(
        app,
        by=cw,
        program=prog,
        status=ReferralStatus.REJECTED,
        respond_after=20,
        decline_reason=DeclineReason.NO_CAPACITY,
    )
    with app.test_request_context():
        user = db.session.get(User, world.supervisor.id)
        scope = stats.scope_for(user, NOW)
        filters = stats.Filters(start=(NOW - timedelta(days=90)).date(), end=NOW.date())
        partners = stats.breakdown(scope, filters).partners
        [timing] = stats.response_times(scope, filters, {k: d.label for k, d in partners.items()})
        decisions = partners[world.partner.id]
    assert timing.to_response == pytest.approx(6.5, abs=1e-3)  # 2, 4, 9, 20
    assert timing.to_acceptance == pytest.approx(4.0, abs=1e-3)  # 2, 4, 9
    assert (timing.responses, timing.acceptances) == (4, 3)
    assert decisions.acceptance_rate == pytest.approx(0.75)
    assert decisions.reasons == {DeclineReason.NO_CAPACITY: 1}

    html = page(signed_in(app, world.supervisor))
    assert cell(html, "median-response").startswith("6.5")
    assert cell(html, "median-acceptance").startswith("4.0")
    # The medians come from histograms: the page says how far from exact they may be.
    bound = re.search(r'data-testid="median-bound">([^<]*)</p>', html)
    assert bound
    assert "at most one step below the exact median" in bound.group(1)
    # The rate says what it counts, with its n (#19 item 8).
    assert '75% <span class="text-muted small">(accepted 3 of 4 answered)</span>' in html
    assert "(of 4 answers)" in html
    assert "(of 3 acceptances)" in html
    assert "No capacity: 1" in html


def test_medians_follow_the_program_filter(app, world, make_program):
    """Without a filter a partner's histogram counts each referral once, whatever its
    program (the rollups keep it under its program and under every program); with one,
    only that program's."""
    second = make_program(org=world.partner, name="Counseling")
    for program, hours in ((world.program, 2), (world.program, 4), (second, 30)):
        add_referral(
            app,
            by=world.caseworker,
            program=program,
            status=ReferralStatus.ACCEPTED,
            accept_after=hours,
        )
    client = signed_in(app, world.supervisor)
    html = page(client)
    assert cell(html, "median-acceptance").startswith("4.0")  # 2, 4, 30
    assert "(of 3 acceptances)" in html
    html = page(client, f"/dashboard?program={second.id}")
    assert cell(html, "median-acceptance").startswith("30.0")
    assert "(of 1 acceptance)" in html


def test_median_of_odd_count_on_the_page(app, world):
    for hours in (2, 4, 9):
        add_referral(
            app,
            by=world.caseworker,
            program=world.program,
            status=ReferralStatus.REJECTED,
            respond_after=hours,
            decline_reason=DeclineReason.NOT_ELIGIBLE,
        )
    html = page(signed_in(app, world.caseworker))
    assert cell(html, "median-response").startswith("4.0")


def test_counts_by_status_and_links(app, world):
    cw = world.caseworker
    for _ in range(3):
        add_referral(app, by=cw, program=world.program)
    add_referral(app, by=cw, program=world.program, status=ReferralStatus.ACCEPTED, accept_after=1)
    add_referral(
        app, by=cw, program=world.program, status=ReferralStatus.DRAFT, sent_hours_ago=None
    )
    html = page(signed_in(app, world.supervisor))
    assert cell(html, "sent-requested") == "3"
    assert cell(html, "sent-accepted") == "1"
    assert 'href="/referrals/?status=requested"' in html
    assert "sent-draft" not in html  # drafts are not referrals anyone was sent


def test_caseworker_counts_only_what_they_sent(app, world, make_user):
    colleague = make_user(Role.CASEWORKER, org=world.sender)
    add_referral(app, by=world.caseworker, program=world.program)
    add_referral(app, by=colleague, program=world.program)
    add_referral(app, by=colleague, program=world.program)
    html = page(signed_in(app, world.caseworker))
    assert cell(html, "sent-requested") == "1"
    assert cell(page(signed_in(app, world.supervisor)), "sent-requested") == "3"


def test_partner_never_counts_other_organizations_drafts_or_unconsented(app, world):
    cw = world.caseworker
    add_referral(app, by=cw, program=world.program)
    add_referral(app, by=cw, program=world.program, consent=False)  # no consent covers it
    add_referral(app, by=cw, program=world.program, status=ReferralStatus.DRAFT)
    for _ in range(4):
        add_referral(app, by=cw, program=world.other_program)  # another partner's
    html = page(signed_in(app, world.partner_user))
    assert cell(html, "received-requested") == "1"
    assert 'href="/inbox?status=requested"' in html
    figures = html.split('data-testid="status-table"')[1]  # the filter form lists everyone
    assert "Other Partner" not in figures
    assert "Legal Help" not in figures


def test_overdue_list_oldest_first_and_linked(app, world):
    cw = world.caseworker
    late = add_referral(app, by=cw, program=world.program, response_due_at=NOW - timedelta(hours=1))
    later = add_referral(
        app, by=cw, program=world.program, response_due_at=NOW - timedelta(hours=30)
    )
    add_referral(app, by=cw, program=world.program, response_due_at=NOW + timedelta(hours=5))
    html = page(signed_in(app, world.partner_user))
    table = html.split('data-testid="overdue-table"')[1].split("</table>")[0]
    assert table.index(later) < table.index(late)
    assert f'href="/referrals/{later}"' in table
    assert table.count("<tr>") == 3  # header and two overdue
    assert "Overdue (2)" in html


def test_a_full_overdue_list_says_it_is_cut(app, world, monkeypatch):
    """The list stops at its length: its heading then says so rather than a count."""
    monkeypatch.setattr(stats, "OVERDUE_LIMIT", 2)
    for hours in (1, 2, 3):
        add_referral(
            app,
            by=world.caseworker,
            program=world.program,
            response_due_at=NOW - timedelta(hours=hours),
        )
    html = page(signed_in(app, world.partner_user))
    assert "Overdue: the 2 longest" in html
    assert "Overdue (2)" not in html


def test_filters_narrow_the_figures(app, world):
    cw = world.caseworker
    add_referral(app, by=cw, program=world.program, sent_hours_ago=24)
    add_referral(app, by=cw, program=world.program, sent_hours_ago=24 * 100)  # outside 90 days
    add_referral(app, by=cw, program=world.other_program, sent_hours_ago=24)
    client = signed_in(app, world.supervisor)
    assert cell(page(client), "sent-requested") == "2"
    assert cell(page(client, f"/dashboard?program={world.program.id}"), "sent-requested") == "1"
    assert cell(page(client, f"/dashboard?partner={world.other.id}"), "sent-requested") == "1"
    start = (NOW - timedelta(days=120)).date().isoformat()
    assert cell(page(client, f"/dashboard?from={start}"), "sent-requested") == "3"
    assert cell(page(client, "/dashboard?from=nonsense&program=x"), "sent-requested") == "2"
    odd = "/dashboard?from=0001-01-01&to=9999-12-31&program=%C2%B2&partner=99999999999"
    assert cell(page(client, odd), "sent-requested") == "2"


def test_trend_svg_and_table_agree(app, world):
    cw = world.caseworker
    add_referral(app, by=cw, program=world.program, sent_hours_ago=2)
    add_referral(app, by=cw, program=world.program, sent_hours_ago=3)
    add_referral(
        app,
        by=cw,
        program=world.program,
        status=ReferralStatus.COMPLETED,
        sent_hours_ago=24 * 20,
        accept_after=5,
        closed_at=NOW - timedelta(days=2),
        outcome=OutcomeCode.SERVICE_COMPLETED,
    )
    html = page(signed_in(app, world.supervisor))
    assert "<svg" in html
    assert "<script>" not in html
    bars = [int(n) for n in re.findall(r'data-sent="(\d+)"', html)]
    table = html.split('data-testid="trend-table"')[1].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row">[\d/]+</th><td class="text-end">(\d+)</td>'
        r'<td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>',
        table,
    )
    assert len(rows) == len(bars) == 12
    assert [int(sent) for sent, _a, _c in rows] == bars
    assert bars[-1] == 2
    assert sum(bars) == 3
    assert sum(int(a) for _s, a, _c in rows) == 1
    assert sum(int(c) for _s, _a, c in rows) == 1
    assert cell(html, "outcome-service_completed") == "1"


def test_query_count_does_not_grow_with_the_data(app, world):
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    client = signed_in(app, world.supervisor)
    page(client)  # warm caches (the demo banner check runs once a minute)

    def measure() -> int:
        statements.clear()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            page(client)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for i in range(5):
        add_referral(
            app,
            by=world.caseworker,
            program=world.program,
            accept_after=i + 1,
            status=ReferralStatus.ACCEPTED,
            response_due_at=NOW - timedelta(hours=1),
        )
    at_five = measure()
    assert 0 < at_five < 20
    for i in range(45):
        add_referral(
            app,
            by=world.caseworker,
            program=world.other_program,
            respond_after=i + 1,
            response_due_at=NOW - timedelta(hours=i + 1),
        )
    assert measure() == at_five


# --- export -----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def audit_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "dashboard.exported")
            )
        )


def test_export_is_safe_and_audited(app, world, make_program):
    formula = make_program(org=world.partner, name="=1+1")
    public_id = add_referral(
        app,
        by=world.caseworker,
        program=formula,
        status=ReferralStatus.REJECTED,
        respond_after=3,
        decline_reason=DeclineReason.NOT_ELIGIBLE,
    )
    client = signed_in(app, world.supervisor)
    response = client.get(f"/dashboard/export.csv?program={formula.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = read_csv(response)
    # Words for people first, the codes in their own columns (#19 item 8).
    assert rows[0] == ["Figure", "Of", "Value", "Figure code", "Item code"]
    cells = [c for row in rows for c in row]
    assert "'=1+1" in cells
    assert not any(c.startswith("=") for c in cells)
    assert ["Referrals by status", "Declined", "1", "status", "rejected"] in rows
    # The supervisor's referral list: labels and codes, no client code, no notes.
    header = next(row for row in rows[1:] if row and row[0] == "Referral")
    assert header[1:6] == [
        "Status",
        "Program",
        "Partner",
        "Sent (America/Chicago)",
        "Answered (America/Chicago)",
    ]
    [record] = [row for row in rows if row and row[0] == public_id]
    assert record[1:4] == ["Declined", "'=1+1", "Partner Org"]
    assert record[6] == "Not eligible"
    assert record[8:] == ["rejected", "not_eligible", ""]
    assert "KC-" not in response.get_data(as_text=True)

    [event] = audit_events(app)
    assert event.actor_id == world.supervisor.id
    assert event.detail["filters"]["program"] == formula.id
    assert event.detail["rows"] == len(rows) - 3  # two headers and the blank separator


def test_partner_export_has_no_record_list_and_is_audited(app, world):
    add_referral(app, by=world.caseworker, program=world.program)
    add_referral(app, by=world.caseworker, program=world.other_program)
    client = signed_in(app, world.partner_user)
    rows = read_csv(client.get("/dashboard/export.csv"))
    assert ["Referrals by status", "Requested", "1", "status", "requested"] in rows
    assert "Referral" not in {row[0] for row in rows if row}
    assert "Other Partner" not in {c for row in rows for c in row}
    client.get("/dashboard/export.csv")
    assert len(audit_events(app)) == 2


def test_safe_cell_neutralizes_formulas():
    from referrals.dashboard.csv_export import safe_cell

    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Safe Housing") == "Safe Housing"
    assert safe_cell(None) == ""
    assert safe_cell(DeclineReason.OTHER) == "other"


# --- coalition --------------------------------------------------------------------------------


def test_coalition_suppresses_small_counts(app, world, make_org, make_user, make_program):
    big = make_org(name="Big Partner", refers=False)
    big_program = make_program(org=big, name="Shelter")
    other_sender = make_user(Role.CASEWORKER, org=make_org(name="Elsewhere", receives=False))
    # The coalition publishes finished quarters only (tests/test_coalition.py): the last one.
    quarter = latest_published(NOW)
    ago = (NOW - quarter.starts_at).total_seconds() / 3600 - 24
    for _ in range(3):
        add_referral(app, by=other_sender, program=world.program, sent_hours_ago=ago)
    for _ in range(12):
        add_referral(app, by=other_sender, program=big_program, sent_hours_ago=ago)
    client = signed_in(app, world.supervisor)
    html = page(client, "/dashboard/coalition")
    table = html.split('data-testid="coalition-status"')[1].split("</table>")[0]
    assert "&lt;5" in table
    assert ">3<" not in table
    assert "Partner Org" in table
    assert "Elsewhere" not in html  # by receiving organization only, and no records
    rows = read_csv(client.get("/dashboard/export.csv?scope=coalition"))
    assert ["period", "quarter", quarter.code] in rows
    assert ["status", "Partner Org / requested", "<5"] in rows
    assert not any(row[2] == "3" for row in rows[1:])
    [event] = audit_events(app)
    assert event.detail["filters"]["scope"] == "coalition"
