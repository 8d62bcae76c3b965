"""The inbox and the sent list: scoping, order, unread marks, filters, keyset pages, and a
number of SQL statements that does not grow with the number of referrals."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

NOW = datetime.now(UTC)


@pytest.fixture
def coalition(app, make_org, make_user, make_program, make_intake):
    """A sending and a receiving organization with consent covering the receiver."""
    sender_org = make_org(name="Sender Org", receives=False)
    receiver_org = make_org(name="Receiver Org", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sender_org)
    partner = make_user(Role.PARTNER, org=receiver_org)
    program = make_program(org=receiver_org, name="Beds Program")

    def add_referrals(
        count: int, *, status=ReferralStatus.REQUESTED, due_in_hours=48, consent=True
    ) -> list[str]:
        ids = []
        intakes = [make_intake(by=caseworker) for _ in range(count)]
        with app.app_context():
            receiver = db.session.get(Organization, receiver_org.id)
            for n, intake in enumerate(intakes):
                if consent:
                    db.session.add(
                        Consent(
                            intake_id=intake.id,
                            given_at=NOW - timedelta(days=1),
                            expires_at=NOW + timedelta(days=30),
                            recorded_by_id=caseworker.id,
                            organizations=[receiver],
                        )
                    )
                referral = Referral(
                    intake_id=intake.id,
                    program_id=program.id,
                    receiving_organization_id=receiver_org.id,
                    sending_organization_id=sender_org.id,
                    sent_by_id=caseworker.id,
                    status=status,
                    created_at=NOW - timedelta(minutes=count - n),
                    sent_at=NOW - timedelta(hours=1),
                    response_due_at=NOW + timedelta(hours=due_in_hours),
                )
                db.session.add(referral)
                db.session.flush()
                ids.append(referral.public_id)
            db.session.commit()
        return ids

    return caseworker, partner, add_referrals


@contextmanager
def counted(app):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _signed_in(app, user):
    from tests.conftest import login

    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/inbox", "/referrals/"])
def test_list_pages_issue_a_fixed_number_of_queries(app, coalition, path):
    caseworker, partner, add = coalition
    viewer = partner if path == "/inbox" else caseworker
    client = _signed_in(app, viewer)
    add(3)
    add(1, due_in_hours=-5)  # one overdue
    client.get(path)  # warm caches (demo banner, etc.)
    with counted(app) as few:
        assert client.get(path).status_code == 200
    add(40)
    add(10, due_in_hours=-5)
    with counted(app) as many:
        assert client.get(path).status_code == 200
    assert len(few) == len(many), (few, many)
    # The session check (with the user, organization and unread count), and the list; no
    # plan setting (PostgreSQL keeps the lists' generic plans by itself: lists._built).
    assert len(many) == 2, many
    assert not any("set_config" in statement for statement in many), many


def test_referral_page_issues_a_fixed_number_of_queries(app, coalition):
    caseworker, _partner, add = coalition
    [public_id] = add(1)
    client = _signed_in(app, caseworker)
    client.get(f"/referrals/{public_id}")
    with counted(app) as before:
        client.get(f"/referrals/{public_id}")
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral).where(Referral.public_id == public_id))
        from referrals.lifecycle.models import ReferralEvent

        for _ in range(20):
            db.session.add(
                ReferralEvent(referral_id=referral.id, kind="reminder", actor_id=caseworker.id)
            )
        db.session.commit()
    with counted(app) as after:
        client.get(f"/referrals/{public_id}")
    assert len(before) == len(after)


def test_inbox_shows_overdue_first_and_marks_unread(app, coalition):
    _caseworker, partner, add = coalition
    [fresh] = add(1)
    [late] = add(1, due_in_hours=-3)
    client = _signed_in(app, partner)
    body = client.get("/inbox").get_data(as_text=True)
    assert "Overdue: answer these first" in body
    assert body.index(late) < body.index(fresh)
    assert body.count('data-testid="unread"') >= 2
    client.get(f"/referrals/{fresh}")  # read receipt
    body = client.get("/inbox").get_data(as_text=True)
    row = re.search(rf"<tr[^>]*>\s*<td><a[^>]*>{fresh}</a>(.*?)</td>", body, re.S)
    assert row is not None
    assert 'data-testid="unread"' not in row.group(1)


def test_inbox_never_shows_drafts_or_referrals_without_consent(app, coalition):
    caseworker, partner, add = coalition
    [draft] = add(1, status=ReferralStatus.DRAFT)
    [uncovered] = add(1, consent=False)
    [visible] = add(1)
    client = _signed_in(app, partner)
    body = client.get("/inbox").get_data(as_text=True)
    assert visible in body
    assert draft not in body
    assert uncovered not in body
    assert client.get(f"/referrals/{draft}").status_code == 404
    assert client.get(f"/referrals/{uncovered}").status_code == 404
    sender = _signed_in(app, caseworker)
    assert draft in sender.get("/referrals/").get_data(as_text=True)


def test_status_filter_and_keyset_pages(app, coalition):
    caseworker, _partner, add = coalition
    requested = set(add(5))
    accepted = set(add(2, status=ReferralStatus.ACCEPTED))
    client = _signed_in(app, caseworker)
    body = client.get("/referrals/?status=accepted").get_data(as_text=True)
    assert all(pid in body for pid in accepted)
    assert not any(pid in body for pid in requested)
    assert client.get("/referrals/?status=bogus").status_code == 200  # unknown filter: all
    app.config["PAGE_SIZE"] = 3
    try:
        seen: set[str] = set()
        url = "/referrals/"
        for _ in range(5):
            body = client.get(url).get_data(as_text=True)
            seen |= {pid for pid in requested | accepted if pid in body}
            more = re.search(r'href="(/referrals/\?after=[^"]+)"', body)
            if not more:
                break
            url = more.group(1).replace("&amp;", "&")
    finally:
        app.config["PAGE_SIZE"] = 50
    assert seen == requested | accepted
    assert client.get("/referrals/?after=2024-01-01_5").status_code == 200  # naive cursor


def _overdue_ids(add, hours: list[int]) -> list[str]:
    """One overdue referral per entry, due that many hours ago (longest overdue first)."""
    return [add(1, due_in_hours=-h)[0] for h in hours]


def _panel(body: str) -> str:
    start = body.index('data-testid="overdue-panel"')
    return body[start : body.index("</div></div>", start)]


def test_the_panel_shows_the_five_longest_overdue_and_links_to_the_queue(app, coalition):
    _caseworker, partner, add = coalition
    late = _overdue_ids(add, [10, 9, 8, 7, 6, 5, 4])
    fresh = add(2)
    body = _signed_in(app, partner).get("/inbox").get_data(as_text=True)
    panel = _panel(body)
    shown = [pid for pid in late if pid in panel]
    assert shown == late[:5]
    assert [panel.index(pid) for pid in shown] == sorted(panel.index(pid) for pid in shown)
    assert 'href="/inbox?status=overdue"' in panel
    assert all(pid in body for pid in fresh)  # the newest are still on the first page


def test_no_link_to_the_queue_when_the_panel_shows_every_overdue_referral(app, coalition):
    _caseworker, partner, add = coalition
    late = _overdue_ids(add, [3, 2])
    panel = _panel(_signed_in(app, partner).get("/inbox").get_data(as_text=True))
    assert all(pid in panel for pid in late)
    assert "status=overdue" not in panel


def test_the_overdue_queue_pages_every_overdue_referral_longest_first(app, coalition):
    _caseworker, partner, add = coalition
    late = _overdue_ids(add, [30, 25, 20, 15, 10, 5, 2])
    add(2)  # not yet due
    add(1, status=ReferralStatus.ACCEPTED, due_in_hours=-40)  # answered: not overdue
    client = _signed_in(app, partner)
    app.config["PAGE_SIZE"] = 3
    try:
        seen: list[str] = []
        url = "/inbox?status=overdue"
        for _ in range(5):
            body = client.get(url).get_data(as_text=True)
            assert "Overdue referrals, longest waiting first" in body
            assert 'data-testid="overdue-panel"' not in body
            assert '<option value="overdue" selected' in body
            seen += sorted((pid for pid in late if pid in body), key=body.index)
            more = re.search(r'href="(/inbox\?status=overdue&amp;after=[^"]+)"', body)
            if not more:
                break
            url = more.group(1).replace("&amp;", "&")
    finally:
        app.config["PAGE_SIZE"] = 50
    assert seen == late


def test_only_the_inbox_offers_the_overdue_queue(app, coalition):
    caseworker, partner, _add = coalition
    assert '<option value="overdue"' in _signed_in(app, partner).get("/inbox").get_data(
        as_text=True
    )
    sent = _signed_in(app, caseworker).get("/referrals/?status=overdue")
    assert sent.status_code == 200  # an unknown filter there: everything
    assert '<option value="overdue"' not in sent.get_data(as_text=True)


def test_the_overdue_queue_issues_a_fixed_number_of_queries(app, coalition):
    _caseworker, partner, add = coalition
    client = _signed_in(app, partner)
    _overdue_ids(add, [5])
    client.get("/inbox?status=overdue")
    with counted(app) as few:
        assert client.get("/inbox?status=overdue").status_code == 200
    _overdue_ids(add, [9, 8, 7, 6, 4, 3])
    with counted(app) as many:
        assert client.get("/inbox?status=overdue").status_code == 200
    assert len(few) == len(many), (few, many)


def test_the_codes_the_lists_print_are_letters_digits_and_dashes():
    """Referral ids and client codes go into links and are read out over the phone: no
    character a URL or HTML gives a meaning to (the lists escape them all the same)."""
    from referrals.db_types import new_client_code, new_public_id

    for _ in range(500):
        assert re.fullmatch(r"[A-Z0-9-]+", new_public_id())
        assert re.fullmatch(r"[A-Z0-9-]+", new_client_code())
