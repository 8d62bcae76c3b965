"""The tamper-evident audit trail: ``flask audit verify`` and the /audit page.

Every kind of tampering (an edited column, a deleted or forged row, two rows swapped, the
newest rows cut off) must make ``verify`` exit non-zero; the page shows supervisors their
own organization's events and admins every event, with filters and keyset pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from config import TestingConfig
from referrals.audit import services as audit
from referrals.audit.models import AuditEvent
from referrals.audit.verify import HeadPin, parse_head_pin, verify_chain
from referrals.auth.models import User
from referrals.demo import DEMO_PASSWORD, seed_demo_data
from referrals.enums import Role
from referrals.extensions import db
from referrals.intake.models import Intake
from tests.conftest import login

KEY = TestingConfig.AUDIT_HMAC_KEY.encode()
table = AuditEvent.__table__
seq = table.c.sequence


def write_events(app: Flask, count: int, *, actor: User | None = None, **fields) -> list[int]:
    """Append ``count`` events through ``record``; returns their sequences."""
    with app.app_context():
        who = db.session.get(User, actor.id) if actor else None
        sequences = [
            audit.record(
                fields.get("action", "intake.viewed"),
                actor=who,
                object_type=fields.get("object_type", "intake"),
                object_id=fields.get("object_id", n + 1),
                detail=fields.get("detail", {"page": "detail", "n": n}),
            ).sequence
            for n in range(count)
        ]
        db.session.commit()
    return sequences


def run_verify(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def execute(app: Flask, *statements: sa.Executable) -> None:
    """Tamper with the table directly, as someone with database access would."""
    with app.app_context():
        for statement in statements:
            db.session.execute(statement)
        db.session.commit()


def head(app: Flask) -> tuple[int, str]:
    with app.app_context():
        row = db.session.execute(
            sa.select(AuditEvent.sequence, AuditEvent.hash).order_by(AuditEvent.sequence.desc())
        ).first()
        assert row is not None
        return row[0], row[1]


# --- verify: intact chains -----------------------------------------------------------------


def test_verify_passes_on_a_chain_written_through_record(app, make_user):
    actor = make_user(Role.CASEWORKER)
    write_events(app, 4, actor=actor)
    write_events(app, 3, action="sweep.reminders", object_type="", object_id="")
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert head(app)[0] == 8  # the run itself was recorded after the check
    assert "audit trail intact: 7 events, head sequence 7 hash " in result.output
    assert "--expect-head 7:" in result.output


def test_verify_reads_in_batches_and_an_empty_trail_is_intact(app, make_user):
    with app.app_context():
        assert verify_chain(key=KEY).intact
        assert verify_chain(key=KEY).count == 0
    write_events(app, 7, actor=make_user(Role.PARTNER))
    with app.app_context():
        result = verify_chain(key=KEY, batch_size=2)
    assert result.intact
    assert (result.count, result.head_sequence) == (7, 7)


def test_verify_passes_on_demo_data_and_real_requests(app):
    with app.app_context():
        seed_demo_data()
        caseworker = db.session.scalar(
            sa.select(User).where(User.email == "caseworker@demo.example.org")
        )
        db.session.expunge(caseworker)
    client = app.test_client()
    assert login(client, caseworker, password=DEMO_PASSWORD).status_code == 302
    assert client.get("/intakes/").status_code == 200
    with app.app_context():
        codes = db.session.scalars(
            sa.select(Intake.client_code)
            .where(Intake.organization_id == caseworker.organization_id)
            .limit(2)
        ).all()
    assert codes
    for code in codes:
        assert client.get(f"/intakes/{code}").status_code == 200
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.output


def test_each_run_is_itself_audited(app):
    write_events(app, 2)
    run_verify(app)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.sequence.desc()))
        assert event.action == "audit.verified"
        assert event.detail == {"intact": True, "events": 2, "head_sequence": 2}
    execute(app, sa.update(AuditEvent.__table__).where(AuditEvent.sequence == 1).values(action="x"))
    run_verify(app)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.sequence.desc()))
        assert event.detail["intact"] is False
        assert event.detail["problem"] == "content_changed"
        assert event.detail["at_sequence"] == 1


# --- verify: every kind of tampering --------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "intake.created"),
        ("detail", {"page": "edit", "n": 2}),
        ("object_id", "999"),
        ("actor_id", None),
        ("actor_organization_id", None),
        ("remote_addr", "10.0.0.9"),
        ("object_type", "referral"),
        ("occurred_at", datetime(2020, 1, 1, tzinfo=UTC)),
        ("hash", "f" * 64),
    ],
)
def test_an_edited_column_of_a_middle_row_is_caught(app, make_user, column, value):
    write_events(app, 5, actor=make_user(Role.CASEWORKER))
    execute(app, sa.update(table).where(seq == 3).values({column: value}))
    result = run_verify(app)
    assert result.exit_code == 1, result.output
    assert "sequence 3" in result.output
    assert "content changed" in result.output
    assert "after 2 intact events" in result.output


def test_an_edited_link_is_named_as_a_broken_link(app):
    write_events(app, 4)
    execute(app, sa.update(table).where(seq == 3).values(prev_hash="a" * 64))
    result = run_verify(app)
    assert result.exit_code == 1
    assert "sequence 3" in result.output
    assert "link to previous event broken" in result.output


def test_deleting_the_first_row_is_caught(app):
    write_events(app, 4)
    execute(app, sa.delete(table).where(seq == 1))
    result = run_verify(app)
    assert result.exit_code == 1
    assert "sequence 2" in result.output
    assert "missing sequence(s) 1 before this event" in result.output


def test_deleting_middle_rows_is_caught(app):
    write_events(app, 6)
    execute(app, sa.delete(table).where(seq.in_([3, 4])))
    result = run_verify(app)
    assert result.exit_code == 1
    assert "missing sequence(s) 3–4" in result.output


def test_deleting_the_last_rows_is_caught_with_a_pinned_head(app):
    write_events(app, 4)
    first = run_verify(app)
    pin = re.search(r"--expect-head (\S+)", first.output).group(1)
    assert pin.startswith("4:")
    # The chain has grown by the run's own event since: the pin is a floor, not the head.
    assert run_verify(app, "--expect-head", pin).exit_code == 0
    execute(app, sa.delete(table).where(seq >= 4))
    # On its own, the shorter chain looks whole: that is what the pin is for.
    with app.app_context():
        assert verify_chain(key=KEY).intact
    for given in (pin, "4", pin[:14]):
        result = run_verify(app, "--expect-head", given)
        assert result.exit_code == 1, given
        assert "the chain ends at sequence 3 but an earlier run saw sequence 4" in result.output
        execute(app, sa.delete(table).where(seq >= 4))  # drop the run's own event again
    # New events soon fill the numbers again; the pinned hash still tells them apart.
    write_events(app, 3)
    result = run_verify(app, "--expect-head", pin)
    assert result.exit_code == 1
    assert "sequence 4" in result.output
    assert "is not the pinned" in result.output


def test_a_pinned_head_with_another_hash_is_caught(app):
    write_events(app, 3)
    result = run_verify(app, "--expect-head", "2:" + "0" * 64)
    assert result.exit_code == 1
    assert "is not the pinned" in result.output


@pytest.mark.parametrize("pin", ["abc", "0", "-3", "3:xyz", "3:abc", "3:" + "a" * 65])
def test_a_malformed_pin_is_refused_with_a_message(app, pin):
    result = run_verify(app, "--expect-head", pin)
    assert result.exit_code == 2
    assert "--expect-head" in result.output
    with pytest.raises(ValueError, match=r"SEQUENCE|hexadecimal"):
        parse_head_pin(pin)


def test_parse_head_pin():
    assert parse_head_pin("12") == HeadPin(12)
    assert parse_head_pin(" 12:ABCDEF012345… ") == HeadPin(12, "abcdef012345")


def _forged(sequence: int, prev_hash: str, **fields) -> dict:
    return {
        "sequence": sequence,
        "occurred_at": datetime.now(UTC).replace(microsecond=0),
        "action": "intake.viewed",
        "object_type": "intake",
        "object_id": "1",
        "remote_addr": "",
        "detail": {},
        "prev_hash": prev_hash,
        "hash": "e" * 64,
        **fields,
    }


def test_a_forged_row_at_the_end_is_caught(app):
    write_events(app, 3)
    sequence, digest = head(app)
    execute(app, sa.insert(table).values(_forged(sequence + 1, digest)))
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"sequence {sequence + 1}" in result.output
    assert "content changed" in result.output


def test_a_forged_row_signed_with_another_key_is_caught(app):
    write_events(app, 3)
    sequence, digest = head(app)
    forged = _forged(sequence + 1, digest)
    forged["hash"] = audit.event_digest(b"a guessed key", AuditEvent(**forged))
    execute(app, sa.insert(table).values(forged))
    result = run_verify(app)
    assert result.exit_code == 1
    assert "content changed" in result.output


def test_a_forged_row_before_the_first_is_caught(app):
    write_events(app, 3)
    execute(app, sa.insert(table).values(_forged(0, audit.GENESIS_HASH)))
    result = run_verify(app)
    assert result.exit_code == 1
    assert "unexpected sequence 0" in result.output


@pytest.mark.parametrize(("a", "b"), [(2, 4), (2, 3)])
def test_swapping_two_rows_is_caught_as_out_of_order(app, a, b):
    write_events(app, 5)
    execute(
        app,
        sa.update(table).where(seq == a).values(sequence=-1),
        sa.update(table).where(seq == b).values(sequence=a),
        sa.update(table).where(seq == -1).values(sequence=b),
    )
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"sequence {a}" in result.output
    assert "out of order" in result.output


def test_swapping_the_contents_of_two_rows_is_caught(app, make_user):
    write_events(app, 2, actor=make_user(Role.CASEWORKER), action="intake.created")
    write_events(app, 2, action="login.failure")
    columns = ["action", "actor_id", "actor_organization_id", "object_id", "detail"]
    with app.app_context():
        rows = {
            row.sequence: row
            for row in db.session.execute(sa.select(seq, *(table.c[c] for c in columns)))
        }
    execute(
        app,
        sa.update(table).where(seq == 2).values({c: getattr(rows[3], c) for c in columns}),
        sa.update(table).where(seq == 3).values({c: getattr(rows[2], c) for c in columns}),
    )
    result = run_verify(app)
    assert result.exit_code == 1
    assert "sequence 2" in result.output


# --- the /audit page -----------------------------------------------------------------------


@pytest.fixture
def two_orgs(app, make_org, make_user):
    """Staff of two organizations, each with a few events of their own."""
    own, other = make_org(name="Own Org"), make_org(name="Other Org")
    people = {
        "caseworker": make_user(Role.CASEWORKER, org=own, display_name="Casey Own"),
        "partner": make_user(Role.PARTNER, org=own, display_name="Pat Own"),
        "stranger": make_user(Role.CASEWORKER, org=other, display_name="Sam Other"),
    }
    write_events(app, 2, actor=people["caseworker"], object_id="OWN-CW")
    write_events(
        app,
        1,
        actor=people["partner"],
        action="referral.accept",
        object_type="referral",
        object_id="OWN-PT",
        detail={"from": "requested", "to": "accepted"},
    )
    write_events(app, 2, actor=people["stranger"], object_id="OTHER-CW")
    write_events(app, 1, action="sweep.reminders", object_type="", object_id="SYSTEM")
    return own, other, people


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
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


def signed_in(app: Flask, user: User):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def page(client, query: str = "") -> str:
    response = client.get(f"/audit{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_supervisor_sees_only_the_own_organizations_staff(app, two_orgs, make_user):
    own, _other, _people = two_orgs
    body = page(signed_in(app, make_user(Role.SUPERVISOR, org=own)))
    assert "OWN-CW" in body
    assert "OWN-PT" in body
    assert "Casey Own" in body
    assert "Own Org" in body
    assert "OTHER-CW" not in body
    assert "Sam Other" not in body  # not even in the staff filter
    assert "SYSTEM" not in body
    # The action, the object and the detail in words, not codes.
    assert "Referral accepted" in body
    assert "Referral: OWN-PT" in body
    to_field = 'text-muted">To:</dt> <dd class="d-inline mb-0">Accepted</dd>'
    assert to_field in body
    assert "referral.accept<" not in body


def test_an_admin_sees_every_event(app, two_orgs, make_user):
    _own, other, _people = two_orgs
    body = page(signed_in(app, make_user(Role.ADMIN, org=other)))
    for marker in ("OWN-CW", "OWN-PT", "OTHER-CW", "SYSTEM", "Sam Other", "Casey Own"):
        assert marker in body


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER])
def test_caseworkers_and_partners_are_refused(app, make_user, role):
    assert signed_in(app, make_user(role)).get("/audit").status_code == 403


def _shown(body: str) -> set[str]:
    return set(re.findall(r"(OWN-CW|OWN-PT|OTHER-CW|SYSTEM)", body))


def test_filters_narrow_the_list(app, two_orgs, make_user):
    own, _other, people = two_orgs
    client = signed_in(app, make_user(Role.ADMIN))
    assert _shown(page(client, "?action=referral")) == {"OWN-PT"}
    assert _shown(page(client, "?action=referral.accept")) == {"OWN-PT"}
    assert _shown(page(client, "?action=sweep.reminders")) == {"SYSTEM"}
    assert _shown(page(client, f"?actor={people['stranger'].id}")) == {"OTHER-CW"}
    assert _shown(page(client, "?object_type=referral")) == {"OWN-PT"}
    assert _shown(page(client, "?object_type=intake&object_id=OTHER-CW")) == {"OTHER-CW"}
    today = datetime.now(ZoneInfo("America/Chicago")).date()  # a day of the coalition
    assert len(_shown(page(client, f"?start={today}&end={today}"))) == 4
    assert _shown(page(client, f"?end={today - timedelta(days=1)}")) == set()
    assert _shown(page(client, f"?start={today + timedelta(days=1)}")) == set()
    supervisor = signed_in(app, make_user(Role.SUPERVISOR, org=own))
    # Another organization's member is not a choice for a supervisor: no filter, own events.
    body = page(supervisor, f"?actor={people['stranger'].id}")
    assert "Not a valid choice" in body
    assert _shown(body) == {"OWN-CW", "OWN-PT"}


@pytest.mark.parametrize(
    "query",
    [
        "?action=nonsense",
        "?start=2024-13-45",
        "?start=9999-12-31",
        "?end=0001-01-01",
        "?start=2025-02-01&end=2025-01-01",
        "?object_id=OWN-CW",
        "?object_type=intake&object_id=" + "x" * 200,
        "?actor=abc",
        "?after=garbage",
        "?after=9999-12-31T00:00:00+00:00_99999999999",
    ],
)
def test_bad_filters_are_explained_not_a_500(app, two_orgs, make_user, query):
    client = signed_in(app, make_user(Role.ADMIN))
    response = client.get(f"/audit{query}")
    assert response.status_code == 200


def test_keyset_pages_walk_every_event_once(app, make_user):
    admin = make_user(Role.ADMIN)
    write_events(app, 11, actor=admin, action="referral.viewed", object_type="referral")
    with app.app_context():
        # Several events in one second, and one older than the others.
        db.session.execute(
            sa.update(table)
            .where(seq == 5)
            .values(occurred_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=3))
        )
        db.session.commit()
    client = signed_in(app, admin)
    app.config["PAGE_SIZE"] = 4
    try:
        seen: list[int] = []
        url = "/audit?action=referral"
        for _ in range(10):
            body = page(client, url.removeprefix("/audit"))
            seen += [int(s) for s in re.findall(r'data-sequence="(\d+)"', body)]
            more = re.search(r'href="(/audit\?[^"]+)"[^>]*>Older events', body)
            if not more:
                break
            url = more.group(1).replace("&amp;", "&")
            assert "action=referral" in url
    finally:
        app.config["PAGE_SIZE"] = 50
    assert sorted(seen) == list(range(1, 12))
    assert len(seen) == len(set(seen))
    assert seen[-1] == 5  # the oldest comes last


def test_the_page_issues_a_fixed_number_of_queries(app, make_org, make_user):
    org = make_org()
    supervisor = make_user(Role.SUPERVISOR, org=org)
    staff = [make_user(Role.CASEWORKER, org=org) for _ in range(3)]
    client = signed_in(app, supervisor)
    for person in staff:
        write_events(app, 1, actor=person)
    client.get("/audit")  # warm caches
    with counted(app) as few:
        page(client)
    for person in staff:
        write_events(app, 30, actor=person)
    with counted(app) as many:
        page(client)
    assert len(few) == len(many), (few, many)


def test_reading_the_audit_page_does_not_write_to_it(app, make_user):
    admin = make_user(Role.ADMIN)
    client = signed_in(app, admin)
    before = head(app)
    page(client)
    page(client, "?action=login")
    assert head(app) == before
